/** Running one argv: the program's name, then what the knowledge base says about it, recorded. */
import type { SubCommand } from '../core/types';
import { classify } from './knowledge';
import { lit, UNKNOWN_STREAM } from './model';
import type { Env, Scope, Stream, Word } from './model';

/** Resolves a program word, then asks the knowledge base; records a SubCommand. */
export function runArgv(env: Env, argv: readonly Word[], scope: Scope, stdin: Stream, text: string): Stream {
  if (argv.length === 0) {
    return UNKNOWN_STREAM;
  }
  if (env.depth + env.subcommands.length > 2000) {
    env.errors.push('the command line expands to too many sub-commands');
    return UNKNOWN_STREAM;
  }
  const first = argv[0];
  const record = (program: string, out: { findings: SubCommand['findings']; knowledge: SubCommand['knowledge']; writes?: boolean; unknownReason?: string }) => {
    env.subcommands.push({
      text,
      argv: argv.map((w) => w.value),
      program,
      cwd: scope.cwd,
      findings: out.findings,
      knowledge: out.findings.length && out.knowledge === 'harmless' ? 'known' : out.knowledge,
      writes: out.knowledge === 'unknown' || (out.writes ?? true),
      ...(out.knowledge === 'unknown' && out.unknownReason ? { unknownReason: out.unknownReason } : {}),
    });
  };
  if (!first.literal) {
    // A program named by a variable: unknown, and judged as each value the line assigns to it.
    const findings: SubCommand['findings'][number][] = [];
    const m = first.value.match(/^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/);
    const candidates = m ? [...(env.vars.get(m[1]) ?? [])] : [];
    const before = env.subcommands.length;
    for (const c of candidates.slice(0, 8)) {
      const parts = c.split(/\s+/).filter(Boolean);
      if (parts.length) {
        runArgv(env, [...parts.map(lit), ...argv.slice(1)], scope, stdin, text);
      }
    }
    for (const s of env.subcommands.slice(before)) {
      findings.push(...s.findings);
    }
    env.subcommands.length = before;
    record('', { findings, knowledge: findings.length ? 'known' : 'unknown' });
    return UNKNOWN_STREAM;
  }
  const program = programName(first.value);
  const out = classify({ argv, program, scope, env, stdin, text });
  record(program, out);
  return out.stdout;
}

export function programName(word: string): string {
  const base = word.split(/[\\/]/).pop() ?? word;
  return /\.exe$/i.test(base) ? base.slice(0, -4).toLowerCase() : base;
}
