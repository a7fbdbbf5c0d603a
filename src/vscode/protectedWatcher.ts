import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendAudit } from '../audit/log';
import type { AuditEntry } from '../audit/log';
import type { PathOp } from '../core/types';
import type { ChangeAttribution } from '../gate/changeAttribution';
import { copilotApprovalEntries } from '../policy/copilotSettings';
import type { RollbackResult } from '../snapshot/rollback';
import type { GateService } from './gateService';
import type { GuardSnapshots } from './guardSnapshots';
import { Commands } from './ids';
import type { PolicyService } from './policyService';

/** Events of one file within this time are one change (a save is often delete+create or create+change). */
const SETTLE_MS = 400;
/** A new folder is searched for protected files this deep and this far (its files' own events may be lost). */
const NEW_FOLDER_DEPTH = 4;
const NEW_FOLDER_ENTRIES = 500;
const SKIP_DIRS = new Set(['node_modules', '.git']);

export interface ProtectedChangeAlert {
  readonly id: string;
  /** Workspace folder (absolute). */
  readonly folder: string;
  /** Relative to the folder, '/'-separated. */
  readonly rel: string;
  readonly op: Exclude<PathOp, 'read'>;
  /** When the first event arrived (ms since the epoch). */
  readonly at: number;
  /** Why the path is protected (the policy's reasons). */
  readonly reasons: readonly string[];
  /** The snapshot Revert restores the file from; undefined when no snapshot has it. */
  readonly snapshotId?: string;
}

/** Globs of a folder's protected paths that a FileSystemWatcher can watch (git's internals left out: git itself writes there). */
export function watchGlobs(editGlobs: readonly string[]): string[] {
  return editGlobs.filter((g) => !/^(\*\*\/)?\.git(\/|$)/.test(g) && !g.startsWith('/') && !/^[A-Za-z]:/.test(g) && !/[{}]/.test(g));
}

/**
 * Watches every folder's protected paths (the policy's ask/deny rules for write, create and delete).
 * A change that no approved agent action, no editor and no Airlock operation announced raises a
 * warning naming the file, with one-click Revert (from the latest snapshot before the change that
 * has the file; a safety snapshot is taken first) or Keep; both are written to the audit log.
 */
