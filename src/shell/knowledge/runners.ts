/**
 * Programs that run command lines they are given or read: make (Makefile recipes), cmake -E,
 * hyperfine, concurrently, nodemon, npm-run-all, dc. Recipes of a Makefile the agent wrote or
 * changed are analysed like command lines; the project's own unchanged Makefile stays quiet.
 */
import * as path from 'node:path';
import { parseWithSpec } from '../capabilities';
import { finding, lit, NO_STREAM } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { add, display, known, readOnly, resolveWord } from './common';
import type { Handler } from './common';
import { agentMayHaveWritten } from './scripts';
import { applyOptionRoles, specOf, unknownOptions } from './specs';

const DEPLOY_LIKE = /deploy|publish|release|destroy|drop|wipe|nuke|teardown|purge|prod/i;

/** Rules of a Makefile: target -> prerequisites and recipe lines (a small, tolerant reader). */
export function makeRules(text: string): { rules: Map<string, { deps: string[]; recipe: string[] }>; first?: string } {
  const rules = new Map<string, { deps: string[]; recipe: string[] }>();
  let first: string | undefined;
  let current: { deps: string[]; recipe: string[] }[] = [];
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    if (raw.startsWith('\t')) {
      for (const r of current) {
        r.recipe.push(raw.slice(1));
      }
      continue;
    }
    const line = raw.replace(/#.*$/, '');
    const m = /^([^:=#]+?)\s*::?\s*([^=]*)$/.exec(line);
    if (!m || /^\s*(ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|define|endef|export|override)\b/.test(line)) {
      current = [];
      continue;
    }
    const [deps, inline] = m[2].split(';');
    current = m[1].split(/\s+/).filter(Boolean).map((t) => {
      const rule = rules.get(t) ?? { deps: [], recipe: [] };
      rule.deps.push(...deps.split(/\s+/).filter(Boolean));
      if (inline !== undefined && inline.trim()) {
        rule.recipe.push(inline.trim());
      }
      rules.set(t, rule);
      if (!first && !t.startsWith('.') && !t.includes('%')) {
        first = t;
      }
      return rule;
    });
  }
  return { rules, first };
}

/** A make text as a shell line: `$$` is `$`, `$(VAR)` a variable, `$(shell x)` a command substitution. */
function makeToShell(line: string): string {
  return line.replace(/^[@+-]+/, '').replace(/\$\$/g, '$').replace(/\$([({])shell\s+/g, '$$(').replace(/\$\((\w+)\)/g, '$$$1');
}

/** The calls of make function `name` in `text` (`$(name args)` or `${name args}`, nested brackets balanced): their args. */
function makeCalls(text: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`\\$([({])${name}(?=[\\s,)}])`, 'g');
  for (const m of text.matchAll(re)) {
    const open = m[1];
    const close = open === '(' ? ')' : '}';
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === open) {
        depth++;
      } else if (text[i] === close) {
        depth--;
      }
    }
    out.push(text.slice(start, depth ? text.length : i - 1).trim());
  }
  return out;
}

/**
 * What make does while it reads a makefile text, before any recipe: `$(shell ...)` runs a command
 * line, `$(file >x,...)` writes a file, `$(guile ...)` and `load` run code, `include` reads more
 * makefile text, SHELL/.SHELLFLAGS change how every recipe runs. `fromCommandLine`: text given with
 * --eval (any include there is asked).
 */
function makeParseTime(inv: Invocation, out: Outcome, text: string, dir: string, fromCommandLine: boolean): void {
  const at = { cwd: dir, cwdKnown: inv.scope.cwdKnown };
  for (const cmd of makeCalls(text, 'shell')) {
    inv.env.runScript(makeToShell(cmd), at, 'bash');
  }
  if (makeCalls(text, 'file').some((a) => /^>/.test(a))) {
    out.unknownReason ??= "make's file function writes a file Airlock does not follow";
  }
  if (makeCalls(text, 'guile').length || /^\s*-?load\s/m.test(text)) {
    out.unknownReason ??= 'the make text loads or runs code (guile, load) Airlock cannot read';
  }
  for (const m of text.matchAll(/^\s*(?:-|s)?include\s+(.+)$/gm)) {
    if (fromCommandLine || /[$`]|^\/|(^|\s)\.\./.test(m[1])) {
      out.unknownReason ??= `the make text includes ${m[1].trim()}, which Airlock does not read`;
    }
  }
  if (/^\s*(?:override\s+|export\s+)?(SHELL|\.SHELLFLAGS|MAKEFLAGS|MAKEFILES)\s*[:+?!]?=/m.test(text)) {
    add(out, finding('remote-code', 'caution', 'make.variable-exec', 'the make text sets SHELL, .SHELLFLAGS or MAKEFLAGS, which changes how make runs its recipes'));
  }
}

/** Runs the recipes that building `goals` would run (with their prerequisites), as command lines. */
function runRecipes(inv: Invocation, text: string, goals: readonly string[], dir: string): void {
  const { rules, first } = makeRules(text);
  const seen = new Set<string>();
  const visit = (t: string) => {
    if (seen.has(t) || seen.size > 200) {
      return;
    }
    seen.add(t);
    const rule = rules.get(t);
    if (!rule) {
      return;
    }
    rule.deps.forEach(visit);
    for (const line of rule.recipe) {
      inv.env.runScript(makeToShell(line), { cwd: dir, cwdKnown: true }, 'bash');
    }
  };
  (goals.length ? goals : first ? [first] : []).forEach(visit);
}

const make: Handler = (inv, out) => {
  readOnly(out);
  out.writes = true;
  const spec = specOf('make')!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  unknownOptions(inv, out, spec, p);
  const values = (...names: string[]) => p.options.filter((o) => names.includes(o.spec.name) && o.value).map((o) => o.value!);
  let dir = inv.scope.cwd;
  for (const c of values('C', 'directory')) {
    const d = resolveWord({ ...inv, scope: { cwd: dir, cwdKnown: inv.scope.cwdKnown } }, c);
    if (d === undefined) {
      out.unknownReason = `make -C ${c.value}: a folder only known when the line runs`;
      return;
    }
    dir = d;
  }
  const at: Invocation = { ...inv, scope: { cwd: dir, cwdKnown: inv.scope.cwdKnown } };
  const goals = p.operands.filter((w) => !w.value.includes('=')).map((w) => w.value);
  for (const v of p.operands.filter((w) => /^(SHELL|MAKEFLAGS|MAKEFILES|\.SHELLFLAGS)=/.test(w.value))) {
    add(out, finding('remote-code', 'caution', 'make.variable-exec', `make ${v.value} changes how make runs its recipes`));
  }
  const evals = values('eval', 'E');
  const files = values('f', 'file', 'makefile');
  const makefiles: (Word | string)[] = files.length ? files : ['GNUmakefile', 'makefile', 'Makefile'];
  let found: string | undefined;
  for (const f of makefiles) {
    const abs = typeof f === 'string' ? path.join(dir, f) : resolveWord(inv, f);
    if (abs === undefined || (typeof f !== 'string' && (f.value === '-' || f.value.startsWith('/dev/')))) {
      out.unknownReason = `make -f ${typeof f === 'string' ? f : f.value}: a makefile Airlock cannot read`;
      return;
    }
    if (inv.env.view.exists(abs) || typeof f !== 'string') {
      found = abs;
      break;
    }
  }
  let text = evals.map((e) => e.value).join('\n');
  if (evals.some((e) => !e.literal)) {
    out.unknownReason = 'make --eval: text only known when the line runs';
    return;
  }
  makeParseTime(inv, out, text, dir, true);
  if (found) {
    const loc = locate(found, inv);
    if (loc !== 'workspace' && loc !== 'temp') {
      out.unknownReason = `make runs the recipes of ${display(found, inv)}, outside the workspace`;
      return;
    }
    if (agentMayHaveWritten(inv, found)) {
      const content = inv.env.view.read(found);
      if (content === undefined && inv.env.view.exists(found)) {
        out.unknownReason = `make runs the recipes of ${display(found, inv)}, which the agent changed and Airlock cannot read`;
        return;
      }
      makeParseTime(inv, out, content ?? '', dir, false);
      text = `${text}\n${content ?? ''}`;
    }
  }
  if (goals.some((g) => DEPLOY_LIKE.test(g))) {
    known(out);
    add(out, finding('publishing', 'caution', 'script.deploy-like', `runs the make target ${goals.join(' ')}, whose name suggests it deploys, publishes or destroys something`));
  }
  if (text.trim()) {
    runRecipes(at, text, goals, dir);
  }
};

function locate(abs: string, inv: Invocation): 'workspace' | 'temp' | 'other' {
  if (abs === inv.env.workspace || abs.startsWith(`${inv.env.workspace}/`)) {
    return 'workspace';
  }
  return /^\/(tmp|var\/tmp)\//.test(abs) ? 'temp' : 'other';
}

/** `cmake -E <command> args`: cmake's portable shell commands, judged as the programs they are. */
const CMAKE_E: Readonly<Record<string, (args: Word[]) => Word[] | undefined>> = {
  rm: (a) => [lit('rm'), ...a],
  remove: (a) => [lit('rm'), lit('-f'), ...a.filter((w) => w.value !== '-f')],
  remove_directory: (a) => [lit('rm'), lit('-rf'), ...a],
  rmdir: (a) => [lit('rmdir'), ...a],
  copy: (a) => [lit('cp'), ...a.filter((w) => !w.value.startsWith('-'))],
  copy_if_different: (a) => [lit('cp'), ...a],
  copy_directory: (a) => [lit('cp'), lit('-r'), ...a],
  copy_directory_if_different: (a) => [lit('cp'), lit('-r'), ...a],
  rename: (a) => [lit('mv'), ...a],
  make_directory: (a) => [lit('mkdir'), lit('-p'), ...a],
  touch: (a) => [lit('touch'), ...a],
  touch_nocreate: (a) => [lit('touch'), lit('-c'), ...a],
  create_symlink: (a) => [lit('ln'), lit('-s'), ...a],
  create_hardlink: (a) => [lit('ln'), ...a],
  env: (a) => [lit('env'), ...a.filter((w) => w.value !== '--modify')],
  chdir: (a) => (a.length > 1 ? [lit('env'), lit('-C'), a[0], ...a.slice(1)] : undefined),
  tar: (a) => [lit('tar'), ...a],
  echo: (a) => [lit('echo'), ...a],
  echo_append: (a) => [lit('echo'), ...a],
  cat: (a) => [lit('cat'), ...a],
  sleep: (a) => [lit('sleep'), ...a],
  true: () => [lit('true')],
  false: () => [lit('false')],
  md5sum: (a) => [lit('md5sum'), ...a],
  sha256sum: (a) => [lit('sha256sum'), ...a],
  compare_files: (a) => [lit('cmp'), ...a],
  environment: () => [lit('printenv')],
  capabilities: () => [lit('true')],
};

const cmake: Handler = (inv, out) => {
  const e = inv.argv.findIndex((w) => w.value === '-E');
  if (e >= 0) {
    readOnly(out);
    const cmd = inv.argv[e + 1]?.value ?? '';
    const argv = Object.prototype.hasOwnProperty.call(CMAKE_E, cmd) ? CMAKE_E[cmd](inv.argv.slice(e + 2)) : undefined;
    if (!argv) {
      out.unknownReason = `cmake -E ${cmd}: a cmake command Airlock does not know`;
      return;
    }
    out.stdout = inv.env.runArgv(argv, inv.scope, inv.stdin, argv.map((w) => w.value).join(' '));
    return;
  }
  known(out);
  const spec = specOf('cmake')!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p);
  unknownOptions(inv, out, spec, p);
};

/** Programs whose operands are command lines (hyperfine, concurrently) or npm scripts (npm-run-all). */
const runsOperands =
  (kind: 'shell' | 'npm'): Handler =>
  (inv, out) => {
    readOnly(out);
    const spec = specOf(inv.program);
    const p = spec ? parseWithSpec(spec, inv.argv.slice(1)) : undefined;
    if (spec && p) {
      applyOptionRoles(inv, out, p);
      unknownOptions(inv, out, spec, p);
    }
    for (const w of p?.operands ?? []) {
      if (!w.literal) {
        out.unknownReason = `${inv.program} runs ${w.value}, only known when the line runs`;
      } else if (kind === 'npm' || /^npm:/.test(w.value)) {
        for (const name of expandScriptPattern(inv, w.value.replace(/^npm:/, ''))) {
          inv.env.runArgv([lit('npm'), lit('run'), lit(name)], inv.scope, NO_STREAM, `npm run ${name}`);
        }
      } else {
        inv.env.runScript(w.value, inv.scope, 'bash');
      }
    }
  };

/** npm-run-all's `build:*` patterns, against package.json's scripts (the pattern itself when unknown). */
function expandScriptPattern(inv: Invocation, pattern: string): string[] {
  if (!pattern.includes('*')) {
    return [pattern];
  }
  try {
    const pkg = JSON.parse(inv.env.view.read(path.join(inv.scope.cwd, 'package.json')) ?? '{}') as { scripts?: Record<string, string> };
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/\*/g, '[^:]*')}$`);
    const names = Object.keys(pkg.scripts ?? {}).filter((n) => re.test(n));
    return names.length ? names : [pattern];
  } catch {
    return [pattern];
  }
}

/** nodemon [script]: runs the script with node (and --exec commands, a role of its spec). */
const nodemon: Handler = (inv, out) => {
  readOnly(out);
  const spec = specOf('nodemon')!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p);
  unknownOptions(inv, out, spec, p);
  if (p.operands.length && !p.options.some((o) => o.spec.name === 'x' || o.spec.name === 'exec')) {
    inv.env.runArgv([lit('node'), ...p.operands], inv.scope, NO_STREAM, `node ${p.operands.map((w) => w.value).join(' ')}`);
  }
};

/** dc -e '... !cmd': `!` runs the rest of the line as a shell command. */
const dc: Handler = (inv, out) => {
  readOnly(out);
  const spec = specOf('dc')!;
  unknownOptions(inv, out, spec, parseWithSpec(spec, inv.argv.slice(1)));
  const texts = inv.argv.slice(1).filter((w, i, all) => ['-e', '--expression'].includes(all[i - 1]?.value ?? '') || w.value.startsWith('--expression='));
  for (const t of texts) {
    const m = /!(.*)$/m.exec(t.value.replace(/^--expression=/, ''));
    if (m) {
      known(out);
      inv.env.runScript(m[1], inv.scope, 'bash');
    }
  }
};

export const RUNNER_HANDLERS: Record<string, Handler> = {
  make,
  gmake: make,
  cmake,
  hyperfine: runsOperands('shell'),
  concurrently: runsOperands('shell'),
  'npm-run-all': runsOperands('npm'),
  'run-s': runsOperands('npm'),
  'run-p': runsOperands('npm'),
  nodemon,
  dc,
};
