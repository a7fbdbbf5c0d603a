import * as vscode from 'vscode';
import type { ChangeJournal } from '../snapshot/journal';

/**
 * Feeds the snapshot service's change journal from VS Code's file watcher: every path created,
 * changed or deleted in a workspace folder. Events the watcher never delivers (excluded folders, an
 * overflow) are caught by the journal's background verification.
 */
export class SnapshotJournalWatcher implements vscode.Disposable {
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly folderEvents: vscode.Disposable;

  constructor(private readonly journal: ChangeJournal) {
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      this.watch(f);
    }
    this.folderEvents = vscode.workspace.onDidChangeWorkspaceFolders((e) => {
      e.added.forEach((f) => this.watch(f));
      for (const f of e.removed) {
        this.watchers.get(f.uri.fsPath)?.dispose();
        this.watchers.delete(f.uri.fsPath);
        this.journal.forget(f.uri.fsPath);
      }
    });
  }

  private watch(folder: vscode.WorkspaceFolder): void {
    if (folder.uri.scheme !== 'file' || this.watchers.has(folder.uri.fsPath)) {
      return;
    }
    const root = folder.uri.fsPath;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**'));
    const note = (uri: vscode.Uri) => this.journal.changed(root, uri.fsPath);
    // Anything before this moment is unknown to the journal: its first snapshot is a full pass.
    this.journal.lost(root);
    this.watchers.set(root, vscode.Disposable.from(w, w.onDidCreate(note), w.onDidChange(note), w.onDidDelete(note)));
  }

  dispose(): void {
    this.folderEvents.dispose();
    for (const w of this.watchers.values()) {
      w.dispose();
    }
    this.watchers.clear();
  }
}
