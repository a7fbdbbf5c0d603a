/**
 * The knowledge base: what one simple command (after unwrapping) would do. Each entry returns
 * findings with a plain-language reason, the paths it writes or deletes, and whether the program is
 * harmless, known, or unknown (then the policy's default decides).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandFinding } from '../core/types';
import { has, parseArgs, value } from './args';
import type { ParsedArgs } from './args';
import { finding, lit, NO_STREAM, UNKNOWN_STREAM } from './model';
import type { Invocation, Outcome, Stream, Word } from './model';
import { hasGlob, isInside, locate, resolvePath } from './paths';
import { mongoFindings, redisFindings, sqlFindings } from './sql';

type Handler = (inv: Invocation, out: Outcome) => void;

const harmless = (): Outcome => ({ findings: [], knowledge: 'harmless', stdout: UNKNOWN_STREAM });

/** Read-only or routine tools: harmless whatever their arguments (writes come from redirections). */
const HARMLESS = new Set(
  `ls ll la dir vdir cat bat batcat less more head tail wc grep egrep fgrep rg ag ack fd fdfind tree pwd echo printf true false test [ [[ which whereis type file stat du df
  date printenv whoami id groups uname hostname uptime ps pgrep jq yq gojq sort uniq cut tr diff colordiff cmp comm basename dirname realpath readlink sleep seq
  xxd od hexdump strings md5sum sha1sum sha224sum sha256sum sha384sum sha512sum shasum cksum b2sum column fold nl paste join tac rev expand unexpand cal bc dc expr
  man help info clear reset tput locale getconf nproc free lscpu lsblk lsof ping dig nslookup host whois traceroute netstat ss tsc eslint prettier black isort ruff flake8 pylint mypy pyright
  pytest jest vitest mocha ava tap playwright cypress karma jasmine phpunit rspec minitest gotestsum golangci-lint staticcheck shellcheck shfmt hadolint yamllint markdownlint stylelint biome oxlint
  tsx ts-node make cmake ninja meson bazel bazelisk buck sbt lein ant rustc rustfmt clippy-driver gcc g++ cc c++ clang clang++ ld javac java kotlinc kotlin scalac swift swiftc
  dotnet-format go gofmt goimports zig nim crystal elixir mix erl iex rebar3 ghc cabal stack vite webpack rollup esbuild parcel swc babel turbo nx ng next nuxt astro remix svelte-kit
  expo storybook jsdoc typedoc tsdoc sphinx-build mkdocs hugo jekyll zola asciidoctor pandoc dot mmdc plantuml code cursor codium env-cmd dotenv cross-env
  history alias unalias set shopt export declare typeset local readonly unset shift return exit break continue wait jobs fg bg disown umask ulimit hash
  cd pushd popd dirs exec-noop nvm fnm volta asdf pyenv rbenv goenv sdk jenv direnv corepack tldr lsb_release sw_vers system_profiler vm_stat top htop btop iostat vmstat
  open xdg-open wslview pbcopy pbpaste xclip xsel say notify-send printenv getent nvidia-smi lspci lsusb arch iconv dos2unix unix2dos file mimetype identify exiftool ffprobe mediainfo
  docker-compose-noop uuidgen openssl-noop gpg-noop factor numfmt tput stty tty true : logname users who w last finger pinky groups
  tokei cloc scc wc hyperfine journalctl dmesg read getopts let ssh-keygen ssh-add patch pre-commit husky lint-staged tox nox rustup cargo-watch create-react-app create-next-app create-vite degit nodemon concurrently npm-run-all run-s run-p wait-on serve http-server live-server json-server ncu npm-check-updates knip depcheck madge c8 nyc istanbul time-noop watchman-noop entr-noop ctags gtags cscope glow mdcat`.split(/\s+/).filter(Boolean),
);

// ----- helpers -----

/** The text of a command a wrapper runs (`sudo rm -rf x` -> `rm -rf x`), for rules and prompts. */
function innerText(argv: readonly Word[]): string {
  return argv.map((w) => (!w.literal || /^[\w@%+=:,./~-]+$/.test(w.value) ? w.value : `'${w.value.replace(/'/g, "'\\''")}'`)).join(' ');
}

function words(ws: readonly Word[]): string[] {
  return ws.map((w) => w.value);
}

function add(out: Outcome, f: CommandFinding): void {
  if (!out.findings.some((x) => x.id === f.id && x.reason === f.reason)) {
    out.findings.push(f);
  }
}

function known(out: Outcome): void {
  out.knowledge = 'known';
}

function resolveWord(inv: Invocation, w: Word): string | undefined {
  if (!w.literal || (!inv.scope.cwdKnown && !isAbsoluteLike(w.value))) {
    return undefined;
  }
  return resolvePath(w.value, inv.scope.cwd, inv.env.home);
}

function isAbsoluteLike(p: string): boolean {
  return p.startsWith('/') || p === '~' || p.startsWith('~/') || /^[a-zA-Z]:[\\/]/.test(p);
}

function display(full: string, inv: Invocation): string {
  const p = full.replace(/[\\/]\(matching files\)$/, '');
  const ws = inv.env.workspace;
  if (p === ws) {
    return full === p ? p : 'the workspace';
  }
  if (isInside(p, ws) && p !== ws) {
    return path.relative(ws, p) || p;
  }
  if (p === inv.env.home) {
    return '~ (your home folder)';
  }
  return p;
}

/** Records that a command writes or creates a path; findings for writes outside the workspace. */
export function writeTarget(inv: Invocation, out: Outcome, w: Word, op: 'write' | 'create' = 'write'): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    add(out, finding('file-destruction', 'caution', 'write.dynamic-path', `writes to a path that is only known when the command runs (${w.value})`));
    return;
  }
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (loc === 'null-device') {
    return;
  }
  if (/^\/dev\/(tcp|udp)\//.test(abs)) {
    add(out, finding('exfiltration', 'destructive', 'exfil.dev-tcp', `connects to ${abs.slice(9)} over the network (bash /dev/tcp), a classic reverse shell or upload`));
    return;
  }
  inv.env.effects.push({ path: abs, op, via: inv.text });
  switch (loc) {
    case 'device':
      add(out, finding('system', 'catastrophic', 'system.write-device', `writes straight to the device ${abs}, destroying what is stored on it`));
      break;
    case 'root':
    case 'system':
    case 'system-top':
      add(out, finding('system', 'destructive', 'system.write-system-file', `changes the system file ${abs}, outside the workspace`));
      break;
    case 'home-config':
      add(out, finding('system', 'destructive', 'system.write-user-config', `changes ${abs}, a file in your home folder that controls your shell, credentials or tools`));
      break;
    case 'home':
    case 'home-ancestor':
    case 'workspace-ancestor':
    case 'outside':
      add(out, finding('file-destruction', 'caution', 'write.outside-workspace', `writes ${abs}, outside the workspace (Airlock's snapshots cannot restore it)`));
      break;
    default:
      break;
  }
}

/** Records that a command deletes a path; the severity depends on where it is. */
export function deleteTarget(inv: Invocation, out: Outcome, w: Word, recursive: boolean, verb = 'deletes'): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    add(
      out,
      finding('file-destruction', recursive ? 'destructive' : 'caution', 'fs.delete-dynamic', `${verb} ${w.value}${recursive ? ' recursively' : ''}, a path only known when the command runs, so Airlock cannot check what it is`),
    );
    return;
  }
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (loc === 'null-device') {
    return;
  }
  inv.env.effects.push({ path: abs, op: 'delete', via: inv.text });
  const what = display(abs, inv);
  const r = recursive ? ' and everything in it' : '';
  switch (loc) {
    case 'root':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-root', `${verb} the root of the file system${r}: the whole machine`));
      break;
    case 'home':
    case 'home-ancestor':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-home', `${verb} ${what}${r}: all your personal files`));
      break;
    case 'system-top':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-system', `${verb} the system folder ${abs}${r}`));
      break;
    case 'system':
    case 'device':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-system', `${verb} ${abs}, a system file outside the workspace`));
      break;
    case 'workspace-ancestor':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-workspace-parent', `${verb} ${abs}${r}, a folder that contains the whole workspace`));
      break;
    case 'workspace-root':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-workspace', `${verb} the whole workspace (${abs})${r}, including its git history and Airlock's snapshots`));
      break;
    case 'workspace-all':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-workspace-all', `${verb} everything in the workspace${r} (hidden files such as .git survive)`));
      break;
    case 'workspace-git':
      add(out, finding('git-history', recursive ? 'catastrophic' : 'destructive', 'fs.delete-git-dir', `${verb} ${what} inside .git: the repository's history and Airlock's snapshots`));
      break;
    case 'home-config':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-user-config', `${verb} ${abs}${r}: configuration or credentials in your home folder`));
      break;
    case 'outside':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-outside', `${verb} ${abs}${r}, outside the workspace, where Airlock's snapshots cannot restore it`));
      break;
    case 'temp-root':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-temp-root', `${verb} everything in the shared temporary folder ${abs}`));
      break;
    case 'workspace':
      // One named file in the workspace is like an edit: the snapshot restores it and protected
      // paths are still checked through the effect. Folders, globs and data files ask.
      if (recursive || hasGlob(abs) || verb !== 'deletes' || /\.(db|sqlite3?|mdb|accdb|realm|parquet|h5|pkl|bak|dump|sql)$/i.test(abs) || abs.endsWith('(matching files)')) {
        add(out, finding('file-destruction', 'caution', 'fs.delete-in-workspace', `${verb} ${what}${r} in the workspace (Airlock's snapshot can restore it)`));
      }
      break;
    default:
      // temp files and regenerable build output: routine
      break;
  }
}

function stdinIsCode(inv: Invocation, out: Outcome, lang: string): void {
  const s = inv.stdin;
  if (s.kind === 'download') {
    add(out, finding('remote-code', 'destructive', 'remote.pipe-to-shell', `runs code downloaded from the internet with ${lang} without anyone reading it first`));
  } else if (s.kind === 'decoded') {
    add(out, finding('remote-code', 'destructive', 'remote.decoded-to-shell', `runs obfuscated (decoded) code with ${lang}`));
  } else if (s.kind === 'literal' && lang.match(/sh$|^bash$|^zsh$/)) {
    inv.env.runScript(s.text ?? '', inv.scope, 'bash');
  } else if (s.kind === 'unknown' || s.kind === 'literal') {
    out.knowledge = 'unknown';
  } else {
    out.knowledge = 'unknown';
  }
}

/** What a process substitution (or /dev/stdin) used as a script feeds in. */
function procStream(arg: string, stdin: Stream): Stream {
  if (/(curl|wget|fetch|iwr|invoke-webrequest|http)\b/i.test(arg)) {
    return { kind: 'download' };
  }
  if (/base64|xxd|openssl|gunzip|zcat/.test(arg)) {
    return { kind: 'decoded' };
  }
  return arg.startsWith('$(proc') ? UNKNOWN_STREAM : stdin;
}

/** A key in Env.written that says the line downloaded something (curl -o, wget, ...). */
export const DOWNLOADED = '\u0000downloaded';

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox-sh']);
const INTERPRETERS: Record<string, { code: string[]; mod?: string }> = {
  python: { code: ['c'], mod: 'm' },
  python2: { code: ['c'], mod: 'm' },
  python3: { code: ['c'], mod: 'm' },
  py: { code: ['c'], mod: 'm' },
  pypy: { code: ['c'], mod: 'm' },
  pypy3: { code: ['c'], mod: 'm' },
  node: { code: ['e', 'p', 'eval', 'print'] },
  nodejs: { code: ['e', 'p', 'eval', 'print'] },
  bun: { code: ['e', 'eval', 'print'] },
  deno: { code: [] },
  perl: { code: ['e', 'E'] },
  ruby: { code: ['e'] },
  php: { code: ['r'] },
  lua: { code: ['e'] },
  Rscript: { code: ['e'] },
  osascript: { code: ['e'] },
};

/** What makes inline interpreter code able to touch files, processes or the network. */
const RISKY_CODE = new RegExp(
  [
    String.raw`\b(exec\w*|eval|system|spawn\w*|popen|subprocess|shutil|rmtree|unlink\w*|remove\w*|rmdir\w*|rmSync|rm_rf|rm_r|writeFile\w*|appendFile\w*|child_process|socket|urllib\w*|requests|fetch|process\.binding|Function|globalThis|getattr|setattr|compile|ctypes|Deno|Bun|syscall|chmod\w*|chown\w*|kill|truncate\w*|rename\w*|curl|wget|FileUtils|Kernel|IO|File|Dir|Open3|Net|pty|pickle|marshal|importlib|__import__|__builtins__|__subclasses__|send|connect|listen|urlopen|environ|putenv|dlopen)\b`,
    String.raw`\bimport\s+(os|subprocess|shutil|socket|urllib|requests|http|ctypes|pty|asyncio|multiprocessing|ftplib|smtplib|telnetlib|paramiko|pickle|marshal|importlib|pathlib|tempfile|glob|webbrowser|builtins)\b`,
    String.raw`\bfrom\s+(os|subprocess|shutil|socket|urllib|http|ctypes|pty|pathlib|importlib|builtins)\b`,
    String.raw`\bos\.\w+`,
    String.raw`require\s*\(\s*(?!['"]\.{0,2}/[\w./-]*\.json['"])`,
    String.raw`\bimport\s*\(`,
    String.raw`open\s*\([^)]*['"][wax+]`,
    String.raw`\.(write\w*|mkdir\w*|unlink|delete|destroy)\s*\(`,
    String.raw`\$\(|` + '`',
  ].join('|'),
);

function inlineCode(out: Outcome, code: string, lang: string): void {
  if (RISKY_CODE.test(code)) {
    out.knowledge = 'unknown';
    add(out, finding('remote-code', 'caution', 'code.inline', `runs inline ${lang} code that can change files or run programs: ${code.length > 80 ? code.slice(0, 80) + '...' : code}`));
  } else {
    out.knowledge = 'harmless';
  }
}

