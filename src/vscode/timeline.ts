import * as path from 'node:path';
import * as vscode from 'vscode';
import { agentDisplayName } from '../agents/adapters';
import type { AuditEntry } from '../audit/log';
import { readAudit } from '../audit/log';
import type { Verdict } from '../core/types';

/** A node of the Timeline: a session of one agent, or one action in it. */
export type TimelineNode =
  | { readonly type: 'session'; readonly key: string; readonly folder: string; readonly agent: string; readonly session: string; readonly entries: readonly AuditEntry[] }
  | { readonly type: 'action'; readonly folder: string; readonly entry: AuditEntry }
  | {
      readonly type: 'rollback';
      readonly folder: string;
      readonly targetId: string;
      /** What the snapshot was taken before, e.g. `src/cart.js` or a command. */
      readonly targetLabel?: string;
      readonly safetyId: string;
      readonly files: number;
      readonly time: string;
      /** Set when this entry undid an earlier rollback. */
      readonly undid?: string;
    };

export interface TimelineFilter {
  readonly agent?: string;
  readonly verdict?: Verdict | 'approved' | 'audited';
}

/** Sources of actions that are not agents; agents are named by the agent registry. */
const OTHER_SOURCES: Record<string, string> = {
  cli: 'Command line',
  'airlock-demo': 'The Airlock demo',
};

export function agentLabel(agent: string): string {
  return OTHER_SOURCES[agent] ?? agentDisplayName(agent);
}

/** How an entry was decided, in one word the UI shows. */
export function outcome(e: AuditEntry): 'allowed' | 'approved' | 'denied' | 'audited' | 'timed out' {
  if (e.mode === 'audit' && e.wouldBe !== 'allow') {
    return 'audited';
  }
  if (e.verdict === 'deny') {
    return e.decidedBy === 'timeout' ? 'timed out' : 'denied';
  }
  return e.decidedBy === 'human' || e.decidedBy === 'session-rule' ? 'approved' : 'allowed';
}

function matches(e: AuditEntry, f: TimelineFilter): boolean {
  if (f.agent && e.agent !== f.agent) {
    return false;
  }
  if (!f.verdict) {
    return true;
  }
  const o = outcome(e);
  return f.verdict === 'approved' || f.verdict === 'audited' ? o === f.verdict : e.verdict === f.verdict;
}

/** Agent sessions (newest first) and their actions (newest first), from the audit log. */
export function buildSessions(folder: string, entries: readonly AuditEntry[], filter: TimelineFilter = {}): TimelineNode[] {
  const sessions = new Map<string, AuditEntry[]>();
  for (const e of entries) {
    if (!matches(e, filter) || e.kind === 'rollback' || e.kind === 'revert' || e.kind === 'keep') {
      continue;
    }
    const key = `${e.agent}\u0000${e.session ?? ''}`;
    (sessions.get(key) ?? sessions.set(key, []).get(key)!).push(e);
  }
  return [...sessions.entries()]
    .map(([key, list]) => ({ type: 'session' as const, key, folder, agent: list[0].agent, session: list[0].session ?? '', entries: [...list].reverse() }))
    .sort((a, b) => b.entries[0].time.localeCompare(a.entries[0].time));
}

/**
 * The Timeline view: each agent session with its actions (allowed, approved, denied, audited) and
 * the snapshot taken before each; actions offer roll back, show changes and restore a file.
 */
