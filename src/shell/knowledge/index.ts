/**
 * The knowledge base: what one simple command (after unwrapping) would do. Each entry returns
 * findings with a plain-language reason, the paths it writes or deletes, and whether the program is
 * harmless, known, or unknown (then the policy's default decides). One file per domain; this one
 * puts their tables together and classifies.
 */
import { UNKNOWN_STREAM } from '../model';
import type { Invocation, Outcome } from '../model';
import { ARCHIVE_HANDLERS } from './archives';
import { CODE_HANDLERS, inlineCode, runsScript } from './code';
import { configsRun, hasConfigs } from './scripts';
import { readOnly } from './common';
import type { Handler } from './common';
import { DATABASES_HANDLERS } from './databases';
import { EDIT_HANDLERS } from './edits';
import { FILES_HANDLERS } from './files';
import { FIND_HANDLERS } from './find';
import { GIT_HANDLERS } from './git';
import { INFRASTRUCTURE_HANDLERS } from './infrastructure';
import { NETWORK_HANDLERS } from './network';
import { PACKAGES_HANDLERS } from './packages';
import { RUNNER_HANDLERS } from './runners';
import { SEARCH_HANDLERS } from './search';
import { SED_HANDLERS } from './sed';
import { applyOptionRoles, bySpec, operandRoles, specOf, unknownOptions, workScope } from './specs';
import { parseWithSpec } from '../capabilities';
import { mkfs, SYSTEM_HANDLERS } from './system';
import { WRAPPERS_HANDLERS } from './wrappers';

export { writeTarget } from './common';

/** Every domain's table; a program may appear in one of them only (unit-tested). */
export const DOMAIN_TABLES: Readonly<Record<string, Readonly<Record<string, Handler>>>> = {
  archives: ARCHIVE_HANDLERS,
  code: CODE_HANDLERS,
  databases: DATABASES_HANDLERS,
  edits: EDIT_HANDLERS,
  files: FILES_HANDLERS,
  find: FIND_HANDLERS,
  git: GIT_HANDLERS,
  infrastructure: INFRASTRUCTURE_HANDLERS,
  network: NETWORK_HANDLERS,
  packages: PACKAGES_HANDLERS,
  runners: RUNNER_HANDLERS,
  search: SEARCH_HANDLERS,
  sed: SED_HANDLERS,
  system: SYSTEM_HANDLERS,
  wrappers: WRAPPERS_HANDLERS,
};

const HANDLERS: Readonly<Record<string, Handler>> = Object.assign({}, ...Object.values(DOMAIN_TABLES));

/** Whether the knowledge base has its own entry for a program. */
export function hasHandler(program: string): boolean {
  return Object.prototype.hasOwnProperty.call(HANDLERS, program);
}
/** Programs that run other programs: `--help` among their arguments may belong to those. */
const RUNS_OTHERS = new Set(['sudo', 'doas', 'pkexec', 'run0', 'gosu', 'su', 'runuser', 'env', 'timeout', 'gtimeout', 'nice', 'ionice', 'nohup', 'time', 'command', 'builtin', 'exec', 'stdbuf', 'setsid', 'unbuffer', 'caffeinate', 'chronic', 'flock', 'chroot', 'dotenv', 'env-cmd', 'cross-env', 'doppler', 'xargs', 'parallel', 'watch', 'find', 'sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox', 'eval', 'source', '.', 'npx', 'pnpx', 'bunx', 'uvx', 'bundle', 'pipenv', 'pipx', 'conda', 'mamba', 'pixi', 'rye', 'poetry', 'uv', 'pdm', 'hatch', 'trap', 'ssh', 'python', 'python2', 'python3', 'py', 'pypy', 'pypy3', 'node', 'nodejs', 'perl', 'ruby', 'php', 'lua', 'Rscript', 'osascript', 'bun', 'deno']);

/**
 * `--help` that makes the program print help and stop. Tools that take files stop only when it comes
 * before any operand: BSD getopt treats a later `--help` as a file name (`rm -rf ~ --help` deletes).
 */
