/**
 * What the agent wrote, it does not get to run unread: a script, a package.json script, a Makefile
 * recipe or a configuration file that runs (jest.config.js, conftest.py) which is new or changed
 * against HEAD is judged by its content: shell text is analysed like a command line, other
 * languages by what their code can do; what cannot be read is asked. Unchanged files of the
 * project stay quiet.
 */
import * as path from 'node:path';
import { finding } from '../model';
import type { Invocation, Outcome, Scope } from '../model';
import { locate } from '../paths';
import { add, display, readTarget } from './common';

const SHELL_NAMES = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish']);
const LANG_BY_EXT: Readonly<Record<string, string>> = { '.sh': 'sh', '.bash': 'sh', '.zsh': 'sh', '.py': 'python', '.js': 'node', '.cjs': 'node', '.mjs': 'node', '.ts': 'node', '.mts': 'node', '.cts': 'node', '.rb': 'ruby', '.pl': 'perl', '.php': 'php', '.lua': 'lua' };

/** Whether the agent may have written the file: new or changed against HEAD, or outside git. */
export function agentMayHaveWritten(inv: Invocation, abs: string): boolean {
  return inv.env.view.changed(abs) !== false;
}

/** The language a script is written in: its #! line, else its extension, else `fallback`. */
export function scriptLanguage(abs: string, text: string, fallback: string): string {
  const shebang = /^#!\s*(?:\/usr\/bin\/env\s+(?:-S\s+)?)?\S*?([\w.-]+)(?=\s|$)/.exec(text)?.[1];
  const lang = shebang ?? LANG_BY_EXT[path.extname(abs)] ?? fallback;
  return lang.replace(/\d+(\.\d+)*$/, '');
}

/** Code in a language other than shell: quiet unless it can change files, run programs or reach the network. */
export type CodeJudge = (out: Outcome, code: string, lang: string) => void;

/**
 * Judges a file that is about to run by its content (call only for files the agent may have
 * written). Shell runs through the analysis in `scope`; other code through `judgeCode`.
 */
