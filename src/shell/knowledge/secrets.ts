/**
 * Reads of files that may hold secrets (.env, keys, credentials), however they are reached: a
 * named file, a glob, a computed name, or a folder read with everything below it (`grep -r`,
 * `tar -c`, `zip -r`, `rg`), walked on the real file system.
 */
import * as path from 'node:path';
import { finding } from '../model';
import type { Invocation, Outcome } from '../model';
import { add, display } from './common';

const SECRET_NAME =
  /^(\.env(\.[\w.-]+)?|[\w.-]+\.env|[\w.-]*\.(pem|key|p12|pfx|jks|keystore|kdbx|asc|gpg)|id_(rsa|dsa|ecdsa|ed25519)[\w.-]*|\.npmrc|\.yarnrc\.yml|\.pypirc|\.netrc|_netrc|\.git-credentials|\.dockercfg|credentials\.json|service-account[\w.-]*\.json|secrets\.(json|ya?ml|toml|env)|[\w.-]+\.(tfvars|tfstate)|\.bash_history|\.zsh_history|environ)$/;

const SECRET_PATH =
  /[\\/]\.ssh([\\/]|$)|[\\/]\.aws[\\/](credentials|config)$|[\\/]\.docker[\\/]config\.json$|[\\/]\.kube[\\/]config$|[\\/]\.config[\\/](gcloud|gh)([\\/]|$)|[\\/]\.gnupg([\\/]|$)|[\\/]\.azure([\\/]|$)|^\/etc\/(shadow|gshadow|sudoers)|^\/etc\/ssl\/private|^\/proc\/[^/]+\/(environ|mem)$/;

/** Whether a path's name or place says it may hold secrets (the built-in policy's secret patterns). */
export function isSecretPath(abs: string): boolean {
  const p = abs.replace(/[\\/]+$/, '');
  return SECRET_NAME.test(path.basename(p)) || SECRET_PATH.test(p);
}

/** Folders a recursive read does not walk: rebuildable output and git's own store. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.cache', '.next', '.nuxt', '.turbo', 'target', 'dist', 'build', 'out', 'coverage']);
/** Most entries a recursive read looks at before it gives up (and asks). */
export const MAX_TREE_ENTRIES = 5000;

export interface TreeFilter {
  /** Hidden files and folders are skipped (rg without --hidden). */
  readonly skipHidden?: boolean;
  /** Files git ignores are skipped (rg without --no-ignore). */
  readonly skipIgnored?: boolean;
  /** Only files whose name passes (grep --include/--exclude, rg -g). */
  readonly file?: (name: string) => boolean;
  /** Folders not walked (grep --exclude-dir). */
  readonly dir?: (name: string) => boolean;
}

/**
 * A folder read with everything below it: a read of the folder (recursive) and of every file below
 * it that may hold secrets, found by walking the file system now (at most MAX_TREE_ENTRIES).
 */
export function readTree(inv: Invocation, out: Outcome, dir: string, how: string, filter: TreeFilter = {}): void {
  inv.env.reads.push({ path: dir, via: inv.text, recursive: true });
  const ignored = filter.skipIgnored ? inv.env.view.uncovered(dir) : undefined;
  const isIgnored = (p: string) => !!ignored?.some((x) => p === x.replace(/\/$/, '') || p.startsWith(x.endsWith('/') ? x : `${x}/`));
  let seen = 0;
  const stack = [dir];
  const found: string[] = [];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of inv.env.view.list(d) ?? []) {
      if (++seen > MAX_TREE_ENTRIES) {
        add(out, finding('exfiltration', 'caution', 'read.tree-too-large', `${how} reads everything below ${display(dir, inv)}: more than ${MAX_TREE_ENTRIES} files and folders, too many for Airlock to check for secrets`));
        stack.length = 0;
        break;
      }
      const p = path.join(d, e.name);
      if ((filter.skipHidden && e.name.startsWith('.')) || isIgnored(p)) {
        continue;
      }
      if (e.dir) {
        if (!SKIP_DIRS.has(e.name) && !(filter.dir && !filter.dir(e.name))) {
          stack.push(p);
        }
      } else if ((!filter.file || filter.file(e.name)) && isSecretPath(p)) {
        found.push(p);
      }
    }
  }
  for (const p of found.sort()) {
    inv.env.reads.push({ path: p, via: inv.text });
  }
}