export class TimelineProvider implements vscode.TreeDataProvider<TimelineNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private filter: TimelineFilter = {};
  private readonly rollbacks: TimelineNode[] = [];

  refresh(): void {
    this.changed.fire();
  }

  setFilter(filter: TimelineFilter): void {
    this.filter = filter;
    void vscode.commands.executeCommand('setContext', 'airlock.timelineFiltered', Boolean(filter.agent || filter.verdict));
    this.refresh();
  }

  getFilter(): TimelineFilter {
    return this.filter;
  }

  /** Records a rollback so the view can offer "Undo rollback" at its top. */
  addRollback(folder: string, targetId: string, safetyId: string, files: number, what?: string | Extract<TimelineNode, { type: 'rollback' }>): void {
    const time = new Date().toISOString();
    if (what && typeof what !== 'string') {
      // Undoing a rollback: the undone entry goes, the undo itself can be undone in turn.
      const i = this.rollbacks.indexOf(what);
      if (i >= 0) {
        this.rollbacks.splice(i, 1);
      }
      this.rollbacks.unshift({ type: 'rollback', folder, targetId, targetLabel: what.targetLabel ?? what.targetId, safetyId, files, time, undid: what.targetId });
    } else {
      this.rollbacks.unshift({ type: 'rollback', folder, targetId, targetLabel: what, safetyId, files, time });
    }
    this.refresh();
  }

  get lastRollback(): Extract<TimelineNode, { type: 'rollback' }> | undefined {
    return this.rollbacks[0] as Extract<TimelineNode, { type: 'rollback' }> | undefined;
  }

  getChildren(node?: TimelineNode): TimelineNode[] {
    if (!node) {
      const out: TimelineNode[] = [...this.rollbacks.slice(0, 3)];
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        out.push(...buildSessions(f.uri.fsPath, readAudit(f.uri.fsPath).entries, this.filter));
      }
      return out;
    }
    if (node.type === 'session') {
      return node.entries.map((entry) => ({ type: 'action', folder: node.folder, entry }));
    }
    return [];
  }

  getTreeItem(node: TimelineNode): vscode.TreeItem {
    if (node.type === 'rollback') {
      const label = node.undid
        ? vscode.l10n.t('Undid the rollback to before {0}', node.targetLabel ?? node.undid)
        : vscode.l10n.t('Rolled back to before {0}', node.targetLabel ?? node.targetId);
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.description = vscode.l10n.t('{0} files · {1} · {2}', node.files, new Date(node.time).toLocaleTimeString(), node.targetId);
      item.iconPath = new vscode.ThemeIcon('history');
      item.contextValue = 'airlock.rollback';
      item.tooltip = vscode.l10n.t('Undo rollback restores the files as they were just before it (snapshot {0}).', node.safetyId);
      return item;
    }
    if (node.type === 'session') {
      const item = new vscode.TreeItem(agentLabel(node.agent), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `session:${node.folder}:${node.key}`;
      const denied = node.entries.filter((e) => e.verdict === 'deny').length;
      item.description = [
        node.session ? `${vscode.l10n.t('session')} ${node.session.slice(0, 8)}` : undefined,
        vscode.l10n.t('{0} actions', node.entries.length),
        denied ? vscode.l10n.t('{0} denied', denied) : undefined,
        new Date(node.entries[0].time).toLocaleTimeString(),
      ]
        .filter(Boolean)
        .join(' · ');
      item.iconPath = new vscode.ThemeIcon('hubot');
      item.contextValue = 'airlock.session';
      return item;
    }
    const e = node.entry;
    const o = outcome(e);
    // A sandboxed session's start, end or refused connection says what happened in its reason.
    const what = e.kind === 'sandbox' ? e.reasons[0] ?? '' : e.kind === 'command' ? e.command ?? '' : (e.paths ?? []).map((p) => path.relative(node.folder, p) || p).join(', ');
    const item = new vscode.TreeItem(`${what.replace(/\s+/g, ' ').slice(0, 90)}`, vscode.TreeItemCollapsibleState.None);
    item.id = `action:${node.folder}:${e.time}:${e.kind}:${what}`;
    const shown = e.decidedBy === 'sandbox' && e.verdict === 'deny' ? vscode.l10n.t('blocked by the sandbox') : o;
    item.description = `${shown} · ${new Date(e.time).toLocaleTimeString()}${e.snapshotId ? ` · ${e.snapshotId}` : ''}`;
    const icon: Record<typeof o, [string, string]> = {
      allowed: ['pass', 'testing.iconPassed'],
      approved: ['verified', 'testing.iconPassed'],
      denied: ['error', 'testing.iconFailed'],
      'timed out': ['watch', 'testing.iconFailed'],
      audited: ['eye', 'list.warningForeground'],
    };
    item.iconPath = new vscode.ThemeIcon(icon[o][0], new vscode.ThemeColor(icon[o][1]));
    item.tooltip = new vscode.MarkdownString(
      [`**${agentLabel(e.agent)}${e.tool ? ` (${e.tool})` : ''}**: ${e.kind} — ${o}`, '', '```', what, '```', '', ...e.reasons.map((r) => `- ${r}`), e.message ? `\n> ${e.message}` : '', e.snapshotId ? `\nSnapshot before it: \`${e.snapshotId}\`` : ''].join('\n'),
    );
    item.contextValue = e.snapshotId ? 'airlock.action.snapshot' : 'airlock.action';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
