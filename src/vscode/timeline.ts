import * as path from 'node:path';
import * as vscode from 'vscode';
import { agentDisplayName } from '../agents/adapters';
import type { AuditFilter, OutcomeFilter } from '../audit/filter';
import { isDeveloperAction, isFiltered, matchesFilter, outcome } from '../audit/filter';
import type { AuditEntry } from '../audit/log';
import { readAudit } from '../audit/log';
import type { GateService } from './gateService';
import { ContextKeys, ViewItems, Views } from './ids';

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
      /** Set when this rollback was undone (its row stays, without Undo). */
      readonly undone?: boolean;
    };

type RollbackNode = Extract<TimelineNode, { type: 'rollback' }>;

export type TimelineFilter = AuditFilter;

/** Sources of actions that are not agents; agents are named by the agent registry. */
const OTHER_SOURCES: Record<string, string> = {
  cli: 'Command line',
  'airlock-demo': 'The Airlock demo',
};

export function agentLabel(agent: string): string {
  return OTHER_SOURCES[agent] ?? agentDisplayName(agent);
}

/** Agent sessions (newest first) and their actions (newest first), from the audit log. */
export function buildSessions(folder: string, entries: readonly AuditEntry[], filter: TimelineFilter = {}): TimelineNode[] {
  const sessions = new Map<string, AuditEntry[]>();
  for (const e of entries) {
    if (isDeveloperAction(e) || !matchesFilter(e, filter)) {
      continue;
    }
    const key = `${e.agent}\u0000${e.session ?? ''}`;
    (sessions.get(key) ?? sessions.set(key, []).get(key)!).push(e);
  }
  return [...sessions.entries()]
    .map(([key, list]) => ({ type: 'session' as const, key, folder, agent: list[0].agent, session: list[0].session ?? '', entries: [...list].reverse() }))
    .sort((a, b) => b.entries[0].time.localeCompare(a.entries[0].time));
}

