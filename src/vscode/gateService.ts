import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditEntry } from '../audit/log';
import { appendAudit } from '../audit/log';
import type { Decision, GateResult, ProposedAction } from '../core/types';
import type { HumanAnswer } from '../gate/approvalQueue';
import { ApprovalQueue } from '../gate/approvalQueue';
import type { GateDeps } from '../gate/gate';
import { decide } from '../gate/gate';
import { SessionBudgets } from '../gate/budgets';
import { SessionRules } from '../gate/sessionRules';
import { readRegularFileSync } from '../util/regularFile';
import type { PolicyService } from './policyService';

/** Largest current file content read for an approval diff. */
const MAX_DIFF_BYTES = 2 * 1024 * 1024;

export interface SnapshotTaker {
  take(folder: string, label: string, action: ProposedAction, include: readonly string[]): Promise<string | undefined>;
}

/**
 * The window's gate: everything an agent's hook asks arrives here (through the bridge), is decided
 * by the folder's policy, put to the human when the policy asks, snapshotted before an allowed
 * change, and written to the audit log.
 */
export class GateService implements vscode.Disposable {
  readonly queue = new ApprovalQueue();
  readonly sessionRules = new SessionRules();
  /** What each agent session has done, against the policy's `budgets`. */
  readonly budgets = new SessionBudgets();
  private readonly decided = new vscode.EventEmitter<{ actions: readonly ProposedAction[]; result: GateResult }>();
  /** Fires after every decision (the timeline and notifications listen). */
  readonly onDidDecide = this.decided.event;

  constructor(
    private readonly policy: PolicyService,
    private readonly snapshots: SnapshotTaker | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly auditSink: (e: AuditEntry) => void = (e) => void appendAudit(e),
  ) {}

  /**
   * The folder whose policy applies to an action: the folder the hook was installed for when it is a
   * workspace folder, else the deepest workspace folder that contains the agent's cwd (the same rule
   * as the headless hook's, src/policy/folder.ts), whatever path it targets.
   */
  folder(action: ProposedAction, installedFor?: string): string {
    return this.policy.folderFor(action.cwd, installedFor);
  }

  private approver = (action: ProposedAction, decision: Decision, signal?: AbortSignal): Promise<HumanAnswer> => {
    const settings = this.policy.policy(this.folder(action)).settings.approval;
    let current: string | undefined;
    if (action.kind !== 'command' && action.paths[0]) {
      // Only a regular file is read: a FIFO put in its place would block the window for good.
      const p = path.resolve(action.cwd, action.paths[0]);
      const bytes = readRegularFileSync(p, MAX_DIFF_BYTES);
      if (bytes) {
        current = bytes.toString('utf8');
      } else if (!fs.existsSync(p)) {
        current = action.kind === 'create' || action.kind === 'edit' ? '' : undefined;
      }
    }
    const { answer } = this.queue.add(action, decision, settings.timeoutSeconds * 1000, signal, current);
    return answer.then((a): HumanAnswer => {
      if (a.by === 'timeout' && settings.onTimeout === 'allow') {
        return { kind: 'approve', by: 'timeout' };
      }
      // A policy that does not offer "allow for this session" gets a one-time approval.
      return a.kind === 'approve-session' && !settings.allowForSession ? { ...a, kind: 'approve' } : a;
    });
  };

  private deps(installedFor?: string): GateDeps {
    const folder = (a: ProposedAction) => this.folder(a, installedFor);
    return {
      evaluate: (a) => this.policy.evaluator.evaluate(a, folder(a)),
      approver: this.approver,
      folder,
      snapshot: this.snapshots
        ? async (folder, label, action) => {
            const settings = this.policy.policy(folder).settings.snapshots;
            if (!settings.enabled) {
              return undefined;
            }
            return this.snapshots!.take(folder, label, action, settings.include);
          }
        : undefined,
      audit: this.auditSink,
      sessionRules: this.sessionRules,
      budgets: { tracker: this.budgets, limits: (a) => this.policy.policy(folder(a)).settings.budgets },
      via: 'vscode',
    };
  }

  /**
   * Decides one tool call's actions. Never throws. `installedFor`: the folder the hook was installed
   * for, when the request came from one (see PolicyService.folderFor).
   */
  async decide(actions: readonly ProposedAction[], signal?: AbortSignal, installedFor?: string): Promise<GateResult> {
    const started = Date.now();
    const result = await decide(actions, this.deps(installedFor), signal);
    const first = actions[0];
    this.log.info(
      `[gate] ${result.decision.verdict.toUpperCase()} (${result.decidedBy}, ${Date.now() - started} ms) ${first?.agent ?? '?'} ${first?.kind ?? ''} ${first?.command ?? first?.paths.join(', ') ?? ''}` +
        (result.snapshotId ? ` [snapshot ${result.snapshotId}]` : '') +
        (result.decision.reasons.length ? ` — ${result.decision.reasons.join(' ')}` : ''),
    );
    if (result.snapshotError) {
      this.log.warn(`[gate] snapshot failed: ${result.snapshotError}`);
    }
    this.decided.fire({ actions, result });
    return result;
  }

  dispose(): void {
    this.queue.dispose();
    this.decided.dispose();
  }
}
