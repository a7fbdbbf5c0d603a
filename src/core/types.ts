/**
 * The shared vocabulary of Airlock's pure core: what an agent proposes, what the shell analysis
 * finds in a command line, and what the policy decides. No `vscode` import, no I/O.
 */

export type Verdict = 'allow' | 'ask' | 'deny';

/** Orders verdicts from most to least permissive; the strictest of several wins. */
export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { allow: 0, ask: 1, deny: 2 };

export function strictest(...verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a), 'allow');
}

/** The operations a path rule decides. */
export type PathOp = 'read' | 'write' | 'create' | 'delete';

export type ActionKind = 'edit' | 'create' | 'delete' | 'rename' | 'command' | 'read';

/** What an agent wants to do, as an adapter understood it from the agent's hook payload. */
export interface ProposedAction {
  readonly kind: ActionKind;
  /** Absolute paths (or relative to `cwd`). A rename is [from, to]. Empty for a command. */
  readonly paths: readonly string[];
  /** The whole proposed content of the file, for edit/create, when the adapter can compute it. */
  readonly content?: string;
  /** A patch when the agent sent one (apply_patch and the like). */
  readonly patch?: string;
  /** The command line, for kind 'command'. */
  readonly command?: string;
  /** 'bash' (also sh/zsh) or 'powershell'; bash when absent. */
  readonly shell?: 'bash' | 'powershell';
  /** Absolute working directory of the agent. */
  readonly cwd: string;
  /** Which agent: claude, copilot, copilot-cli, cursor, gemini, codex, windsurf, cline, opencode, cli. */
  readonly agent: string;
  /** The agent's own tool name (Bash, Write, run_in_terminal, ...). */
  readonly tool?: string;
  /** The agent's session id, when it has one. */
  readonly session?: string;
  /**
   * Set (with kind 'command') when the adapter did not recognise the tool: it is asked (see
   * src/agents/policyEvaluator.ts), never looser than a write of the paths found in its arguments
   * (`paths`). `command` holds the tool's name, so a gate that ignores this flag still sees an
   * unknown program rather than an empty command line.
   */
  readonly unknownTool?: boolean;
}

/** Categories of destructive operations; policy files address them by these names. */
export const COMMAND_CATEGORIES = [
  'file-destruction',
  'git-history',
  'publishing',
  'infrastructure',
  'database',
  'system',
  'remote-code',
  'exfiltration',
  'privilege',
] as const;
export type CommandCategory = (typeof COMMAND_CATEGORIES)[number];

/** catastrophic: deny by default; destructive: ask by default; caution: ask unless the policy allows. */
export type Severity = 'catastrophic' | 'destructive' | 'caution';

/** One thing the knowledge base found in one sub-command. */
export interface CommandFinding {
  readonly category: CommandCategory;
  readonly severity: Severity;
  /** Plain-language reason a developer reads in the approval prompt. */
  readonly reason: string;
  /** Stable id of the knowledge-base entry, e.g. 'git.reset-hard'. */
  readonly id: string;
  /**
   * Everything it changes is inside the workspace and in the snapshot taken before the command
   * (tracked, or untracked and small, not ignored): a rollback undoes it, so the policy may let it
   * run without a question as long as that snapshot is taken.
   */
  readonly recoverable?: boolean;
}