export function judgeFileByContent(inv: Invocation, out: Outcome, abs: string, fallbackLang: string, judgeCode: CodeJudge, scope: Scope = inv.scope): void {
  const text = inv.env.view.read(abs);
  if (text === undefined) {
    out.unknownReason ??= `runs ${display(abs, inv)}, which ${inv.env.view.exists(abs) ? 'the agent changed and Airlock cannot read' : 'does not exist yet'}`;
    return;
  }
  const lang = scriptLanguage(abs, text, fallbackLang);
  if (SHELL_NAMES.has(lang)) {
    inv.env.runScript(text.replace(/^#!.*\n/, ''), { ...scope }, 'bash');
    return;
  }
  const judged: Outcome = { findings: [], knowledge: 'known', stdout: out.stdout };
  judgeCode(judged, text, lang);
  codeReads(inv, out, text, `${display(abs, inv)}`);
  for (const f of judged.findings) {
    add(out, { ...f, reason: `${display(abs, inv)}, which the agent wrote or changed: ${f.reason}` });
  }
  if (judged.knowledge === 'unknown' && !judged.findings.length) {
    out.unknownReason ??= `runs ${display(abs, inv)} (${lang}), which the agent wrote or changed`;
  }
}

/** Quoted file names that code opens (`open('.env')`, `readFileSync("x")`): reads of those files. */
export function codeReads(inv: Invocation, out: Outcome, code: string, how: string): void {
  if (!/\b(open|read\w*|load\w*|require|Path|File|fs|cat|IO|include|source)\b/.test(code)) {
    return;
  }
  const seen = new Set<string>();
  for (const m of code.matchAll(/(['"`])((?:~|\.{0,2}\/|\.?[\w-])[\w./~-]*)\1/g)) {
    const name = m[2];
    if (seen.has(name) || !/[./]/.test(name) || /^\d|^\.+$|^https?:/.test(name)) {
      continue;
    }
    seen.add(name);
    readTarget(inv, out, { value: name, literal: true }, how);
  }
}

/** Configuration files that run as code when a tool starts, by tool. */
const CONFIGS: Readonly<Record<string, readonly string[]>> = {
  jest: ['jest.config.js', 'jest.config.ts', 'jest.config.mjs', 'jest.config.cjs'],
  vitest: ['vitest.config.ts', 'vitest.config.js', 'vitest.config.mts', 'vite.config.ts', 'vite.config.js', 'vite.config.mts'],
  vite: ['vite.config.ts', 'vite.config.js', 'vite.config.mts', 'vite.config.mjs'],
  webpack: ['webpack.config.js', 'webpack.config.ts', 'webpack.config.cjs'],
  rollup: ['rollup.config.js', 'rollup.config.mjs', 'rollup.config.ts'],
  eslint: ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', '.eslintrc.js', '.eslintrc.cjs'],
  prettier: ['prettier.config.js', 'prettier.config.mjs', 'prettier.config.cjs', '.prettierrc.js', '.prettierrc.cjs', '.prettierrc.mjs'],
  babel: ['babel.config.js', 'babel.config.cjs', '.babelrc.js'],
  next: ['next.config.js', 'next.config.mjs', 'next.config.ts'],
  nuxt: ['nuxt.config.ts', 'nuxt.config.js'],
  astro: ['astro.config.mjs', 'astro.config.ts'],
  playwright: ['playwright.config.ts', 'playwright.config.js'],
  cypress: ['cypress.config.ts', 'cypress.config.js'],
  mocha: ['.mocharc.js', '.mocharc.cjs'],
  karma: ['karma.conf.js'],
  tailwindcss: ['tailwind.config.js', 'tailwind.config.ts'],
  postcss: ['postcss.config.js', 'postcss.config.cjs'],
  pytest: ['conftest.py', 'tests/conftest.py', 'test/conftest.py'],
  nox: ['noxfile.py'],
  gulp: ['gulpfile.js'],
  grunt: ['Gruntfile.js'],
  'lint-staged': ['lint-staged.config.js', '.lintstagedrc.js', '.lintstagedrc.cjs'],
  'pre-commit': ['.pre-commit-config.yaml'],
  storybook: ['.storybook/main.js', '.storybook/main.ts'],
};

/** Whether a program loads configuration files that run as code. */
export function hasConfigs(program: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONFIGS, program);
}

/** A tool that loads its configuration: a configuration the agent changed is judged by its content. */
export function configsRun(inv: Invocation, out: Outcome, program: string, dir: string, judgeCode: CodeJudge): void {
  for (const name of CONFIGS[program] ?? []) {
    const abs = path.join(dir, name);
    if (!inv.env.view.exists(abs) || !locate(abs, inv.env.workspace, inv.env.home).startsWith('workspace') || !agentMayHaveWritten(inv, abs)) {
      continue;
    }
    if (name.endsWith('.yaml')) {
      out.unknownReason ??= `${program} runs the hooks listed in ${display(abs, inv)}, which the agent changed`;
      continue;
    }
    const before = out.findings.length;
    judgeFileByContent(inv, out, abs, 'node', judgeCode);
    if (out.findings.length > before || out.unknownReason) {
      add(out, finding('remote-code', 'caution', 'code.config', `${program} loads ${display(abs, inv)} when it starts, and the agent changed it`));
    }
  }
}

/** Programs a script line starts, by its words (for the configuration files they load). */
function toolsIn(line: string): string[] {
  return [...new Set(line.split(/[\s;&|()]+/).map((w) => w.replace(/^.*\//, '')).filter(hasConfigs))];
}

/**
 * Runs package.json scripts (`npm test`, `npm run build` with its pre/post scripts) of the package
 * in `dir`. A package.json the agent may have written is read and its scripts analysed like
 * command lines; the project's own unchanged scripts stay quiet, except that the configuration
 * files their tools load are still judged.
 */
export function packageScripts(inv: Invocation, out: Outcome, dir: string, names: readonly string[], judgeCode: CodeJudge): void {
  const file = path.join(dir, 'package.json');
  const text = inv.env.view.read(file);
  if (text === undefined) {
    if (inv.env.view.exists(file)) {
      out.unknownReason ??= `runs scripts of ${display(file, inv)}, which Airlock cannot read`;
    }
    return;
  }
  let scripts: Record<string, unknown>;
  try {
    scripts = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {};
  } catch {
    out.unknownReason ??= `runs scripts of ${display(file, inv)}, which is not valid JSON`;
    return;
  }
  const changed = agentMayHaveWritten(inv, file);
  for (const name of names) {
    const line = scripts[name];
    if (typeof line !== 'string') {
      continue;
    }
    if (changed) {
      inv.env.runScript(line, { cwd: dir, cwdKnown: true }, 'bash');
    } else {
      for (const tool of toolsIn(line)) {
        configsRun(inv, out, tool, dir, judgeCode);
      }
    }
  }
}
