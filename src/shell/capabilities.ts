/**
 * What a program can do, and through which options: the knowledge base's declarations of every
 * program it knows (src/shell/knowledge/specs*.ts), compiled once. An option a program does not
 * declare is unknown; on a program that can write files or run code, unknown is asked, never
 * allowed (an option Airlock has not read could be the one that writes ~/.bashrc or runs a shell).
 *
 * A spec is written compactly:
 *   can:  letters for what the program can do at all: r reads files (their content can reach the
 *         agent), w writes, d deletes, x runs code or other programs, n reaches the network,
 *         s changes the system.
 *   opts: options separated by spaces, each `names[=|=?][:role]`: names are aliases joined by `|`
 *         (one letter: a short option, more: a long one); `=` takes a value (`-o x`, `-ox`,
 *         `--out x`, `--out=x`), `=?` an optional attached value only (`-j`, `-j8`, `--color=x`);
 *         a trailing `*` accepts every option starting with the name (`W*` for gcc's -Wall...);
 *         `#` accepts numeric short options (`head -20`). Roles: r the value is a file read,
 *         w a file written, c created, d deleted, x a command line run, p a program or script
 *         run, l code loaded into the program (a library, plugin, module), C a directory the
 *         program works in, s the option changes the system, W the operands are written.
 *   args: what the operands are: read (files whose content is read), inspect (files only
 *         looked at: names, sizes, hashes), write (files changed in place), pattern (the first
 *         is not a file, the rest are read), none/free (not files).
 *   dash: options are single-dash long words (`-Wall`, `-name`), as in gcc or find.
 */
import type { Word } from './model';

export type OperandRole = 'read' | 'inspect' | 'write' | 'pattern' | 'free';
export type OptionRole = 'r' | 'w' | 'c' | 'd' | 'x' | 'p' | 'l' | 'C' | 's' | 'W';

export interface SpecSource {
  readonly can: string;
  readonly opts?: string;
  readonly args?: OperandRole;
  readonly dash?: boolean;
  /** Options end at the first operand (the rest belongs to a script or a command it runs). */
  readonly posix?: boolean;
  /** Writes nothing (no snapshot needed) unless an option that writes is given (`tree -o`, `date -s`). */
  readonly quiet?: boolean;
}

export interface OptionSpec {
  readonly name: string;
  /** false: a flag; true: takes a value; 'optional': only an attached value. */
  readonly value: boolean | 'optional';
  readonly role?: OptionRole;
  /** The value ends the options: what follows belongs to it (`python -m mod args`, `-c code args`). */
  readonly stop?: boolean;
}

export interface ProgramSpec {
  readonly reads: boolean;
  readonly writes: boolean;
  readonly deletes: boolean;
  readonly execs: boolean;
  readonly network: boolean;
  readonly system: boolean;
  readonly args: OperandRole;
  readonly dash: boolean;
  readonly posix: boolean;
  readonly quiet: boolean;
  readonly numeric: boolean;
  readonly long: ReadonlyMap<string, OptionSpec>;
  readonly short: ReadonlyMap<string, OptionSpec>;
  readonly prefixes: readonly OptionSpec[];
}

/** Whether an unknown option on this program could be the one that writes or runs something. */
export function canWriteOrRun(spec: ProgramSpec): boolean {
  return spec.writes || spec.deletes || spec.execs || spec.system;
}

export function compileSpec(src: SpecSource): ProgramSpec {
  const long = new Map<string, OptionSpec>();
  const short = new Map<string, OptionSpec>();
  const prefixes: OptionSpec[] = [];
  let numeric = false;
  for (const entry of (src.opts ?? '').split(/\s+/).filter(Boolean)) {
    if (entry === '#') {
      numeric = true;
      continue;
    }
    const m = /^([^=]+?)(=\?|=!|=)?(?::([rwcdxplCsW]))?$/.exec(entry);
    if (!m) {
      throw new Error(`airlock: bad option spec ${JSON.stringify(entry)}`);
    }
    const value = m[2] === '=' || m[2] === '=!' ? true : m[2] === '=?' ? 'optional' : false;
    const role = m[3] as OptionRole | undefined;
    for (const name of m[1].split('|')) {
      const o: OptionSpec = { name: name.replace(/\*$/, ''), value, ...(role ? { role } : {}), ...(m[2] === '=!' ? { stop: true } : {}) };
      if (name.endsWith('*') && name.length === 2 && !src.dash) {
        short.set(name[0], { ...o, value: 'optional' });
      } else if (name.endsWith('*')) {
        prefixes.push(o);
      } else if (name.length === 1 && !src.dash) {
        short.set(name, o);
      } else {
        long.set(name, o);
      }
    }
  }
  const can = src.can;
  return {
    reads: can.includes('r'),
    writes: can.includes('w'),
    deletes: can.includes('d'),
    execs: can.includes('x'),
    network: can.includes('n'),
    system: can.includes('s'),
    args: src.args ?? 'free',
    dash: src.dash ?? false,
    posix: src.posix ?? false,
    quiet: src.quiet ?? false,
    numeric,
    long,
    short,
    prefixes,
  };
}

