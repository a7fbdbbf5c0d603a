import * as vscode from 'vscode';
import type { ApprovalQueue } from '../gate/approvalQueue';
import type { AirlockConfig, ConfigWatcher } from './config';
import { StatusBarItems, ViewCommands } from './ids';

/** The shield in the status bar with the number of pending approvals; a click opens the Airlock view. */
export class AirlockStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private pending = 0;
  private config: AirlockConfig;

  constructor(config: ConfigWatcher, queue: ApprovalQueue) {
    this.config = config.current;
    this.item = vscode.window.createStatusBarItem(StatusBarItems.shield, vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Agent Airlock');
    this.item.command = ViewCommands.openContainer;
    this.disposables.push(
      this.item,
      config.onDidChange((e) => this.update(e.config)),
      queue.onDidChange(() => this.setPending(queue.size)),
    );
    this.render();
    this.item.show();
  }

  update(config: AirlockConfig): void {
    this.config = config;
    this.render();
  }

  setPending(count: number): void {
    this.pending = count;
    this.render();
  }

  private render(): void {
    if (!this.config.enabled) {
      this.item.text = '$(circle-slash) Airlock';
      this.item.tooltip = vscode.l10n.t('Agent Airlock is off (airlock.enabled).');
      this.item.backgroundColor = undefined;
      return;
    }
    this.item.text = this.pending ? `$(shield) Airlock ${this.pending}` : '$(shield) Airlock';
    this.item.tooltip = this.pending
      ? vscode.l10n.t('{0} agent action(s) wait for your approval. Click to review.', this.pending)
      : vscode.l10n.t('Agent Airlock is guarding agents. Click to open the Airlock view.');
    this.item.backgroundColor = this.pending ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: this.pending ? vscode.l10n.t('Airlock: {0} pending approvals', this.pending) : vscode.l10n.t('Airlock: guarding agents') };
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
