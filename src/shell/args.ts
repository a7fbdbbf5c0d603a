/** A small, tolerant getopt for knowledge-base entries. */
import type { Word } from './model';

export interface ParsedArgs {
  /** Short option letters and long option names (without dashes) that were given. */
  readonly flags: Set<string>;
  /** Values of options that take one (last wins in `value`, all in `values`). */
  readonly values: Map<string, string[]>;
  readonly operands: Word[];
  /** Whether any option value or flag was not a literal word. */
  readonly dynamic: boolean;
}

/**
 * Parses args. `valueOpts` lists short letters and long names that take a value. Options after
 * operands count too (GNU style) unless `posixStop` is set.
 */
export function parseArgs(args: readonly Word[], valueOpts: readonly string[] = [], posixStop = false): ParsedArgs {
  const takes = new Set(valueOpts);
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const operands: Word[] = [];
  let dynamic = false;
  const put = (k: string, v: string) => {
    flags.add(k);
    const l = values.get(k) ?? [];
    l.push(v);
    values.set(k, l);
  };
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const a = w.value;
    if (!w.literal && a.startsWith('-')) {
      dynamic = true;
    }
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) {
        put(name, a.slice(eq + 1));
      } else if (takes.has(name) && i + 1 < args.length) {
        put(name, args[++i].value);
      } else {
        flags.add(name);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d+$/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (takes.has(c)) {
          const rest = a.slice(j + 1);
          if (rest) {
            put(c, rest);
          } else if (i + 1 < args.length) {
            put(c, args[++i].value);
          } else {
            flags.add(c);
          }
          break;
        }
        flags.add(c);
      }
      continue;
    }
    operands.push(w);
    if (posixStop) {
      operands.push(...args.slice(i + 1));
      break;
    }
  }
  return { flags, values, operands, dynamic };
}

/**
 * Whether any of the options was given. Long names also match unambiguous-looking abbreviations
 * (`--rec` for `--recursive`, `--har` for `--hard`): GNU getopt_long and git accept them.
 */
export function has(p: ParsedArgs, ...names: string[]): boolean {
  return names.some((n) => p.flags.has(n) || (n.length > 2 && [...p.flags].some((f) => f.length >= 3 && f.length < n.length && n.startsWith(f))));
}

export function value(p: ParsedArgs, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = p.values.get(n);
    if (v?.length) {
      return v[v.length - 1];
    }
  }
  return undefined;
}
