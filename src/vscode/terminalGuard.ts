import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { appendAudit } from '../audit/log';
import type { AuditEntry } from '../audit/log';
import type { ChangeAttribution } from '../gate/changeAttribution';
import { deletedPaths, looksLikeAgent, risksOf } from '../gate/terminalRisks';
import type { CommandAnalyzer } from '../policy/evaluator';
import type { RollbackResult } from '../snapshot/rollback';
import { rollbackToSnapshot } from '../snapshot/rollback';
import type { ConfigWatcher } from './config';
import { restoreAsAirlock } from './airlockWrites';
import type { GateService } from './gateService';
import type { GuardSnapshots } from './guardSnapshots';
import { Commands } from './ids';

/** A gate decision this recent means an agent session is active. */
const SESSION_ACTIVE_MS = 10 * 60_000;

export interface TerminalAlert {
  readonly id: string;
  readonly folder: string;
  readonly commandLine: string;
  readonly terminal: string;
  /** When the execution started (ms since the epoch). */
  readonly at: number;
  /** Plain-language risks found in the command. */
  readonly risks: readonly string[];
  /** Paths (relative to the folder) the command deletes, when the analysis knows them. */
  readonly deletes: readonly string[];
  /** The snapshot "Roll Back" goes to: the newest one taken before the command started. */
  readonly snapshotId?: string;
}

/** Whether a terminal looks like an agent's (its name, or its environment). */
export function isAgentTerminal(t: vscode.Terminal): boolean {
  const opts = t.creationOptions as vscode.TerminalOptions;
  return looksLikeAgent(t.name, 'env' in opts ? opts.env ?? {} : {});
}

/**
 * Watches every command that runs in a VS Code terminal with shell integration. While an agent
 * session is active (a gate decision in the last minutes, or a terminal that looks like an agent's)
 * it snapshots each folder when the session starts and at an interval. A destructive command in any
 * terminal raises a warning naming the risk, with one-click "Roll Back" to the newest snapshot taken
 * before it started (a snapshot is also taken the moment it starts, but that one may race it).
 */
