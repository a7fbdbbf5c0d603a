import * as vscode from 'vscode';
import type { CommandAnalysis, Decision, PathOp, ProposedAction } from '../core/types';
import type { Policy } from '../policy/compile';
import type { CommandAnalyzer } from '../policy/evaluator';
import { ActionEvaluator } from '../policy/evaluator';
import { policyFolder, windowKnownFolders } from '../policy/folder';
import type { LoadedPolicy } from '../policy/load';
import { loadPolicy } from '../policy/load';
import { ConfigSection } from './ids';

export type FolderRef = vscode.WorkspaceFolder | vscode.Uri | string;

/**
 * The policy of every workspace folder: loaded at start, reloaded when a policy file or the
 * `airlock.policy` setting changes, its problems shown in the Problems panel. Evaluation is the one
 * evaluator's (src/policy/evaluator.ts), fed with these policies; the gate and the guards use it.
 */
export class PolicyService implements vscode.Disposable {
  /** The window's one evaluator: this service's policies, the shell analyzer given at start. */
  readonly evaluator: ActionEvaluator;
  private readonly loaded = new Map<string, LoadedPolicy>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('airlock-policy');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<vscode.WorkspaceFolder>();
  /** Fires after a folder's policy was reloaded. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    analyze?: CommandAnalyzer,
  ) {
    this.evaluator = new ActionEvaluator({ policyOf: (f) => this.policy(f), ...(analyze ? { analyze } : {}) });
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        e.removed.forEach((f) => this.forget(f));
        e.added.forEach((f) => this.watch(f));
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => this.onFileEvent(doc.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${ConfigSection}.policy`)) {
          (vscode.workspace.workspaceFolders ?? []).forEach((f) => this.reload(f));
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => (vscode.workspace.workspaceFolders ?? []).forEach((f) => this.reload(f))),
      // What VS Code's JSON language service reports in an open editor is not reported twice.
      vscode.workspace.onDidOpenTextDocument((d) => this.republish(d.uri)),
      vscode.workspace.onDidCloseTextDocument((d) => this.republish(d.uri)),
    );
    (vscode.workspace.workspaceFolders ?? []).forEach((f) => this.watch(f));
  }

  /**
   * The folder whose policy applies to an agent working in `cwd` (src/policy/folder.ts): the folder
   * the hook was installed for when it is one of this window's folders (as the headless hook decides),
   * else the deepest workspace folder that contains the cwd, else the first.
   */
  folderFor(cwd: string, installedFor?: string): string {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    return policyFolder(cwd, windowKnownFolders(folders, installedFor));
  }

  /** The decision for an action in a folder (symlinks and existing files looked up on disk). */
  evaluate(folder: FolderRef, action: ProposedAction, analysis?: CommandAnalysis): Decision {
    return this.evaluator.decide(action, this.folderPath(folder), analysis);
  }

  /** The decision for one path operation in a folder (symlinks resolved on disk). */
  evaluatePath(folder: FolderRef, path: string, op: PathOp, options: { agent?: string } = {}): Decision {
    return this.evaluator.path(this.folderPath(folder), path, op, options);
  }

  private folderPath(folder: FolderRef): string {
    return typeof folder === 'string' ? folder : 'uri' in folder ? folder.uri.fsPath : folder.fsPath;
  }

  /** The folder's current compiled policy (built-in defaults for a path in no folder). */
  policy(folder: FolderRef): Policy {
    const f = this.resolveFolder(folder);
    if (!f) {
      // A folder this window does not have open: the built-in defaults (its files are not trusted here).
      return loadPolicy(this.folderPath(folder), { ignoreWorkspaceFiles: true }).policy;
    }
    return (this.loaded.get(f.uri.toString()) ?? this.reload(f)).policy;
  }

  /** The full load result (problems, files) of a folder. */
  loadedFor(folder: FolderRef): LoadedPolicy | undefined {
    const f = this.resolveFolder(folder);
    return f ? (this.loaded.get(f.uri.toString()) ?? this.reload(f)) : undefined;
  }

  /** Reads the folder's policy files again now. */
  reload(folder: vscode.WorkspaceFolder): LoadedPolicy {
    const key = folder.uri.toString();
    const previous = this.loaded.get(key);
    const next = loadPolicy(folder.uri.fsPath, {
      settings: vscode.workspace.getConfiguration(ConfigSection, folder.uri).get<unknown>('policy') ?? undefined,
      ignoreWorkspaceFiles: !vscode.workspace.isTrusted,
      ...(previous ? { previous } : {}),
    });
    this.loaded.set(key, next);
    this.publish(next, previous);
    const n = next.problems.length;
    this.log.info(`[Policy] ${folder.name}: ${n === 0 ? 'loaded' : `${n} problem(s); using the built-in defaults or stricter`} (mode ${next.policy.mode})`);
    this.changed.fire(folder);
    return next;
  }

  /** A workspace folder given as itself, its URI or its path (exactly: a path inside one is not it). */
  private resolveFolder(folder: FolderRef): vscode.WorkspaceFolder | undefined {
    if (typeof folder === 'string') {
      return (vscode.workspace.workspaceFolders ?? []).find((f) => f.uri.scheme === 'file' && f.uri.fsPath === folder);
    }
    return 'uri' in folder ? folder : vscode.workspace.getWorkspaceFolder(folder);
  }

  private watch(folder: vscode.WorkspaceFolder): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.airlock/policy*.json'));
    watcher.onDidCreate((u) => this.onFileEvent(u));
    watcher.onDidChange((u) => this.onFileEvent(u));
    watcher.onDidDelete((u) => this.onFileEvent(u));
    this.watchers.set(folder.uri.toString(), watcher);
    this.reload(folder);
  }

  private forget(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.watchers.get(key)?.dispose();
    this.watchers.delete(key);
    for (const f of this.loaded.get(key)?.files ?? []) {
      this.diagnostics.delete(vscode.Uri.file(f.path));
    }
    this.loaded.delete(key);
  }

  /** A policy file was saved, created or deleted: reload its folder (events of one save are merged). */
  private onFileEvent(uri: vscode.Uri): void {
    if (!/[\\/]\.airlock[\\/]policy(\.local)?\.json$/.test(uri.fsPath)) {
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) {
      return;
    }
    const key = folder.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        if (this.watchers.has(key)) {
          this.reload(folder);
        }
      }, 50),
    );
  }

  private republish(uri: vscode.Uri): void {
    const folder = /[\\/]\.airlock[\\/]policy(\.local)?\.json$/.test(uri.fsPath) ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    const loaded = folder && this.loaded.get(folder.uri.toString());
    if (loaded) {
      this.publish(loaded, undefined);
    }
  }

  private publish(next: LoadedPolicy, previous: LoadedPolicy | undefined): void {
    const open = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => d.uri.fsPath));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const f of [...(previous?.files ?? []), ...next.files]) {
      byFile.set(f.path, []);
    }
    for (const p of next.problems) {
      if (p.file === 'settings') {
        this.log.warn(`[Policy] ${p.message}`);
        continue;
      }
      if ((p.kind === 'syntax' || p.kind === 'schema') && open.has(p.file)) {
        continue; // the JSON language service shows it in the editor (and in Problems) already
      }
      const range = new vscode.Range(p.line - 1, p.column - 1, p.endLine - 1, p.endColumn - 1);
      const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'Airlock';
      byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
    }
    for (const [file, diags] of byFile) {
      this.diagnostics.set(vscode.Uri.file(file), diags);
    }
  }

  dispose(): void {
    this.pending.forEach((t) => clearTimeout(t));
    this.watchers.forEach((w) => w.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}