/** One simple command that would run, after unwrapping shells, wrappers and substitutions. */
export interface SubCommand {
  /** The source text of this sub-command. */
  readonly text: string;
  /** Words after quote removal; words that depend on expansion keep their `$` form. */
  readonly argv: readonly string[];
  /** Program name without directory (`/bin/rm` -> `rm`); '' when it is not a literal word. */
  readonly program: string;
  /** The directory it would run in, after any `cd` earlier in the line. */
  readonly cwd: string;
  /** What the knowledge base found in it (empty when nothing). */
  readonly findings: readonly CommandFinding[];
  /**
   * harmless: a well-known read-only or routine tool used harmlessly (ls, cat, git status, npm test);
   * known: a program the knowledge base understood (findings say what is dangerous about it);
   * unknown: anything else, including programs named by a variable: the policy's default decides.
   */
  readonly knowledge: 'harmless' | 'known' | 'unknown';
  /**
   * Whether it may change files or run something that may, so a snapshot must come before it
   * (`black .`, `patch`, `npm test` are quiet but write; `ls`, `git status` do not). The shell
   * analysis always says; when absent (an analysis built by hand), only `harmless` counts as not.
   */
  readonly writes?: boolean;
  /** Why it is unknown, when the knowledge base can say (an option it does not know, a script it cannot read). */
  readonly unknownReason?: string;
}

/** A path a command would change. */
export interface PathEffect {
  /** Absolute, normalised (not yet symlink-resolved). */
  readonly path: string;
  readonly op: 'write' | 'create' | 'delete';
  /** The sub-command text that has this effect. */
  readonly via: string;
}

/** A path a command would read: its content can reach the agent, so it is judged like the Read tool. */
export interface ReadEffect {
  /** Absolute, normalised. */
  readonly path: string;
  /** The sub-command text that reads it. */
  readonly via: string;
  /** A folder read with everything below it (`grep -r`, `tar -c`); files found there are listed too. */
  readonly recursive?: boolean;
}

/** Everything the shell analysis found in a command line. */
export interface CommandAnalysis {
  readonly commandLine: string;
  readonly shell: 'bash' | 'powershell';
  readonly subcommands: readonly SubCommand[];
  readonly effects: readonly PathEffect[];
  /** Paths whose content the command reads (absent in analyses built by hand). */
  readonly reads?: readonly ReadEffect[];
  /** Non-empty when (part of) the line could not be parsed: never allowed without asking. */
  readonly parseErrors: readonly string[];
}

/** A rule that took part in a decision, with where it is written. */
export interface MatchedRule {
  /** 'built-in', 'settings', or the absolute path of the policy file. */
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
  /** A short description of the rule, e.g. `paths[".env*"].write` or `commands["git push *"]`. */
  readonly rule: string;
  readonly verdict: Verdict;
  readonly reason: string;
}

export interface Decision {
  /** What happens: in audit mode this is 'allow' while `wouldBe` says what enforce mode would do. */
  readonly verdict: Verdict;
  readonly wouldBe: Verdict;
  readonly mode: 'enforce' | 'audit';
  /** Plain-language reasons, for the human and for the agent. Empty for a quiet allow. */
  readonly reasons: readonly string[];
  readonly rules: readonly MatchedRule[];
  /** For commands: the analysis behind the decision. */
  readonly analysis?: CommandAnalysis;
  /**
   * Allowed only because the snapshot taken before it can undo it (everything it changes is in the
   * workspace and in that snapshot): if the snapshot cannot be taken, it must not run.
   */
  readonly needsSnapshot?: boolean;
}

/**
 * Who made a decision (the audit log's vocabulary). 'sandbox': the sandbox of `airlock run` refused the action, or recorded its session or a refused connection.
 */
export type DecidedBy = 'policy' | 'human' | 'timeout' | 'session-rule' | 'error' | 'watcher' | 'sandbox';

/**
 * What the gate answers for one tool call, the same from end to end: the window's gate, the bridge,
 * the headless gate and the hook runner all pass this on to the agent's renderer.
 */
export interface GateResult {
  /** The combined decision (the strictest of the call's actions). */
  readonly decision: Decision;
  readonly decidedBy: DecidedBy;
  /** The snapshot taken before the mutating action(s), when one was. */
  readonly snapshotId?: string;
  /** A snapshot was wanted but failed (the decision stands). */
  readonly snapshotError?: string;
  /** A message for the agent, e.g. the reason the human typed with a denial. */
  readonly message?: string;
}
