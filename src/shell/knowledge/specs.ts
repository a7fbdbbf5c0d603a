/**
 * Every program's capability spec in one table (compiled on first use), and what the options a
 * command gives make it do: write or read a file, run a command line or a program, load code,
 * change the system. Options the program does not declare make a program that can write or run
 * code unknown (asked); see src/shell/capabilities.ts for the notation.
 */
import type { ProgramSpec, SpecParse, SpecSource } from '../capabilities';
import { canWriteOrRun, compileSpec, parseWithSpec } from '../capabilities';
import { finding } from '../model';
import type { Invocation, Outcome, Scope, Word } from '../model';
import { locate } from '../paths';
import { runsScript } from './code';
import { add, display, readTarget, resolveWord, writeTarget, deleteTarget } from './common';
import { BASIC_SPECS } from './specsBasic';
import { DEV_SPECS } from './specsDev';
import { FILE_SPECS } from './specsFiles';
import { PACKAGE_SPECS } from './specsPackages';

/** Programs known under other names. */
const ALIASES: Readonly<Record<string, string>> = {
  python2: 'python',
  python3: 'python',
  py: 'python',
  pypy: 'python',
  pypy3: 'python',
  pip3: 'pip',
  gawk: 'gawk',
  egrep: 'grep',
  fgrep: 'grep',
  pbcopy: 'pbcopy',
};

const SOURCES: Readonly<Record<string, SpecSource>> = { ...BASIC_SPECS, ...FILE_SPECS, ...DEV_SPECS, ...PACKAGE_SPECS };
const compiled = new Map<string, ProgramSpec | null>();

/** Every program with a spec (for tests). */
export function specPrograms(): string[] {
  return Object.keys(SOURCES);
}

export function specOf(program: string): ProgramSpec | undefined {
  let c = compiled.get(program);
  if (c === undefined) {
    const src = SOURCES[ALIASES[program] ?? program];
    c = src ? compileSpec(src) : null;
    compiled.set(program, c);
  }
  return c ?? undefined;
}

function can(spec: ProgramSpec): string {
  const what = [spec.writes && 'write files', spec.deletes && 'delete files', spec.execs && 'run code or other programs', spec.system && 'change the system'].filter(Boolean);
  return what.join(', ') || 'read files';
}

/**
 * Marks the command unknown when it gives options the program does not declare and the program
 * can write or run code; returns whether it did.
 */
export function unknownOptions(inv: Invocation, out: Outcome, spec: ProgramSpec, parse: SpecParse, name = inv.program): boolean {
  if (!parse.unknown.length || !canWriteOrRun(spec)) {
    return false;
  }
  out.unknownReason = `${name} ${parse.unknown.slice(0, 3).join(' ')}: ${parse.unknown.length > 1 ? 'options' : 'an option'} Airlock does not know, and ${name} can ${can(spec)}`;
  return true;
}

/** Where the program works after -C/--directory-like options (for its operands). */
export function workScope(inv: Invocation, parse: SpecParse): Scope {
  let scope = inv.scope;
  for (const o of parse.options) {
    if (o.spec.role === 'C' && o.value) {
      const d = resolveWord({ ...inv, scope }, o.value);
      scope = d === undefined ? { cwd: scope.cwd, cwdKnown: false } : { cwd: d, cwdKnown: true };
    }
  }
  return scope;
}