/** A script file that the command runs: workspace scripts are routine, others are not known. */
function runsScript(inv: Invocation, out: Outcome, w: Word, lang: string): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    out.knowledge = 'unknown';
    return;
  }
  if (inv.env.written.has(abs)) {
    const content = inv.env.written.get(abs);
    if (content !== undefined && SHELLS.has(lang)) {
      inv.env.runScript(content, inv.scope, 'bash');
    } else if (content !== undefined) {
      inlineCode(out, content, lang);
      if (out.knowledge === 'harmless') {
        out.knowledge = 'known';
      }
    } else {
      add(out, finding('remote-code', 'destructive', 'remote.run-fresh-file', `runs ${display(abs, inv)}, a file this same command line just wrote, whose content Airlock cannot see`));
    }
    return;
  }
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (inv.env.written.has(DOWNLOADED)) {
    add(out, finding('remote-code', 'caution', 'remote.run-after-download', `runs ${display(abs, inv)} after this command line downloaded files, so it may be running downloaded code`));
    return;
  }
  if (loc.startsWith('workspace') && loc !== 'workspace-git') {
    known(out);
    if (/deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge/i.test(path.basename(abs))) {
      add(out, finding('publishing', 'caution', 'script.deploy-like', `runs ${display(abs, inv)}, whose name suggests it deploys, publishes or destroys something`));
    }
    return;
  }
  out.knowledge = 'unknown';
}

// ----- entries -----

const rm: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1));
  const recursive = has(p, 'r', 'R', 'recursive');
  if (p.operands.length === 0 && p.dynamic) {
    out.knowledge = 'unknown';
  }
  for (const w of p.operands) {
    deleteTarget(inv, out, w, recursive);
  }
};

const rmdir: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1)).operands) {
    deleteTarget(inv, out, w, false);
  }
};

const shred: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['n', 's', 'iterations', 'size', 'random-source']);
  for (const w of p.operands) {
    deleteTarget(inv, out, w, false, 'irrecoverably overwrites');
    const abs = resolveWord(inv, w);
    if (abs && locate(abs, inv.env.workspace, inv.env.home).startsWith('workspace')) {
      add(out, finding('file-destruction', 'destructive', 'fs.shred', `irrecoverably overwrites ${display(abs, inv)} (shred defeats snapshots of the working tree)`));
    }
  }
};

function copyLike(inv: Invocation, out: Outcome, moves: boolean): void {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['t', 'target-directory', 'S', 'suffix', 'backup']);
  const target = value(p, 't', 'target-directory');
  const ops = [...p.operands];
  const dest = target !== undefined ? lit(target) : ops.pop();
  if (moves) {
    for (const s of ops) {
      const abs = resolveWord(inv, s);
      const loc = abs === undefined ? undefined : locate(abs, inv.env.workspace, inv.env.home);
      const destAbs = dest ? resolveWord(inv, dest) : undefined;
      const destLoc = destAbs === undefined ? undefined : locate(destAbs, inv.env.workspace, inv.env.home);
      const within = (l: string | undefined) => l === 'workspace' || l === 'workspace-regenerable';
      if (abs !== undefined && ((within(loc) && within(destLoc)) || (loc === 'temp' && destLoc !== undefined && destLoc !== 'null-device'))) {
        inv.env.effects.push({ path: abs, op: 'delete', via: inv.text });
      } else {
        deleteTarget(inv, out, s, true, 'moves away');
      }
    }
  }
  if (dest) {
    const abs = resolveWord(inv, dest);
    if (moves && abs && locate(abs, inv.env.workspace, inv.env.home) === 'null-device') {
      for (const s of ops) {
        deleteTarget(inv, out, s, true);
      }
      add(out, finding('file-destruction', 'destructive', 'fs.move-to-null', 'moves files to /dev/null, which deletes them'));
      return;
    }
    writeTarget(inv, out, dest);
    if (!has(p, 'n', 'no-clobber') && ops.length === 1 && abs) {
      // also the file itself inside a destination folder
      const base = ops[0].literal ? path.basename(ops[0].value) : undefined;
      if (base && dest.value.endsWith('/')) {
        writeTarget(inv, out, lit(path.join(dest.value, base)));
      }
    }
  }
}

const chmodLike =
  (kind: 'chmod' | 'chown' | 'chgrp'): Handler =>
  (inv, out) => {
    known(out);
    const p = parseArgs(inv.argv.slice(1), ['reference']);
    const recursive = has(p, 'R', 'recursive');
    const ops = [...p.operands];
    const spec = value(p, 'reference') === undefined ? ops.shift() : undefined;
    for (const w of ops) {
      const abs = resolveWord(inv, w);
      if (abs === undefined) {
        add(out, finding('system', 'caution', `system.${kind}-dynamic`, `changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${w.value}, a path only known when the command runs`));
        continue;
      }
      inv.env.effects.push({ path: abs, op: 'write', via: inv.text });
      const loc = locate(abs, inv.env.workspace, inv.env.home);
      if (recursive && ['root', 'home', 'home-ancestor', 'system-top', 'workspace-ancestor'].includes(loc)) {
        add(out, finding('system', 'catastrophic', `system.${kind}-recursive-system`, `recursively changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${display(abs, inv)}, which can break the system or your account`));
      } else if (['root', 'system', 'system-top', 'device', 'home-config'].includes(loc)) {
        add(out, finding('system', 'destructive', `system.${kind}-system`, `changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${abs}, outside the workspace`));
      } else if (!loc.startsWith('workspace') && loc !== 'temp') {
        add(out, finding('system', 'caution', `system.${kind}-outside`, `changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${abs}, outside the workspace`));
      }
    }
    if (kind === 'chmod' && spec && /777|a\+rwx|o\+w|a\+w|ugo\+rwx/.test(spec.value)) {
      add(out, finding('system', recursive ? 'destructive' : 'caution', 'system.chmod-world-writable', `makes files writable by every user on the machine (chmod ${spec.value}${recursive ? ' -R' : ''})`));
    } else if (kind === 'chmod' && spec && /[ug]\+s|^[2467]\d{3}$/.test(spec.value)) {
      add(out, finding('privilege', 'destructive', 'system.chmod-setuid', `sets the setuid/setgid bit (chmod ${spec.value}), letting a program run with its owner's rights`));
    } else if (kind !== 'chmod' && recursive) {
      add(out, finding('system', 'destructive', `system.${kind}-recursive`, `recursively changes the owner of ${ops.map((w) => w.value).join(' ')}`));
    }
  };

export function writesEach(op: 'write' | 'create', valueOpts: string[] = []): Handler {
  return (inv, out) => {
    known(out);
    for (const w of parseArgs(inv.argv.slice(1), valueOpts).operands) {
      writeTarget(inv, out, w, op);
    }
  };
}

const tee: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1)).operands) {
    if (w.value !== '-') {
      writeTarget(inv, out, w);
    }
  }
  out.stdout = inv.stdin;
};

const sedLike =
  (prog: 'sed' | 'perl'): Handler =>
  (inv, out) => {
    const p = parseArgs(inv.argv.slice(1), prog === 'sed' ? ['e', 'f', 'expression', 'file', 'l', 'line-length'] : ['e', 'E', 'M', 'm', 'I', 'x']);
    const inPlace = has(p, 'i', 'in-place') || inv.argv.some((w) => /^-[a-zA-Z]*i/.test(w.value) && !w.value.startsWith('--'));
    if (prog === 'perl') {
      const code = value(p, 'e', 'E');
      if (code === undefined) {
        if (p.operands.length) {
          runsScript(inv, out, p.operands[0], 'perl');
        } else {
          stdinIsCode(inv, out, 'perl');
        }
        return;
      }
      if (!inPlace) {
        inlineCode(out, code, 'perl');
        return;
      }
      known(out);
      if (/\b(system|exec|unlink|rmtree|qx|open)\b|`/.test(code)) {
        add(out, finding('remote-code', 'caution', 'code.inline', `runs inline perl code that can change files or run programs: ${code.slice(0, 80)}`));
      }
      for (const w of p.operands) {
        writeTarget(inv, out, w);
      }
      return;
    }
    const ops = [...p.operands];
    const scripts = p.values.get('e') ?? p.values.get('expression') ?? (p.values.has('f') || p.values.has('file') ? [] : ops.length ? [ops.shift()!.value] : []);
    const script = scripts.join('\n');
    out.knowledge = 'harmless';
    const execs = /(^|[;}\s])e(\s|$)|\/e\b/.test(script) || /(?:^|[;}\s])s(.).*\1.*\1[gipmM\d]*e/.test(script);
    if (execs || /(^|[;}\s\d/])[wW]\s+\S|\/w\s+\S/.test(script)) {
      out.knowledge = 'unknown';
      add(out, finding('file-destruction', 'caution', 'sed.exec-or-write', `the sed script can run commands or write files (${script.slice(0, 60)})`));
    }
    if (inPlace) {
      known(out);
      for (const w of ops) {
        writeTarget(inv, out, w);
      }
    }
  };

const truncate: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['s', 'size', 'r', 'reference']);
  for (const w of p.operands) {
    writeTarget(inv, out, w);
  }
};

const dd: Handler = (inv, out) => {
  known(out);
  for (const w of inv.argv.slice(1)) {
    if (w.value.startsWith('of=')) {
      const target = { value: w.value.slice(3), literal: w.literal };
      writeTarget(inv, out, target);
    }
  }
  if (!inv.argv.some((w) => w.value.startsWith('of='))) {
    out.knowledge = 'harmless';
  }
};

const mkfs: Handler = (inv, out) => {
  known(out);
  add(out, finding('system', 'catastrophic', 'system.mkfs', `formats a disk or partition (${inv.program}), erasing everything on it`));
};

const diskTool: Handler = (inv, out) => {
  known(out);
  const ro = inv.argv.some((w) => ['-l', '--list', 'print', '-p', '--print'].includes(w.value));
  if (!ro) {
    add(out, finding('system', 'catastrophic', 'system.partition', `changes disk partitions or signatures (${inv.program}), which can erase a whole disk`));
  } else {
    out.knowledge = 'harmless';
  }
};

const kill: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1).filter((w) => !/^-([A-Z][A-Z0-9+-]*|\d+)$/.test(w.value) || w.value === '-1'), ['s', 'n']);
  const targets = p.operands.map((w) => w.value);
  const all = inv.argv.slice(1).some((w) => w.value === '-1') && (targets.length === 0 || targets.includes('-1'));
  if (has(p, 'l', 'L')) {
    out.knowledge = 'harmless';
    return;
  }
  if (targets.length && targets.every((t) => /^%\d*$/.test(t))) {
    out.knowledge = 'harmless';
    return;
  }
  if (targets.includes('1') || all || targets.includes('-1')) {
    add(out, finding('system', 'catastrophic', 'system.kill-init', targets.includes('1') ? 'kills process 1 (init), which brings the whole system down' : 'kills every process you can signal (kill -1)'));
  } else {
    add(out, finding('system', 'caution', 'system.kill', `stops running processes (${targets.join(' ') || 'pids from input'})`));
  }
};

const pkill: Handler = (inv, out) => {
  known(out);
  const ops = parseArgs(inv.argv.slice(1), ['s', 'signal', 'u', 'U', 'g', 'G', 'P', 't']).operands.map((w) => w.value);
  if (ops.some((o) => /^(init|systemd|launchd|sshd|kernel_task|-1)$/.test(o)) || (inv.program === 'killall5')) {
    add(out, finding('system', 'catastrophic', 'system.kill-init', 'kills a process the whole system depends on'));
  } else {
    add(out, finding('system', 'caution', 'system.kill', `stops running processes matching ${ops.join(' ')}`));
  }
};

const power: Handler = (inv, out) => {
  known(out);
  if (inv.program === 'shutdown' && inv.argv.some((w) => w.value === '-c')) {
    return;
  }
  add(out, finding('system', 'destructive', 'system.shutdown', `${inv.program === 'reboot' ? 'restarts' : 'shuts down'} the machine, ending all running work`));
};

const crontab: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['u']);
  if (has(p, 'r')) {
    add(out, finding('system', 'destructive', 'system.crontab-remove', 'deletes all your scheduled cron jobs (crontab -r)'));
  } else if (has(p, 'l')) {
    out.knowledge = 'harmless';
  } else {
    add(out, finding('system', 'caution', 'system.crontab-write', 'replaces your scheduled cron jobs, a way to run programs later without asking'));
  }
};

const systemctl: Handler = (inv, out) => {
  known(out);
  const ops = parseArgs(inv.argv.slice(1), ['H', 'host', 'M', 'p', 'property', 't', 'type', 'n', 'lines', 'o', 'output', 's', 'signal']).operands.map((w) => w.value);
  const verb = ops[0] ?? '';
  if (/^(status|show|list-units|list-unit-files|is-active|is-enabled|is-failed|cat|list-timers|help|list-dependencies)$/.test(verb) || !verb) {
    out.knowledge = 'harmless';
  } else if (/^(poweroff|reboot|halt|kexec|suspend|hibernate|rescue|emergency)$/.test(verb)) {
    add(out, finding('system', 'destructive', 'system.shutdown', `${verb}s the machine, ending all running work`));
  } else {
    add(out, finding('system', 'caution', 'system.service', `changes system services (systemctl ${ops.join(' ')})`));
  }
};

const initCmd: Handler = (inv, out) => {
  known(out);
  if (['0', '6', '1', 's', 'S'].includes(inv.argv[1]?.value ?? '')) {
    add(out, finding('system', 'destructive', 'system.shutdown', 'changes the run level: shuts down or restarts the machine'));
  }
};

const firewall: Handler = (inv, out) => {
  known(out);
  if (inv.argv.some((w) => /^(-L|--list|-S|--list-rules|status|list|show)$/.test(w.value))) {
    out.knowledge = 'harmless';
    return;
  }
  const flush = inv.argv.some((w) => /^(-F|--flush|-X|flush|disable|reset)$/.test(w.value));
  add(out, finding('system', flush ? 'destructive' : 'caution', 'system.firewall', `${flush ? 'flushes' : 'changes'} the firewall rules (${inv.program})`));
};

const userAdmin: Handler = (inv, out) => {
  known(out);
  add(out, finding('privilege', 'destructive', 'privilege.user-admin', `changes user accounts or passwords (${inv.program})`));
};

const mountCmd: Handler = (inv, out) => {
  known(out);
  if (inv.argv.length === 1 || inv.argv.every((w, i) => i === 0 || w.value.startsWith('-l'))) {
    out.knowledge = 'harmless';
    return;
  }
  add(out, finding('system', 'caution', 'system.mount', `mounts or unmounts file systems (${inv.program})`));
};

const sysctlCmd: Handler = (inv, out) => {
  known(out);
  if (inv.argv.some((w) => w.value === '-w' || w.value.includes('='))) {
    add(out, finding('system', 'caution', 'system.sysctl', 'changes kernel parameters'));
  } else {
    out.knowledge = 'harmless';
  }
};

// ----- privilege and wrappers -----

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
    out.knowledge = 'harmless';
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

/** Skips a wrapper's own options; returns the index of the wrapped command. */
function skipOptions(args: readonly Word[], valueOpts: readonly string[], positional = 0): number {
  let i = 0;
  while (i < args.length && args[i].value.startsWith('-') && args[i].value.length > 1) {
    const a = args[i].value;
    if (a === '--') {
      return i + 1 + positional;
    }
    const long = a.startsWith('--') ? a.slice(2) : undefined;
    if (long !== undefined) {
      if (!long.includes('=') && valueOpts.includes(long)) {
        i++;
      }
    } else if (valueOpts.includes(a.slice(1, 2)) && a.length === 2) {
      i++;
    }
    i++;
  }
  return i + positional;
}

function wrapper(valueOpts: string[], positional = 0, harmlessSelf = true): Handler {
  return (inv, out) => {
    const args = inv.argv.slice(1);
    const i = skipOptions(args, valueOpts, positional);
    const rest = args.slice(i);
    out.knowledge = harmlessSelf ? 'harmless' : 'known';
    if (rest.length) {
      out.stdout = inv.env.runArgv(rest, inv.scope, inv.stdin, innerText(rest));
    }
  };
}

const envCmd: Handler = (inv, out) => {
  out.knowledge = 'harmless';
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
  out.knowledge = 'harmless';
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
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1);
  const i = skipOptions(args, ['I', 'i', 'L', 'l', 'n', 'P', 'd', 'E', 'e', 's', 'a', 'arg-file', 'delimiter', 'max-args', 'max-procs', 'max-lines', 'replace', 'eof', 'max-chars', 'process-slot-var']);
  const rest = args.slice(i);
  const cmd = rest.length ? rest : [lit('echo')];
  const fromStdin: Word[] = inv.stdin.kind === 'literal' ? (inv.stdin.text ?? '').split(/\s+/).filter(Boolean).map(lit) : [{ value: '$(xargs input)', literal: false }];
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
  out.knowledge = 'harmless';
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
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1);
  const i = skipOptions(args, ['n', 'interval', 'd', 'differences', 'q', 'equexit']);
  const rest = args.slice(i);
  if (rest.length === 1 && rest[0].literal) {
    inv.env.runScript(rest[0].value, inv.scope, 'bash');
  } else if (rest.length) {
    inv.env.runScript(rest.map((w) => w.value).join(' '), inv.scope, 'bash');
  }
};

const shell: Handler = (inv, out) => {
  known(out);
  const args = inv.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i].value;
    if (a === '-c' || (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a) && !a.startsWith('--'))) {
      const script = args[i + 1];
      if (!script) {
        out.knowledge = 'unknown';
        return;
      }
      if (!script.literal) {
        if (/\$\((curl|wget|fetch)|`(curl|wget)/.test(script.value)) {
          add(out, finding('remote-code', 'destructive', 'remote.pipe-to-shell', `runs code downloaded from the internet with ${inv.program} -c`));
        } else if (/base64|xxd|openssl/.test(script.value)) {
          add(out, finding('remote-code', 'destructive', 'remote.decoded-to-shell', `runs decoded code with ${inv.program} -c`));
        }
        out.knowledge = 'unknown';
        inv.env.runScript(script.value, inv.scope, 'bash');
        return;
      }
      out.knowledge = 'harmless';
      inv.env.runScript(script.value, inv.scope, 'bash');
      return;
    }
    if (a === '-s' || a === '--') {
      break;
    }
    if (a.startsWith('-') || a.startsWith('+')) {
      if (a === '-o' || a === '+o' || a === '-O' || a === '+O' || a === '--rcfile' || a === '--init-file') {
        i++;
      }
      continue;
    }
    if (args[i].value.startsWith('/dev/fd/') || args[i].value.startsWith('$(proc') || args[i].value === '/dev/stdin') {
      stdinIsCode({ ...inv, stdin: procStream(args[i].value, inv.stdin) }, out, inv.program);
      return;
    }
    runsScript(inv, out, args[i], inv.program);
    return;
  }
  if (inv.stdin.kind === 'none') {
    out.knowledge = 'unknown';
    return;
  }
  stdinIsCode(inv, out, inv.program);
  if (out.knowledge === 'known' && inv.stdin.kind === 'literal') {
    out.knowledge = 'harmless';
  }
};

