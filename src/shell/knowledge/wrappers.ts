/** Programs that run another program: sudo, su, env, timeout, nohup, xargs, parallel, watch, trap. */
import { parseWithSpec } from '../capabilities';
import { parseArgs, value } from '../args';
import { finding, lit, NO_STREAM, UNKNOWN_STREAM } from '../model';
import type { Word } from '../model';
import { stdinIsCode } from './code';
import { add, innerText, known, readOnly, resolveWord, skipOptions } from './common';
import type { Handler } from './common';
import { specOf, unknownOptions } from './specs';
import { judgeAssignment } from '../environment';

const sudo: Handler = (inv, out) => {
  known(out);
  const args = inv.argv.slice(1);
  const valueOpts = new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group', '--chdir', '--prompt', '--host', '--role', '--type', '--other-user', '--close-from', '--command-timeout']);
  let i = 0;
  let shell = false;
  let listing = false;
  while (i < args.length && args[i].value.startsWith('-') && args[i].value !== '--') {
    const a = args[i].value;
    if (/^-[a-zA-Z]*[sip]?[is]/.test(a) && !valueOpts.has(a) && /[is]/.test(a.replace(/^-/, ''))) {
      shell = true;
    }
    if (/^-[a-zA-Z]*[lvkK]$/.test(a) || a === '--list' || a === '--validate' || a === '-V' || a === '--version') {
      listing = true;
    }
    if (valueOpts.has(a)) {
      i++;
    }
    i++;
  }
  if (args[i]?.value === '--') {
    i++;
  }
  const rest = args.slice(i);
  add(out, finding('privilege', 'caution', 'privilege.sudo', `runs ${rest.length ? rest.map((w) => w.value).join(' ').slice(0, 60) : 'a shell'} as root (${inv.program}), with power over the whole machine`));
  if (rest.length) {
    out.stdout = inv.env.runArgv(rest, inv.scope, inv.stdin, innerText(rest));
  } else if (shell) {
    stdinIsCode(inv, out, 'a root shell');
  } else if (listing) {
    out.findings.length = 0;
    readOnly(out);
  }
};

const su: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['c', 'command', 's', 'shell', 'g', 'group', 'G']);
  add(out, finding('privilege', 'caution', 'privilege.su', `runs commands as another user${p.operands[0] && p.operands[0].value !== '-' ? ` (${p.operands[0].value})` : ' (root)'}`));
  const cmd = value(p, 'c', 'command');
  if (cmd !== undefined) {
    inv.env.runScript(cmd, inv.scope, 'bash');
  }
};

function wrapper(valueOpts: string[], positional = 0, harmlessSelf = true): Handler {
  return (inv, out) => {
    const args = inv.argv.slice(1);
    const i = skipOptions(args, valueOpts, positional);
    const rest = args.slice(i);
    if (harmlessSelf) {
      readOnly(out); // what it runs is judged (and recorded) on its own
    } else {
      known(out);
    }
    if (rest.length) {
      out.stdout = inv.env.runArgv(rest, inv.scope, inv.stdin, innerText(rest));
    }
  };
}

const envCmd: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  let i = 0;
  const scope = { ...inv.scope };
  while (i < args.length) {
    const a = args[i].value;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-S' || a === '--split-string' || a.startsWith('--split-string=') || (a.startsWith('-S') && a.length > 2)) {
      const s = a === '-S' || a === '--split-string' ? args[++i]?.value ?? '' : a.startsWith('-S') ? a.slice(2) : a.slice(15);
      inv.env.runScript([s, ...args.slice(i + 1).map((w) => w.value)].join(' '), scope, 'bash');
      return;
    }
    if (a === '-u' || a === '--unset' || a === '-C' || a === '--chdir') {
      if ((a === '-C' || a === '--chdir') && args[i + 1]) {
        const d = resolveWord(inv, args[i + 1]);
        scope.cwd = d ?? scope.cwd;
        scope.cwdKnown = d !== undefined;
      }
      i += 2;
      continue;
    }
    if (a.startsWith('-')) {
      i++;
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      // the same variables that change programs before a command change them here (LD_PRELOAD, PATH, ...)
      const eq = a.indexOf('=');
      out.findings.push(...judgeAssignment(inv.env, a.slice(0, eq), { ...args[i], value: a.slice(eq + 1) }, scope, inv.text));
      i++;
      continue;
    }
    break;
  }
  const rest = args.slice(i);
  if (rest.length) {
    out.stdout = inv.env.runArgv(rest, scope, inv.stdin, innerText(rest));
  }
};