/** What the given options make the program do (their roles). */
export function applyOptionRoles(inv: Invocation, out: Outcome, parse: SpecParse, name = inv.program): void {
  for (const o of parse.options) {
    const how = `${name} ${o.text.split(' ')[0].replace(/=.*$/, '')}`;
    const v = o.value;
    switch (o.spec.role) {
      case 'r':
        if (v) {
          readTarget(inv, out, v, how);
        }
        break;
      case 'w':
      case 'c':
        if (v && v.value !== '-') {
          writeTarget(inv, out, v, o.spec.role === 'c' ? 'create' : 'write', how);
        }
        break;
      case 'd':
        if (v) {
          deleteTarget(inv, out, v, false, 'deletes', how);
        }
        break;
      case 'x':
        if (!v) {
          add(out, finding('remote-code', 'caution', 'exec.configured', `${how} runs a program set elsewhere (in configuration Airlock does not read)`));
        } else if (v.literal) {
          out.knowledge = out.knowledge === 'unknown' ? 'unknown' : 'known';
          inv.env.runScript(v.value, inv.scope, 'bash');
        } else {
          add(out, finding('remote-code', 'caution', 'exec.dynamic', `${how} runs a command that is only known when the line runs (${v.value})`));
        }
        break;
      case 'p':
        if (v) {
          const sub: Outcome = { findings: [], knowledge: 'known', stdout: out.stdout };
          runsScript(inv, sub, v, 'sh');
          out.findings.push(...sub.findings.filter((f) => !out.findings.some((x) => x.id === f.id && x.reason === f.reason)));
          if (sub.knowledge === 'unknown') {
            out.unknownReason ??= `${how} runs ${v.value}, which Airlock cannot read`;
          }
        }
        break;
      case 'l':
        if (v) {
          loadsCode(inv, out, v, how);
        }
        break;
      case 's':
        add(out, finding('system', 'caution', 'system.change', `${how} changes the system${v ? ` (${v.value})` : ''}`));
        break;
      default:
        break;
    }
  }
}

/** An option that makes the program load code (a module, plugin, agent, config written in code). */
function loadsCode(inv: Invocation, out: Outcome, w: Word, how: string): void {
  if (/^(@[\w.-]+\/)?[\w.:-]+$/.test(w.value) && !/\.(js|cjs|mjs|ts|py|so|dylib|dll|jar|rb|pl|lua)$/.test(w.value)) {
    return; // a package or module name (`--plugin prettier-plugin-x`): installed code, like any import
  }
  const abs = resolveWord(inv, w);
  const loc = abs === undefined ? undefined : locate(abs, inv.env.workspace, inv.env.home);
  if (/\.(so|dylib|dll)(\.\d+)*$/.test(w.value)) {
    add(out, finding('remote-code', 'caution', 'code.load', `${how} loads native code from ${abs ? display(abs, inv) : w.value}, which Airlock cannot read`));
    return;
  }
  if (abs !== undefined && loc !== undefined && loc.startsWith('workspace') && loc !== 'workspace-git' && loc !== 'workspace-ancestor') {
    if (inv.env.view.changed(abs) === true || inv.env.written.has(abs)) {
      const sub: Outcome = { findings: [], knowledge: 'known', stdout: out.stdout };
      runsScript(inv, sub, w, /\.(py)$/.test(abs) ? 'python' : 'node');
      out.findings.push(...sub.findings);
      if (sub.knowledge === 'unknown') {
        out.unknownReason ??= `${how} loads ${display(abs, inv)}, which the agent changed and Airlock cannot judge`;
      }
    }
    return;
  }
  add(out, finding('remote-code', 'caution', 'code.load', `${how} loads code from ${abs ? display(abs, inv) : w.value}, ${abs ? 'outside the workspace' : 'a path only known when the line runs'}`));
}

/** Judges a program that has a spec and no handler of its own: its options and its operands. */
export function bySpec(inv: Invocation, out: Outcome, spec: ProgramSpec): void {
  const parse = parseWithSpec(spec, inv.argv.slice(1));
  out.knowledge = 'harmless';
  out.writes = spec.quiet ? parse.options.some((o) => o.spec.role && o.spec.role !== 'r' && o.spec.role !== 'C') : spec.writes || spec.deletes || spec.execs || spec.system;
  applyOptionRoles(inv, out, parse);
  const writesOperands = parse.options.some((o) => o.spec.role === 'W');
  const operands = writesOperands && spec.args === 'pattern' ? parse.operands.slice(1) : parse.operands;
  operandRoles(inv, out, writesOperands ? 'write' : spec.args, operands, workScope(inv, parse), inv.program);
  unknownOptions(inv, out, spec, parse);
}

/** Effects of operands by their role. */
export function operandRoles(inv: Invocation, out: Outcome, role: ProgramSpec['args'], operands: readonly Word[], scope: Scope, name: string): void {
  const at = { ...inv, scope };
  switch (role) {
    case 'read':
    case 'pattern':
      for (const w of role === 'pattern' ? operands.slice(1) : operands) {
        if (w.value !== '-') {
          readTarget(at, out, w, name);
        }
      }
      break;
    case 'write':
      for (const w of operands) {
        if (w.value !== '-') {
          writeTarget(at, out, w, 'write', name);
        }
      }
      break;
    default:
      break;
  }
}
