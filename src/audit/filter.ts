/**
 * What became of an audited action, in one word, and the one filter the Timeline and Export Audit
 * Log share (so the file holds exactly the rows the view shows). Pure: no vscode.
 */
import type { AuditEntry } from './log';

export type Outcome = 'allowed' | 'approved' | 'asked' | 'denied' | 'timed out' | 'audited' | 'rolled back' | 'reverted' | 'kept';

/** The outcomes a filter can pick (besides everything). */
export type OutcomeFilter = 'denied' | 'approved' | 'asked' | 'audited';

export interface AuditFilter {
  /** Only this agent's entries (its id, e.g. `claude`). */
  readonly agent?: string;
  readonly outcome?: OutcomeFilter;
}

/** The developer's own operations (not agent actions): the Timeline shows them apart. */
export function isDeveloperAction(e: AuditEntry): boolean {
  return e.kind === 'rollback' || e.kind === 'revert' || e.kind === 'keep';
}

export function outcome(e: AuditEntry): Outcome {
  if (e.kind === 'rollback') {
    return 'rolled back';
  }
  if (e.kind === 'revert') {
    return 'reverted';
  }
  if (e.kind === 'keep') {
    return 'kept';
  }
  if (e.mode === 'audit' && e.wouldBe !== 'allow') {
    return 'audited';
  }
  if (e.verdict === 'ask') {
    // The agent asked its own user (no VS Code window was reachable); Airlock does not see the answer.
    return 'asked';
  }
  if (e.verdict === 'deny') {
    return e.decidedBy === 'timeout' ? 'timed out' : 'denied';
  }
  return e.decidedBy === 'human' || e.decidedBy === 'session-rule' ? 'approved' : 'allowed';
}

/**
 * Whether the policy put the action to a person (whatever the answer, and also when nobody could be
 * reached): asked in the window, asked by the agent in its terminal, or allowed by an earlier
 * "allow for this session".
 */
export function wasAsked(e: AuditEntry): boolean {
  return !isDeveloperAction(e) && (e.verdict === 'ask' || (e.mode === 'enforce' && e.wouldBe === 'ask'));
}

export function matchesFilter(e: AuditEntry, f: AuditFilter): boolean {
  if (f.agent && e.agent !== f.agent) {
    return false;
  }
  switch (f.outcome) {
    case undefined:
      return true;
    case 'asked':
      return wasAsked(e);
    case 'denied': {
      const o = outcome(e);
      return o === 'denied' || o === 'timed out';
    }
    default:
      return outcome(e) === f.outcome;
  }
}

/** Whether a filter is set at all. */
export function isFiltered(f: AuditFilter): boolean {
  return Boolean(f.agent || f.outcome);
}
