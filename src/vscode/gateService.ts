import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditEntry } from '../audit/log';
import { appendAudit } from '../audit/log';
import type { CommandAnalysis, Decision, ProposedAction } from '../core/types';
import type { Answer } from '../gate/approvalQueue';
import { ApprovalQueue } from '../gate/approvalQueue';
import type { GateDeps, GateResult } from '../gate/gate';
import { decide } from '../gate/gate';
import { evaluateUnknownTool } from '../agents/policyEvaluator';
import { SessionBudgets } from '../gate/budgets';
import { SessionRules } from '../gate/sessionRules';
import type { CommandAnalyzer } from '../policy/naiveAnalysis';
import type { PolicyService } from './policyService';

/** Largest current file content read for an approval diff. */
const MAX_DIFF_BYTES = 2 * 1024 * 1024;

/** The snapshot service's gate entry (SnapshotService.forGate): applies the folder's policy settings itself. */
export interface SnapshotTaker {
  forGate(folder: string, label: string, action: ProposedAction): Promise<string | undefined>;
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
    private readonly analyze: CommandAnalyzer,
    private readonly snapshots: SnapshotTaker | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly auditSink: (e: AuditEntry) => void = (e) => void appendAudit(e),
  ) {}

  /** The workspace folder an action belongs to (the cwd's when it touches no path). */
  folderOf(action: ProposedAction): string {
    const target = action.paths[0] ? path.resolve(action.cwd, action.paths[0]) : action.cwd;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target)) ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(action.cwd));
    return folder?.uri.fsPath ?? action.cwd;
  }

  private async evaluate(action: ProposedAction): Promise<Decision> {
    const folder = this.folderOf(action);
    if (action.unknownTool) {
      return evaluateUnknownTool(this.policy.policy(folder), action);
    }
    let analysis: CommandAnalysis | undefined;
    if (action.kind === 'command') {
      analysis = await this.analyze(action.command ?? '', { cwd: action.cwd, shell: action.shell, workspace: folder });
    }
    return this.policy.evaluate(folder, action, analysis);
  }

  private approver = (action: ProposedAction, decision: Decision, signal?: AbortSignal): Promise<Answer> => {
    const settings = this.policy.policy(this.folderOf(action)).settings.approval;
    let current: string | undefined;
    if (action.kind !== 'command' && action.paths[0]) {
      try {
        const p = path.resolve(action.cwd, action.paths[0]);
        if (fs.statSync(p).size <= MAX_DIFF_BYTES) {
          current = fs.readFileSync(p, 'utf8');
        }
      } catch {
        current = action.kind === 'create' || action.kind === 'edit' ? '' : undefined;
      }
    }
    const { answer } = this.queue.add(action, decision, settings.timeoutSeconds * 1000, signal, current);
    return answer.then((a): Answer => {
      if (a.by === 'timeout' && settings.onTimeout === 'allow') {
        return { kind: 'approve', by: 'timeout' };
      }
      // A policy that does not offer "allow for this session" gets a one-time approval.
      return a.kind === 'approve-session' && !settings.allowForSession ? { ...a, kind: 'approve' } : a;
    });
  };

  private deps(): GateDeps {
    return {
      evaluate: (a) => this.evaluate(a),
      approver: this.approver,
      folderOf: (a) => this.folderOf(a),
      snapshot: this.snapshots ? (folder, label, action) => this.snapshots!.forGate(folder, label, action) : undefined,
      audit: this.auditSink,
      sessionRules: this.sessionRules,
      budgets: { tracker: this.budgets, limits: (a) => this.policy.policy(this.folderOf(a)).settings.budgets },
      via: 'vscode',
    };
  }

  /** Decides one tool call's actions. Never throws. */
  async decide(actions: readonly ProposedAction[], signal?: AbortSignal): Promise<GateResult> {
    const started = Date.now();
    const result = await decide(actions, this.deps(), signal);
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
