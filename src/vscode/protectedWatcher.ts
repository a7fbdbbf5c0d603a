import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendAudit } from '../audit/log';
import type { AuditEntry } from '../audit/log';
import type { PathOp } from '../core/types';
import { gateNotes } from '../gate/changeAttribution';
import type { ChangeAttribution } from '../gate/changeAttribution';
import { copilotApprovalEntries } from '../policy/copilotSettings';
import { sha256OfFile } from '../util/fileHash';
import { readRegularFile } from '../util/regularFile';
import type { RollbackResult } from '../snapshot/rollback';
import { restoreAsAirlock } from './airlockWrites';
import type { GateService } from './gateService';
import type { GuardSnapshots } from './guardSnapshots';
import { plain } from './approvalText';
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
  private readonly pending = new Map<string, { timer: ReturnType<typeof setTimeout>; op: ProtectedChangeAlert['op']; at: number; cause: string | undefined; created: boolean }>();
  private readonly alerts = new Map<string, ProtectedChangeAlert>();
  private readonly snapshotting = new Map<string, { again?: string }>();
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
        const notes = gateNotes(actions, result);
        attribution.note('gate', notes.tree);
        attribution.note('gate', notes.exact, 'exact');
        // An approved write whose content is known stays explained while the file holds exactly that.
        attribution.noteContent(
          'gate',
          actions.filter((a) => (a.kind === 'edit' || a.kind === 'create') && a.content !== undefined && a.paths.length === 1).map((a) => ({ path: path.resolve(a.cwd, a.paths[0]), sha256: sha256(a.content!) })),
        );
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
    const first = prev ?? { op, at: Date.now(), cause, created: op === 'create' };
    // create then change is a create; delete then create is a change; create then delete is nothing (a temp file).
    const merged: ProtectedChangeAlert['op'] = prev ? (prev.op === 'create' ? (op === 'delete' ? 'delete' : 'create') : prev.op === 'delete' && op !== 'delete' ? 'write' : op) : op;
    const burstCause = prev && !(prev.cause && cause) ? undefined : cause;
    this.pending.set(key, {
      op: merged,
      at: first.at,
      cause: burstCause,
      created: first.created,
      timer: setTimeout(() => {
        this.pending.delete(key);
        if (burstCause) {
          this.log.debug(`[watch] ${uri.fsPath} changed (${merged}); explained by ${burstCause}`);
          this.snapshotGoodState(folder.uri.fsPath, 'after an approved change to a protected file');
          return;
        }
        if (first.created && merged === 'delete') {
          this.log.debug(`[watch] ${uri.fsPath} was created and removed again: nothing changed`);
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
    if (await isDirectory(file)) {
      return; // a folder appeared: the files in it have events of their own (and newFolder() looks inside)
    }
    const left = this.attribution.explainContent(file, await sha256OfFile(file));
    if (left) {
      this.log.debug(`[watch] ${rel} holds what ${left} wrote there`);
      return;
    }
    const found = await this.snapshotFor(folder, rel, op, at);
    // A file that a snapshot has was there before: its "creation" is a rename over it, a change.
    const actual: ProtectedChangeAlert['op'] = op === 'create' && found.hadFile ? 'write' : op;
    const decision = this.policy.evaluatePath(folder, file, actual);
    if (decision.wouldBe === 'allow') {
      return;
    }
    // An earlier warning about the same file is superseded: every change warns again.
    for (const old of [...this.alerts.values()].filter((a) => a.folder === folder && a.rel === rel)) {
      this.alerts.delete(old.id);
    }
    const snapshot = found.id;
    const alert: ProtectedChangeAlert = { id: randomUUID(), folder, rel, op: actual, at, reasons: decision.reasons, snapshotId: snapshot };
    this.alerts.set(alert.id, alert);
    this.log.warn(`[watch] ${rel} was ${verb(actual)} without an approved action${snapshot ? ` (revert from snapshot ${snapshot})` : ' (no snapshot has it)'}`);
    this.alerted.fire(alert);
    const revert = vscode.l10n.t('Revert');
    const keep = vscode.l10n.t('Keep');
    const message = vscode.l10n.t('Airlock: {0} was {1} without an approved agent action, and not in a VS Code editor. {2}', rel, verb(actual), plain(decision.reasons[0] ?? ''));
    void vscode.window.showWarningMessage(message, ...(snapshot ? [revert, keep] : [keep])).then((pick) => {
      if (pick === revert) {
        void vscode.commands.executeCommand(Commands.revertProtectedChange, alert.id);
      } else if (pick === keep) {
        void vscode.commands.executeCommand(Commands.keepProtectedChange, alert.id);
      } else if (this.alerts.has(alert.id)) {
        // Closed (X, Clear All): the change is kept, and the next change to the file warns again.
        this.keep(alert.id, true);
      }
    });
  }

  /**
   * The snapshot to revert to, among the newest ones taken before the change: for a change or a
   * deletion the newest that has the file with other content than now (else the newest that has it
   * at all); for a creation the newest that lacks it. `hadFile`: some snapshot has the file.
   */
  private async snapshotFor(folder: string, rel: string, op: ProtectedChangeAlert['op'], at: number): Promise<{ id?: string; hadFile: boolean }> {
    const now = await readRegularFile(path.join(folder, rel));
    let withFile: string | undefined;
    let withoutFile: string | undefined;
    const differing = await this.snapshots.before(folder, at + 1, async (info) => {
      const then = await this.snapshots.readFile(folder, info.id, rel);
      if (then === undefined) {
        withoutFile ??= info.id;
        return false;
      }
      withFile ??= info.id;
      return now === undefined || !then.equals(now);
    });
    if (withFile || differing) {
      return { id: differing?.id ?? withFile, hadFile: true };
    }
    return { id: op === 'create' ? withoutFile : undefined, hadFile: false };
  }

  /** Revert: restores the file from the alert's snapshot (a safety snapshot first), audits it. */
  async revert(id: string): Promise<RollbackResult | undefined> {
    const alert = this.alerts.get(id);
    if (!alert?.snapshotId) {
      return undefined;
    }
    this.alerts.delete(id);
    const snapshotId = alert.snapshotId;
    const result = await restoreAsAirlock(this.attribution, alert.folder, () => this.snapshots.rollback(alert.folder, snapshotId, [alert.rel]));
    this.audit(alert, 'revert', `reverted ${alert.rel} to snapshot ${snapshotId} (undo with snapshot ${result.safetySnapshotId})`, result.safetySnapshotId);
    this.log.info(`[watch] reverted ${alert.rel} to ${snapshotId}; safety snapshot ${result.safetySnapshotId}`);
    return result;
  }

  /** The warnings not answered yet. */
  openAlerts(): ProtectedChangeAlert[] {
    return [...this.alerts.values()];
  }

  /** Keep: accepts the change, audits it (a warning closed without an answer counts as kept). */
  keep(id: string, dismissed = false): boolean {
    const alert = this.alerts.get(id);
    if (!alert) {
      return false;
    }
    this.alerts.delete(id);
    this.audit(alert, 'keep', dismissed ? `kept the change to ${alert.rel} (the warning was closed without an answer)` : `kept the change to ${alert.rel}`);
    this.snapshotGoodState(alert.folder, `after keeping the change to ${alert.rel}`);
    return true;
  }

  /**
   * A snapshot of a state the developer accepted (an approved or own change to a protected file, a
   * kept change), so that a later Revert goes back to it rather than to an older version. One at a
   * time per folder; an unchanged folder makes no new snapshot.
   */
  private snapshotGoodState(folder: string, label: string): void {
    const running = this.snapshotting.get(folder);
    if (running) {
      running.again = label; // one more when this one is done: the state may have moved on
      return;
    }
    const state: { again?: string } = {};
    this.snapshotting.set(folder, state);
    void this.snapshots
      .take(folder, label, { tool: 'watch' })
      .then((id) => this.log.debug(`[watch] snapshot ${id ?? '(snapshots off)'} ${label}`))
      .catch((err: unknown) => this.log.warn(`[watch] no snapshot ${label}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.snapshotting.delete(folder);
        if (state.again) {
          this.snapshotGoodState(folder, state.again);
        }
      });
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

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

function verb(op: ProtectedChangeAlert['op']): string {
  return op === 'create' ? 'created' : op === 'delete' ? 'deleted' : 'changed';
}
