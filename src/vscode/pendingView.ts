import * as vscode from 'vscode';
import type { ApprovalQueue, PendingRequest } from '../gate/approvalQueue';
import { countdown, requestTitle, requestWhy } from './approvalText';
import { Commands, ViewItems, Views } from './ids';

/** The Pending Approvals view: every request waiting for the human, oldest first. */
export class PendingViewProvider implements vscode.TreeDataProvider<PendingRequest>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly queue: ApprovalQueue) {
    const sub = queue.onDidChange(() => this.changed.fire());
    this.disposables.push({ dispose: () => sub.dispose() }, vscode.window.registerTreeDataProvider(Views.pending, this));
  }

  getChildren(): PendingRequest[] {
    return this.queue.list();
  }

  getTreeItem(req: PendingRequest): vscode.TreeItem {
    const item = new vscode.TreeItem(requestTitle(req), vscode.TreeItemCollapsibleState.None);
    item.id = req.id;
    item.description = requestWhy(req);
    item.tooltip = new vscode.MarkdownString(
      `**${requestTitle(req)}**\n\n${requestWhy(req)}\n\n${vscode.l10n.t('Denied automatically in {0} if nobody answers.', countdown(req.deadline - Date.now()))}`,
    );
    item.iconPath = new vscode.ThemeIcon(req.action.kind === 'command' ? 'terminal' : 'diff', new vscode.ThemeColor('list.warningForeground'));
    item.contextValue = req.action.session ? ViewItems.pendingWithSession : ViewItems.pending;
    item.command = { command: Commands.reviewRequest, title: vscode.l10n.t('Review'), arguments: [req.id] };
    return item;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
