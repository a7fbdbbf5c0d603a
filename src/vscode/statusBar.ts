import * as vscode from 'vscode';
import type { AirlockConfig } from './config';
import { Views } from './ids';

/** The shield in the status bar; a click opens the Airlock view. */
export class AirlockStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(config: AirlockConfig) {
    this.item = vscode.window.createStatusBarItem('airlock.status', vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Agent Airlock');
    this.item.command = `workbench.view.extension.${Views.container}`;
    this.update(config);
    this.item.show();
  }

  update(config: AirlockConfig): void {
    this.item.text = config.enabled ? '$(shield) Airlock' : '$(circle-slash) Airlock';
    this.item.tooltip = config.enabled
      ? vscode.l10n.t('Agent Airlock is guarding agents. Click to open the Airlock view.')
      : vscode.l10n.t('Agent Airlock is off (airlock.enabled).');
  }

  dispose(): void {
    this.item.dispose();
  }
}
