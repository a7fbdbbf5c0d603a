import * as vscode from 'vscode';
import type { GuardState } from './guardState';
import { problemLocation, problemText } from './guardState';
import { Commands, Views } from './ids';
import type { SandboxSessions } from './sandboxRun';
import { sandboxStatusItems } from './sandboxRun';

/** A row of the Status view. */
export interface StatusItem {
  readonly label: string;
  readonly description?: string;
  readonly icon: string;
  readonly color?: string;
  readonly tooltip?: string;
  readonly command?: vscode.Command;
}

/**
 * The Status view: whether Airlock guards this window, with which policy (and, when a policy file
 * has an error, that the last valid one is in force, with a link to the problem), and which agents
 * are guarded in each folder.
 */
export class StatusViewProvider implements vscode.TreeDataProvider<StatusItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly state: GuardState,
    private readonly sandboxes?: SandboxSessions,
  ) {
    this.disposables.push(vscode.window.registerTreeDataProvider(Views.status, this), state.onDidChange(() => this.changed.fire()));
    if (sandboxes) {
      this.disposables.push(sandboxes.onDidChange(() => this.changed.fire()));
    }
  }

  getTreeItem(item: StatusItem): vscode.TreeItem {
    const t = new vscode.TreeItem(item.label, vscode.TreeItemCollapsibleState.None);
    t.description = item.description;
    t.tooltip = item.tooltip;
    t.iconPath = new vscode.ThemeIcon(item.icon, item.color ? new vscode.ThemeColor(item.color) : undefined);
    t.command = item.command;
    return t;
  }

  getChildren(): StatusItem[] {
    const t = vscode.l10n.t;
    const folders = this.state.current;
    const broken = folders.some((f) => f.problems.length > 0);
    const items: StatusItem[] = [];
    if (!this.state.enabled) {
      items.push({ label: t('Guard is off'), icon: 'circle-slash', tooltip: t('Set airlock.enabled to turn it on. Hooks then decide without this window.') });
    } else if (broken) {
      items.push({ label: t('Guarding agents with the last valid policy'), icon: 'shield', color: 'list.warningForeground', tooltip: t('A policy file has an error: until it is fixed, the last valid version is in force (the built-in defaults where there is none).') });
    } else {
      items.push({ label: t('Guarding agents'), icon: 'shield', tooltip: t('Airlock checks agent actions against the policy.') });
    }
    for (const f of folders) {
      items.push({ label: f.folder.name, description: f.hasPolicy ? t('team policy') : t('built-in defaults'), icon: 'folder', tooltip: f.folder.uri.fsPath });
      for (const p of f.problems.slice(0, 3)) {
        const where = problemLocation(p);
        items.push({
          label: problemText(p),
          icon: 'warning',
          color: 'list.warningForeground',
          tooltip: t('Click to open the policy at the problem.'),
          command: where ? { title: t('Open'), command: 'vscode.open', arguments: [where.uri, { selection: where.range }] } : undefined,
        });
      }
      items.push(
        f.guardedAgents.length
          ? { label: t('Guarded: {0}', f.guardedAgents.join(', ')), icon: 'check', tooltip: t("These agents' hooks ask Airlock before every tool call.") }
          : { label: t('No agent hooks installed'), description: t('Install Agent Hooks…'), icon: 'plug', command: { title: t('Install Agent Hooks…'), command: Commands.installHooks } },
      );
    }
    if (folders.length === 0) {
      items.push({ label: t('No folder open'), icon: 'info' });
    }
    items.push(...sandboxStatusItems(this.sandboxes?.current ?? []));
    return items;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
