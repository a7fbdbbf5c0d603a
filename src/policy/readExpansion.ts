/**
 * What an action reaches beyond the paths it names. Deleting a folder deletes every file in it:
 * the files there that a name rule (`*.test.js`, `.env`) could protect are judged one by one.
 * Read tools that choose files by a pattern (a Grep tool's `glob`/`include`, a search through a
 * folder): the files they would read now, so each is judged like a Read of it. Only the files a
 * read rule could care about are kept (the rest are allowed anyway); a search too large to walk
 * is reported so the caller can ask. A search with no file filter (`dir/**` + `*`) skips the files
 * git ignores, as the agents' ripgrep-based search tools do; a filter the agent names (`.env*`)
 * overrides that, as ripgrep's globs do, so every file it matches is judged.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Minimatch } from 'minimatch';
import type { PathOp } from '../core/types';
import type { Policy } from './compile';
import { WALK_SKIP, walkEntries } from './walk';
import { childProcess } from '../util/lazyBuiltin';

/** Most entries walked for one pattern. */
export const MAX_READ_WALK = 5000;

function hasGlob(p: string): boolean {
  return /[*?[{]/.test(p);
}

/** Whether any rule of the policy could ask or deny reading a file with this name or path. */
function mayBeProtected(policy: Policy, abs: string, op: PathOp): boolean {
  const base = path.basename(abs);
  const folded = policy.caseInsensitive ? base.toLowerCase() : base;
  for (const layer of policy.layers) {
    for (const set of [layer, ...layer.agents.values()]) {
      for (const rule of set.paths) {
        const ref = rule.ops[op];
        if (!ref || ref.verdict === 'allow') {
          continue;
        }
        if (rule.kind === 'name' ? rule.literal === folded || rule.matcher.match(base) : rule.matcher.match(rule.kind === 'absolute' ? abs : rule.floating ? abs.replace(/^\//, '') : path.relative(policy.folder, abs))) {
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * The paths a read action reaches: plain paths as they are; a path with a glob (`dir/**` for a
 * search of a folder, or `dir/**` followed by a Grep tool's glob) becomes the existing files it matches
 * that a read rule could care about. undefined when a pattern matches too much to walk.
 */
export function expandReadPaths(policy: Policy, paths: readonly string[], cwd: string): string[] | undefined {
  const out: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (!hasGlob(abs)) {
      out.push(abs);
      continue;
    }
    const parts = abs.split('/');
    const firstGlob = parts.findIndex((s) => hasGlob(s));
    const root = parts.slice(0, firstGlob).join('/') || '/';
    const mm = new Minimatch(abs, { dot: true, nocase: policy.caseInsensitive });
    const entries = walkEntries(root, MAX_READ_WALK);
    if (!entries) {
      return undefined;
    }
    const found: string[] = [];
    for (const { dir, entry } of entries) {
      const full = path.join(dir, entry.name);
      if (!entry.isDirectory() && mm.match(full) && mayBeProtected(policy, full, 'read')) {
        found.push(full);
      }
    }
    out.push(...(abs.endsWith('/**/*') ? notIgnored(root, found) : found));
  }
  return out;
}

/** The files git does not ignore (all of them outside a repository or when git fails). */
function notIgnored(root: string, files: readonly string[]): readonly string[] {
  if (!files.length) {
    return files;
  }
  const r = childProcess().spawnSync('git', ['-C', root, 'check-ignore', '-z', '--stdin'], { input: files.join('\0') + '\0', encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') {
    return files;
  }
  const ignored = new Set(r.stdout.split('\0').filter(Boolean).map((f) => path.resolve(root, f)));
  return files.filter((f) => !ignored.has(f));
}

/** The protected entries inside the folders a delete reaches (see deletedContents). */
export type ContentsLookup = (policy: Policy, paths: readonly string[], cwd: string) => { paths: string[]; tooMany: string[] };

/**
 * The entries inside the folders among `paths` that a delete rule could protect (each judged like
 * deleting it); `tooMany` when a folder holds more than Airlock walks. Rebuildable output folders
 * (node_modules, dist, ...), the file-system root and links are not entered.
 */
export function deletedContents(policy: Policy, paths: readonly string[], cwd: string): { paths: string[]; tooMany: string[] } {
  return collectContents(paths, cwd, (abs) => folderContents(policy, abs));
}

/** The same, each folder walked once per policy: for a batch (`check --jsonl`), one moment in time. */
export function cachedContents(): ContentsLookup {
  const cache = new WeakMap<Policy, Map<string, string[] | undefined>>();
  return (policy, paths, cwd) => {
    let perPolicy = cache.get(policy);
    if (!perPolicy) {
      perPolicy = new Map();
      cache.set(policy, perPolicy);
    }
    const m = perPolicy;
    return collectContents(paths, cwd, (abs) => {
      if (!m.has(abs)) {
        m.set(abs, folderContents(policy, abs));
      }
      return m.get(abs);
    });
  };
}

function collectContents(paths: readonly string[], cwd: string, inside: (abs: string) => string[] | undefined): { paths: string[]; tooMany: string[] } {
  const out: string[] = [];
  const tooMany: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (hasGlob(abs) || WALK_SKIP.has(path.basename(abs)) || path.dirname(abs) === abs) {
      continue;
    }
    const found = inside(abs);
    if (found) {
      out.push(...found);
    } else {
      tooMany.push(abs);
    }
  }
  return { paths: out, tooMany };
}

/** [] for a file or a missing path; undefined when the folder is too large to walk. */
function folderContents(policy: Policy, abs: string): string[] | undefined {
  if (!isFolder(abs)) {
    return [];
  }
  const entries = walkEntries(abs, MAX_READ_WALK);
  if (!entries) {
    return undefined;
  }
  const out: string[] = [];
  for (const { dir, entry } of entries) {
    const full = path.join(dir, entry.name);
    if (mayBeProtected(policy, full, 'delete')) {
      out.push(full);
    }
  }
  return out;
}

function isFolder(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
