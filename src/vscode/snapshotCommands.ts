import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendAudit } from '../audit/log';
import { readSnapshotFile } from '../snapshot/read';
import type { RollbackResult } from '../snapshot/rollback';
import type { ChangeAttribution } from '../gate/changeAttribution';
import { diffSinceSnapshot, previewRollback, rollbackToSnapshot } from '../snapshot/rollback';
import { restoreAsAirlock } from './airlockWrites';
import { Schemes } from './ids';
import type { TimelineNode, TimelineProvider } from './timeline';

export const SNAPSHOT_SCHEME = Schemes.snapshot;

/** Read-only documents of files as a snapshot holds them: airlock-snapshot:/<id>/<path>?<folder>. */
class SnapshotContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, id, ...rest] = uri.path.split('/');
    const folder = decodeURIComponent(uri.query);
    const buf = await readSnapshotFile(folder, id, rest.join('/'));
    if (!buf) {
      return '';
    }
    return buf.includes(0) ? vscode.l10n.t('(binary file, {0} bytes)', buf.length) : buf.toString('utf8');
  }
}

export function snapshotUri(folder: string, id: string, rel: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SNAPSHOT_SCHEME, path: `/${id}/${rel}`, query: encodeURIComponent(folder) });
}

interface Target {
  readonly folder: string;
  readonly id: string;
  readonly label: string;
  /** Set when this target undoes a rollback. */
  readonly undoOf?: Extract<TimelineNode, { type: 'rollback' }>;
}

/** Options of a rollback: `confirm: false` skips the preview and the confirmation (callers decide when). */
export interface RunOptions {
  readonly confirm?: boolean;
  readonly files?: readonly string[];
}

/** Asks the developer to confirm a change to their files (a modal dialog: code cannot answer it). */
export type Confirmer = (message: string, detail: string, button: string) => Thenable<boolean>;

const modalConfirm: Confirmer = (message, detail, button) => vscode.window.showWarningMessage(message, { modal: true, detail }, button).then((a) => a === button);

function targetOf(node: unknown): Target | undefined {
  const n = node as TimelineNode | { folder?: string; id?: string } | undefined;
  if (!n) {
    return undefined;
  }
  if ('type' in n && n.type === 'action' && n.entry.snapshotId) {
    return { folder: n.folder, id: n.entry.snapshotId, label: n.entry.command ?? n.entry.paths?.map((p) => path.relative(n.folder, p) || p).join(', ') ?? n.entry.kind };
  }
  if ('type' in n && n.type === 'rollback') {
    return { folder: n.folder, id: n.safetyId, label: vscode.l10n.t('the rollback to before {0}', n.targetLabel ?? n.targetId), undoOf: n };
  }
  if ('folder' in n && typeof n.folder === 'string' && 'id' in n && typeof n.id === 'string') {
    return { folder: n.folder, id: n.id, label: n.id };
  }
  return undefined;
}

function summary(r: RollbackResult): vscode.QuickPickItem[] {
  return [
    ...r.changed.map((f) => ({ label: `$(edit) ${f}`, description: vscode.l10n.t('restored as it was') })),
    ...r.created.map((f) => ({ label: `$(add) ${f}`, description: vscode.l10n.t('deleted since: recreated') })),
    ...r.deleted.map((f) => ({ label: `$(trash) ${f}`, description: vscode.l10n.t('created since: removed') })),
  ];
}

