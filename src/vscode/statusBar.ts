import * as vscode from 'vscode';
import type { ApprovalQueue } from '../gate/approvalQueue';
import type { GuardState } from './guardState';
import { problemLocation, problemText } from './guardState';
import { StatusBarItems, ViewCommands } from './ids';

/**
 * The shield in the status bar: off, guarding, guarding with the last valid policy (a policy file
 * has an error: a click opens it at the problem), or the number of requests waiting for an answer.
 */
export class AirlockStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly state: GuardState,
    private readonly queue: ApprovalQueue,
  ) {
    this.item = vscode.window.createStatusBarItem(StatusBarItems.shield, vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Agent Airlock');
    this.disposables.push(this.item, state.onDidChange(() => this.render()), { dispose: queue.onDidChange(() => this.render()).dispose });
    this.render();
    this.item.show();
  }

  private render(): void {
    const pending = this.queue.size;
    const problems = this.state.problems();
    this.item.command = ViewCommands.openContainer;
    this.item.backgroundColor = undefined;
    if (!this.state.enabled) {
      this.item.text = '$(circle-slash) Airlock';
      this.item.tooltip = vscode.l10n.t('Agent Airlock is off (airlock.enabled).');
      this.item.accessibilityInformation = { label: vscode.l10n.t('Airlock is off') };
      return;
    }
    if (pending) {
      this.item.text = `$(shield) Airlock ${pending}`;
      this.item.tooltip = vscode.l10n.t('{0} agent action(s) wait for your approval. Click to review.', pending);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.accessibilityInformation = { label: vscode.l10n.t('Airlock: {0} pending approvals', pending) };
      return;
    }
    if (problems.length) {
      const first = problems[0];
      const where = problemLocation(first);
      this.item.text = '$(shield) Airlock $(warning)';
      this.item.tooltip = vscode.l10n.t('The policy has an error, so the last valid policy is in force (the built-in defaults where there is none). {0} Click to open it.', problemText(first));
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.command = where ? { title: vscode.l10n.t('Open the policy problem'), command: 'vscode.open', arguments: [where.uri, { selection: where.range }] } : ViewCommands.openContainer;
      this.item.accessibilityInformation = { label: vscode.l10n.t('Airlock: the policy has an error; the last valid policy is in force') };
      return;
    }
    this.item.text = '$(shield) Airlock';
    this.item.tooltip = vscode.l10n.t('Agent Airlock is guarding agents. Click to open the Airlock view.');
    this.item.accessibilityInformation = { label: vscode.l10n.t('Airlock: guarding agents') };
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