/** The words of each outcome filter, as the quick pick and the view's description show them. */
export function filterLabel(f: AuditFilter): string {
  const outcomes: Record<OutcomeFilter, string> = {
    denied: vscode.l10n.t('Denied'),
    approved: vscode.l10n.t('Approved by you'),
    asked: vscode.l10n.t('Asked'),
    audited: vscode.l10n.t('Audited (would have been stopped)'),
  };
  return [f.outcome ? outcomes[f.outcome] : undefined, f.agent ? agentLabel(f.agent) : undefined].filter(Boolean).join(' · ');
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
  private readonly handedOut = new WeakSet<object>();
  private readonly view: vscode.TreeView<TimelineNode>;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(gate: GateService) {
    this.view = vscode.window.createTreeView(Views.timeline, { treeDataProvider: this });
    this.disposables.push(this.view, gate.onDidDecide(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire();
  }

  setFilter(filter: TimelineFilter): void {
    this.filter = filter;
    this.view.description = isFiltered(filter) ? vscode.l10n.t('Showing: {0}', filterLabel(filter)) : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.timelineFiltered, isFiltered(filter));
    this.refresh();
  }

  getFilter(): TimelineFilter {
    return this.filter;
  }

  /** What the view's title shows beside its name (the active filter). */
  get description(): string | undefined {
    return this.view.description;
  }

  /** Records a rollback so the view can offer "Undo rollback" at its top. */
  addRollback(folder: string, targetId: string, safetyId: string, files: number, what?: string | RollbackNode): void {
    const time = new Date().toISOString();
    if (what && typeof what !== 'string') {
      // Undoing a rollback: its row stays, marked undone; the undo itself can be undone in turn.
      const i = this.rollbacks.indexOf(what);
      if (i >= 0) {
        this.rollbacks[i] = { ...what, undone: true };
      }
      this.rollbacks.unshift({ type: 'rollback', folder, targetId, targetLabel: what.targetLabel ?? what.targetId, safetyId, files, time, undid: what.targetId });
    } else {
      this.rollbacks.unshift({ type: 'rollback', folder, targetId, targetLabel: what, safetyId, files, time });
    }
    this.refresh();
  }

  /** The newest rollback that was not undone. */
  get lastRollback(): RollbackNode | undefined {
    return this.rollbacks.find((r): r is RollbackNode => r.type === 'rollback' && !r.undone);
  }

  /**
   * Whether `node` is one of the rows this view handed to VS Code (what VS Code passes to a row's
   * actions), not an object made by whoever called a command.
   */
  ownsNode(node: unknown): boolean {
    return typeof node === 'object' && node !== null && this.handedOut.has(node);
  }

  getChildren(node?: TimelineNode): TimelineNode[] {
    const rows = this.children(node);
    rows.forEach((r) => this.handedOut.add(r));
    return rows;
  }

  private children(node?: TimelineNode): TimelineNode[] {
    if (!node) {
      // The developer's rollbacks head the list, unless a filter picks agent actions.
      const out: TimelineNode[] = isFiltered(this.filter) ? [] : [...this.rollbacks.slice(0, 4)];
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
      const files = node.files === 1 ? vscode.l10n.t('1 file') : vscode.l10n.t('{0} files', node.files);
      item.description = [files, new Date(node.time).toLocaleTimeString(), node.undone ? vscode.l10n.t('undone') : undefined].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(node.undone ? 'circle-slash' : 'history');
      item.contextValue = node.undone ? ViewItems.rollbackUndone : ViewItems.rollback;
      item.tooltip = node.undone
        ? vscode.l10n.t('This rollback was undone.')
        : vscode.l10n.t('Undo Rollback restores the files as they were just before it (snapshot {0}).', node.safetyId);
      return item;
    }
    if (node.type === 'session') {
      const item = new vscode.TreeItem(agentLabel(node.agent), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `session:${node.folder}:${node.key}`;
      const denied = node.entries.filter((e) => e.verdict === 'deny').length;
      const n = node.entries.length;
      const started = new Date(node.entries[n - 1].time).toLocaleTimeString();
      item.description = [n === 1 ? vscode.l10n.t('1 action') : vscode.l10n.t('{0} actions', n), denied ? vscode.l10n.t('{0} denied', denied) : undefined, vscode.l10n.t('since {0}', started)]
        .filter(Boolean)
        .join(' · ');
      item.tooltip = node.session ? vscode.l10n.t('{0} session {1}, started {2}', agentLabel(node.agent), node.session, new Date(node.entries[n - 1].time).toLocaleString()) : agentLabel(node.agent);
      item.iconPath = new vscode.ThemeIcon('hubot');
      item.contextValue = ViewItems.session;
      return item;
    }
    const e = node.entry;
    const o = outcome(e);
    // A sandboxed session's start, end or refused connection says what happened in its reason.
    const what = e.kind === 'sandbox' ? e.reasons[0] ?? '' : e.kind === 'command' ? e.command ?? '' : (e.paths ?? []).map((p) => path.relative(node.folder, p) || p).join(', ');
    // An edit or a command is named by its file or line; a read, create, delete or rename says so.
    const verbs: Partial<Record<AuditEntry['kind'], string>> = { read: vscode.l10n.t('read'), create: vscode.l10n.t('create'), delete: vscode.l10n.t('delete'), rename: vscode.l10n.t('rename') };
    const verb = verbs[e.kind];
    const item = new vscode.TreeItem(`${verb ? `${verb} ` : ''}${what.replace(/\s+/g, ' ').slice(0, 90)}`, vscode.TreeItemCollapsibleState.None);
    item.id = `action:${node.folder}:${e.time}:${e.kind}:${what}`;
    const shown = e.decidedBy === 'sandbox' && e.verdict === 'deny' ? vscode.l10n.t('blocked by the sandbox') : o;
    item.description = `${shown} · ${new Date(e.time).toLocaleTimeString()}${e.snapshotId ? ` · ${e.snapshotId}` : ''}`;
    const icon: Record<typeof o, [string, string]> = {
      allowed: ['pass', 'testing.iconPassed'],
      approved: ['verified', 'testing.iconPassed'],
      denied: ['error', 'testing.iconFailed'],
      'timed out': ['watch', 'testing.iconFailed'],
      asked: ['question', 'list.warningForeground'],
      audited: ['eye', 'list.warningForeground'],
      'rolled back': ['history', 'foreground'],
      reverted: ['discard', 'foreground'],
      kept: ['check', 'foreground'],
    };
    item.iconPath = new vscode.ThemeIcon(icon[o][0], new vscode.ThemeColor(icon[o][1]));
    // Each reason once; the developer's own words only when no reason quotes them already.
    const reasons = [...new Set(e.reasons)];
    const message = e.message && !reasons.some((r) => r.includes(e.message!)) ? e.message : undefined;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${agentLabel(e.agent)}${e.tool ? ` (${e.tool})` : ''}**: ${e.kind} — ${o}`,
        '',
        '```',
        what,
        '```',
        '',
        ...reasons.map((r) => `- ${r}`),
        message ? `\n> ${message}` : '',
        e.snapshotId ? `\n${vscode.l10n.t('Snapshot before it: {0}', `\`${e.snapshotId}\``)}` : '',
      ].join('\n'),
    );
    item.contextValue = e.snapshotId ? ViewItems.actionWithSnapshot : ViewItems.action;
    return item;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