/** One option as given, with what the spec says about it. */
export interface GivenOption {
  readonly spec: OptionSpec;
  readonly value?: Word;
  /** How it was written (`--out=x`), for reasons. */
  readonly text: string;
}

export interface SpecParse {
  readonly options: readonly GivenOption[];
  /** Options the spec does not declare, as written. */
  readonly unknown: readonly string[];
  readonly operands: readonly Word[];
}

/** A long option by its full name or an unambiguous abbreviation (GNU getopt_long accepts those). */
function findLong(spec: ProgramSpec, name: string): OptionSpec | undefined {
  const exact = spec.long.get(name);
  if (exact) {
    return exact;
  }
  for (const p of spec.prefixes) {
    if (name.startsWith(p.name)) {
      return p;
    }
  }
  if (name.length < 2 || spec.dash) {
    return undefined;
  }
  let found: OptionSpec | undefined;
  for (const [full, o] of spec.long) {
    if (full.startsWith(name)) {
      if (found && found !== o) {
        return undefined;
      }
      found = o;
    }
  }
  return found;
}

/**
 * Splits argv (without the program) by the spec. Options may follow operands (GNU style) unless
 * `posix` is set; `--` ends the options. A word that is not literal and starts with `-` is unknown.
 */
export function parseWithSpec(spec: ProgramSpec, args: readonly Word[], posix = spec.posix): SpecParse {
  const options: GivenOption[] = [];
  const unknown: string[] = [];
  const operands: Word[] = [];
  let i = 0;
  /** Records an option; true when it ends the options (what follows belongs to its value). */
  const give = (o: OptionSpec, text: string, value?: Word): boolean => {
    options.push({ spec: o, text, ...(value ? { value } : {}) });
    return o.stop === true;
  };
  const takeNext = (o: OptionSpec, a: string): boolean => {
    const v = args[i + 1];
    i++;
    return give(o, v ? `${a} ${v.value}` : a, v);
  };
  for (; i < args.length; i++) {
    const w = args[i];
    const a = w.value;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      return { options, unknown, operands };
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(w);
      if (posix) {
        operands.push(...args.slice(i + 1));
        return { options, unknown, operands };
      }
      continue;
    }
    if (!w.literal) {
      unknown.push(a);
      continue;
    }
    let stop = false;
    if (a.startsWith('--') || spec.dash) {
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const o = findLong(spec, name) ?? (spec.dash && eq >= 0 ? findLong(spec, body) : undefined);
      if (!o) {
        if (!(spec.numeric && /^-\d+$/.test(a))) {
          unknown.push(a);
        }
        continue;
      }
      if (o.value === false) {
        stop = give(o, a);
      } else if (eq >= 0) {
        stop = give(o, a, { value: body.slice(eq + 1), literal: true });
      } else if (spec.dash && body.length > o.name.length) {
        // -O2, -std... written without '=': the value is attached
        stop = give(o, a, { value: body.slice(o.name.length), literal: true });
      } else if (o.value === true) {
        stop = takeNext(o, a);
      } else {
        stop = give(o, a);
      }
    } else if (spec.numeric && /^-\d+$/.test(a)) {
      continue;
    } else {
      // a cluster of short options: -xzf file, -n5, -j
      for (let j = 1; j < a.length; j++) {
        const o = spec.short.get(a[j]);
        if (!o) {
          if (!(spec.numeric && /\d/.test(a[j]))) {
            unknown.push(j === 1 ? a : `-${a[j]} (in ${a})`);
          }
          break;
        }
        if (o.value === false) {
          stop = give(o, `-${a[j]}`) || stop;
          continue;
        }
        const rest = a.slice(j + 1);
        stop = rest ? give(o, a, { value: rest, literal: true }) : o.value === true ? takeNext(o, a) : give(o, a);
        break;
      }
    }
    if (stop) {
      operands.push(...args.slice(i + 1));
      return { options, unknown, operands };
    }
  }
  return { options, unknown, operands };
}
