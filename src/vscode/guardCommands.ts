import type { CommandGroup } from './commandCenter';
import type { CopilotSettingsSync } from './copilotSync';
import type { ProtectedPathWatcher } from './protectedWatcher';
import type { TerminalGuard } from './terminalGuard';

/** The commands of the guards beyond hooks: Copilot's settings, protected files, terminals. */
export function guardCommands(
  copilot: CopilotSettingsSync,
  watcher: ProtectedPathWatcher,
  terminal: TerminalGuard,
): CommandGroup<'syncCopilotSettings' | 'revertProtectedChange' | 'keepProtectedChange' | 'rollbackTerminalCommand'> {
  return {
    component: 'Guards',
    handlers: {
      syncCopilotSettings: () => copilot.syncCommand(),
      revertProtectedChange: (id: string) => watcher.revert(id),
      keepProtectedChange: (id: string) => watcher.keep(id),
      rollbackTerminalCommand: (id: string) => terminal.rollback(id),
    },
  };
}
