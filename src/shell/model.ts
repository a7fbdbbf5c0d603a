/** Internal vocabulary of the shell analysis (not exported beyond src/shell). */
import type { CommandCategory, CommandFinding, PathEffect, ReadEffect, Severity, SubCommand } from '../core/types';
import type { WorkspaceView } from './workspaceView';

/** One word after quote removal; `literal` is false when it depends on an expansion. */
export interface Word {
  readonly value: string;
  readonly literal: boolean;
  /** An unquoted `$(<file)`: the shell splits the content into words. */
  readonly split?: boolean;
}

/**
 * What flows into a command's stdin (or out of its stdout): nothing known, literal text (echo,
 * heredoc), something downloaded, something decoded (base64 -d), or unknown data.
 */
export interface Stream {
  readonly kind: 'none' | 'literal' | 'download' | 'decoded' | 'unknown';
  readonly text?: string;
  /** The file it comes from (`< file`), when known. */
  readonly file?: string;
  /** File names a search printed that Airlock could not list itself (`find ~ -type f`). */
  readonly fileList?: boolean;
}

export const NO_STREAM: Stream = { kind: 'none' };
export const UNKNOWN_STREAM: Stream = { kind: 'unknown' };

export interface Scope {
  cwd: string;
  cwdKnown: boolean;
}

export interface Env {
  readonly home: string;
  readonly workspace: string;
  readonly subcommands: SubCommand[];
  readonly effects: PathEffect[];
  readonly reads: ReadEffect[];
  readonly errors: string[];
  /** The file system and repository at decision time. */
  readonly view: WorkspaceView;
  /** Every literal value assigned to a variable anywhere in the line. */
  readonly vars: Map<string, Set<string>>;
  /** Functions and aliases defined in the line (their bodies are analysed where defined). */
  readonly functions: Set<string>;
  /** Files written earlier in the line: literal content, or undefined when not known. */
  readonly written: Map<string, string | undefined>;
  /** Symbolic links made earlier in the line: the link's path -> the path it points to. */
  readonly links: Map<string, string>;
  depth: number;
  /** Parses and analyses a script (bash -c, eval, heredoc fed to a shell), bounded in depth. */
  runScript(text: string, scope: Scope, grammar: 'bash' | 'powershell', stdin?: Stream): void;
  /** Analyses an argv that a wrapper runs (sudo, xargs, find -exec, ...). Returns its stdout. */
  runArgv(argv: readonly Word[], scope: Scope, stdin: Stream, text: string): Stream;
}

export interface Invocation {
  readonly argv: readonly Word[];
  /** argv[0] without directory, lower-cased for PowerShell. */
  readonly program: string;
  readonly scope: Scope;
  readonly env: Env;
  readonly stdin: Stream;
  readonly text: string;
}

export interface Outcome {
  findings: CommandFinding[];
  knowledge: 'harmless' | 'known' | 'unknown';
  /** Whether it may change files (absent: it may). Read-only entries say false (see readOnly()). */
  writes?: boolean;
  /** Set when it is unknown for a reason worth telling (an option Airlock does not know, ...). */
  unknownReason?: string;
  stdout: Stream;
}

export function finding(category: CommandCategory, severity: Severity, id: string, reason: string): CommandFinding {
  return { category, severity, id, reason };
}

export function lit(value: string): Word {
  return { value, literal: true };
}