export class TerminalGuard implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private lastGateDecision = 0;
  private wasActive = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private intervalSeconds = 0;
  private readonly alerts = new Map<string, TerminalAlert>();
  private readonly alerted = new vscode.EventEmitter<TerminalAlert>();
  /** Fires when a warning is raised. */
  readonly onDidAlert = this.alerted.event;
  private readonly snapped = new vscode.EventEmitter<{ folder: string; id: string | undefined; reason: string }>();
  /** Fires after each guard snapshot. */
  readonly onDidSnapshot = this.snapped.event;

  constructor(
    gate: GateService,
    private readonly analyze: CommandAnalyzer,
    private readonly attribution: ChangeAttribution,
    private readonly snapshots: GuardSnapshots,
    private readonly log: vscode.LogOutputChannel,
    private readonly config: ConfigWatcher,
    private readonly auditSink: (e: AuditEntry) => void = (e) => void appendAudit(e),
  ) {
    this.disposables.push(
      this.alerted,
      this.snapped,
      gate.onDidDecide(() => {
        this.lastGateDecision = Date.now();
        this.checkSession();
      }),
      vscode.window.onDidOpenTerminal(() => this.checkSession()),
      config.onDidChange(() => this.configure()),
      vscode.window.onDidStartTerminalShellExecution((e) => void this.onStart(e).catch((err) => this.log.error(`[terminal] ${err instanceof Error ? err.message : String(err)}`))),
    );
    this.configure();
  }

  private settings(): { readonly enabled: boolean; readonly intervalSeconds: number } {
    return { enabled: this.config.current.enabled, intervalSeconds: this.config.current.terminalSnapshotIntervalSeconds };
  }

  /** Applies the interval setting (called again whenever the configuration changes). */
  configure(): void {
    const s = this.settings().intervalSeconds;
    if (s === this.intervalSeconds && (this.timer !== undefined || s === 0)) {
      return;
    }
    this.intervalSeconds = s;
    clearInterval(this.timer);
    this.timer = s > 0 ? setInterval(() => this.tick(), s * 1000) : undefined;
  }

  /** An agent session is active: a recent gate decision, or a terminal that looks like an agent's. */
  isActive(): boolean {
    return Date.now() - this.lastGateDecision < SESSION_ACTIVE_MS || vscode.window.terminals.some(isAgentTerminal);
  }

  private checkSession(): void {
    const active = this.isActive();
    if (active && !this.wasActive) {
      this.snapshotAll('agent session started');
    }
    this.wasActive = active;
  }

  private tick(): void {
    this.checkSession();
    if (this.wasActive && this.settings().enabled) {
      this.snapshotAll('periodic snapshot during an agent session');
    }
  }

  private snapshotAll(reason: string): void {
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      void this.snapshot(f.uri.fsPath, reason);
    }
  }

  private async snapshot(folder: string, reason: string, forceInclude?: readonly string[]): Promise<string | undefined> {
    try {
      const id = await this.snapshots.take(folder, reason, { tool: 'terminal', forceInclude });
      this.snapped.fire({ folder, id, reason });
      return id;
    } catch (err) {
      this.log.warn(`[terminal] snapshot failed (${reason}): ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  private async onStart(e: vscode.TerminalShellExecutionStartEvent): Promise<void> {
    if (!this.settings().enabled) {
      return;
    }
    const at = Date.now();
    const line = e.execution.commandLine.value.trim();
    if (!line) {
      return;
    }
    const cwdUri = e.execution.cwd ?? e.shellIntegration.cwd;
    const wf = (cwdUri && vscode.workspace.getWorkspaceFolder(cwdUri)) || vscode.workspace.workspaceFolders?.[0];
    if (!wf) {
      return;
    }
    const folder = wf.uri.fsPath;
    const cwd = cwdUri?.fsPath ?? folder;
    const analysis = await this.analyze(line, { cwd, folder, shell: /pwsh|powershell/i.test(e.terminal.name) ? 'powershell' : 'bash' });
    const risks = risksOf(analysis, folder);
    const agent = isAgentTerminal(e.terminal);
    if (risks.length === 0) {
      if (agent || this.isActive()) {
        void this.snapshot(folder, `before ${line.slice(0, 120)}`);
      }
      return;
    }
    const deletes = deletedPaths(analysis, folder);
    // The moment it starts: this one may lose the race with the command, so the rollback target is
    // the newest snapshot from before it started.
    void this.snapshot(folder, `as ${line.slice(0, 120)} started`, deletes);
    const target = await this.snapshots.before(folder, at);
    const alert: TerminalAlert = { id: randomUUID(), folder, commandLine: line, terminal: e.terminal.name, at, risks, deletes, snapshotId: target?.id };
    this.alerts.set(alert.id, alert);
    this.log.warn(`[terminal] "${line}" in terminal "${e.terminal.name}": ${risks.join(' ')}${target ? ` (roll back to ${target.id})` : ' (no snapshot before it)'}`);
    this.alerted.fire(alert);
    const rollBack = vscode.l10n.t('Roll Back');
    const message = vscode.l10n.t('Airlock: "{0}" ran in terminal "{1}". {2}', line.slice(0, 80), e.terminal.name, risks.join(' '));
    void vscode.window.showWarningMessage(message, ...(target ? [rollBack] : [])).then((pick) => {
      if (pick === rollBack) {
        void vscode.commands.executeCommand(Commands.rollbackTerminalCommand, alert.id);
      }
    });
  }

  /**
   * Rolls back to the snapshot taken before the command: only the paths it deletes when the
   * analysis knows them, else the whole folder. A safety snapshot comes first, so it can be undone.
   */
  async rollback(id: string): Promise<RollbackResult | undefined> {
    const alert = this.alerts.get(id);
    if (!alert?.snapshotId) {
      return undefined;
    }
    this.alerts.delete(id);
    const snapshotId = alert.snapshotId;
    const files = alert.deletes.length ? alert.deletes : undefined;
    const result = await restoreAsAirlock(this.attribution, alert.folder, () => rollbackToSnapshot(alert.folder, snapshotId, { ...this.snapshots.options(alert.folder), files, agent: 'developer' }));
    const n = result.changed.length + result.created.length + result.deleted.length;
    this.auditSink({
      time: new Date().toISOString(),
      folder: alert.folder,
      agent: 'developer',
      kind: 'rollback',
      command: alert.commandLine,
      paths: files,
      verdict: 'allow',
      wouldBe: 'allow',
      mode: 'enforce',
      decidedBy: 'human',
      reasons: [`rolled back ${n} file(s) to ${snapshotId} after "${alert.commandLine}" in terminal "${alert.terminal}"`, ...alert.risks],
      snapshotId: result.safetySnapshotId,
      via: 'vscode',
    });
    this.log.info(`[terminal] rolled back ${n} file(s) to ${snapshotId} after "${alert.commandLine}"; undo with snapshot ${result.safetySnapshotId}`);
    if (n === 0 && alert.deletes.length) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Snapshot {0} does not hold {1}: git-ignored files are kept only when the policy lists them in snapshots.include.', snapshotId, alert.deletes.join(', ')));
    }
    return result;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
