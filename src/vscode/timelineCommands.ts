import * as vscode from 'vscode';
import { auditToCsv, readAudit } from '../audit/log';
import { Commands } from './ids';
import type { SnapshotCommands } from './snapshotCommands';
import type { TimelineFilter, TimelineProvider } from './timeline';
import { agentLabel } from './timeline';

/** Registers the Timeline's commands: roll back, undo, show changes, restore a file, filter, export. */
export function registerTimelineCommands(timeline: TimelineProvider, snapshots: SnapshotCommands, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const guarded =
    <A extends unknown[]>(name: string, fn: (...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      try {
        return await fn(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error(`[${name}] ${message}`);
        const show = vscode.l10n.t('Show Log');
        void vscode.window.showErrorMessage(vscode.l10n.t('Airlock: {0}', message), show).then((p) => p === show && log.show(true));
        return undefined;
      }
    };

  return [
    vscode.window.registerTreeDataProvider('airlock.timeline', timeline),
    vscode.commands.registerCommand(Commands.rollback, guarded('rollback', (node?: unknown, opts?: { confirm?: boolean; files?: string[] }) => snapshots.rollback(node, opts))),
    vscode.commands.registerCommand(Commands.undoRollback, guarded('undo', (node?: unknown, opts?: { confirm?: boolean }) => snapshots.undo(node, opts))),
    vscode.commands.registerCommand(Commands.showChanges, guarded('showChanges', (node?: unknown) => snapshots.showChanges(node))),
    vscode.commands.registerCommand(Commands.restoreFile, guarded('restoreFile', (node?: unknown, file?: string) => snapshots.restoreFile(node, file))),
    vscode.commands.registerCommand(Commands.refreshTimeline, () => timeline.refresh()),
    vscode.commands.registerCommand(Commands.clearTimelineFilter, () => timeline.setFilter({})),
    vscode.commands.registerCommand(
      Commands.filterTimeline,
      guarded('filter', async () => {
        const agents = new Set<string>();
        for (const f of vscode.workspace.workspaceFolders ?? []) {
          readAudit(f.uri.fsPath).entries.forEach((e) => agents.add(e.agent));
        }
        type Item = vscode.QuickPickItem & { filter: TimelineFilter };
        const items: Item[] = [
          { label: vscode.l10n.t('Everything'), filter: {} },
          ...(['deny', 'approved', 'ask', 'audited'] as const).map((v) => ({ label: `$(filter) ${v === 'deny' ? vscode.l10n.t('Denied') : v === 'approved' ? vscode.l10n.t('Approved by you') : v === 'ask' ? vscode.l10n.t('Asked') : vscode.l10n.t('Audited (would have been stopped)')}`, filter: { verdict: v } as TimelineFilter })),
          ...[...agents].map((a) => ({ label: `$(hubot) ${agentLabel(a)}`, filter: { agent: a } })),
        ];
        const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show in the Timeline') });
        if (pick) {
          timeline.setFilter(pick.filter);
        }
      }),
    ),
    vscode.commands.registerCommand(
      Commands.exportAudit,
      guarded('export', async (target?: vscode.Uri) => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        if (!folder) {
          return;
        }
        const uri =
          target ??
          (await vscode.window.showSaveDialog({
            title: vscode.l10n.t('Export the Airlock audit log'),
            defaultUri: vscode.Uri.joinPath(folder.uri, 'airlock-audit.csv'),
            filters: { CSV: ['csv'], 'JSON Lines': ['jsonl'] },
          }));
        if (!uri) {
          return;
        }
        const f = timeline.getFilter();
        const entries = readAudit(folder.uri.fsPath).entries.filter((e) => (!f.agent || e.agent === f.agent) && (!f.verdict || e.verdict === f.verdict || (f.verdict === 'approved' && e.decidedBy === 'human' && e.verdict === 'allow')));
        const text = uri.path.endsWith('.jsonl') ? entries.map((e) => JSON.stringify(e)).join('\n') + '\n' : auditToCsv(entries);
        await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
        void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} audit entries to {1}.', entries.length, vscode.workspace.asRelativePath(uri)));
        return entries.length;
      }),
    ),
    vscode.commands.registerCommand(
      Commands.takeSnapshot,
      guarded('snapshot', async () => {
        const results = await snapshots.takeNow();
        void vscode.window.showInformationMessage(vscode.l10n.t('Snapshot {0} taken.', results.map((r) => r.id).join(', ')));
        return results;
      }),
    ),
  ];
}
