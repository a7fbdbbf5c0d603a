import * as vscode from 'vscode';
import type { CopilotSettingsSync } from './copilotSync';
import { Commands } from './ids';
import type { ProtectedPathWatcher } from './protectedWatcher';
import type { TerminalGuard } from './terminalGuard';

/** The commands of the guards beyond hooks; each reports its own errors. */
export function registerGuardCommands(copilot: CopilotSettingsSync, watcher: ProtectedPathWatcher, terminal: TerminalGuard, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R> | R) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await fn(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error(`[${name}] ${message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('Airlock: {0}', message));
        return undefined;
      }
    };
  return [
    vscode.commands.registerCommand(Commands.syncCopilotSettings, wrap('copilot', () => copilot.syncCommand())),
    vscode.commands.registerCommand(Commands.revertProtectedChange, wrap('watch', (id: string) => watcher.revert(id))),
    vscode.commands.registerCommand(Commands.keepProtectedChange, wrap('watch', (id: string) => watcher.keep(id))),
    vscode.commands.registerCommand(Commands.rollbackTerminalCommand, wrap('terminal', (id: string) => terminal.rollback(id))),
  ];
}