export class ProtectedPathWatcher implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watchers = new Map<string, { glob: string; disposables: vscode.Disposable[] }>();
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; op: ProtectedChangeAlert['op']; at: number; cause: string | undefined }>();
  private readonly alerts = new Map<string, ProtectedChangeAlert>();
  private readonly alerted = new vscode.EventEmitter<ProtectedChangeAlert>();
  /** Fires when a warning is raised (tests and the timeline listen). */
  readonly onDidAlert = this.alerted.event;
  /** Resolves when the baseline snapshots of the folders open at start are taken. */
  readonly ready: Promise<void>;

  constructor(
    private readonly policy: PolicyService,
    gate: GateService,
    private readonly attribution: ChangeAttribution,
    private readonly snapshots: GuardSnapshots,
    private readonly log: vscode.LogOutputChannel,
    private readonly enabled: () => boolean,
    private readonly auditSink: (e: AuditEntry) => void = (e) => void appendAudit(e),
  ) {
    const editor = (uris: readonly vscode.Uri[]) => attribution.note('editor', uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath));
    this.disposables.push(
      this.alerted,
      gate.onDidDecide(({ actions, result }) => {
        if (result.decision.verdict !== 'allow') {
          return;
        }
        const paths = actions.flatMap((a) => a.paths.map((p) => path.resolve(a.cwd, p)));
        const effects = result.decision.analysis?.effects.map((e) => e.path) ?? [];
        attribution.note('gate', [...paths, ...effects]);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && e.document.isDirty) {
          editor([e.document.uri]);
        }
      }),
      vscode.workspace.onWillSaveTextDocument((e) => editor([e.document.uri])),
      vscode.workspace.onWillCreateFiles((e) => editor(e.files)),
      vscode.workspace.onWillDeleteFiles((e) => editor(e.files)),
      vscode.workspace.onWillRenameFiles((e) => editor(e.files.flatMap((f) => [f.oldUri, f.newUri]))),
      policy.onDidChange((f) => this.watch(f)),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => e.removed.forEach((f) => this.unwatch(f))),
    );
    const folders = vscode.workspace.workspaceFolders ?? [];
    folders.forEach((f) => this.watch(f));
    this.ready = Promise.all(folders.map((f) => this.baseline(f.uri.fsPath))).then(() => undefined);
  }

  /** A snapshot at start, so that a protected file changed later always has a version to go back to. */
  private async baseline(folder: string): Promise<void> {
    const started = Date.now();
    try {
      const id = await this.snapshots.take(folder, 'baseline when the window opened', { tool: 'baseline' });
      this.log.info(`[watch] baseline snapshot ${id ?? '(snapshots off)'} of ${folder} in ${Date.now() - started} ms`);
    } catch (err) {
      this.log.warn(`[watch] no baseline snapshot of ${folder}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** (Re)creates the folder's watchers when its protected patterns changed; the new ones start before the old ones stop. */
  private watch(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    const globs = watchGlobs(Object.keys(copilotApprovalEntries(this.policy.policy(folder)).edits));
    const glob = `{${globs.join(',')}}`;
    const previous = this.watchers.get(key);
    if (previous?.glob === glob) {
      return;
    }
    if (globs.length === 0) {
      this.unwatch(folder);
      return;
    }
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
    w.onDidCreate((u) => this.onEvent(folder, u, 'create'));
    w.onDidChange((u) => this.onEvent(folder, u, 'write'));
    w.onDidDelete((u) => this.onEvent(folder, u, 'delete'));
    // `mkdir -p deploy && echo > deploy/key.pem` may be reported as the new folder alone: look inside
    // every new folder for protected files.
    const folders = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'), false, true, true);
    // (A moment later: the files are usually written just after their folder.)
    folders.onDidCreate((u) => setTimeout(() => void this.newFolder(folder, u.fsPath), SETTLE_MS / 2));
    this.watchers.set(key, { glob, disposables: [w, folders] });
    previous?.disposables.forEach((d) => d.dispose());
  }

  private async newFolder(folder: vscode.WorkspaceFolder, dir: string): Promise<void> {
    if (!this.enabled()) {
      return;
    }
    let budget = NEW_FOLDER_ENTRIES;
    const walk = async (d: string, depth: number): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(d, { withFileTypes: true });
      } catch {
        return; // a file, or gone already
      }
      for (const e of entries) {
        if (--budget < 0) {
          return;
        }
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          if (depth < NEW_FOLDER_DEPTH && !SKIP_DIRS.has(e.name)) {
            await walk(p, depth + 1);
          }
        } else if (this.policy.evaluatePath(folder, p, 'create').wouldBe !== 'allow') {
          this.onEvent(folder, vscode.Uri.file(p), 'create');
        }
      }
    };
    if (!SKIP_DIRS.has(path.basename(dir))) {
      await walk(dir, 1);
    }
  }

  private unwatch(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.watchers.get(key)?.disposables.forEach((w) => w.dispose());
    this.watchers.delete(key);
  }

  private onEvent(folder: vscode.WorkspaceFolder, uri: vscode.Uri, op: ProtectedChangeAlert['op']): void {
    if (!this.enabled()) {
      return;
    }
    const key = uri.fsPath;
    const prev = this.pending.get(key);
    if (prev) {
      clearTimeout(prev.timer);
    }
    // Who caused it is asked when the event arrives (notes are fresh then); one unexplained event in a burst is enough.
    const cause = this.attribution.explain(uri.fsPath);
    const first = prev ?? { op, at: Date.now(), cause };
    // create then change is a create; delete then create is a change.
    const merged: ProtectedChangeAlert['op'] = prev ? (prev.op === 'create' ? (op === 'delete' ? 'delete' : 'create') : prev.op === 'delete' && op !== 'delete' ? 'write' : op) : op;
    const burstCause = prev && !(prev.cause && cause) ? undefined : cause;
    this.pending.set(key, {
      op: merged,
      at: first.at,
      cause: burstCause,
      timer: setTimeout(() => {
        this.pending.delete(key);
        if (burstCause) {
          this.log.debug(`[watch] ${uri.fsPath} changed (${merged}); explained by ${burstCause}`);
          return;
        }
        void this.settle(folder.uri.fsPath, uri.fsPath, merged, first.at).catch((err) => this.log.error(`[watch] ${uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`));
      }, SETTLE_MS),
    });
  }

  private async settle(folder: string, file: string, op: ProtectedChangeAlert['op'], at: number): Promise<void> {
    const rel = path.relative(folder, file).split(path.sep).join('/');
    if (rel.startsWith('..') || rel.split('/').includes('.git')) {
      return;
    }
    const decision = this.policy.evaluatePath(folder, file, op);
    if (decision.wouldBe === 'allow') {
      return;
    }
    if ([...this.alerts.values()].some((a) => a.folder === folder && a.rel === rel)) {
      return;
    }
    const snapshot = await this.snapshotFor(folder, rel, op, at);
    const alert: ProtectedChangeAlert = { id: randomUUID(), folder, rel, op, at, reasons: decision.reasons, snapshotId: snapshot };
    this.alerts.set(alert.id, alert);
    this.log.warn(`[watch] ${rel} was ${verb(op)} without an approved action${snapshot ? ` (revert from snapshot ${snapshot})` : ' (no snapshot has it)'}`);
    this.alerted.fire(alert);
    const revert = vscode.l10n.t('Revert');
    const keep = vscode.l10n.t('Keep');
    const message = vscode.l10n.t('Airlock: {0} was {1} outside VS Code without an approved agent action. {2}', rel, verb(op), decision.reasons[0] ?? '');
    void vscode.window.showWarningMessage(message, ...(snapshot ? [revert, keep] : [keep])).then((pick) => {
      if (pick === revert) {
        void vscode.commands.executeCommand(Commands.revertProtectedChange, alert.id);
      } else if (pick === keep) {
        void vscode.commands.executeCommand(Commands.keepProtectedChange, alert.id);
      }
    });
  }

  /**
   * The snapshot to revert to: the newest one before the change that holds the file as it was (for
   * a change or delete: has the file, with other content than now; for a create: lacks it).
   */
  private async snapshotFor(folder: string, rel: string, op: ProtectedChangeAlert['op'], at: number): Promise<string | undefined> {
    let now: Buffer | undefined;
    try {
      now = await fs.promises.readFile(path.join(folder, rel));
    } catch {
      now = undefined;
    }
    const s = await this.snapshots.before(folder, at + 1, async (info) => {
      const then = await this.snapshots.readFile(folder, info.id, rel);
      if (op === 'create') {
        return then === undefined;
      }
      return then !== undefined && (now === undefined || !then.equals(now));
    });
    return s?.id;
  }

  /** Revert: restores the file from the alert's snapshot (a safety snapshot first), audits it. */
  async revert(id: string): Promise<RollbackResult | undefined> {
    const alert = this.alerts.get(id);
    if (!alert?.snapshotId) {
      return undefined;
    }
    this.alerts.delete(id);
    const snapshotId = alert.snapshotId;
    const result = await this.attribution.during(
      alert.folder,
      () => this.snapshots.rollback(alert.folder, snapshotId, [alert.rel]),
      (r) => [...r.changed, ...r.created, ...r.deleted],
    );
    this.audit(alert, 'revert', `reverted ${alert.rel} to snapshot ${snapshotId} (undo with snapshot ${result.safetySnapshotId})`, result.safetySnapshotId);
    this.log.info(`[watch] reverted ${alert.rel} to ${snapshotId}; safety snapshot ${result.safetySnapshotId}`);
    return result;
  }

  /** The warnings not answered yet. */
  openAlerts(): ProtectedChangeAlert[] {
    return [...this.alerts.values()];
  }

  /** Keep: accepts the change, audits it. */
  keep(id: string): boolean {
    const alert = this.alerts.get(id);
    if (!alert) {
      return false;
    }
    this.alerts.delete(id);
    this.audit(alert, 'keep', `kept the change to ${alert.rel}`);
    return true;
  }

  private audit(alert: ProtectedChangeAlert, kind: 'revert' | 'keep', reason: string, snapshotId?: string): void {
    this.auditSink({
      time: new Date().toISOString(),
      folder: alert.folder,
      agent: 'unknown',
      kind,
      paths: [alert.rel],
      verdict: kind === 'revert' ? 'deny' : 'allow',
      wouldBe: 'ask',
      mode: 'enforce',
      decidedBy: 'human',
      reasons: [`${alert.rel} was ${verb(alert.op)} without an approved action`, ...alert.reasons, reason],
      snapshotId: snapshotId ?? alert.snapshotId,
      via: 'vscode',
    });
  }

  dispose(): void {
    this.pending.forEach((p) => clearTimeout(p.timer));
    this.watchers.forEach((ws) => ws.disposables.forEach((w) => w.dispose()));
    this.disposables.forEach((d) => d.dispose());
  }
}

function verb(op: ProtectedChangeAlert['op']): string {
  return op === 'create' ? 'created' : op === 'delete' ? 'deleted' : 'changed';
}
