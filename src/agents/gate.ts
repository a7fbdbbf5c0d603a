import type { Decision, ProposedAction } from '../core/types';
import type { AgentId } from './adapter';

/** What the gate knows about the hook call besides the actions. */
export interface GateContext {
  readonly agent: AgentId;
  /** The agent's working directory (absolute); the workspace is found from it. */
  readonly cwd: string;
  /** The agent's own tool name, when the payload had one. */
  readonly tool?: string;
  readonly session?: string;
  /**
   * Whether this agent can put an 'ask' in front of its own user in this run (an interactive
   * terminal session, not a headless `-p` run). Then a gate that cannot reach a human in VS Code
   * answers 'ask' instead of a deny; the agent's renderer shows it to its user.
   */
  readonly canAsk: boolean;
  /** Aborted when the hook's watchdog fires: stop waiting (for a human, a lock, ...) and return. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the watchdog answers deny (pass it on as the approval deadline). */
  readonly deadlineMs: number;
}

/** What a gate decided, with the snapshot taken before an allowed change. */
export interface GateAnswer {
  readonly decision: Decision;
  /** The snapshot taken before the allowed mutating action(s), when one was. */
  readonly snapshotId?: string;
  /** A snapshot was wanted but failed (the decision stands). */
  readonly snapshotError?: string;
}

/**
 * Decides one agent tool call (which may be several actions, e.g. a patch over several files):
 * one combined decision, the strictest of the actions' decisions. Implementations: the headless
 * `LocalGate` (policy only; `ask` becomes deny because no human can be reached) and the lead's gate
 * over IPC to VS Code (asks the human). `decide` may reject; the hook turns that into a deny.
 * A gate that returns 'ask' means "let the agent ask its own user"; agents that cannot ask render
 * it as a deny that says how to approve.
 */
export interface Gate {
  decide(actions: readonly ProposedAction[], ctx: GateContext): Promise<GateAnswer>;
}
