import * as vscode from 'vscode';
import type { AirlockConfig } from './config';
import type { SandboxSessions } from './sandboxRun';
import { sandboxStatusItems } from './sandboxRun';

/** A row of the Status view. */
export interface StatusItem {
  readonly label: string;
  readonly description?: string;
  readonly icon: string;
  readonly tooltip?: string;
}

/** The first view of the Airlock container: whether Airlock guards this window, and what it guards. */
export class StatusViewProvider implements vscode.TreeDataProvider<StatusItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private config: AirlockConfig,
    private readonly sandboxes?: SandboxSessions,
  ) {}

  update(config: AirlockConfig): void {
    this.config = config;
    this.changed.fire();
  }

  getTreeItem(item: StatusItem): vscode.TreeItem {
    const t = new vscode.TreeItem(item.label, vscode.TreeItemCollapsibleState.None);
    t.description = item.description;
    t.tooltip = item.tooltip;
    t.iconPath = new vscode.ThemeIcon(item.icon);
    return t;
  }

  getChildren(): StatusItem[] {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const items: StatusItem[] = [
      this.config.enabled
        ? { label: vscode.l10n.t('Guarding agents'), icon: 'shield', tooltip: vscode.l10n.t('Airlock checks agent actions against the policy.') }
        : { label: vscode.l10n.t('Guard is off'), icon: 'circle-slash', tooltip: vscode.l10n.t('Set airlock.enabled to turn it on.') },
    ];
    for (const f of folders) {
      items.push({ label: f.name, description: f.uri.fsPath, icon: 'folder' });
    }
    if (folders.length === 0) {
      items.push({ label: vscode.l10n.t('No folder open'), icon: 'info' });
    }
    items.push(...sandboxStatusItems(this.sandboxes?.current ?? []));
    return items;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
