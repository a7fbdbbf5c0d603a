/** Reading files that may hold secrets (.env, keys, credentials), also through globs and computed names. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from '../args';
import { finding } from '../model';
import type { Invocation, Outcome } from '../model';
import { hasGlob } from '../paths';
import { add, display, resolveWord } from './common';

const SECRET_NAME =
  /^(\.env(\.[\w.-]+)?|[\w.-]+\.env|[\w.-]*\.(pem|key|p12|pfx|jks|keystore|kdbx)|id_(rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|_netrc|\.git-credentials|\.dockercfg|credentials\.json|service-account[\w.-]*\.json|secrets\.(json|ya?ml|toml|env)|[\w.-]+\.(tfvars|tfstate))$/;

const SECRET_PATH = /[\\/]\.ssh[\\/][^\\/]+$|[\\/]\.aws[\\/](credentials|config)$|[\\/]\.docker[\\/]config\.json$|[\\/]\.kube[\\/]config$|[\\/]\.config[\\/]gcloud[\\/]|[\\/]\.gnupg[\\/]/;

const NOT_SECRET = /\.env\.(example|sample|template|dist|defaults|schema)$|\.pub$|known_hosts$|[\\/]\.ssh[\\/]config$/;

/** Programs that print the files they are given; `skip` leading operands are not files (patterns). */
const READERS: Record<string, { skip: number; valueOpts: string[] }> = {
  cat: { skip: 0, valueOpts: [] },
  bat: { skip: 0, valueOpts: ['l', 'language', 'theme', 'style', 'r', 'line-range'] },
  batcat: { skip: 0, valueOpts: ['l', 'language', 'theme', 'style', 'r', 'line-range'] },
  less: { skip: 0, valueOpts: [] },
  more: { skip: 0, valueOpts: [] },
  head: { skip: 0, valueOpts: ['n', 'c', 'lines', 'bytes'] },
  tail: { skip: 0, valueOpts: ['n', 'c', 'lines', 'bytes', 's', 'pid'] },
  tac: { skip: 0, valueOpts: [] },
  nl: { skip: 0, valueOpts: [] },
  od: { skip: 0, valueOpts: ['t', 'A', 'N', 'j'] },
  xxd: { skip: 0, valueOpts: ['c', 'g', 'l', 's'] },
  hexdump: { skip: 0, valueOpts: ['n', 's', 'e', 'f'] },
  strings: { skip: 0, valueOpts: ['n'] },
  base64: { skip: 0, valueOpts: ['w'] },
  sort: { skip: 0, valueOpts: ['k', 't', 'o', 'S', 'T'] },
  grep: { skip: 1, valueOpts: ['e', 'f', 'm', 'A', 'B', 'C', 'd', 'D', 'include', 'exclude', 'regexp', 'file', 'max-count', 'context', 'color', 'colour'] },
  rg: { skip: 1, valueOpts: ['e', 'f', 'g', 'glob', 't', 'T', 'type', 'type-not', 'm', 'max-count', 'A', 'B', 'C', 'j', 'M', 'r', 'replace', 'sort', 'color', 'colors'] },
  jq: { skip: 1, valueOpts: ['arg', 'argjson', 'slurpfile', 'rawfile', 'indent', 'f', 'from-file'] },
  yq: { skip: 1, valueOpts: ['o', 'output-format', 'p', 'input-format', 'I', 'indent'] },
  cp: { skip: 0, valueOpts: ['t', 'target-directory', 'S', 'suffix'] },
};

/** The existing files a glob in the last path segment matches (dot files too), at most 1,000 looked at. */
function expandGlob(abs: string): string[] {
  const dir = path.dirname(abs);
  const glob = path.basename(abs);
  const re = globToRegExp(glob);
  // Like bash without dotglob: a pattern matches a dot file only when it starts with a dot.
  const dots = glob.startsWith('.');
  try {
    return fs
      .readdirSync(dir)
      .slice(0, 1000)
      .filter((n) => (dots || !n.startsWith('.')) && re.test(n))
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i) {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      } else {
        re += '\\[';
      }
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** A finding when a command prints or copies a file that may hold secrets (.env, keys, credentials). */
export function readsSecrets(inv: Invocation, out: Outcome): void {
  const r = READERS[inv.program];
  if (!r) {
    return;
  }
  const p = parseArgs(inv.argv.slice(1), r.valueOpts);
  const ops = p.operands.slice(r.skip && !p.values.has('e') && !p.values.has('regexp') && !p.values.has('f') ? r.skip : 0);
  const files = inv.program === 'cp' ? ops.slice(0, -1) : ops;
  const secrets: string[] = [];
  const isSecret = (abs: string) => {
    const base = abs.split(/[\\/]/).pop() ?? '';
    return (SECRET_NAME.test(base) || SECRET_PATH.test(abs) || /^id_(rsa|dsa|ecdsa|ed25519)/.test(base)) && !NOT_SECRET.test(abs);
  };
  for (const w of files) {
    if (!w.literal) {
      // `cat $(echo .env)`, `cat "$f"`: the file is only known when the line runs.
      if (/^\$|\$\(|`/.test(w.value) && w.value !== '$(xargs input)') {
        secrets.push(`${w.value} (a name computed when the line runs)`);
      }
      continue;
    }
    const abs = resolveWord(inv, w);
    if (abs === undefined) {
      continue;
    }
    if (hasGlob(path.basename(abs))) {
      // `cat .e*`, `head .en?`: what the shell would expand the pattern to, here and now.
      secrets.push(...expandGlob(abs).filter(isSecret).map((m) => display(m, inv)));
    } else if (isSecret(abs)) {
      secrets.push(display(abs, inv));
    }
  }
  if (secrets.length) {
    if (out.knowledge === 'harmless') {
      out.knowledge = 'known';
    }
    add(out, finding('exfiltration', 'caution', 'secrets.read', `${inv.program === 'cp' ? 'copies' : 'prints'} ${secrets.join(', ')}, which may hold secrets (keys, tokens, passwords) that would end up in the agent's context`));
  }
}
