import * as vscode from 'vscode';
import { onConfigChange, readConfig } from './vscode/config';
import { Commands, Views } from './vscode/ids';
import { PolicyService } from './vscode/policyService';
import { AirlockStatusBar } from './vscode/statusBar';
import { StatusViewProvider } from './vscode/statusView';

/** What the extension exports to other extensions and to its own integration tests. */
export interface AirlockApi {
  readonly log: vscode.LogOutputChannel;
  /** The policy of each workspace folder: `policy.evaluate(folder, action, analysis?)`. */
  readonly policy: PolicyService;
}

/** Composition root: build the services in dependency order and register each as it is made. */
export function activate(context: vscode.ExtensionContext): AirlockApi {
  const log = vscode.window.createOutputChannel('Airlock', { log: true });
  context.subscriptions.push(log);
  let config = readConfig();
  log.info(`Agent Airlock ${context.extension.packageJSON.version} activating in VS Code ${vscode.version}`);

  const policy = new PolicyService(log);
  context.subscriptions.push(policy);

  const statusView = new StatusViewProvider(config);
  context.subscriptions.push(statusView, vscode.window.registerTreeDataProvider(Views.status, statusView));

  const statusBar = new AirlockStatusBar(config);
  context.subscriptions.push(statusBar);

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showLog, () => log.show(true)),
    onConfigChange((next) => {
      config = next;
      log.info(`configuration changed: enabled=${config.enabled}`);
      statusView.update(config);
      statusBar.update(config);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => statusView.update(config)),
  );
  return { log, policy };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
