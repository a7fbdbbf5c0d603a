import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditFilter } from '../audit/filter';
import { matchesFilter } from '../audit/filter';
import type { AuditEntry } from '../audit/log';
import { auditToCsv, readAudit } from '../audit/log';
import { takeSnapshot } from '../snapshot/snapshot';
import type { CommandGroup } from './commandCenter';
import { AirlockError } from './commandCenter';
import type { SnapshotCommands } from './snapshotCommands';
import type { TimelineProvider } from './timeline';
import { agentLabel, filterLabel } from './timeline';

type TimelineCommandNames = 'rollback' | 'undoRollback' | 'showChanges' | 'restoreFile' | 'refreshTimeline' | 'filterTimeline' | 'clearTimelineFilter' | 'exportAudit' | 'takeSnapshot';

/** Every folder's audit entries the filter keeps, oldest first. */
export function filteredEntries(filter: AuditFilter): AuditEntry[] {
  return (vscode.workspace.workspaceFolders ?? []).flatMap((f) => readAudit(f.uri.fsPath).entries.filter((e) => matchesFilter(e, filter)));
}

/** Where Export Audit Log proposes to save: the home folder, never inside the repository. */
function defaultExportUri(): vscode.Uri {
  const name = vscode.workspace.workspaceFolders?.[0]?.name ?? 'workspace';
  const day = new Date().toISOString().slice(0, 10);
  return vscode.Uri.file(path.join(os.homedir(), `airlock-audit-${name.replace(/[^\w.-]+/g, '-')}-${day}.csv`));
}

/**
 * The Timeline's commands: roll back, undo, show changes, restore a file, filter, export, snapshot.
 * Anyone can call a command (another extension, an agent's tool that runs VS Code commands), and a
 * rollback or restore runs as Airlock's own write that the protected-file watcher does not question:
 * so what changes files always asks the developer, except a Timeline row's own Undo Rollback. Only
 * VS Code's test mode (`testMode`) lets a call skip that with `{ confirm: false }`.
 */
export function timelineCommands(timeline: TimelineProvider, snapshots: SnapshotCommands, testMode = false): CommandGroup<TimelineCommandNames> {
  const skip = (opts: unknown): boolean => testMode && typeof opts === 'object' && opts !== null && (opts as { confirm?: unknown }).confirm === false;
  const files = (opts: unknown): string[] | undefined => {
    const f = typeof opts === 'object' && opts !== null ? (opts as { files?: unknown }).files : undefined;
    return Array.isArray(f) && f.every((x) => typeof x === 'string') ? f : undefined;
  };
  return {
    component: 'Timeline',
    handlers: {
      rollback: (node?: unknown, opts?: unknown) => snapshots.rollback(node, { confirm: !skip(opts), files: files(opts) }),
      // A rollback row's own Undo (a click on it) goes ahead; from anywhere else it is confirmed.
      undoRollback: (node?: unknown, opts?: unknown) => snapshots.undo(node, { confirm: !(timeline.ownsNode(node) || skip(opts)) }),
      showChanges: (node?: unknown) => snapshots.showChanges(node),
      restoreFile: (node?: unknown, file?: unknown, opts?: unknown) => snapshots.restoreFile(node, typeof file === 'string' ? file : undefined, { confirm: !skip(opts) }),
      refreshTimeline: () => timeline.refresh(),
      clearTimelineFilter: () => timeline.setFilter({}),
      /** With a filter argument it is set directly; without, a quick pick offers outcomes and agents. */
      filterTimeline: async (given?: AuditFilter) => {
        if (given && typeof given === 'object') {
          timeline.setFilter(given);
          return given;
        }
        const agents = new Set<string>();
        for (const f of vscode.workspace.workspaceFolders ?? []) {
          readAudit(f.uri.fsPath).entries.forEach((e) => agents.add(e.agent));
        }
        type Item = vscode.QuickPickItem & { filter: AuditFilter };
        const items: Item[] = [
          { label: vscode.l10n.t('Everything'), filter: {} },
          ...(['denied', 'approved', 'asked', 'audited'] as const).map((o) => ({ label: `$(filter) ${filterLabel({ outcome: o })}`, filter: { outcome: o } })),
          ...[...agents].map((a) => ({ label: `$(hubot) ${agentLabel(a)}`, filter: { agent: a } })),
        ];
        const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show in the Timeline') });
        if (pick) {
          timeline.setFilter(pick.filter);
        }
        return pick?.filter;
      },
      /** Saves exactly the entries the Timeline's filter keeps (every folder), as CSV or JSON Lines. */
      /**
       * A target given by a caller is used in test mode only (anywhere else the developer picks where it
       * goes), and never inside a workspace folder: an export does not belong in the repository, and
       * it must not overwrite an agent's configuration there.
       */
      exportAudit: async (target?: unknown) => {
        if (target instanceof vscode.Uri && vscode.workspace.getWorkspaceFolder(target)) {
          throw new AirlockError(vscode.l10n.t('Airlock does not export the audit log into a workspace folder ({0}); pick a place outside it.', vscode.workspace.asRelativePath(target)), 'warning');
        }
        const uri =
          (testMode && target instanceof vscode.Uri ? target : undefined) ??
          (await vscode.window.showSaveDialog({
            title: vscode.l10n.t('Export the Airlock audit log'),
            defaultUri: defaultExportUri(),
            filters: { CSV: ['csv'], 'JSON Lines': ['jsonl'] },
          }));
        if (!uri) {
          return undefined;
        }
        const filter = timeline.getFilter();
        const entries = filteredEntries(filter);
        const text = uri.path.endsWith('.jsonl') ? entries.map((e) => `${JSON.stringify(e)}\n`).join('') : auditToCsv(entries);
        await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
        const shown = uri.scheme === 'file' ? uri.fsPath : uri.toString();
        const which = filterLabel(filter);
        void vscode.window.showInformationMessage(
          which
            ? vscode.l10n.t('Exported {0} audit entries ({1}) to {2}.', entries.length, which, shown)
            : vscode.l10n.t('Exported {0} audit entries to {1}.', entries.length, shown),
        );
        return entries.length;
      },
      takeSnapshot: async () => {
        const results = [];
        for (const f of vscode.workspace.workspaceFolders ?? []) {
          results.push(await takeSnapshot(f.uri.fsPath, { label: 'taken by hand', agent: 'developer' }));
        }
        timeline.refresh();
        void vscode.window.showInformationMessage(vscode.l10n.t('Snapshot {0} taken.', results.map((r) => r.id).join(', ')));
        return results;
      },
    },
  };
}