/** Roll back, undo rollback, show changes since, restore one file: the Timeline's actions. */
export class SnapshotCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly timeline: TimelineProvider,
    private readonly log: vscode.LogOutputChannel,
    /** Told about every rollback, so the protected-path watcher does not warn about Airlock's own writes. */
    private readonly attribution?: ChangeAttribution,
    private readonly confirm: Confirmer = modalConfirm,
  ) {
    this.disposables.push(vscode.workspace.registerTextDocumentContentProvider(SNAPSHOT_SCHEME, new SnapshotContentProvider()));
  }

  /** "Roll back to before this": a preview of the files, a confirmation, then the rollback. */
  async rollback(node: unknown, opts: RunOptions = {}): Promise<RollbackResult | undefined> {
    const t = targetOf(node);
    if (!t) {
      return undefined;
    }
    const preview = await previewRollback(t.folder, t.id, { files: opts.files });
    const lines = summary(preview);
    if (lines.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to roll back: the files already match snapshot {0}.', t.id));
      return preview;
    }
    if (opts.confirm !== false) {
      const picked = await vscode.window.showQuickPick(
        lines,
        { title: t.undoOf ? vscode.l10n.t('Undo {0}: {1} file(s) change back', t.label.slice(0, 80), lines.length) : vscode.l10n.t('Roll back {0} file(s) to before: {1}', lines.length, t.label.slice(0, 80)), placeHolder: vscode.l10n.t('These files will change. Press Enter to continue, Escape to cancel.') },
      );
      if (!picked) {
        return undefined;
      }
      const ok = await this.confirm(
        vscode.l10n.t('Roll back {0} file(s)?', lines.length),
        vscode.l10n.t('{0} changed, {1} created since (will be removed), {2} deleted since (will be recreated). A safety snapshot is taken first, so you can undo this.', preview.changed.length, preview.deleted.length, preview.created.length),
        vscode.l10n.t('Roll Back'),
      );
      if (!ok) {
        return undefined;
      }
    }
    const result = await this.restore(t.folder, t.id, opts.files);
    this.after(t, result);
    return result;
  }

  private restore(folder: string, id: string, files: readonly string[] | undefined): Promise<RollbackResult> {
    const run = () => rollbackToSnapshot(folder, id, { files });
    return this.attribution ? restoreAsAirlock(this.attribution, folder, run) : run();
  }

  private after(t: Target, result: RollbackResult): void {
    const n = result.changed.length + result.created.length + result.deleted.length;
    this.log.info(`[rollback] ${t.folder} to ${t.id}: ${n} file(s); undo with snapshot ${result.safetySnapshotId}`);
    appendAudit({ time: new Date().toISOString(), folder: t.folder, agent: 'developer', kind: 'rollback', verdict: 'allow', wouldBe: 'allow', mode: 'enforce', decidedBy: 'human', reasons: [`rolled back ${n} file(s) to ${t.id}`], snapshotId: result.safetySnapshotId, via: 'vscode' });
    if (result.safetySnapshotId) {
      this.timeline.addRollback(t.folder, t.id, result.safetySnapshotId, n, t.undoOf ? t.undoOf : t.label);
    }
    const undo = vscode.l10n.t('Undo Rollback');
    const done = t.undoOf ? vscode.l10n.t('Undid the rollback: {0} file(s) are back as they were before it.', n) : vscode.l10n.t('Rolled back {0} file(s) to snapshot {1}.', n, t.id);
    void vscode.window.showInformationMessage(done, undo).then((pick) => {
      if (pick === undo) {
        void this.undo(undefined, { confirm: false });
      }
    });
  }

  /** Rolls back to the safety snapshot of the latest rollback (or of the rollback node given). */
  async undo(node?: unknown, opts: RunOptions = {}): Promise<RollbackResult | undefined> {
    const target = node ?? this.timeline.lastRollback;
    if (!target) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There is no rollback to undo in this window.'));
      return undefined;
    }
    return this.rollback(target, { ...opts, confirm: opts.confirm ?? false });
  }

  /** Opens a multi-file diff: the snapshot against the files now. */
  async showChanges(node: unknown): Promise<number> {
    const t = targetOf(node);
    if (!t) {
      return 0;
    }
    const diff = await diffSinceSnapshot(t.folder, t.id);
    if (diff.files.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No changes since snapshot {0}.', t.id));
      return 0;
    }
    const resources = diff.files.map((f) => {
      const now = vscode.Uri.file(path.join(t.folder, f.path));
      const before = snapshotUri(t.folder, t.id, f.path);
      return [now, f.status === 'added' ? undefined : before, f.status === 'deleted' ? undefined : now];
    });
    await vscode.commands.executeCommand('vscode.changes', vscode.l10n.t('Changes since {0}', t.id), resources);
    return diff.files.length;
  }

  /**
   * Restores one file (picked from those changed since the snapshot). A file named by the caller is
   * restored only after the developer confirms it, unless `confirm` is false.
   */
  async restoreFile(node: unknown, file?: string, opts: { readonly confirm?: boolean } = {}): Promise<RollbackResult | undefined> {
    const t = targetOf(node);
    if (!t) {
      return undefined;
    }
    if (file !== undefined && opts.confirm !== false) {
      const ok = await this.confirm(
        vscode.l10n.t('Restore {0} as it was in snapshot {1}?', file, t.id),
        vscode.l10n.t('Its current content is replaced (a file the snapshot does not have is removed). A safety snapshot is taken first, so you can undo this.'),
        vscode.l10n.t('Restore'),
      );
      if (!ok) {
        this.log.warn(`[rollback] not restoring ${file} from ${t.id}: not confirmed`);
        return undefined;
      }
    }
    let pick = file;
    if (!pick) {
      const diff = await diffSinceSnapshot(t.folder, t.id);
      const item = await vscode.window.showQuickPick(
        diff.files.map((f) => ({ label: f.path, description: f.status })),
        { title: vscode.l10n.t('Restore which file as it was in snapshot {0}?', t.id) },
      );
      pick = item?.label;
    }
    if (!pick) {
      return undefined;
    }
    const result = await this.restore(t.folder, t.id, [pick]);
    this.after(t, result);
    return result;
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
