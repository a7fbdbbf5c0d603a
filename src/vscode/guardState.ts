import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectAgents } from '../agents/install';
import type { PolicyProblem } from '../policy/parse';
import type { ConfigWatcher } from './config';
import { ContextKeys } from './ids';
import type { PolicyService } from './policyService';

/** What Airlock guards in one workspace folder. */
export interface FolderState {
  readonly folder: vscode.WorkspaceFolder;
  /** Errors in the folder's policy files or the airlock.policy setting (the last valid policy is in force). */
  readonly problems: readonly PolicyProblem[];
  /** Whether the folder has a team policy file. */
  readonly hasPolicy: boolean;
  /** The display names of the agents whose hooks are installed in the folder. */
  readonly guardedAgents: readonly string[];
}

/** The problem's place as a link target: the file at its line and column. */
export function problemLocation(p: PolicyProblem): { uri: vscode.Uri; range: vscode.Range } | undefined {
  if (p.file === 'settings') {
    return undefined;
  }
  return { uri: vscode.Uri.file(p.file), range: new vscode.Range(p.line - 1, p.column - 1, p.endLine - 1, p.endColumn - 1) };
}

/** "policy.json line 12: a comma is expected". */
export function problemText(p: PolicyProblem): string {
  return p.file === 'settings' ? p.message : vscode.l10n.t('{0} line {1}: {2}', path.basename(p.file), p.line, p.message);
}

/**
 * One model of what Airlock guards, read by the status bar and the Status view: per folder, the
 * policy's health and which agents' hooks are installed. Changes when a policy reloads, a folder or
 * a setting changes, or an agent's hook configuration file changes.
 */
export class GuardState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly watchers = new Map<string, vscode.Disposable>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private folders: FolderState[] = [];

  constructor(
    private readonly policy: PolicyService,
    readonly config: ConfigWatcher,
  ) {
    this.disposables.push(
      policy.onDidChange(() => this.schedule()),
      config.onDidChange(() => this.schedule()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()),
    );
    this.update();
  }

  get enabled(): boolean {
    return this.config.current.enabled;
  }

  get current(): readonly FolderState[] {
    return this.folders;
  }

  /** Every policy error of every folder. */
  problems(): PolicyProblem[] {
    return this.folders.flatMap((f) => f.problems);
  }

  /** Reads the state again (soon: several events of one change are merged). */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), 50);
  }

  private update(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    this.folders = folders.map((folder) => {
      const loaded = this.policy.loadedFor(folder);
      const presence = detectAgents(folder.uri.fsPath);
      this.watchConfigs(folder, presence.map((p) => p.configFile));
      return {
        folder,
        problems: (loaded?.problems ?? []).filter((p) => p.severity === 'error'),
        hasPolicy: loaded?.files.some((f) => f.exists && /policy\.json$/.test(f.path)) ?? false,
        guardedAgents: presence.filter((p) => p.installed).map((p) => p.name),
      };
    });
    void vscode.commands.executeCommand('setContext', ContextKeys.hooksInstalled, this.folders.some((f) => f.guardedAgents.length > 0));
    this.changed.fire();
  }

  /** Watches the agents' hook configuration files of a folder, so an install or uninstall shows at once. */
  private watchConfigs(folder: vscode.WorkspaceFolder, files: readonly string[]): void {
    const key = folder.uri.toString();
    if (this.watchers.has(key)) {
      return;
    }
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `{${files.join(',')}}`));
    w.onDidCreate(() => this.schedule());
    w.onDidChange(() => this.schedule());
    w.onDidDelete(() => this.schedule());
    this.watchers.set(key, w);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watchers.forEach((w) => w.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}
