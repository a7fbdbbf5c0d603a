/** Programs that run code: shells, eval, source, interpreters and their inline code, scripts. */
import * as path from 'node:path';
import { parseWithSpec } from '../capabilities';
import { finding, lit, UNKNOWN_STREAM } from '../model';
import type { Invocation, Outcome, Stream, Word } from '../model';
import { locate } from '../paths';
import { add, display, DOWNLOADED, innerText, known, readOnly, readTarget, resolveWord } from './common';
import type { Handler } from './common';
import { agentMayHaveWritten, codeReads, judgeFileByContent } from './scripts';
import { applyOptionRoles, specOf, unknownOptions } from './specs';
import { isSecretPath } from './secrets';

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox-sh']);

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
    String.raw`\b(qx|exec\w*|eval|system|spawn\w*|popen|subprocess|shutil|rmtree|unlink\w*|remove\w*|rmdir\w*|rmSync|rm_rf|rm_r|writeFile\w*|appendFile\w*|child_process|socket|urllib\w*|requests|fetch|process\.binding|Function|globalThis|getattr|setattr|compile|ctypes|Deno|Bun|syscall|chmod\w*|chown\w*|kill|truncate\w*|rename\w*|curl|wget|FileUtils|Kernel|IO|File|Dir|Open3|Net|pty|pickle|marshal|importlib|__import__|__builtins__|__subclasses__|send|connect|listen|urlopen|environ|putenv|dlopen)\b`,
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

/** Inline code given on the command line (-c, -e): judged by what it can do, and the files it opens are reads. */
function inlineArg(inv: Invocation, out: Outcome, code: string, lang: string): void {
  inlineCode(out, code, lang);
  codeReads(inv, out, code, `${lang} code`);
}

export function inlineCode(out: Outcome, code: string, lang: string): void {
  if (RISKY_CODE.test(code)) {
    out.knowledge = 'unknown';
    add(out, finding('remote-code', 'caution', 'code.inline', `runs inline ${lang} code that can change files or run programs: ${code.length > 80 ? code.slice(0, 80) + '...' : code}`));
  } else {
    readOnly(out);
  }
}

export function stdinIsCode(inv: Invocation, out: Outcome, lang: string): void {
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

/** A script file that the command runs: workspace scripts are routine, others are not known. */
export function runsScript(inv: Invocation, out: Outcome, w: Word, lang: string): void {
  if (/^(https?|jsr|npm):/i.test(w.value)) {
    // deno run https://..., bun https://...: code fetched when it runs, read by no one
    add(out, finding('remote-code', 'caution', 'remote.run-url', `${inv.program} runs code from ${w.value.slice(0, 80)}, fetched when it runs`));
    return;
  }
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
  if ((loc.startsWith('workspace') && loc !== 'workspace-git') || (loc === 'temp' && inv.env.view.exists(abs))) {
    known(out);
    if (inv.env.view.exists(abs) && agentMayHaveWritten(inv, abs)) {
      judgeFileByContent(inv, out, abs, SHELLS.has(lang) ? 'sh' : lang, inlineCode);
    }
    if (/deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge/i.test(path.basename(abs))) {
      add(out, finding('publishing', 'caution', 'script.deploy-like', `runs ${display(abs, inv)}, whose name suggests it deploys, publishes or destroys something`));
    }
    return;
  }
  out.knowledge = 'unknown';
}

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
      readOnly(out);
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
    readOnly(out);
  }
};

const evalCmd: Handler = (inv, out) => {
  const args = inv.argv.slice(1);
  const text = args.map((w) => w.value).join(' ');
  if (args.every((w) => w.literal)) {
    readOnly(out);
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
  if (abs && isSecretPath(abs)) {
    readTarget(inv, out, w, inv.program === '.' ? '.' : 'source');
  }
  if (abs && locate(abs, inv.env.workspace, inv.env.home) === 'home-config' && !inv.env.written.has(abs)) {
    out.knowledge = out.findings.length ? 'known' : 'harmless';
    return;
  }
  runsScript(inv, out, w, 'sh');
};

const interpreter: Handler = (inv, out) => {
  const spec = INTERPRETERS[inv.program] ?? INTERPRETERS[inv.program.replace(/[\d.]+$/, '')] ?? { code: [] };
  known(out);
  const caps = specOf(inv.program);
  if (caps) {
    const given = parseWithSpec(caps, inv.argv.slice(1));
    applyOptionRoles(inv, out, given);
    unknownOptions(inv, out, caps, given);
  }
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
      inlineArg(inv, out, code.literal ? code.value : '$' + code.value, inv.program);
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
        readOnly(out);
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
      readOnly(out);
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
        readOnly(out);
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
      readOnly(out);
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

/** open, xdg-open: a URL opens in the browser; a file opens in its program, which may run it. */
const opener: Handler = (inv, out) => {
  readOnly(out);
  for (const w of inv.argv.slice(1)) {
    if (w.value.startsWith('-')) {
      continue;
    }
    if (!w.literal) {
      out.unknownReason = `${inv.program} opens ${w.value}, only known when the line runs`;
    } else if (!/^(https?|mailto|vscode|file):/i.test(w.value) && /\.(sh|command|tool|app|desktop|exe|bat|cmd|ps1|jar|scpt|applescript|pkg|dmg|deb|rpm|appimage|run|bin)$/i.test(w.value)) {
      out.unknownReason = `${inv.program} ${w.value} opens a program or script, which then runs`;
    }
  }
};

export const CODE_HANDLERS: Record<string, Handler> = {
  open: opener,
  'xdg-open': opener,
  wslview: opener,
  sh: shell,
  bash: shell,
  zsh: shell,
  dash: shell,
  ksh: shell,
  mksh: shell,
  ash: shell,
  fish: shell,
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
};