const commandBuiltin: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  if (args.some((w) => w.value === '-v' || w.value === '-V')) {
    return;
  }
  const i = skipOptions(args, []);
  if (args.slice(i).length) {
    out.stdout = inv.env.runArgv(args.slice(i), inv.scope, inv.stdin, innerText(args.slice(i)));
  }
};

const xargs: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  const spec = specOf('xargs')!;
  unknownOptions(inv, out, spec, parseWithSpec(spec, args));
  const i = skipOptions(args, ['I', 'i', 'L', 'l', 'n', 'P', 'd', 'E', 'e', 's', 'a', 'arg-file', 'delimiter', 'max-args', 'max-procs', 'max-lines', 'replace', 'eof', 'max-chars', 'process-slot-var']);
  const rest = args.slice(i);
  const cmd = rest.length ? rest : [lit('echo')];
  const argFile = args.findIndex((w) => w.value === '-a' || w.value === '--arg-file');
  if (argFile >= 0 && args[argFile + 1]) {
    // -a file: the arguments come from that file, read now
    const abs = resolveWord(inv, args[argFile + 1]);
    const text = abs === undefined ? undefined : inv.env.view.read(abs);
    inv = { ...inv, stdin: text === undefined ? UNKNOWN_STREAM : { kind: 'literal', text } };
  }
  const fromStdin: Word[] = inv.stdin.kind === 'literal' ? (inv.stdin.text ?? '').split(/\s+/).filter(Boolean).map(lit) : [{ value: inv.stdin.fileList ? '$(files found)' : '$(xargs input)', literal: false }];
  const replace = args.findIndex((w) => w.value.startsWith('-I') || /^-i/.test(w.value) || w.value.startsWith('--replace'));
  if (replace >= 0) {
    const r = args[replace].value;
    const token = r === '-I' ? args[replace + 1]?.value ?? '{}' : r.startsWith('-I') ? r.slice(2) : r.startsWith('--replace=') ? r.slice(10) : '{}';
    const lines = inv.stdin.kind === 'literal' ? (inv.stdin.text ?? '').split('\n').filter((l) => l.trim()) : [];
    if (lines.length) {
      for (const l of lines.slice(0, 16)) {
        out.stdout = inv.env.runArgv(cmd.map((w) => (w.value.includes(token) ? { value: w.value.split(token).join(l.trim()), literal: w.literal } : w)), inv.scope, NO_STREAM, inv.text);
      }
    } else {
      out.stdout = inv.env.runArgv(cmd.map((w) => (w.value.includes(token) ? { value: w.value, literal: false } : w)), inv.scope, NO_STREAM, inv.text);
    }
  } else {
    out.stdout = inv.env.runArgv([...cmd, ...fromStdin], inv.scope, NO_STREAM, inv.text);
  }
};

