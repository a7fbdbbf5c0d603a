/**
 * Session budgets (bounded goals): how much one agent session has done, counted from what the gate
 * allowed, and whether a further action would go over the policy's per-session limits
 * (`budgets`: filesChanged, filesDeleted, commands, minutes). Once a session is over any budget,
 * every further action of that session is asked, with a reason that names the budget.
 * Pure: no I/O; time comes in through `now`.
 */
import type { CommandAnalysis, ProposedAction } from '../core/types';
import type { BudgetSettings } from '../policy/policyFile';

export type BudgetName = keyof BudgetSettings;

/** What one session has used so far. */
export interface BudgetUsage {
  /** Distinct files changed, created or renamed (absolute or as the agent named them). */
  readonly filesChanged: number;
  readonly filesDeleted: number;
  readonly commands: number;
  /** When the session's first action was decided (ms since the epoch). */
  readonly startedAt: number;
}

/** A budget a further action would exceed. */
export interface BudgetExceeded {
  readonly budget: BudgetName;
  readonly limit: number;
  /** What the session would have used with this action (minutes elapsed for `minutes`). */
  readonly used: number;
  /** Plain-language reason for the approval prompt and the agent. */
  readonly reason: string;
}

interface SessionState {
  readonly changed: Set<string>;
  readonly deleted: Set<string>;
  commands: number;
  readonly startedAt: number;
}

/** The session an action counts against: the agent's session id, or the agent alone when it sends none. */
export function budgetSessionKey(action: Pick<ProposedAction, 'agent' | 'session'>): string {
  return `${action.agent}\u0000${action.session ?? ''}`;
}

function join(cwd: string, p: string): string {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) ? p : `${cwd.replace(/[\\/]+$/, '')}/${p}`;
}

/** The files an action would change and delete (a command's from its analysis' effects). */
export function actionFootprint(action: ProposedAction, analysis?: CommandAnalysis): { changed: string[]; deleted: string[] } {
  switch (action.kind) {
    case 'read':
      return { changed: [], deleted: [] };
    case 'delete':
      return { changed: [], deleted: action.paths.map((p) => join(action.cwd, p)) };
    case 'rename':
      // The source disappears and the target appears: one file changed (the target), one deleted.
      return { changed: action.paths.slice(1).map((p) => join(action.cwd, p)), deleted: action.paths.slice(0, 1).map((p) => join(action.cwd, p)) };
    case 'command': {
      const effects = analysis?.effects ?? [];
      return {
        changed: effects.filter((e) => e.op !== 'delete').map((e) => e.path),
        deleted: effects.filter((e) => e.op === 'delete').map((e) => e.path),
      };
    }
    default:
      return { changed: action.paths.map((p) => join(action.cwd, p)), deleted: [] };
  }
}

const LABEL: Record<BudgetName, string> = {
  filesChanged: 'files changed',
  filesDeleted: 'files deleted',
  commands: 'commands run',
  minutes: 'minutes',
};

function validLimit(n: number | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/** Per-session counters for every agent session the gate has seen. */
export class SessionBudgets {
  private readonly sessions = new Map<string, SessionState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** What the action's session has used (zeros, starting now, for a session not seen yet). */
  usage(action: Pick<ProposedAction, 'agent' | 'session'>): BudgetUsage {
    const s = this.sessions.get(budgetSessionKey(action));
    return s
      ? { filesChanged: s.changed.size, filesDeleted: s.deleted.size, commands: s.commands, startedAt: s.startedAt }
      : { filesChanged: 0, filesDeleted: 0, commands: 0, startedAt: this.now() };
  }

  /**
   * The budgets this action would take its session over (empty when none). A file already counted
   * in the session does not count again; `minutes` is over once the session is that old.
   */
  check(action: ProposedAction, limits: BudgetSettings, analysis?: CommandAnalysis): BudgetExceeded[] {
    const s = this.start(action);
    const out: BudgetExceeded[] = [];
    const fp = actionFootprint(action, analysis);
    const over = (budget: Exclude<BudgetName, 'minutes'>, used: number) => {
      const limit = limits[budget];
      if (validLimit(limit) && used > limit) {
        out.push({ budget, limit, used, reason: `This would make ${used} ${LABEL[budget]} in this agent session; the policy's session budget is ${limit} (budgets.${budget}).` });
      }
    };
    // Counted without copying the session's sets: only the action's own paths are looked up.
    const added = (seen: ReadonlySet<string>, paths: readonly string[]) => new Set(paths.filter((p) => !seen.has(p))).size;
    over('filesChanged', s.changed.size + added(s.changed, fp.changed));
    over('filesDeleted', s.deleted.size + added(s.deleted, fp.deleted));
    if (action.kind === 'command') {
      over('commands', s.commands + 1);
    }
    const limit = limits.minutes;
    const elapsed = (this.now() - s.startedAt) / 60_000;
    if (validLimit(limit) && elapsed >= limit) {
      const minutes = Math.floor(elapsed);
      out.push({ budget: 'minutes', limit, used: minutes, reason: `This agent session has run for ${minutes} minutes; the policy's session budget is ${limit} minutes (budgets.minutes).` });
    }
    return out;
  }

  /** Counts an action the gate let through against its session. */
  record(action: ProposedAction, analysis?: CommandAnalysis): void {
    const s = this.start(action);
    const fp = actionFootprint(action, analysis);
    fp.changed.forEach((p) => s.changed.add(p));
    fp.deleted.forEach((p) => s.deleted.add(p));
    if (action.kind === 'command') {
      s.commands++;
    }
  }

  /** Forgets every session (a new window, or the developer resets the budgets). */
  clear(): void {
    this.sessions.clear();
  }

  private start(action: Pick<ProposedAction, 'agent' | 'session'>): SessionState {
    const key = budgetSessionKey(action);
    let s = this.sessions.get(key);
    if (!s) {
      s = { changed: new Set(), deleted: new Set(), commands: 0, startedAt: this.now() };
      this.sessions.set(key, s);
    }
    return s;
  }
}