function helpOnly(inv: Invocation): boolean {
  const args = inv.argv.slice(1);
  const at = args.findIndex((w) => w.value === '--help');
  if (at < 0 || !inv.argv.every((w) => w.literal)) {
    return false;
  }
  return !FILE_TOOLS.has(inv.program) || args.slice(0, at).every((w) => w.value.startsWith('-'));
}

const FILE_TOOLS = new Set(['rm', 'rmdir', 'unlink', 'shred', 'srm', 'wipe', 'rimraf', 'del', 'trash', 'trash-put', 'mv', 'cp', 'install', 'ln', 'link', 'touch', 'mkdir', 'mkfifo', 'chmod', 'chown', 'chgrp', 'chattr', 'truncate', 'dd', 'tee', 'sed', 'gsed', 'perl', 'kill', 'pkill', 'killall', 'killall5', 'rsync', 'scp', 'sftp', 'tar', 'zip', 'unzip', '7z', 'gzip', 'gunzip', 'bzip2', 'xz', 'zstd', 'fdisk', 'sfdisk', 'gdisk', 'sgdisk', 'parted', 'cfdisk', 'wipefs', 'shutdown', 'reboot', 'halt', 'poweroff', 'crontab', 'curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ftp', 'openssl', 'base64', 'xxd', 'awk', 'gawk', 'mawk', 'nawk']);

/** Classifies one simple command (program already resolved, wrappers not yet unwrapped). */
export function classify(inv: Invocation): Outcome {
  const out: Outcome = { findings: [], knowledge: 'unknown', stdout: UNKNOWN_STREAM };
  const h = Object.prototype.hasOwnProperty.call(HANDLERS, inv.program) ? HANDLERS[inv.program] : undefined;
  const spec = specOf(inv.program);
  if ((h || spec) && !RUNS_OTHERS.has(inv.program) && helpOnly(inv)) {
    // `git push --help`, `terraform destroy --help`: prints help and does nothing else
    readOnly(out);
    return out;
  }
  if (h) {
    h(inv, out);
    if (spec && !OWN_OPTIONS.has(inv.program)) {
      // what the handler leaves to the spec: option roles, reads of operands, unknown options
      const parse = parseWithSpec(spec, inv.argv.slice(1));
      applyOptionRoles(inv, out, parse);
      if (spec.args === 'read' || spec.args === 'pattern') {
        operandRoles(inv, out, spec.args, parse.operands, workScope(inv, parse), inv.program);
      }
      unknownOptions(inv, out, spec, parse);
    }
  } else if (spec) {
    bySpec(inv, out, spec);
  } else if (inv.env.functions.has(inv.program)) {
    out.knowledge = 'known';
  } else if (/^mkfs(\.|$)|^mke2fs$|^mkswap$|^newfs/.test(inv.program)) {
    mkfs(inv, out);
  } else if (inv.argv[0].literal && /[\\/]/.test(inv.argv[0].value)) {
    runsScript(inv, out, inv.argv[0], /\.(py|js|mjs|cjs|ts|rb|pl|php)$/.test(inv.argv[0].value) ? 'script' : 'sh');
  }
  if (hasConfigs(inv.program) && inv.scope.cwdKnown) {
    configsRun(inv, out, inv.program, inv.scope.cwd, inlineCode);
  }
  if (out.unknownReason) {
    out.knowledge = 'unknown';
    out.writes = true;
  }
  return out;
}

/** Handlers that check their program's options against its spec themselves (sub-commands, grammars). */
const OWN_OPTIONS = new Set(['git', 'find', 'xargs', 'tar', 'python', 'python2', 'python3', 'py', 'pypy', 'pypy3', 'node', 'nodejs', 'perl', 'ruby', 'php', 'lua', 'make', 'cmake', 'npm', 'pnpm', 'yarn', 'npx', 'pnpx', 'bunx', 'docker', 'dos2unix', 'unix2dos', 'sed', 'gsed', 'awk', 'gawk', 'mawk', 'nawk', 'grep', 'egrep', 'fgrep', 'rg', 'fd', 'zip', 'unzip', 'exiftool', 'uniq', 'xxd', 'split', 'csplit', 'hostname', 'hyperfine', 'concurrently', 'npm-run-all', 'run-s', 'run-p', 'nodemon', 'dc', 'gmake', 'perl']);
