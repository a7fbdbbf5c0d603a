/**
 * The gate: one for every agent action, in the extension and in the CLI alike:
 * policy -> (ask: the human in VS Code, else the agent's own user when it can ask, else deny) ->
 * snapshot before a change that may go ahead -> audit. Pure orchestration: what evaluates, asks,
 * snapshots and logs is passed in. Also the interface every gate a hook can use implements.
 */
import type { AuditEntry } from '../audit/log';
import type { DecidedBy, Decision, GateResult, ProposedAction, Verdict } from '../core/types';
import { strictest } from '../core/types';
import type { BudgetSettings } from '../policy/policyFile';
import type { HumanAnswer } from './approvalQueue';
import type { SessionBudgets } from './budgets';
import type { SessionRules } from './sessionRules';

/** What a gate knows about one hook call besides its actions. */
export interface GateContext {
  /** The agent (claude, copilot, ...). */
  readonly agent: string;
  /** The agent's working directory (absolute). */
  readonly cwd: string;
  /** The agent's own tool name, when the payload had one. */
  readonly tool?: string;
  readonly session?: string;
  /**
   * The folder the hook was installed for (the launcher's AIRLOCK_WORKSPACE), when known: the known
   * folder of the policy-folder rule (src/policy/folder.ts).
   */
  readonly installedFor?: string;
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

/**
 * Decides one agent tool call (which may be several actions, e.g. a patch over several files): one
 * combined result, the strictest of the actions' decisions. Implementations: the headless LocalGate
 * (src/agents/localGate.ts) and the BridgeGate to the VS Code window (src/agents/bridgeGate.ts).
 * `decide` may reject; the hook turns that into a deny.
 */
export interface Gate {
  decide(actions: readonly ProposedAction[], ctx: GateContext): Promise<GateResult>;
}

/** Asks the human about one action; resolves with their answer (or a timeout). */
export type Approver = (action: ProposedAction, decision: Decision, signal?: AbortSignal) => Promise<HumanAnswer>;

export interface GateDeps {
  /** Policy (and shell analysis for commands) for one action. */
  evaluate(action: ProposedAction): Promise<Decision> | Decision;
  /** The human in VS Code; absent when no window is reachable (see agentCanAsk). */
  approver?: Approver;
  /**
   * Without an approver: true when the agent can ask its own user (an ask is answered 'ask', with a
   * snapshot first in case the user approves); false or absent: an ask becomes a deny.
   */
  agentCanAsk?: boolean;
  /** What an agent is told when an ask cannot reach a human. */
  howToApprove?: string;
  /** Takes a snapshot of the folder before an allowed change; returns its id. */
  snapshot?(folder: string, label: string, action: ProposedAction): Promise<string | undefined>;
  /** The folder whose policy applies to an action (src/policy/folder.ts); snapshots and audit use it too. */
  folder(action: ProposedAction): string;
  audit?(entry: AuditEntry): void;
  sessionRules?: SessionRules;
  /** Per-session budgets: over any of them, an action that would be allowed is asked instead. */
  budgets?: { readonly tracker: SessionBudgets; limits(action: ProposedAction): BudgetSettings };
  via: AuditEntry['via'];
  now?: () => Date;
}

/** Whether an action may change files, so a snapshot must come first. */
export function isMutating(action: ProposedAction, decision?: Decision): boolean {
  if (action.kind === 'read') {
    return false;
  }
  if (action.kind !== 'command') {
    return true;
  }
  const a = decision?.analysis;
  if (!a) {
    return true;
  }
  return a.effects.length > 0 || a.parseErrors.length > 0 || a.subcommands.some((s) => (s.writes ?? s.knowledge !== 'harmless') || s.findings.length > 0);
}

export function describeAction(action: ProposedAction): string {
  const tool = action.tool ? ` (${action.tool})` : '';
  if (action.kind === 'command') {
    return `${action.agent}${tool}: ${(action.command ?? '').slice(0, 120)}`;
  }
  return `${action.agent}${tool}: ${action.kind} ${action.paths.join(', ')}`;
}

interface OneResult {
  action: ProposedAction;
  decision: Decision;
  decidedBy: DecidedBy;
  message?: string;
}

/** An allowed action of a session over its budget becomes an ask naming the budget (deny stays deny). */
function applyBudgets(action: ProposedAction, decision: Decision, deps: GateDeps): { decision: Decision; over: boolean } {
  const over = deps.budgets?.tracker.check(action, deps.budgets.limits(action), decision.analysis) ?? [];
  if (over.length === 0) {
    return { decision, over: false };
  }
  const ask = (v: Verdict): Verdict => strictest(v, 'ask');
  return {
    over: true,
    decision: {
      ...decision,
      verdict: decision.mode === 'audit' ? decision.verdict : ask(decision.verdict),
      wouldBe: ask(decision.wouldBe),
      reasons: [...decision.reasons, ...over.map((o) => o.reason)],
      rules: [...decision.rules, ...over.map((o) => ({ source: 'policy', rule: `budgets.${o.budget}`, verdict: 'ask' as const, reason: o.reason }))],
    },
  };
}

async function decideOne(action: ProposedAction, deps: GateDeps, signal?: AbortSignal): Promise<OneResult> {
  const budgeted = applyBudgets(action, await deps.evaluate(action), deps);
  const decision = budgeted.decision;
  if (decision.verdict !== 'ask') {
    return { action, decision, decidedBy: 'policy' };
  }
  // "Allow for this session" never outlasts a budget: over it, every action is asked.
  if (!budgeted.over && deps.sessionRules?.isAllowed(action)) {
    return { action, decision: { ...decision, verdict: 'allow', reasons: [...decision.reasons, 'allowed for this session by the developer'] }, decidedBy: 'session-rule' };
  }
  if (!deps.approver) {
    if (deps.agentCanAsk) {
      return { action, decision, decidedBy: 'policy' };
    }
    const how = deps.howToApprove ?? 'Open this folder in VS Code with Agent Airlock to approve it there.';
    return {
      action,
      decision: { ...decision, verdict: 'deny', reasons: [...decision.reasons, `Needs a human's approval, and no VS Code window with Agent Airlock could be reached. ${how}`] },
      decidedBy: 'policy',
    };
  }
  const answer: HumanAnswer = await deps.approver(action, decision, signal);
  if (answer.kind === 'approve' || answer.kind === 'approve-session') {
    if (answer.kind === 'approve-session') {
      deps.sessionRules?.allow(action);
    }
    return { action, decision: { ...decision, verdict: 'allow', reasons: [...decision.reasons, answer.kind === 'approve-session' ? 'approved for this session by the developer' : 'approved by the developer'] }, decidedBy: 'human', message: answer.message };
  }
  const why =
    answer.by === 'timeout'
      ? 'Nobody approved it in time, so Airlock denied it.'
      : answer.by === 'withdrawn'
        ? answer.message ?? 'The request was withdrawn.'
        : answer.message
          ? `The developer denied it: ${answer.message}`
          : 'The developer denied it.';
  return { action, decision: { ...decision, verdict: 'deny', reasons: [...decision.reasons, why] }, decidedBy: answer.by === 'timeout' ? 'timeout' : 'human', message: answer.message };
}

/**
 * Decides a set of actions proposed by one tool call. The strictest verdict wins; asks are put to
 * the human one after another and stop at the first denial. Never throws: an internal error is a deny.
 */
export async function decide(actions: readonly ProposedAction[], deps: GateDeps, signal?: AbortSignal): Promise<GateResult> {
  const results: OneResult[] = [];
  try {
    for (const action of actions) {
      const r = await decideOne(action, deps, signal);
      results.push(r);
      if (r.decision.verdict === 'deny' && r.decision.mode === 'enforce') {
        break;
      }
    }
  } catch (err) {
    const reason = `Airlock failed while deciding, so it denies: ${err instanceof Error ? err.message : String(err)}`;
    const decision: Decision = { verdict: 'deny', wouldBe: 'deny', mode: 'enforce', reasons: [reason], rules: [] };
    for (const action of actions) {
      audit(deps, action, decision, 'error');
    }
    return { decision, decidedBy: 'error' };
  }
  const verdict: Verdict = strictest(...results.map((r) => r.decision.verdict));
  const wouldBe: Verdict = strictest(...results.map((r) => r.decision.wouldBe));
  const decidedBy = results.find((r) => r.decision.verdict === verdict && r.decidedBy !== 'policy')?.decidedBy ?? results.find((r) => r.decidedBy !== 'policy')?.decidedBy ?? 'policy';
  const combined: Decision = {
    verdict,
    wouldBe,
    mode: results.some((r) => r.decision.mode === 'audit') && results.every((r) => r.decision.mode === 'audit') ? 'audit' : 'enforce',
    reasons: [...new Set(results.flatMap((r) => r.decision.reasons))],
    rules: results.flatMap((r) => r.decision.rules),
    analysis: results.find((r) => r.decision.analysis)?.decision.analysis,
  };
  const message = results.map((r) => r.message).find(Boolean);

  let snapshotId: string | undefined;
  let snapshotError: string | undefined;
  // An ask handed to the agent's own user may be approved there without Airlock hearing of it again,
  // so the snapshot comes first then too.
  const mayGoAhead = verdict === 'allow' || (verdict === 'ask' && !deps.approver && deps.agentCanAsk === true);
  if (mayGoAhead && deps.snapshot) {
    const folders = new Map<string, ProposedAction>();
    for (const r of results) {
      if (isMutating(r.action, r.decision)) {
        folders.set(deps.folder(r.action), r.action);
      }
    }
    for (const [folder, action] of folders) {
      try {
        snapshotId = (await deps.snapshot(folder, `before ${describeAction(action)}`, action)) ?? snapshotId;
      } catch (err) {
        snapshotError = err instanceof Error ? err.message : String(err);
      }
    }
  }
  // Allowed only because the snapshot lets the developer undo it: without that snapshot it must not run.
  const unsafe = verdict === 'allow' && combined.mode === 'enforce' && results.some((r) => r.decision.needsSnapshot) && (snapshotId === undefined || snapshotError !== undefined);
  const why = `Airlock lets this run only with a snapshot to undo it, and ${snapshotError ? `the snapshot failed (${snapshotError})` : 'no snapshot could be taken'}, so it denies it.`;
  const denied = (d: Decision): Decision => ({ ...d, verdict: 'deny', wouldBe: 'deny', reasons: [...d.reasons, why] });
  for (const r of results) {
    if (verdict === 'allow' && !unsafe) {
      deps.budgets?.tracker.record(r.action, r.decision.analysis);
    }
    audit(deps, r.action, unsafe ? denied(r.decision) : r.decision, r.decidedBy, snapshotId, r.message);
  }
  return { decision: unsafe ? denied(combined) : combined, decidedBy, snapshotId, message, snapshotError };
}

function audit(deps: GateDeps, action: ProposedAction, decision: Decision, decidedBy: DecidedBy, snapshotId?: string, message?: string): void {
  deps.audit?.({
    time: (deps.now?.() ?? new Date()).toISOString(),
    folder: deps.folder(action),
    agent: action.agent,
    tool: action.tool,
    session: action.session,
    kind: action.kind,
    paths: action.paths.length ? action.paths : undefined,
    command: action.command,
    verdict: decision.verdict,
    wouldBe: decision.wouldBe,
    mode: decision.mode,
    decidedBy,
    reasons: decision.reasons,
    rules: decision.rules.map((r) => `${r.source === 'built-in' ? 'built-in' : r.source}${r.line ? `:${r.line}` : ''} ${r.rule}`),
    snapshotId,
    message,
    via: deps.via,
  });
}
