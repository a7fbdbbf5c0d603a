/**
 * What Airlock knows about one agent, as one record: its name, how to read its pre-tool payload,
 * how to answer it, its tools, how its hook is installed and how long the hook may take. Each agent
 * has its own module (claude.ts, copilot.ts, ...); `adapters.ts` gathers them in the one registry
 * the hook, the installer, the CLI, the VS Code UI and the docs read.
 */
import * as fs from 'node:fs';
import type { Decision, GateResult, ProposedAction } from '../core/types';
import type { InstallSpec } from './installSpec';
import { SHORT_WATCHDOG_MS, WATCHDOG_MS } from './installSpec';
import type { ToolTable } from './tools';

/** The agents Airlock has a hook adapter for (`airlock hook <agent>`), in the order they are listed. */
export const AGENT_IDS = ['claude', 'copilot', 'copilot-cli', 'cursor', 'gemini', 'codex', 'windsurf', 'cline', 'opencode'] as const;
export type AgentId = (typeof AGENT_IDS)[number];

/**
 * Each agent's watchdog (its adapter's `watchdogMs`, a test keeps them equal), here so that a thin
 * hook client knows how long to wait for a decider without loading the adapters.
 */
export const HOOK_WATCHDOG_MS: Readonly<Record<AgentId, number>> = {
  claude: WATCHDOG_MS,
  copilot: WATCHDOG_MS,
  'copilot-cli': WATCHDOG_MS,
  cursor: WATCHDOG_MS,
  gemini: WATCHDOG_MS,
  codex: WATCHDOG_MS,
  windsurf: SHORT_WATCHDOG_MS,
  cline: SHORT_WATCHDOG_MS,
  opencode: WATCHDOG_MS,
};

/**
 * The agents whose adapter writes its own answer (`answer`, e.g. Cline's pass): their hook decides in
 * its own process (over `decide` requests), never through a thin client; a test keeps this list equal
 * to the adapters that have an `answer`.
 */
export const ANSWERED_BY_HOOK: readonly AgentId[] = ['cline'];

/**
 * The environment variables adapters read to know whether their agent can ask its own user in this
 * run (canAskInThisRun): a thin hook client forwards these to the decider, nothing else of its environment.
 */
export const ASK_ENV_VARS = ['CLAUDE_CODE_ENTRYPOINT', 'CLAUDE_CODE_SESSION_ATTENDED', 'COPILOT_CLI'] as const;

export function isAgentId(s: string): s is AgentId {
  return (AGENT_IDS as readonly string[]).includes(s);
}

/** What the hook process writes and how it exits. */
export interface HookOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * The hook process as the agent started it: what an adapter may fall back on (the cwd, when the
 * payload has none) or look at (whether the agent runs interactively). `airlock hook` passes its own
 * process; a decider answering a thin client's `hook` request passes the client's.
 */
export interface HookProcess {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whether the hook process has a controlling terminal (/dev/tty opens). */
  readonly hasTty: boolean;
}

/** This process as the hook process (hasTty is looked up only when asked for). */
export function currentHookProcess(): HookProcess {
  return {
    cwd: process.cwd(),
    env: process.env,
    get hasTty() {
      return hasControllingTerminal();
    },
  };
}

/** Whether this process has a controlling terminal. */
export function hasControllingTerminal(): boolean {
  if (process.platform === 'win32') {
    return false;
  }
  try {
    fs.closeSync(fs.openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}

/** One agent's hook protocol: its pre-tool payload in, its decision format out. */
export interface AgentAdapter {
  readonly id: AgentId;
  /** The one name people know the agent by, wherever Airlock shows it. */
  readonly displayName: string;
  /** The agent's tools by the names its hook payloads use, and what each one does. */
  readonly tools: ToolTable;
  /**
   * Tools the agent offers that are left out of `tools` on purpose, with why: the policy's
   * unknown-tool default decides them (a test checks every tool the real agent offers is in one).
   */
  readonly unclassified?: Readonly<Record<string, string>>;
  /**
   * The agent's pre-tool payload (already JSON-parsed) as proposed actions. Throws `PayloadError`
   * (with a reason a human can act on) when the payload is not what this agent sends. An empty
   * array means the event is not a pre-tool event (nothing to guard, e.g. an after-edit hook).
   * Reads the current file (bounded) to compute the proposed content of edits. `hook`: the hook
   * process (its cwd is the fallback when the payload has none); default this process.
   */
  parse(payload: unknown, hook?: HookProcess): ProposedAction[];
  /**
   * The decision in the agent's exact output format. Never throws. An 'ask' is rendered as the
   * agent's own ask only by agents whose `canAskInThisRun` can say yes; the others render it as a
   * deny that says how to approve.
   */
  render(decision: Decision): HookOutput;
  /**
   * The answer when it depends on more than the decision: on the payload (one agent may send
   * several shapes, e.g. Cline CLI and Cline for VS Code) or on a record a second interception point
   * reads (Cline's plugin). `payload` is undefined when it could not be read. Absent:
   * `render(result.decision)`. Never throws. It runs in the hook process itself: a warm decider
   * declines the whole call ('answer-locally'), so a record it leaves is in the hook's environment.
   */
  answer?(result: GateResult, payload: unknown): HookOutput;
  /**
   * Whether, in the run that sent this payload, the agent can put an 'ask' in front of its own user
   * (an interactive session, not a headless run, and no mode in which the agent would run an asked
   * tool without a human). Then the headless gate answers 'ask' instead of a deny. Absent or false:
   * deny with how to approve. Must not throw (a throw counts as false). `env` is `hook.env`; look
   * at `hook` (not this process) for anything else about the run.
   */
  canAskInThisRun?(payload: unknown, env: NodeJS.ProcessEnv, hook: HookProcess): boolean;
  /**
   * How long the hook may take before the watchdog answers deny, in ms: shorter than the hook
   * timeout Airlock writes into this agent's config (or the agent's default when it has none).
   */
  readonly watchdogMs: number;
  /** Where and how `airlock install-hooks` puts Airlock's hook for this agent. */
  readonly install: InstallSpec;
}

/** The agent's payload is malformed or not of the shape this adapter knows. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

/** A deny decision made by the hook itself (bad input, internal error, timeout). */
export function denyDecision(reason: string): Decision {
  return { verdict: 'deny', wouldBe: 'deny', mode: 'enforce', reasons: [reason], rules: [] };
}

/** What the agent is told when Airlock needs a human it cannot reach here. */
export const HOW_TO_APPROVE =
  'To approve it, open this workspace in VS Code with the Agent Airlock extension running (the request then appears there for approval) and retry, or make the change yourself.';

/** The reason text shown to the agent and the human for a decision. */
export function reasonText(decision: Decision, fallback: string): string {
  const r = decision.reasons.filter((s) => s.trim() !== '').join('; ');
  return r === '' ? fallback : r;
}

/** The text of a deny, or of an ask the agent cannot show (so it says how to approve). */
export function denyText(decision: Decision): string {
  if (decision.verdict === 'ask') {
    return `Agent Airlock: approval required: ${reasonText(decision, 'the policy asks a human to approve this action')}. ${HOW_TO_APPROVE}`;
  }
  return `Agent Airlock denied this action: ${reasonText(decision, 'denied by policy')}`;
}

/** The text of an ask the agent shows its own user (it is the question the person answers). */
export function askText(decision: Decision): string {
  return `Agent Airlock needs your approval: ${reasonText(decision, 'the policy asks a human to approve this action')}`;
}