const evalCmd: Handler = (inv, out) => {
  const args = inv.argv.slice(1);
  const text = args.map((w) => w.value).join(' ');
  if (args.every((w) => w.literal)) {
    out.knowledge = 'harmless';
  } else {
    out.knowledge = 'unknown';
    if (/\$\((curl|wget)|`(curl|wget)/.test(text)) {
      add(out, finding('remote-code', 'destructive', 'remote.pipe-to-shell', 'evaluates code downloaded from the internet'));
    } else if (/base64|xxd/.test(text)) {
      add(out, finding('remote-code', 'destructive', 'remote.decoded-to-shell', 'evaluates decoded (obfuscated) code'));
    } else {
      add(out, finding('remote-code', 'caution', 'shell.eval-dynamic', `evaluates text built at run time (${text.slice(0, 60)}), which Airlock cannot read`));
    }
  }
  inv.env.runScript(text, inv.scope, 'bash');
};

const source: Handler = (inv, out) => {
  const w = inv.argv[1];
  if (!w) {
    out.knowledge = 'unknown';
    return;
  }
  if (w.value.startsWith('/dev/fd/') || w.value.startsWith('$(proc') || w.value === '/dev/stdin') {
    stdinIsCode({ ...inv, stdin: procStream(w.value, inv.stdin) }, out, 'the current shell');
    if (!out.findings.length && w.value.startsWith('$(proc')) {
      out.knowledge = 'unknown';
    }
    return;
  }
  const abs = resolveWord(inv, w);
  if (abs && locate(abs, inv.env.workspace, inv.env.home) === 'home-config' && !inv.env.written.has(abs)) {
    out.knowledge = 'harmless';
    return;
  }
  runsScript(inv, out, w, 'sh');
};

const interpreter: Handler = (inv, out) => {
  const spec = INTERPRETERS[inv.program] ?? INTERPRETERS[inv.program.replace(/[\d.]+$/, '')] ?? { code: [] };
  known(out);
  const args = inv.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i].value;
    const name = a.replace(/^--?/, '');
    if (a.startsWith('-') && spec.code.includes(name)) {
      const code = args[i + 1];
      if (!code) {
        out.knowledge = 'unknown';
        return;
      }
      inlineCode(out, code.literal ? code.value : '$' + code.value, inv.program);
      return;
    }
    if (spec.mod && a === '-' + spec.mod) {
      const mod = args[i + 1]?.value ?? '';
      const pyMods: Record<string, string> = { pip: 'pip', pip3: 'pip', pytest: 'pytest', venv: 'harmless', 'http.server': 'harmless', 'json.tool': 'harmless', unittest: 'harmless', mypy: 'mypy', black: 'black', ruff: 'ruff', twine: 'twine', build: 'harmless', pydoc: 'harmless', timeit: 'harmless', cProfile: 'harmless', pdb: 'harmless', doctest: 'harmless', flake8: 'flake8', isort: 'isort', pylint: 'pylint', coverage: 'harmless', tox: 'harmless', nox: 'harmless', poetry: 'poetry', uv: 'uv', django: 'harmless', uvicorn: 'harmless', flask: 'harmless', compileall: 'harmless', ensurepip: 'harmless', site: 'harmless', platform: 'harmless', sysconfig: 'harmless', zipfile: 'harmless', tarfile: 'harmless', trace: 'harmless', mkdocs: 'harmless', sphinx: 'harmless', jupyter: 'harmless', ipykernel: 'harmless', notebook: 'harmless', hypothesis: 'harmless', pre_commit: 'harmless', 'pip._internal': 'pip' };
      const m = pyMods[mod];
      if (mod === 'http.server') {
        const d = args.slice(i + 2).findIndex((w) => w.value === '-d' || w.value === '--directory');
        const dir = d >= 0 ? args[i + 2 + d + 1] : undefined;
        const abs = dir ? resolveWord(inv, dir) : inv.scope.cwdKnown ? inv.scope.cwd : undefined;
        const loc = abs === undefined ? 'outside' : locate(abs, inv.env.workspace, inv.env.home);
        if (!loc.startsWith('workspace') || loc === 'workspace-ancestor' || loc === 'workspace-git') {
          add(out, finding('exfiltration', 'destructive', 'exfil.http-server', `serves ${abs ? display(abs, inv) : 'a folder'} to the network, outside the workspace`));
          return;
        }
      }
      if (m === 'harmless') {
        out.knowledge = 'harmless';
      } else if (m) {
        out.stdout = inv.env.runArgv([lit(m), ...args.slice(i + 2)], inv.scope, inv.stdin, innerText([lit(m), ...args.slice(i + 2)]));
        out.knowledge = 'harmless';
      } else {
        out.knowledge = 'unknown';
      }
      return;
    }
    if (a === '-' || a.startsWith('/dev/fd/') || a.startsWith('$(proc')) {
      stdinIsCode({ ...inv, stdin: procStream(a, inv.stdin) }, out, inv.program);
      if (!out.findings.length && a !== '-') {
        out.knowledge = 'unknown';
      }
      return;
    }
    if (/^-(V|h|-version|-help|v)$/.test(a) && args.length === 1) {
      out.knowledge = 'harmless';
      return;
    }
    if (a.startsWith('-')) {
      if (['-W', '-X', '-r', '--require', '--import', '--loader', '-I', '--env-file', '--inspect-port', '--conditions', '-C', '--max-old-space-size'].includes(a)) {
        i++;
      }
      continue;
    }
    if (inv.program === 'deno' || inv.program === 'bun') {
      if (/^(test|fmt|lint|check|bench|doc|info|types|build|install|add|outdated|pm|x)$/.test(a) && inv.program === 'bun' ? a !== 'x' : /^(test|fmt|lint|check|bench|doc|info|types|compile|task)$/.test(a)) {
        out.knowledge = 'harmless';
        return;
      }
      if (a === 'run' || a === 'eval') {
        if (a === 'eval') {
          inlineCode(out, args[i + 1]?.value ?? '$', inv.program);
          return;
        }
        continue;
      }
      if (inv.program === 'bun' && a === 'publish') {
        add(out, finding('publishing', 'destructive', 'publish.npm', 'publishes a package to the npm registry for everyone'));
        return;
      }
      if (inv.program === 'bun' && (a === 'x' || a === 'bunx')) {
        out.stdout = inv.env.runArgv(args.slice(i + 1), inv.scope, inv.stdin, innerText(args.slice(i + 1)));
        out.knowledge = 'harmless';
        return;
      }
    }
    const base = path.basename(args[i].value);
    if (base === 'setup.py' && args.slice(i + 1).some((w) => w.value === 'upload' || w.value === 'register')) {
      add(out, finding('publishing', 'destructive', 'publish.pypi', 'uploads the package to PyPI for everyone (setup.py upload)'));
      return;
    }
    if (SCRIPT_TOOLS.has(base) && args[i].literal) {
      out.stdout = inv.env.runArgv([lit(base), ...args.slice(i + 1)], inv.scope, inv.stdin, innerText([lit(base), ...args.slice(i + 1)]));
      out.knowledge = 'harmless';
      return;
    }
    runsScript(inv, out, args[i], inv.program);
    return;
  }
  if (inv.stdin.kind === 'none') {
    out.knowledge = args.some((w) => /^(--test|--version|-v|-V|--help|-h|--check|-c)$/.test(w.value)) ? 'harmless' : 'unknown';
    return;
  }
  stdinIsCode(inv, out, inv.program);
};

/** Project scripts run through an interpreter that the knowledge base knows by name. */
const SCRIPT_TOOLS = new Set(['manage.py', 'artisan', 'rails', 'rake']);

/** What find deletes: the root itself when nothing filters, else some files below it. */
function findScope(root: Word, filtered: boolean, name?: string): Word {
  if (!root.literal || !filtered) {
    return root;
  }
  return lit(path.join(root.value, name && !/[[\]]/.test(name) ? name : '(matching files)'));
}

const find: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1);
  const roots: Word[] = [];
  let i = 0;
  while (i < args.length && !args[i].value.startsWith('-') && args[i].value !== '(' && args[i].value !== '!') {
    roots.push(args[i++]);
  }
  if (!roots.length) {
    roots.push(lit('.'));
  }
  const filtered = args.slice(i).some((w) => /^-(i?name|i?path|i?wholename|i?regex|type|mtime|mmin|atime|amin|ctime|cmin|newer|size|empty|user|group|perm|links|inum|samefile|maxdepth)$/.test(w.value));
  const nameIdx = args.findIndex((w) => w.value === '-name');
  const onlyName = nameIdx >= 0 && args[nameIdx + 1]?.literal && !args.some((w) => /^-(o|or|not|path|wholename|regex)$|^!$/.test(w.value)) ? args[nameIdx + 1].value : undefined;
  for (; i < args.length; i++) {
    const a = args[i].value;
    if (['-exec', '-execdir', '-ok', '-okdir'].includes(a)) {
      const cmd: Word[] = [];
      let j = i + 1;
      for (; j < args.length && args[j].value !== ';' && args[j].value !== '+'; j++) {
        const w = args[j];
        // {} is each match: judged as the matches' scope when the search is filtered
        cmd.push(w.value === '{}' && filtered && roots.length === 1 && roots[0].literal ? findScope(roots[0], true, onlyName) : w.value.includes('{}') ? { value: w.value.replace('{}', '$(find match)'), literal: false } : w);
      }
      known(out);
      if (cmd.length) {
        inv.env.runArgv(cmd, inv.scope, NO_STREAM, inv.text);
        // deletions through find of everything: judge the roots as the affected tree
        const prog = path.basename(cmd[0].value);
        if (['rm', 'shred', 'unlink', 'rmdir'].includes(prog) && !filtered) {
          for (const r of roots) {
            deleteTarget(inv, out, r, true, 'deletes everything under');
          }
        }
      }
      i = j;
    } else if (a === '-delete') {
      known(out);
      for (const r of roots) {
        deleteTarget(inv, out, findScope(r, filtered, onlyName), !filtered, filtered ? 'deletes files matching a filter under' : 'deletes everything under');
      }
    } else if (a === '-fprint' || a === '-fprint0' || a === '-fprintf' || a === '-fls') {
      known(out);
      if (args[i + 1]) {
        writeTarget(inv, out, args[i + 1]);
      }
    }
  }
};

// ----- git -----

const git: Handler = (inv, out) => {
  const args = inv.argv.slice(1);
  const scope = { ...inv.scope };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i].value;
    if (a === '-C') {
      const d = args[i + 1] ? resolveWord(inv, args[i + 1]) : undefined;
      scope.cwd = d ?? scope.cwd;
      scope.cwdKnown = d !== undefined && inv.scope.cwdKnown !== false;
      i++;
    } else if (a === '-c') {
      const kv = args[i + 1]?.value ?? '';
      if (/^(alias\.|core\.(pager|sshcommand|editor|hookspath|fsmonitor|gitproxy)|credential\.|diff\.\w+\.textconv|filter\.|uploadpack|protocol\.)/i.test(kv) || kv.includes('!')) {
        add(out, finding('remote-code', 'caution', 'git.config-exec', `sets git configuration that runs a program (${kv.slice(0, 60)})`));
      }
      i++;
    } else if (a === '--git-dir' || a === '--work-tree' || a === '--namespace' || a === '--exec-path' || a === '--config-env') {
      i++;
    } else if (a.startsWith('-')) {
      continue;
    } else {
      break;
    }
  }
  const sub = args[i]?.value ?? '';
  const rest = args.slice(i + 1);
  const restv = words(rest);
  const sinv: Invocation = { ...inv, scope };
  const p = parseArgs(rest, ['m', 'message', 'C', 'c', 'F', 'file', 'b', 'B', 'o', 'origin', 'u', 'upstream', 'S', 'source', 'format', 'pretty', 'n', 'depth', 'branch', 'j', 'jobs', 'template', 'reference', 'since', 'until', 'author', 'grep', 'date', 'e', 'A', 'L', 'x', 'exec', 'strategy', 's', 'X', 'strategy-option', 'onto', 'repo', 'push-option', 'receive-pack', 'exclude', 'config', 'separate-git-dir', 'filter', 'sort', 'contains', 'points-at', 'merged', 'no-merged', 'set-upstream-to', 'track', 'pathspec-from-file', 'conflict', 'orphan', 'expire', 'expire-unreachable', 'prune']);
  const f = (sev: 'catastrophic' | 'destructive' | 'caution', id: string, reason: string, cat: 'git-history' | 'publishing' = 'git-history') => add(out, finding(cat, sev, id, reason));
  out.knowledge = 'known';
  const READ = /^(status|log|diff|show|blame|annotate|grep|ls-files|ls-tree|ls-remote|rev-parse|rev-list|describe|shortlog|cat-file|for-each-ref|show-ref|show-branch|merge-base|count-objects|fsck|help|version|whatchanged|reflog|cherry|range-diff|name-rev|var|check-ignore|check-attr|diff-tree|diff-files|diff-index|verify-commit|verify-tag|format-patch|request-pull|bugreport|instaweb|difftool|citool|gui|gitk|--version|--help|fetch|add|commit|init|clone|pull|merge|cherry-pick|revert|am|apply|mv|bisect|notes|archive|bundle|submodule|lfs|worktree|sparse-checkout|maintenance|range-diff|switch|mergetool|stage|sh-ref|rerere|shortlog|blame|show-index|hash-object|mktree|commit-tree|write-tree|read-tree|symbolic-ref|pack-refs|repack|prune-packed|count|credential-cache|remote|config|stash|tag|branch|checkout|restore|reset|clean|push|rebase|gc|prune|filter-branch|filter-repo|update-ref|rm|replace|fast-import|)$/;
  if (!READ.test(sub) && sub !== '') {
    out.knowledge = 'unknown';
    return;
  }
  const dryRun = has(p, 'n', 'dry-run') && !['commit', 'log', 'show'].includes(sub);
  // commands that git runs for you
  if (sub === 'submodule' && restv.includes('foreach')) {
    const k = restv.indexOf('foreach');
    const cmd = rest.slice(k + 1).filter((w) => w.value !== '--recursive' && w.value !== '-q' && w.value !== '--quiet');
    inv.env.runScript(words(cmd).join(' '), scope, 'bash');
    if (cmd.some((w) => !w.literal)) {
      out.knowledge = 'unknown';
    } else {
      out.knowledge = 'harmless';
    }
    return;
  }
  if (sub === 'bisect' && restv[0] === 'run' && rest.length > 1) {
    out.knowledge = 'harmless';
    inv.env.runArgv(rest.slice(1), scope, NO_STREAM, inv.text);
    return;
  }
  for (const x of [...(p.values.get('x') ?? []), ...(p.values.get('exec') ?? [])]) {
    if (sub === 'rebase') {
      inv.env.runScript(x, scope, 'bash');
    }
  }
  switch (sub) {
    case '':
    case 'status':
    case 'log':
    case 'diff':
    case 'show':
    case 'blame':
    case 'annotate':
    case 'grep':
    case 'ls-files':
    case 'ls-tree':
    case 'ls-remote':
    case 'rev-parse':
    case 'rev-list':
    case 'describe':
    case 'shortlog':
    case 'cat-file':
    case 'for-each-ref':
    case 'show-ref':
    case 'show-branch':
    case 'merge-base':
    case 'count-objects':
    case 'fsck':
    case 'help':
    case 'version':
    case '--version':
    case '--help':
    case 'whatchanged':
    case 'cherry':
    case 'range-diff':
    case 'name-rev':
    case 'var':
    case 'check-ignore':
    case 'check-attr':
    case 'diff-tree':
    case 'diff-files':
    case 'diff-index':
    case 'verify-commit':
    case 'verify-tag':
    case 'fetch':
    case 'add':
    case 'stage':
    case 'commit':
    case 'init':
    case 'pull':
    case 'merge':
    case 'cherry-pick':
    case 'revert':
    case 'am':
    case 'apply':
    case 'bisect':
    case 'notes':
    case 'archive':
    case 'bundle':
    case 'submodule':
    case 'lfs':
    case 'sparse-checkout':
    case 'maintenance':
    case 'mergetool':
    case 'difftool':
    case 'rerere':
    case 'format-patch':
    case 'request-pull':
    case 'hash-object':
    case 'show-index':
      out.knowledge = 'harmless';
      if (sub === 'pull' && has(p, 'force', 'f')) {
        f('caution', 'git.pull-force', 'pulls with --force, which can overwrite local branches');
      }
      if (sub === 'format-patch' || sub === 'archive' || sub === 'bundle') {
        const o = value(p, 'o', 'output');
        if (o) {
          writeTarget(sinv, out, lit(o));
        }
      }
      break;
    case 'clone': {
      out.knowledge = 'harmless';
      const ops = p.operands;
      if (ops.length >= 2) {
        writeTarget(sinv, out, ops[1], 'create');
      }
      break;
    }
    case 'reflog':
      if (p.operands[0]?.value === 'expire' || p.operands[0]?.value === 'delete') {
        f('destructive', 'git.reflog-expire', 'expires reflog entries: the safety net for recovering lost commits (and Airlock snapshots) disappears');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'worktree':
      if (p.operands[0]?.value === 'remove' && has(p, 'f', 'force')) {
        f('destructive', 'git.worktree-remove-force', 'removes a worktree with --force, discarding its uncommitted changes');
      } else if (p.operands[0]?.value === 'remove' || p.operands[0]?.value === 'prune') {
        f('caution', 'git.worktree-remove', 'removes a git worktree');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'mv':
      copyLike({ ...sinv, argv: [lit('mv'), ...rest] }, out, true);
      out.knowledge = 'known';
      break;
    case 'rm': {
      const cached = has(p, 'cached');
      for (const w of p.operands) {
        if (cached) {
          continue;
        }
        deleteTarget(sinv, out, w, has(p, 'r'));
      }
      if (has(p, 'f', 'force') && !cached) {
        f('caution', 'git.rm-force', 'removes files with --force, including ones with uncommitted changes');
      }
      break;
    }
    case 'remote':
      out.knowledge = ['remove', 'rm', 'set-url', 'prune'].includes(p.operands[0]?.value ?? '') ? 'known' : 'harmless';
      if (['remove', 'rm'].includes(p.operands[0]?.value ?? '')) {
        f('caution', 'git.remote-remove', `removes the remote ${p.operands[1]?.value ?? ''} and its remote-tracking branches`);
      }
      break;
    case 'config': {
      const keyIdx = p.operands.findIndex((w) => /^[\w-]+\.[\w.-]+$/.test(w.value));
      const key = keyIdx >= 0 ? p.operands[keyIdx].value : '';
      const writes = keyIdx >= 0 && p.operands.length > keyIdx + 1 && !has(p, 'get', 'get-all', 'get-regexp', 'l', 'list');
      out.knowledge = 'harmless';
      const val = words(p.operands.slice(keyIdx + 1)).join(' ');
      const runsProgram = /^(core\.(sshcommand|hookspath|fsmonitor|gitproxy|askpass)|credential\.|diff\..+\.textconv|filter\.|gpg\.program)/i.test(key) || (/^alias\./i.test(key) && val.startsWith('!')) || (/^(core\.(pager|editor)|sequence\.editor|alias\.)/i.test(key) && /[;|&$`()!<>]/.test(val));
      if (writes && runsProgram) {
        f('caution', 'git.config-exec', `sets git configuration that makes git run a program (${key}), a way to run code later`);
        out.knowledge = 'known';
      } else if (has(p, 'unset-all', 'remove-section')) {
        out.knowledge = 'known';
      }
      break;
    }
    case 'stash': {
      const v = p.operands[0]?.value ?? 'push';
      if (v === 'drop') {
        f('destructive', 'git.stash-drop', 'deletes a stash entry: those saved changes are gone');
      } else if (v === 'clear') {
        f('destructive', 'git.stash-clear', 'deletes every stash entry: all saved changes are gone');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    }
    case 'tag':
      if (has(p, 'd', 'delete')) {
        f('caution', 'git.tag-delete', 'deletes a tag');
      } else if (has(p, 'f', 'force')) {
        f('caution', 'git.tag-force', 'moves an existing tag with --force');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'branch':
      if (restv.some((a) => a === '-D' || (/^-[a-zA-Z]*D/.test(a) && !a.startsWith('--'))) || (has(p, 'd', 'delete') && has(p, 'f', 'force'))) {
        f('destructive', 'git.branch-force-delete', `force-deletes the branch ${p.operands.map((w) => w.value).join(' ')}, even if its commits are not merged anywhere`);
      } else if (has(p, 'd', 'delete')) {
        f('caution', 'git.branch-delete', `deletes the branch ${p.operands.map((w) => w.value).join(' ')} (only if merged)`);
      } else if (restv.includes('-M') || (has(p, 'f', 'force') && p.operands.length)) {
        f('caution', 'git.branch-force', 'overwrites an existing branch');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'checkout': {
      const dd = rest.findIndex((w) => w.value === '--');
      const force = has(p, 'f', 'force');
      const paths = dd >= 0 ? rest.slice(dd + 1) : p.operands.filter((w) => !w.literal || w.value === '.' || w.value === '*' || w.value.startsWith('./') || w.value.endsWith('/') || /\.[a-z]{1,5}$/i.test(w.value));
      if (paths.length) {
        f(paths.some((w) => w.value === '.' || w.value === '*' || w.value === ':/' || !w.literal) ? 'destructive' : 'caution', 'git.checkout-paths', `overwrites ${paths.map((w) => w.value).join(' ')} with the committed version, discarding uncommitted changes there`);
        for (const w of paths) {
          writeTarget(sinv, out, w);
        }
      } else if (force) {
        f('destructive', 'git.checkout-force', 'switches branches with --force, discarding uncommitted changes');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    }
    case 'switch':
      if (has(p, 'f', 'force', 'discard-changes')) {
        f('destructive', 'git.switch-discard', 'switches branches discarding uncommitted changes');
      } else if (restv.includes('-C')) {
        f('caution', 'git.branch-force', 'resets an existing branch while switching to it');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'restore': {
      const staged = has(p, 'S', 'staged');
      const worktree = has(p, 'W', 'worktree') || !staged;
      if (!worktree) {
        out.knowledge = 'harmless';
        break;
      }
      const paths = p.operands;
      f(paths.some((w) => w.value === '.' || w.value === '*' || w.value === ':/' || !w.literal) || paths.length === 0 ? 'destructive' : 'caution', 'git.restore', `restores ${paths.map((w) => w.value).join(' ') || 'files'} from git, discarding uncommitted changes there`);
      for (const w of paths) {
        writeTarget(sinv, out, w);
      }
      break;
    }
    case 'reset':
      if (has(p, 'hard')) {
        f('destructive', 'git.reset-hard', 'git reset --hard discards every uncommitted change in the working tree and index');
      } else if (has(p, 'merge', 'keep')) {
        f('caution', 'git.reset-keep', 'moves the branch and updates files in the working tree');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'clean':
      if (dryRun) {
        out.knowledge = 'harmless';
      } else if (has(p, 'f', 'force') || restv.some((a) => /^-[a-zA-Z]*f/.test(a))) {
        f('destructive', 'git.clean', `deletes untracked files${has(p, 'x') || restv.some((a) => /^-[a-zA-Z]*[xX]/.test(a)) ? ' and ignored files (like .env)' : ''}${has(p, 'd') || restv.some((a) => /^-[a-zA-Z]*d/.test(a)) ? ' and folders' : ''}: git cannot bring them back`);
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'push': {
      if (dryRun) {
        out.knowledge = 'harmless';
        break;
      }
      const refs = p.operands.slice(1).map((w) => w.value);
      if (has(p, 'd', 'delete') || refs.some((r) => r.startsWith(':'))) {
        f('destructive', 'git.push-delete', `deletes a branch or tag on the remote (${refs.join(' ')})`);
      }
      if (has(p, 'mirror')) {
        f('destructive', 'git.push-mirror', 'mirrors local refs to the remote, deleting remote branches that do not exist locally');
      }
      if (has(p, 'prune')) {
        f('destructive', 'git.push-prune', 'deletes remote branches that do not exist locally');
      }
      if (has(p, 'f', 'force') || refs.some((r) => r.startsWith('+'))) {
        f('destructive', 'git.push-force', 'force-pushes: commits on the remote that are not in your branch are overwritten for everyone');
      } else if ([...p.flags].some((x) => x.startsWith('force-with-lease') || x === 'force-if-includes')) {
        f('caution', 'git.push-force-with-lease', 'force-pushes with --force-with-lease: rewrites the remote branch (only if nobody else pushed)');
      }
      if (!out.findings.length) {
        f('caution', 'git.push', `publishes commits to the remote ${p.operands.map((w) => w.value).join(' ')}`.trim(), 'publishing');
      }
      break;
    }
    case 'rebase':
      if (has(p, 'abort', 'continue', 'skip', 'quit', 'show-current-patch', 'edit-todo')) {
        out.knowledge = 'harmless';
      } else {
        f('caution', 'git.rebase', 'rebases: rewrites commit history of the branch');
      }
      break;
    case 'gc':
      if ([...p.flags].some((x) => x === 'prune') && /now|all/.test(value(p, 'prune') ?? '')) {
        f('destructive', 'git.gc-prune-now', 'garbage-collects unreachable objects now: lost commits (and unreferenced snapshots) cannot be recovered');
      } else if (restv.some((a) => /^--prune=(now|all)/.test(a))) {
        f('destructive', 'git.gc-prune-now', 'garbage-collects unreachable objects now: lost commits cannot be recovered');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'prune':
      f('caution', 'git.prune', 'prunes unreachable objects from the repository');
      break;
    case 'filter-branch':
    case 'filter-repo':
      f('destructive', 'git.filter-branch', `rewrites the whole history of the repository (${sub})`);
      break;
    case 'update-ref':
      if (has(p, 'd')) {
        f('destructive', 'git.update-ref-delete', `deletes the ref ${p.operands[0]?.value ?? ''} directly`);
      } else {
        f('caution', 'git.update-ref', `moves the ref ${p.operands[0]?.value ?? ''} directly`);
      }
      break;
    case 'replace':
    case 'fast-import':
    case 'symbolic-ref':
    case 'read-tree':
    case 'commit-tree':
    case 'write-tree':
    case 'mktree':
    case 'pack-refs':
    case 'repack':
    case 'prune-packed':
      f('caution', `git.${sub}`, `runs the low-level git command ${sub}`);
      break;
    default:
      out.knowledge = 'unknown';
  }
};

// ----- publishing, packages -----

function pkgManager(inv: Invocation, out: Outcome): void {
  const args = inv.argv.slice(1);
  const prog = inv.program;
  let i = 0;
  while (i < args.length && args[i].value.startsWith('-')) {
    if (['--prefix', '-C', '--dir', '--cwd', '--filter', '-F', '--workspace', '-w'].includes(args[i].value)) {
      i++;
    }
    i++;
  }
  let sub = args[i]?.value ?? '';
  let rest = args.slice(i + 1);
  if ((prog === 'yarn' && sub === 'npm') || (prog === 'pnpm' && sub === 'npm')) {
    sub = rest[0]?.value ?? '';
    rest = rest.slice(1);
  }
  if ((prog === 'yarn' || prog === 'pnpm') && sub === 'workspace') {
    sub = rest[1]?.value ?? '';
    rest = rest.slice(2);
  }
  const restv = words(rest);
  out.knowledge = 'harmless';
  if (sub === 'publish' && !restv.includes('--dry-run')) {
    known(out);
    add(out, finding('publishing', 'destructive', 'publish.npm', `publishes the package to the ${prog === 'npm' || prog === 'pnpm' || prog === 'yarn' ? 'npm' : prog} registry for everyone (a version can never be republished)`));
  } else if (sub === 'unpublish') {
    known(out);
    add(out, finding('publishing', 'destructive', 'publish.npm-unpublish', 'removes a published package version from the registry, breaking everyone who depends on it'));
  } else if (['deprecate', 'dist-tag', 'owner', 'access', 'team', 'token', 'login', 'adduser', 'logout', 'org', 'star', 'hook', 'profile'].includes(sub)) {
    known(out);
    if (!(sub === 'dist-tag' && (restv[0] === 'ls' || restv[0] === 'list')) && !(['owner', 'access', 'token', 'team', 'org', 'profile'].includes(sub) && ['ls', 'list', 'get'].includes(restv[0] ?? ''))) {
      add(out, finding('publishing', 'caution', `publish.npm-${sub}`, `changes the package's registry settings or your account (${prog} ${sub})`));
    }
  } else if (['exec', 'x', 'dlx'].includes(sub) && rest.some((w) => w.value === '-c' || w.value.startsWith('--call'))) {
    npx({ ...inv, argv: [lit('npx'), ...rest] }, out);
  } else if (['exec', 'x', 'dlx'].includes(sub)) {
    const j = skipOptions(rest, ['package', 'p', 'c', 'call']);
    if (rest.slice(j).length) {
      out.stdout = inv.env.runArgv(rest.slice(j), inv.scope, inv.stdin, innerText(rest.slice(j)));
    } else {
      out.knowledge = 'unknown';
    }
  } else if (['run', 'run-script', 'rs'].includes(sub) || (prog !== 'npm' && !KNOWN_PM_SUBS.has(sub) && sub !== '')) {
    const script = ['run', 'run-script', 'rs'].includes(sub) ? restv.find((a) => !a.startsWith('-')) ?? '' : sub;
    if (/deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge|prod/i.test(script)) {
      known(out);
      add(out, finding('publishing', 'caution', 'script.deploy-like', `runs the project's "${script}" script, whose name suggests it deploys, publishes or destroys something`));
    }
  } else if (sub === 'config' && ['set', 'delete'].includes(restv[0] ?? '')) {
    known(out);
    if (/registry|script-shell|ignore-scripts|node-options|git$|proxy|cafile|strict-ssl|_auth/.test(restv[1] ?? '')) {
      add(out, finding('remote-code', 'caution', 'npm.config-supply-chain', `changes where packages come from or how their scripts run (${prog} config ${restv.slice(0, 2).join(' ')})`));
    }
  } else if (sub === 'cache' && restv[0] === 'clean') {
    known(out);
  } else if (sub === 'version' && restv.length) {
    known(out);
  }
}

/** What `poetry publish`, `uv publish`, `conda remove` and the like do (resolved when called). */
function runWrapperFallback(program: string): Handler | undefined {
  if (['poetry', 'hatch', 'uv', 'pdm', 'rye'].includes(program)) {
    return pyPublish(program);
  }
  if (program === 'conda' || program === 'mamba') {
    return brewLikeRef;
  }
  return undefined;
}

const KNOWN_PM_SUBS = new Set('install i add ci test t start stop restart ls list view info show outdated audit why explain help version config init create pack link unlink prune dedupe rebuild doctor whoami uninstall remove rm un update upgrade up cache fund bin root prefix search set-script pkg query sbom diff repo docs bugs home ping run exec x dlx publish unpublish install-test it licenses patch patch-commit import store env setup node plugin constraints workspaces workspace dedupe tsc lint format build dev preview typecheck check'.split(' '));

const cargo: Handler = (inv, out) => {
  const sub = inv.argv.find((w, i) => i > 0 && !w.value.startsWith('-') && !w.value.startsWith('+'))?.value ?? '';
  out.knowledge = 'harmless';
  if (sub === 'publish' && !inv.argv.some((w) => w.value === '--dry-run')) {
    known(out);
    add(out, finding('publishing', 'destructive', 'publish.cargo', 'publishes the crate to crates.io for everyone (a version can never be deleted)'));
  } else if (sub === 'yank' || sub === 'owner' || sub === 'login') {
    known(out);
    add(out, finding('publishing', sub === 'yank' ? 'destructive' : 'caution', `publish.cargo-${sub}`, `changes a published crate or your registry account (cargo ${sub})`));
  }
};

function subcommandRules(rules: [RegExp, 'catastrophic' | 'destructive' | 'caution' | 'harmless' | 'known', string, string, 'infrastructure' | 'publishing' | 'database' | 'system' | 'exfiltration' | 'remote-code' | 'privilege' | 'file-destruction'][], fallback: 'harmless' | 'known' | 'unknown' | 'caution', fallbackReason = ''): Handler {
  return (inv, out) => {
    const line = words(inv.argv.slice(1)).join(' ');
    for (const [re, sev, id, reason, cat] of rules) {
      if (re.test(line)) {
        if (sev === 'harmless') {
          out.knowledge = 'harmless';
          return;
        }
        out.knowledge = 'known';
        if (sev !== 'known') {
          add(out, finding(cat, sev, id, reason.replace('$0', `${inv.program} ${line}`.slice(0, 80))));
        }
        return;
      }
    }
    if (fallback === 'caution') {
      out.knowledge = 'known';
      add(out, finding('infrastructure', 'caution', `${inv.program}.change`, fallbackReason.replace('$0', `${inv.program} ${line}`.slice(0, 80))));
    } else {
      out.knowledge = fallback;
    }
  };
}

const twine = subcommandRules([[/^upload\b/, 'destructive', 'publish.pypi', 'uploads the package to PyPI for everyone', 'publishing'], [/^(check|register --help)/, 'harmless', '', '', 'publishing']], 'unknown');
const pyPublish = (tool: string) =>
  subcommandRules([[/\bpublish\b/, 'destructive', `publish.${tool}`, `publishes the package (${tool} publish) for everyone`, 'publishing']], 'harmless');
const gem = subcommandRules([[/^push\b/, 'destructive', 'publish.gem', 'publishes the gem to rubygems.org', 'publishing'], [/^yank\b/, 'destructive', 'publish.gem-yank', 'yanks a published gem', 'publishing'], [/^(owner|signin|signout)\b/, 'caution', 'publish.gem-account', 'changes a gem owner or your account', 'publishing']], 'harmless');
const vsce = subcommandRules([[/^publish\b/, 'destructive', 'publish.vsce', 'publishes the extension to the marketplace for everyone', 'publishing'], [/^unpublish\b/, 'destructive', 'publish.vsce-unpublish', 'removes the extension from the marketplace', 'publishing'], [/^(login|logout|delete-publisher|create-publisher)\b/, 'caution', 'publish.vsce-account', 'changes your marketplace publisher account', 'publishing']], 'harmless');
const mvn = subcommandRules([[/\b(deploy|release:perform|site-deploy)\b/, 'destructive', 'publish.maven', 'deploys artifacts to a remote repository', 'publishing']], 'harmless');
const gradle = subcommandRules([[/\b(publish\w*|uploadArchives|bintrayUpload)\b/, 'destructive', 'publish.gradle', 'publishes artifacts to a remote repository', 'publishing']], 'harmless');
const dotnet = subcommandRules([[/^nuget (push|delete)\b/, 'destructive', 'publish.nuget', 'pushes or deletes a NuGet package on the feed', 'publishing'], [/^(ef database drop)\b/, 'destructive', 'db.drop', 'drops the database (dotnet ef database drop)', 'database']], 'harmless');
const nuget = subcommandRules([[/^(push|delete)\b/i, 'destructive', 'publish.nuget', 'pushes or deletes a NuGet package on the feed', 'publishing']], 'harmless');
const pod = subcommandRules([[/^trunk (push|delete|deprecate)\b/, 'destructive', 'publish.cocoapods', 'publishes or removes a pod on CocoaPods trunk', 'publishing']], 'harmless');
const gh = subcommandRules(
  [
    [/^release (create|upload|edit)\b/, 'destructive', 'publish.gh-release', 'creates or changes a public GitHub release', 'publishing'],
    [/^release delete\b/, 'destructive', 'publish.gh-release-delete', 'deletes a GitHub release', 'publishing'],
    [/^repo (delete|archive)\b/, 'destructive', 'publish.gh-repo-delete', 'deletes or archives a GitHub repository', 'publishing'],
    [/^repo (edit|rename)\b.*(--visibility|public)|^repo (create)\b.*--public/, 'destructive', 'publish.gh-visibility', 'makes a repository public or changes its settings', 'publishing'],
    [/^pr merge\b/, 'caution', 'publish.gh-pr-merge', 'merges a pull request', 'publishing'],
    [/^(secret|variable) (set|delete|remove)\b/, 'caution', 'publish.gh-secret', 'changes repository secrets or variables', 'publishing'],
    [/^workflow run\b|^run (rerun|cancel|delete)\b/, 'caution', 'publish.gh-workflow', 'starts or changes CI workflow runs', 'publishing'],
    [/^api\b.*(-X|--method)\s*(DELETE|PUT|PATCH|POST)|^api\b.*(-f|-F|--field|--raw-field|--input)\b/i, 'caution', 'publish.gh-api-write', 'changes data through the GitHub API', 'publishing'],
    [/^(issue|pr) (delete|close|lock)\b|^label delete|^(gist delete|ssh-key delete|gpg-key delete|cache delete)/, 'caution', 'publish.gh-delete', 'closes or deletes data on GitHub', 'publishing'],
    [/^(auth (logout|refresh|token)|extension install)\b/, 'caution', 'publish.gh-auth', 'changes your GitHub CLI login or installs an extension', 'privilege'],
    [/^(pr|issue|repo|release|run|workflow|gist|search|auth status|api|browse|status|label|cache|codespace|project|ruleset|attestation|alias list|config get|config list|extension list|org list|help|version|--version)\b/, 'harmless', '', '', 'publishing'],
  ],
  'unknown',
);

/** `docker exec CONTAINER CMD...`: what runs is CMD (judged as if here: stricter, never looser). */
const dockerExec: Handler = (inv, out) => {
  const args = inv.argv.slice(1);
  let i = 0;
  if (args[i]?.value === 'compose' || args[i]?.value === 'container') {
    i++;
    while (i < args.length && args[i].value.startsWith('-')) {
      i += ['-f', '--file', '-p', '--project-name', '--env-file', '--profile'].includes(args[i].value) ? 2 : 1;
    }
  }
  if (args[i]?.value !== 'exec') {
    dockerRules(inv, out);
    return;
  }
  const rest = args.slice(i + 1);
  const j = skipOptions(rest, ['e', 'env', 'u', 'user', 'w', 'workdir', 'env-file', 'index', 'detach-keys']);
  const cmd = rest.slice(j + 1);
  out.knowledge = 'harmless';
  if (cmd.length === 1 && SHELLS.has(path.basename(cmd[0].value)) && inv.stdin.kind === 'none') {
    return; // an interactive shell in the container
  }
  if (cmd.length) {
    const scope = { cwd: '/', cwdKnown: false };
    out.stdout = inv.env.runArgv(cmd, scope, inv.stdin, innerText(cmd));
  }
};

const docker = dockerExec;
const dockerRules = subcommandRules(
  [
    [/^(push|image push|buildx build .*--push|manifest push)\b/, 'destructive', 'publish.docker', 'pushes an image to a container registry', 'publishing'],
    [/^(system prune|volume prune|volume rm|image prune -a|builder prune -a)\b.*|^system prune\b/, 'destructive', 'infra.docker-prune', 'deletes Docker data (volumes, images or everything unused): databases kept in volumes are lost', 'infrastructure'],
    [/^compose\b.*\bdown\b.*(-v|--volumes)|^compose\b.*\brm\b.*(-v|--volumes)/, 'destructive', 'infra.docker-volumes', 'stops services and deletes their volumes, with the data in them', 'infrastructure'],
    [/^(rm|container rm|rmi|image rm|network rm|container prune|image prune|network prune|kill|container kill)\b/, 'caution', 'infra.docker-remove', 'removes or stops Docker containers, images or networks', 'infrastructure'],
    [/^run\b.*(--privileged|-v\s*\/:|--volume[= ]\/:|--pid[= ]host|--net(work)?[= ]host|\/var\/run\/docker\.sock|--cap-add)/, 'destructive', 'system.docker-privileged', 'runs a container with access to the host system (privileged, host mounts or host namespaces)', 'system'],
    [/^(login|logout)\b/, 'caution', 'publish.docker-login', 'changes your container registry login', 'privilege'],
    [/^(ps|images|image ls|logs|inspect|version|info|build|compose|pull|run|exec|start|stop|container stop|restart|create|tag|network ls|volume ls|container ls|stats|top|port|diff|history|search|context|buildx|events|save|load|cp|attach|wait|scout|init|help|--version)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'unknown',
);

const terraform = subcommandRules(
  [
    [/^(destroy|apply\b.*-destroy)\b/, 'destructive', 'infra.terraform-destroy', 'destroys the real infrastructure this configuration manages', 'infrastructure'],
    [/^apply\b.*-auto-approve|^apply\b.*\S+\.tfplan/, 'destructive', 'infra.terraform-apply-auto', 'changes real infrastructure without showing a plan to approve (-auto-approve)', 'infrastructure'],
    [/^apply\b/, 'caution', 'infra.terraform-apply', 'changes real infrastructure', 'infrastructure'],
    [/^state (rm|mv|push|replace-provider)\b|^workspace delete\b|^force-unlock\b/, 'destructive', 'infra.terraform-state', 'changes Terraform state directly, which can orphan or destroy resources', 'infrastructure'],
    [/^(import|taint|untaint|refresh)\b/, 'caution', 'infra.terraform-state-change', 'changes Terraform state', 'infrastructure'],
    [/^(plan|init|validate|fmt|show|output|providers|version|graph|state (list|show|pull)|workspace (list|show|select|new)|console|get|test|login|-help|--help|-version|--version)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0, which may change real infrastructure',
);
const pulumi = subcommandRules(
  [
    [/^destroy\b/, 'destructive', 'infra.pulumi-destroy', 'destroys every resource in the stack', 'infrastructure'],
    [/^(up|update)\b.*(--yes|-y|-f|--skip-preview)\b/, 'destructive', 'infra.pulumi-up-yes', 'changes real infrastructure without a preview to approve', 'infrastructure'],
    [/^(up|update|refresh|import)\b/, 'caution', 'infra.pulumi-up', 'changes real infrastructure', 'infrastructure'],
    [/^stack rm\b|^state delete\b|^cancel\b/, 'destructive', 'infra.pulumi-stack-rm', 'deletes a stack or its state', 'infrastructure'],
    [/^(preview|stack( ls| output| select| init)?|config( get)?|version|whoami|about|logs|plugin ls|login|new|help)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0, which may change real infrastructure',
);
const kubectl = subcommandRules(
  [
    [/^delete\b.*(--all\b|namespace|\bns\b|-A\b|--all-namespaces|pv\b|pvc\b|persistentvolume)/, 'destructive', 'infra.kubectl-delete-all', 'deletes Kubernetes resources in bulk (namespaces, volumes or --all)', 'infrastructure'],
    [/^delete\b/, 'destructive', 'infra.kubectl-delete', 'deletes resources from the Kubernetes cluster', 'infrastructure'],
    [/^(drain|cordon|taint|replace --force|scale .*--replicas[= ]0)\b|^replace\b.*--force/, 'destructive', 'infra.kubectl-disrupt', 'takes workloads or nodes out of service', 'infrastructure'],
    [/^(apply|create|replace|patch|edit|set|label|annotate|scale|autoscale|rollout (restart|undo|pause)|expose|run|exec|cp|uncordon|certificate)\b/, 'caution', 'infra.kubectl-change', 'changes resources in the Kubernetes cluster', 'infrastructure'],
    [/^(get|describe|logs|top|explain|version|api-resources|api-versions|cluster-info|config (view|current-context|get-contexts|use-context)|port-forward|diff|auth can-i|rollout (status|history)|events|wait|completion|kustomize|help|plugin list)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0 against a Kubernetes cluster',
);
const helm = subcommandRules(
  [
    [/^(uninstall|delete|del|un)\b/, 'destructive', 'infra.helm-uninstall', 'uninstalls a Helm release and deletes its resources', 'infrastructure'],
    [/^(install|upgrade|rollback)\b/, 'caution', 'infra.helm-change', 'changes a release running in the Kubernetes cluster', 'infrastructure'],
    [/^(list|ls|status|template|lint|repo|search|show|inspect|get|history|version|dependency|package|pull|create|env|help|verify|plugin list)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0 against a Kubernetes cluster',
);
const cloud = (name: string) =>
  subcommandRules(
    [
      [/^s3 (rm|rb)\b.*(--recursive|--force)|^s3 sync\b.*--delete/, 'destructive', `infra.${name}-s3-recursive`, 'deletes objects in an S3 bucket in bulk', 'infrastructure'],
      [/^s3 (rm|rb|mv)\b/, 'caution', `infra.${name}-s3-rm`, 'deletes objects or a bucket in S3', 'infrastructure'],
      [/^s3 (cp|sync|mv)\s+(?!s3:\/\/)\S+\s+s3:\/\//, 'caution', 'exfil.cloud-upload', 'uploads local files to cloud storage', 'exfiltration'],
      [/^s3 (cp|sync)\s+s3:\/\/\S+\s+(?!s3:\/\/)\S+$/, 'harmless', '', '', 'infrastructure'],
      [/\b(delete|destroy|terminate|remove|purge|deregister|drop|disable|revoke|rm)[\w-]*\b/, 'destructive', `infra.${name}-delete`, 'deletes cloud resources: $0', 'infrastructure'],
      [/\b(ls|list|describe|get|show|help|version|--version|whoami|info|config list|config get|auth list|account show|account list|configure list|sts get-caller-identity|logs?|tail|wait)\b/, 'harmless', '', '', 'infrastructure'],
    ],
    'caution',
    'runs $0, which may change cloud resources',
  );
const gsutil = subcommandRules(
  [
    [/^(-m )?(rm|rb)\b.*-r|^(-m )?rsync\b.*-d/, 'destructive', 'infra.gsutil-rm-recursive', 'deletes objects in a Cloud Storage bucket in bulk', 'infrastructure'],
    [/^(-m )?(rm|rb)\b/, 'caution', 'infra.gsutil-rm', 'deletes objects from Cloud Storage', 'infrastructure'],
    [/^(-m )?(ls|cat|du|stat|hash|version|help)\b/, 'harmless', '', '', 'infrastructure'],
  ],
  'caution',
  'runs $0 against Cloud Storage',
);
const paas = (name: string) =>
  subcommandRules(
    [
      [/\b(destroy|delete|remove|rm|apps:destroy|sites:delete|projects:delete|teardown|purge)\b/, 'destructive', `infra.${name}-delete`, 'deletes a deployed application or its resources ($0)', 'infrastructure'],
      [/\b(deploy|publish|release|up|--prod|promote|scale|apply|push|set|secrets?|env (add|rm))\b/, 'caution', `infra.${name}-deploy`, 'deploys or changes a live service ($0)', 'infrastructure'],
      [/\b(ls|list|logs?|status|info|whoami|version|--version|help|diff|synth|doctor|dev|build|serve|init|login|emulators|preview|link|pull|inspect)\b/, 'harmless', '', '', 'infrastructure'],
    ],
    'caution',
    'runs $0, which may change deployed services',
  );

const dbClient =
  (kind: 'sql' | 'sqlite' | 'redis' | 'mongo'): Handler =>
  (inv, out) => {
    known(out);
    const args = inv.argv.slice(1);
    const codeOpts = kind === 'mongo' ? ['--eval'] : ['-c', '--command', '-e', '--execute', '-Q', '-q', '--query'];
    const sqls: string[] = [];
    let fileInput = false;
    const positional: Word[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i].value;
      const eq = a.indexOf('=');
      if (codeOpts.includes(a)) {
        const v = args[i + 1];
        sqls.push(v?.literal ? v.value : '\u0000');
        i++;
      } else if (eq > 0 && codeOpts.includes(a.slice(0, eq))) {
        sqls.push(args[i].literal ? a.slice(eq + 1) : '\u0000');
      } else if (a === '-f' || a === '--file' || a.startsWith('--file=') || a === '-i' || a === '--source' || a === '-init') {
        fileInput = true;
        i++;
      } else if (a.startsWith('-')) {
        if (/^-(U|h|p|d|u|P|H|S|D|n|a|W|o|B|port|host|user|username|dbname|database|cmd|separator)$/.test(a) || ['--host', '--port', '--user', '--username', '--dbname', '--database', '--password', '-h', '-p', '-U', '-d', '-u', '-n', '-a', '-S', '-D', '-P', '-o', '--output'].includes(a)) {
          i++;
        }
      } else {
        positional.push(args[i]);
      }
    }
    if (kind === 'redis') {
      if (positional.length) {
        out.findings.push(...redisFindings(words(positional)));
        if (!out.findings.length) {
          out.knowledge = 'harmless';
        }
        return;
      }
    } else if (kind === 'sqlite' && positional.length > 1) {
      sqls.push(positional.slice(1).every((w) => w.literal) ? words(positional.slice(1)).join(' ') : '\u0000');
    }
    if (!sqls.length && (inv.stdin.kind === 'literal' || inv.stdin.kind === 'download' || inv.stdin.kind === 'unknown' || inv.stdin.kind === 'decoded')) {
      sqls.push(inv.stdin.kind === 'literal' ? inv.stdin.text ?? '' : '\u0000');
    }
    if (!sqls.length && args.some((w) => /^(--version|-V|--help|-\?|-l|--list)$/.test(w.value))) {
      out.knowledge = 'harmless';
      return;
    }
    if (!sqls.length) {
      out.knowledge = fileInput ? 'unknown' : positional.length === 0 || kind === 'sql' || kind === 'mongo' ? 'unknown' : 'known';
      if (fileInput) {
        add(out, finding('database', 'caution', 'db.script-file', `runs a script file against the database (${inv.program}), which Airlock cannot read`));
      }
      return;
    }
    for (const s of sqls) {
      if (s === '\u0000') {
        add(out, finding('database', 'caution', 'db.dynamic', `runs database commands that are only known when the command runs (${inv.program})`));
        continue;
      }
      out.findings.push(...(kind === 'redis' ? redisFindings(s.trim().split(/\s+/)) : kind === 'mongo' ? mongoFindings(s) : sqlFindings(s)));
    }
    if (!out.findings.length) {
      out.knowledge = 'harmless';
    }
  };

const dbTool = subcommandRules(
  [
    [/^(migrate reset|db push.*--force-reset|db push.*--accept-data-loss|db drop|db:drop|db:reset|db:schema:load|db:purge|db:truncate_all|flush|reset_db|sqlflush|database drop|db reset|migrate:fresh|migrate:reset|migrate:refresh|db:wipe|schema:drop|db:seed:undo:all|db:migrate:undo:all|migrate:rollback --all)\b/, 'destructive', 'db.reset', 'drops or resets the database, deleting its data ($0)', 'database'],
    [/./, 'harmless', '', '', 'database'],
  ],
  'harmless',
);

const dropdb: Handler = (inv, out) => {
  known(out);
  add(out, finding('database', 'destructive', 'db.drop', `drops the database ${inv.argv.slice(1).filter((w) => !w.value.startsWith('-')).map((w) => w.value).pop() ?? ''}`));
};

const pgRestore: Handler = (inv, out) => {
  known(out);
  if (inv.argv.some((w) => /^(-c|--clean|--if-exists)$/.test(w.value))) {
    add(out, finding('database', 'destructive', 'db.restore-clean', 'restores a dump with --clean, dropping existing objects first'));
  } else {
    add(out, finding('database', 'caution', 'db.restore', 'restores a dump into a database'));
  }
};
const mongorestore: Handler = (inv, out) => {
  known(out);
  add(out, finding('database', inv.argv.some((w) => w.value === '--drop') ? 'destructive' : 'caution', 'db.restore-drop', inv.argv.some((w) => w.value === '--drop') ? 'restores a dump with --drop, deleting existing collections first' : 'restores a dump into MongoDB'));
};

// ----- network: downloads, uploads, remote hosts -----

const curl: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['o', 'output', 'd', 'data', 'data-binary', 'data-raw', 'data-ascii', 'data-urlencode', 'F', 'form', 'form-string', 'T', 'upload-file', 'H', 'header', 'X', 'request', 'u', 'user', 'A', 'user-agent', 'e', 'referer', 'b', 'cookie', 'c', 'cookie-jar', 'x', 'proxy', 'm', 'max-time', 'connect-timeout', 'retry', 'w', 'write-out', 'K', 'config', 'cacert', 'cert', 'key', 'E', 'r', 'range', 'Y', 'y', 'z', 'C', 'D', 'dump-header', 'json', 'url', 'resolve', 'interface', 'limit-rate', 'max-filesize', 'oauth2-bearer', 'aws-sigv4', 'variable', 'expand-url', 'trace', 'trace-ascii', 'stderr', 'netrc-file']);
  const uploads: string[] = [];
  for (const k of ['d', 'data', 'data-binary', 'data-raw', 'data-ascii', 'data-urlencode', 'json']) {
    for (const v of p.values.get(k) ?? []) {
      if (k !== 'data-raw' && /^@|=@|^[^=]*@[^{}\s]*$/.test(v) && v.includes('@')) {
        uploads.push(v.replace(/^.*@/, ''));
      }
    }
  }
  for (const k of ['F', 'form']) {
    for (const v of p.values.get(k) ?? []) {
      if (/=[@<]/.test(v)) {
        uploads.push(v.replace(/^[^=]*=[@<]/, '').replace(/;.*$/, ''));
      }
    }
  }
  for (const k of ['T', 'upload-file']) {
    uploads.push(...(p.values.get(k) ?? []));
  }
  const dynamicData = inv.argv.slice(1).some((w) => !w.literal && /\$\(|`/.test(w.value));
  if (uploads.length) {
    add(out, finding('exfiltration', 'destructive', 'exfil.curl-upload', `uploads ${uploads.join(', ')} to ${p.operands[0]?.value ?? value(p, 'url') ?? 'a remote server'}`));
  } else if (dynamicData) {
    add(out, finding('exfiltration', 'caution', 'exfil.curl-dynamic', 'sends data computed at run time to a remote server (for example the output of a command)'));
  }
  const o = value(p, 'o', 'output');
  if (o !== undefined || has(p, 'O', 'remote-name', 'remote-name-all')) {
    inv.env.written.set(DOWNLOADED, undefined);
  }
  if (o !== undefined) {
    writeTarget(inv, out, { value: o, literal: true });
    inv.env.written.set(resolvePath(o, inv.scope.cwd, inv.env.home), undefined);
  } else if (has(p, 'O', 'remote-name', 'remote-name-all')) {
    const url = p.operands[0]?.value ?? '';
    const name = url.split('?')[0].split('/').pop() || 'index.html';
    writeTarget(inv, out, lit(name));
    inv.env.written.set(resolvePath(name, inv.scope.cwd, inv.env.home), undefined);
  } else {
    out.stdout = { kind: 'download' };
  }
  if (!out.findings.length && inv.stdin.kind !== 'none' && (p.values.get('d') ?? p.values.get('data-binary') ?? []).some((v) => v === '@-')) {
    add(out, finding('exfiltration', 'destructive', 'exfil.curl-upload', 'uploads data piped into it to a remote server'));
  }
  if (out.stdout.kind !== 'download') {
    out.stdout = UNKNOWN_STREAM;
  }
};

const wget: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['O', 'output-document', 'P', 'directory-prefix', 'o', 'output-file', 'a', 'append-output', 'post-file', 'post-data', 'body-file', 'body-data', 'U', 'user-agent', 'header', 'method', 't', 'tries', 'T', 'timeout', 'e', 'execute', 'i', 'input-file', 'user', 'password', 'l', 'level']);
  const postFile = value(p, 'post-file', 'body-file');
  if (postFile) {
    add(out, finding('exfiltration', 'destructive', 'exfil.wget-upload', `uploads ${postFile} to a remote server`));
  }
  const o = value(p, 'O', 'output-document');
  if (o === '-') {
    out.stdout = { kind: 'download' };
    return;
  }
  inv.env.written.set(DOWNLOADED, undefined);
  if (o !== undefined) {
    writeTarget(inv, out, lit(o));
    inv.env.written.set(resolvePath(o, inv.scope.cwd, inv.env.home), undefined);
  } else {
    const dir = value(p, 'P', 'directory-prefix') ?? '.';
    const url = p.operands[0]?.value ?? '';
    const name = url.split('?')[0].split('/').pop() || 'index.html';
    writeTarget(inv, out, lit(path.join(dir, name)), 'create');
    inv.env.written.set(resolvePath(path.join(dir, name), inv.scope.cwd, inv.env.home), undefined);
  }
  out.stdout = UNKNOWN_STREAM;
};

function isRemote(arg: string): boolean {
  return /^[\w.-]+@[\w.-]+:|^[\w.-]+:(?!\/\/)|^(rsync|scp|sftp|ssh):\/\//.test(arg) && !/^[a-zA-Z]:[\\/]/.test(arg);
}

const scp: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['P', 'i', 'o', 'F', 'c', 'l', 'S', 'J', 'e', 'B', 'f', 'port', 'rsh', 'exclude', 'include', 'filter', 'log-file', 'password-file', 'chmod', 'chown', 'timeout', 'backup-dir', 'suffix', 'exclude-from', 'include-from', 'files-from', 'partial-dir', 'temp-dir', 'compare-dest', 'link-dest', 'copy-dest', 'max-size', 'min-size', 'bwlimit', 'out-format', 'info', 'debug']);
  const ops = [...p.operands];
  const dest = ops.pop();
  if (!dest) {
    out.knowledge = 'harmless';
    return;
  }
  if (isRemote(dest.value)) {
    add(out, finding('exfiltration', 'caution', 'exfil.copy-to-remote', `copies ${ops.map((w) => w.value).join(' ')} to the remote host ${dest.value.split(':')[0]}`));
    if (has(p, 'delete', 'delete-after', 'delete-before', 'delete-during', 'delete-excluded', 'del')) {
      add(out, finding('file-destruction', 'destructive', 'fs.rsync-delete-remote', 'deletes files on the remote host that are not in the source (--delete)'));
    }
  } else {
    writeTarget(inv, out, dest);
    if (has(p, 'delete', 'delete-after', 'delete-before', 'delete-during', 'delete-excluded', 'del')) {
      deleteTarget(inv, out, dest.literal ? lit(dest.value.replace(/\/?$/, '/*')) : dest, true, 'deletes files not in the source from');
    }
  }
};

const netcat: Handler = (inv, out) => {
  known(out);
  add(out, finding('exfiltration', 'caution', 'exfil.netcat', `opens a raw network connection (${inv.program}), which can send files off the machine or open a shell to it`));
};

const ssh: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['p', 'i', 'o', 'F', 'l', 'L', 'R', 'D', 'J', 'c', 'm', 'b', 'E', 'e', 'I', 'O', 'Q', 'S', 'W', 'w', 'B']);
  if (has(p, 'V', 'G', 'Q')) {
    out.knowledge = 'harmless';
    return;
  }
  if (p.values.has('R')) {
    add(out, finding('exfiltration', 'caution', 'exfil.ssh-tunnel', 'opens a reverse tunnel from a remote host into this machine'));
  }
  const cmd = p.operands.slice(1);
  add(out, finding('exfiltration', 'caution', 'remote.ssh', cmd.length ? `runs "${words(cmd).join(' ').slice(0, 60)}" on the remote host ${p.operands[0]?.value ?? ''}` : `opens a shell on the remote host ${p.operands[0]?.value ?? ''}`));
};

const base64: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const decode = inv.argv.some((w) => /^(-d|-D|--decode|-[a-zA-Z]*d)$/.test(w.value));
  out.stdout = decode ? { kind: 'decoded' } : UNKNOWN_STREAM;
};

const decoder: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const decode = inv.program === 'xxd' ? inv.argv.some((w) => /^-r/.test(w.value)) : inv.program === 'openssl' ? inv.argv.some((w) => w.value === '-d' || w.value === 'base64' || w.value === 'enc') : true;
  out.stdout = decode ? { kind: inv.stdin.kind === 'download' ? 'download' : 'decoded' } : UNKNOWN_STREAM;
};

const passThrough: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const p = parseArgs(inv.argv.slice(1));
  out.stdout = p.operands.length === 0 && (inv.stdin.kind === 'download' || inv.stdin.kind === 'decoded' || inv.stdin.kind === 'literal') ? inv.stdin : UNKNOWN_STREAM;
  if (inv.program === 'cat' || inv.program === 'type') {
    const f = p.operands[0];
    const abs = f ? resolveWord(inv, f) : undefined;
    if (abs && inv.env.written.has(abs)) {
      const content = inv.env.written.get(abs);
      out.stdout = content === undefined ? { kind: 'download' } : { kind: 'literal', text: content };
    }
  }
};

const echo: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1);
  const i = inv.program === 'echo' ? args.findIndex((w) => !/^-[neE]+$/.test(w.value)) : 0;
  const rest = i < 0 ? [] : args.slice(i);
  if (rest.every((w) => w.literal)) {
    let text = words(rest).join(' ');
    if (inv.program === 'printf') {
      text = (rest[0]?.value ?? '').replace(/%s/g, () => '').replace(/\\n/g, '\n') + ' ' + words(rest.slice(1)).join(' ');
    }
    out.stdout = { kind: 'literal', text };
  } else if (rest.some((w) => /base64|xxd/.test(w.value))) {
    out.stdout = { kind: 'decoded' };
  } else {
    out.stdout = UNKNOWN_STREAM;
  }
};

const archive: Handler = (inv, out) => {
  known(out);
  const a = words(inv.argv.slice(1));
  if (inv.program === 'tar') {
    const first = a[0] ?? '';
    const extract = a.some((x) => x === '-x' || x === '--extract' || x === '--get') || (/^-?[a-zA-Z]*x/.test(first) && !first.startsWith('--'));
    const create = a.some((x) => x === '-c' || x === '--create') || (/^-?[a-zA-Z]*c/.test(first) && !first.startsWith('--'));
    const di = a.findIndex((x) => x === '-C' || x === '--directory');
    const dir = di >= 0 ? a[di + 1] : a.find((x) => x.startsWith('--directory='))?.slice(12) ?? '.';
    if (extract) {
      writeTarget(inv, out, lit(dir));
    } else if (create) {
      const fi = a.findIndex((x) => x === '-f' || x === '--file' || (/^-?[a-zA-Z]*f$/.test(x) && !x.startsWith('--')));
      if (fi >= 0 && a[fi + 1] && a[fi + 1] !== '-') {
        writeTarget(inv, out, lit(a[fi + 1]), 'create');
      }
    } else {
      out.knowledge = 'harmless';
    }
    if (a.includes('--remove-files')) {
      add(out, finding('file-destruction', 'caution', 'fs.tar-remove-files', 'deletes the original files after archiving them (--remove-files)'));
    }
    return;
  }
  if (inv.program === 'unzip') {
    if (a.includes('-l') || a.includes('-t') || a.includes('-Z')) {
      out.knowledge = 'harmless';
      return;
    }
    const di = a.indexOf('-d');
    writeTarget(inv, out, lit(di >= 0 ? a[di + 1] ?? '.' : '.'));
    return;
  }
  if (inv.program === 'zip' || inv.program === '7z') {
    const ops = a.filter((x) => !x.startsWith('-'));
    const target = inv.program === '7z' ? ops[1] : ops[0];
    if (target) {
      writeTarget(inv, out, lit(target), 'create');
    }
    if (a.includes('-m') || a.includes('-sdel')) {
      add(out, finding('file-destruction', 'caution', 'fs.zip-move', 'deletes the original files after archiving them'));
    }
    return;
  }
  // gzip, gunzip, bzip2, xz, zstd: replace files in place
  const p = parseArgs(inv.argv.slice(1), ['S', 'suffix']);
  if (has(p, 'c', 'stdout', 'l', 'list', 't', 'test', 'k', 'keep')) {
    out.knowledge = 'harmless';
    return;
  }
  for (const w of p.operands) {
    writeTarget(inv, out, w);
  }
};

const installCmd: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['m', 'mode', 'o', 'owner', 'g', 'group', 't', 'target-directory', 'S', 'suffix']);
  const t = value(p, 't', 'target-directory');
  if (has(p, 'd', 'directory')) {
    for (const w of p.operands) {
      writeTarget(inv, out, w, 'create');
    }
    return;
  }
  const dest = t !== undefined ? lit(t) : p.operands[p.operands.length - 1];
  if (dest) {
    writeTarget(inv, out, dest);
  }
};

const lnCmd: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['t', 'target-directory', 'S', 'suffix']);
  const t = value(p, 't', 'target-directory');
  const dest = t !== undefined ? lit(t) : p.operands.length >= 2 ? p.operands[p.operands.length - 1] : lit(path.basename(p.operands[0]?.value ?? '.'));
  writeTarget(inv, out, dest, has(p, 'f', 'force') ? 'write' : 'create');
};

const touchLike: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1), ['d', 'date', 'r', 'reference', 't', 'm', 'mode', 'Z', 'context']).operands) {
    writeTarget(inv, out, w, 'create');
  }
};

const gitCheckoutLike = undefined;
void gitCheckoutLike;

const pip: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const a = words(inv.argv.slice(1));
  if (a.includes('--break-system-packages') || (a[0] === 'install' && a.includes('--target') && a.some((x) => x.startsWith('/usr')))) {
    out.knowledge = 'known';
    add(out, finding('system', 'caution', 'system.pip-system', 'installs Python packages into the system interpreter'));
  }
};

function brewLikeRef(inv: Invocation, out: Outcome): void {
  brewLike(inv, out);
}

const brewLike: Handler = (inv, out) => {
  const a = words(inv.argv.slice(1));
  const sub = a.find((x) => !x.startsWith('-')) ?? '';
  out.knowledge = 'harmless';
  if (/^(remove|purge|autoremove|uninstall|erase|rm|dist-upgrade|full-upgrade)$/.test(sub)) {
    out.knowledge = 'known';
    add(out, finding('system', 'caution', 'system.package-remove', `removes system packages (${inv.program} ${a.join(' ')})`.slice(0, 100)));
  } else if (/^(install|upgrade|update|add|reinstall|tap|link|unlink|cask)$/.test(sub) && inv.program !== 'brew') {
    out.knowledge = 'known';
  }
};

const npx: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1);
  const call = args.findIndex((w) => w.value === '-c' || w.value === '--call' || w.value.startsWith('--call='));
  if (call >= 0) {
    const code = args[call].value.startsWith('--call=') ? { value: args[call].value.slice(7), literal: args[call].literal } : args[call + 1];
    if (code?.literal) {
      inv.env.runScript(code.value, inv.scope, 'bash');
    } else {
      out.knowledge = 'unknown';
    }
    return;
  }
  const i = skipOptions(args, ['p', 'package', 'c', 'call', 'node-options']);
  const rest = args.slice(i);
  if (rest.length) {
    const pkg = rest[0].value.replace(/(.)@[^/@]*$/, '$1').replace(/^@[^/]+\//, '');
    if (/^create-/.test(pkg)) {
      return;
    }
    out.stdout = inv.env.runArgv([lit(pkg), ...rest.slice(1)], inv.scope, inv.stdin, innerText([lit(pkg), ...rest.slice(1)]));
  }
};

const rimraf: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1)).operands) {
    deleteTarget(inv, out, w, true);
  }
};

const iptablesLike = firewall;

const wipe: Handler = (inv, out) => {
  known(out);
  add(out, finding('system', 'catastrophic', 'system.wipe', `erases disks or file systems (${inv.program})`));
};

const chattr: Handler = (_inv, out) => {
  known(out);
  add(out, finding('system', 'caution', 'system.chattr', 'changes file attributes (immutable/append-only)'));
};

const historyClear: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  if (inv.argv.some((w) => w.value === '-c' || w.value === '-w')) {
    known(out);
  }
};

const make: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const file = inv.argv.findIndex((w) => w.value === '-f' || w.value === '--file' || w.value === '--makefile');
  if (file >= 0) {
    const f = inv.argv[file + 1];
    if (!f || !f.literal || f.value === '-' || f.value.startsWith('/dev/')) {
      out.knowledge = 'unknown';
      return;
    }
  }
  const targets = inv.argv.slice(1).filter((w) => !w.value.startsWith('-') && !w.value.includes('='));
  if (targets.some((w) => /deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge|prod/i.test(w.value))) {
    known(out);
    add(out, finding('publishing', 'caution', 'script.deploy-like', `runs the make target ${targets.map((w) => w.value).join(' ')}, whose name suggests it deploys, publishes or destroys something`));
  }
};

const goCmd: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const sub = inv.argv[1]?.value ?? '';
  if (sub === 'run') {
    out.knowledge = 'harmless';
  }
};

const at: Handler = (inv, out) => {
  known(out);
  add(out, finding('system', 'caution', 'system.schedule', `schedules a command to run later (${inv.program}), outside Airlock's view`));
};

const awk: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const p = parseArgs(inv.argv.slice(1), ['F', 'v', 'f', 'field-separator', 'assign', 'file']);
  if (p.values.has('f') || p.values.has('file')) {
    out.knowledge = 'unknown';
    return;
  }
  const prog = p.operands[0]?.value ?? '';
  if (/\bsystem\s*\(|\|\s*(getline|")|"\s*\||>\s*"|>>\s*"|print[^;}]*>/.test(prog)) {
    out.knowledge = 'unknown';
    add(out, finding('file-destruction', 'caution', 'awk.exec-or-write', `the awk program runs commands or writes files (${prog.slice(0, 60)})`));
  }
};

/** `poetry run X`, `bundle exec X`, `uv run X`: the wrapped command is what runs. */
function runWrapper(verbs: string[]): Handler {
  return (inv, out) => {
    out.knowledge = 'harmless';
    const args = inv.argv.slice(1);
    const i = args.findIndex((w) => !w.value.startsWith('-'));
    if (i >= 0 && verbs.includes(args[i].value)) {
      const rest = args.slice(i + 1);
      const j = skipOptions(rest, ['with', 'python', 'p', 'directory', 'project', 'n', 'name', 'e', 'env-file', 'package', 'from']);
      if (rest.slice(j).length) {
        out.stdout = inv.env.runArgv(rest.slice(j), inv.scope, inv.stdin, innerText(rest.slice(j)));
      }
      return;
    }
    const fallback = runWrapperFallback(inv.program);
    if (fallback) {
      fallback(inv, out);
    }
  };
}

const trap: Handler = (inv, out) => {
  out.knowledge = 'harmless';
  const args = inv.argv.slice(1).filter((w) => !/^-[lp]$/.test(w.value));
  if (args.length >= 2 && args[0].value !== '-') {
    if (args[0].literal) {
      inv.env.runScript(args[0].value, inv.scope, 'bash');
    } else {
      out.knowledge = 'unknown';
    }
  }
};

const HANDLERS: Record<string, Handler> = {
  trap,
  bundle: runWrapper(['exec']),
  pipenv: runWrapper(['run']),
  uvx: npx,
  pipx: runWrapper(['run']),
  conda: runWrapper(['run']),
  mamba: runWrapper(['run']),
  pixi: runWrapper(['run', 'exec']),
  rye: runWrapper(['run']),
  awk,
  gawk: awk,
  mawk: awk,
  nawk: awk,
  rm,
  unlink: rmdir,
  rmdir,
  shred,
  srm: shred,
  wipe,
  rimraf,
  del: rm,
  trash: rmdir,
  'trash-put': rmdir,
  mv: (inv, out) => copyLike(inv, out, true),
  cp: (inv, out) => copyLike(inv, out, false),
  rsync: scp,
  scp,
  sftp: ssh,
  install: installCmd,
  ln: lnCmd,
  link: lnCmd,
  touch: touchLike,
  mkdir: touchLike,
  mkfifo: touchLike,
  mktemp: (_inv, out) => {
    out.knowledge = 'harmless';
  },
  chmod: chmodLike('chmod'),
  chown: chmodLike('chown'),
  chgrp: chmodLike('chgrp'),
  chattr,
  tee,
  sed: sedLike('sed'),
  gsed: sedLike('sed'),
  perl: sedLike('perl'),
  truncate,
  dd,
  fdisk: diskTool,
  sfdisk: diskTool,
  gdisk: diskTool,
  sgdisk: diskTool,
  parted: diskTool,
  cfdisk: diskTool,
  wipefs: wipe,
  diskutil: (inv, out) => {
    known(out);
    if (/erase|partition|reformat|zero|secureErase|apfs delete/i.test(words(inv.argv.slice(1)).join(' '))) {
      add(out, finding('system', 'catastrophic', 'system.diskutil-erase', 'erases or repartitions a disk'));
    } else {
      out.knowledge = 'harmless';
    }
  },
  kill,
  pkill,
  killall: pkill,
  killall5: pkill,
  shutdown: power,
  reboot: power,
  halt: power,
  poweroff: power,
  init: initCmd,
  telinit: initCmd,
  systemctl,
  service: (inv, out) => {
    known(out);
    if (/\b(stop|restart|reload|start|disable)\b/.test(words(inv.argv).join(' '))) {
      add(out, finding('system', 'caution', 'system.service', `changes system services (${words(inv.argv).join(' ')})`));
    } else {
      out.knowledge = 'harmless';
    }
  },
  launchctl: systemctl,
  crontab,
  at,
  batch: at,
  iptables: iptablesLike,
  ip6tables: iptablesLike,
  ufw: iptablesLike,
  nft: iptablesLike,
  'firewall-cmd': iptablesLike,
  useradd: userAdmin,
  userdel: userAdmin,
  usermod: userAdmin,
  passwd: userAdmin,
  chpasswd: userAdmin,
  groupadd: userAdmin,
  groupdel: userAdmin,
  visudo: userAdmin,
  mount: mountCmd,
  umount: mountCmd,
  swapoff: mountCmd,
  swapon: mountCmd,
  sysctl: sysctlCmd,
  modprobe: sysctlCmd,
  insmod: sysctlCmd,
  rmmod: sysctlCmd,
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
  renice: (_i, out) => {
    out.knowledge = 'harmless';
  },
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
    out.knowledge = 'harmless';
    if (i > 0) {
      out.stdout = inv.env.runArgv(inv.argv.slice(i + 1), inv.scope, inv.stdin, innerText(inv.argv.slice(i + 1)));
    }
  },
  xargs,
  parallel,
  watch,
  find,
  sh: shell,
  bash: shell,
  zsh: shell,
  dash: shell,
  ksh: shell,
  mksh: shell,
  ash: shell,
  fish: shell,
  busybox: (inv, out) => {
    if (inv.argv.length > 1) {
      out.knowledge = 'harmless';
      out.stdout = inv.env.runArgv(inv.argv.slice(1), inv.scope, inv.stdin, innerText(inv.argv.slice(1)));
    } else {
      out.knowledge = 'unknown';
    }
  },
  eval: evalCmd,
  source,
  '.': source,
  python: interpreter,
  python2: interpreter,
  python3: interpreter,
  py: interpreter,
  pypy: interpreter,
  pypy3: interpreter,
  node: interpreter,
  nodejs: interpreter,
  deno: interpreter,
  bun: interpreter,
  ruby: interpreter,
  php: interpreter,
  lua: interpreter,
  Rscript: interpreter,
  osascript: interpreter,
  git,
  npm: pkgManager,
  pnpm: pkgManager,
  yarn: pkgManager,
  npx,
  pnpx: npx,
  bunx: npx,
  cargo,
  twine,
  poetry: runWrapper(['run']),
  flit: pyPublish('flit'),
  hatch: runWrapper(['run']),
  uv: runWrapper(['run', 'tool run']),
  pdm: runWrapper(['run']),
  gem,
  vsce,
  ovsx: vsce,
  mvn,
  mvnw: mvn,
  gradle,
  gradlew: gradle,
  dotnet,
  nuget,
  pod,
  gh,
  docker,
  podman: docker,
  nerdctl: docker,
  terraform,
  tofu: terraform,
  terragrunt: terraform,
  pulumi,
  kubectl,
  oc: kubectl,
  k: kubectl,
  helm,
  aws: cloud('aws'),
  gcloud: cloud('gcloud'),
  az: cloud('az'),
  doctl: cloud('doctl'),
  linode: cloud('linode'),
  gsutil,
  heroku: paas('heroku'),
  fly: paas('fly'),
  flyctl: paas('fly'),
  vercel: paas('vercel'),
  netlify: paas('netlify'),
  firebase: paas('firebase'),
  serverless: paas('serverless'),
  sls: paas('serverless'),
  cdk: paas('cdk'),
  wrangler: paas('wrangler'),
  eksctl: paas('eksctl'),
  railway: paas('railway'),
  lerna: subcommandRules([[/\bpublish\b/, 'destructive', 'publish.lerna', 'publishes packages to the registry for everyone', 'publishing'], [/\bversion\b/, 'known', '', '', 'publishing']], 'harmless'),
  changeset: subcommandRules([[/\bpublish\b/, 'destructive', 'publish.changeset', 'publishes packages to the registry for everyone', 'publishing']], 'harmless'),
  'semantic-release': subcommandRules([[/--dry-run|-d\b/, 'harmless', '', '', 'publishing'], [/.?/, 'destructive', 'publish.semantic-release', 'creates a release and publishes it', 'publishing']], 'unknown'),
  supabase: subcommandRules([[/^db reset\b/, 'destructive', 'db.reset', 'resets the database, deleting its data', 'database']], 'harmless'),
  'ansible-playbook': (inv, out) => {
    known(out);
    if (!inv.argv.some((w) => ['--check', '-C', '--syntax-check', '--list-tasks', '--list-hosts'].includes(w.value))) {
      add(out, finding('infrastructure', 'caution', 'infra.ansible', 'runs an Ansible playbook against real machines'));
    }
  },
  psql: dbClient('sql'),
  mysql: dbClient('sql'),
  mariadb: dbClient('sql'),
  sqlcmd: dbClient('sql'),
  'clickhouse-client': dbClient('sql'),
  cqlsh: dbClient('sql'),
  duckdb: dbClient('sqlite'),
  sqlite3: dbClient('sqlite'),
  sqlite: dbClient('sqlite'),
  'redis-cli': dbClient('redis'),
  'valkey-cli': dbClient('redis'),
  mongo: dbClient('mongo'),
  mongosh: dbClient('mongo'),
  dropdb,
  dropuser: dropdb,
  pg_restore: pgRestore,
  mongorestore,
  prisma: dbTool,
  rails: dbTool,
  rake: dbTool,
  'manage.py': dbTool,
  artisan: dbTool,
  sequelize: dbTool,
  'sequelize-cli': dbTool,
  knex: dbTool,
  typeorm: dbTool,
  drizzle: dbTool,
  'drizzle-kit': dbTool,
  curl,
  wget,
  http: curl,
  xh: curl,
  nc: netcat,
  ncat: netcat,
  netcat: netcat,
  socat: netcat,
  telnet: netcat,
  ssh,
  mosh: ssh,
  ftp: netcat,
  base64,
  gbase64: base64,
  base32: base64,
  xxd: decoder,
  openssl: (inv, out) => {
    decoder(inv, out);
    const a = words(inv.argv.slice(1));
    const o = a.indexOf('-out');
    if (o >= 0 && a[o + 1]) {
      writeTarget(inv, out, lit(a[o + 1]));
    }
  },
  uudecode: decoder,
  gunzip: (inv, out) => (inv.argv.length === 1 || inv.argv.some((w) => w.value === '-c') ? decoder(inv, out) : archive(inv, out)),
  zcat: decoder,
  rev: passThrough,
  cat: passThrough,
  tac: passThrough,
  tr: passThrough,
  head: passThrough,
  tail: passThrough,
  sort: passThrough,
  echo,
  printf: echo,
  tar: archive,
  unzip: archive,
  zip: archive,
  '7z': archive,
  gzip: archive,
  bzip2: archive,
  xz: archive,
  zstd: archive,
  pip,
  pip3: pip,
  brew: brewLike,
  apt: brewLike,
  'apt-get': brewLike,
  dnf: brewLike,
  yum: brewLike,
  pacman: brewLike,
  apk: brewLike,
  snap: brewLike,
  choco: brewLike,
  winget: brewLike,
  scoop: brewLike,
  history: historyClear,
  make,
  gmake: make,
  just: make,
  task: make,
  go: goCmd,
};

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
function readsSecrets(inv: Invocation, out: Outcome): void {
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
  if (h && !RUNS_OTHERS.has(inv.program) && helpOnly(inv)) {
    // `git push --help`, `terraform destroy --help`: prints help and does nothing else
    out.knowledge = 'harmless';
    return out;
  }
  if (h) {
    h(inv, out);
  } else if (HARMLESS.has(inv.program)) {
    Object.assign(out, harmless());
  } else if (inv.env.functions.has(inv.program)) {
    out.knowledge = 'known';
  } else if (/^mkfs(\.|$)|^mke2fs$|^mkswap$|^newfs/.test(inv.program)) {
    mkfs(inv, out);
  } else if (inv.argv[0].literal && /[\\/]/.test(inv.argv[0].value)) {
    runsScript(inv, out, inv.argv[0], /\.(py|js|mjs|cjs|ts|rb|pl|php)$/.test(inv.argv[0].value) ? 'script' : 'sh');
  }
  readsSecrets(inv, out);
  return out;
}

export { hasGlob, SHELLS };
export type { ParsedArgs, Stream };