const parallel: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  const sep = args.findIndex((w) => w.value === ':::' || w.value === '::::' || w.value === ':::+');
  const head = sep >= 0 ? args.slice(0, sep) : args;
  const i = skipOptions(head, ['j', 'jobs', 'S', 'sshlogin', 'joblog', 'results', 'd', 'delimiter', 'a', 'arg-file', 'I', 'N', 'n', 'max-args', 'timeout', 'load']);
  const cmd = head.slice(i);
  const inputs = sep >= 0 ? args.slice(sep + 1).filter((w) => !w.value.startsWith(':::')) : [];
  if (cmd.length === 1 && cmd[0].literal && /\s/.test(cmd[0].value)) {
    for (const input of inputs.length ? inputs : [lit('')]) {
      inv.env.runScript(cmd[0].value.replace(/\{\}/g, input.value), inv.scope, 'bash');
    }
    return;
  }
  if (cmd.length) {
    if (inputs.length) {
      for (const input of inputs) {
        inv.env.runArgv([...cmd.map((w) => (w.value === '{}' ? input : w)), ...(cmd.some((w) => w.value === '{}') ? [] : [input])], inv.scope, NO_STREAM, inv.text);
      }
    } else {
      inv.env.runArgv([...cmd, { value: '$(parallel input)', literal: false }], inv.scope, NO_STREAM, inv.text);
    }
  } else {
    stdinIsCode(inv, out, 'parallel');
  }
};

const watch: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  const i = skipOptions(args, ['n', 'interval', 'd', 'differences', 'q', 'equexit']);
  const rest = args.slice(i);
  if (rest.length === 1 && rest[0].literal) {
    inv.env.runScript(rest[0].value, inv.scope, 'bash');
  } else if (rest.length) {
    inv.env.runScript(rest.map((w) => w.value).join(' '), inv.scope, 'bash');
  }
};

const trap: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1).filter((w) => !/^-[lp]$/.test(w.value));
  if (args.length >= 2 && args[0].value !== '-') {
    if (args[0].literal) {
      inv.env.runScript(args[0].value, inv.scope, 'bash');
    } else {
      out.knowledge = 'unknown';
    }
  }
};

export const WRAPPERS_HANDLERS: Record<string, Handler> = {
trap,
  sudo,
  doas: sudo,
  pkexec: sudo,
  run0: sudo,
  gosu: wrapper([], 1),
  su,
  runuser: su,
  env: envCmd,
  timeout: wrapper(['s', 'signal', 'k', 'kill-after'], 1),
  gtimeout: wrapper(['s', 'signal', 'k', 'kill-after'], 1),
  nice: wrapper(['n', 'adjustment']),
  ionice: wrapper(['c', 'n', 'p', 't', 'class', 'classdata']),
  nohup: wrapper([]),
  coproc: wrapper([]),
  time: wrapper(['f', 'format', 'o', 'output']),
  command: commandBuiltin,
  builtin: commandBuiltin,
  exec: wrapper(['a']),
  stdbuf: wrapper(['i', 'o', 'e', 'input', 'output', 'error']),
  setsid: wrapper([]),
  unbuffer: wrapper([]),
  caffeinate: wrapper(['t', 'w']),
  chronic: wrapper([]),
  flock: wrapper(['w', 'E', 'timeout', 'conflict-exit-code'], 1),
  chroot: wrapper(['userspec', 'groups'], 1, false),
  'dotenv': wrapper(['e', 'c', 'v', 'p']),
  'env-cmd': wrapper(['f', 'e', 'r', 'file', 'environments', 'rc-file']),
  'cross-env': envCmd,
  doppler: (inv, out) => {
    const i = inv.argv.findIndex((w) => w.value === '--');
    readOnly(out);
    if (i > 0) {
      out.stdout = inv.env.runArgv(inv.argv.slice(i + 1), inv.scope, inv.stdin, innerText(inv.argv.slice(i + 1)));
    }
  },
  xargs,
  parallel,
  watch,
  busybox: (inv, out) => {
    if (inv.argv.length > 1) {
      readOnly(out);
      out.stdout = inv.env.runArgv(inv.argv.slice(1), inv.scope, inv.stdin, innerText(inv.argv.slice(1)));
    } else {
      out.knowledge = 'unknown';
    }
  },
};
