import * as path from 'node:path';
import * as vscode from 'vscode';
import { agentLabel } from './timeline';
import type { ProposedAction } from '../core/types';
import type { ApprovalQueue, HumanAnswer, PendingRequest } from '../gate/approvalQueue';
import { Commands, ContextKeys, PROPOSED_SCHEME } from './ids';

/** Plain words for the human: who asks, for what, and why the policy wants a human. */
export function requestTitle(req: PendingRequest): string {
  return actionTitle(req.action);
}

/** "Claude Code wants to change .env", "Copilot wants to run: rm -rf build". */
export function actionTitle(a: ProposedAction): string {
  const who = agentName(a.agent);
  if (a.kind === 'command') {
    return vscode.l10n.t('{0} wants to run: {1}', who, oneLine(a.command ?? '', 80));
  }
  const what = a.paths.map((p) => vscode.workspace.asRelativePath(p, false)).join(', ');
  switch (a.kind) {
    case 'create':
      return vscode.l10n.t('{0} wants to create {1}', who, what);
    case 'delete':
      return vscode.l10n.t('{0} wants to delete {1}', who, what);
    case 'rename':
      return vscode.l10n.t('{0} wants to rename {1}', who, what);
    case 'read':
      return vscode.l10n.t('{0} wants to read {1}', who, what);
    default:
      return vscode.l10n.t('{0} wants to change {1}', who, what);
  }
}

export function requestWhy(req: PendingRequest): string {
  return req.decision.reasons.join(' ') || vscode.l10n.t('The policy asks for approval.');
}

/** The rule(s) that want a human, e.g. `paths[".env*"].write (built-in)`. */
export function requestRules(req: PendingRequest): string {
  const asking = req.decision.rules.filter((r) => r.verdict === req.decision.verdict);
  return (asking.length ? asking : req.decision.rules)
    .map((r) => `${r.rule} (${r.source === 'built-in' ? vscode.l10n.t('built-in') : r.source === 'settings' ? vscode.l10n.t('settings') : `${path.basename(r.source)}${r.line ? `:${r.line}` : ''}`})`)
    .join(', ');
}

/** The diff editor's title: who asks for what, under which rule, and why. */
export function diffTitle(req: PendingRequest): string {
  const rules = requestRules(req);
  return oneLine(vscode.l10n.t('Airlock: {0} — {1}{2}', requestTitle(req), requestWhy(req), rules ? ` [${rules}]` : ''), 200);
}

/**
 * Whether a command is risky enough that Enter must not allow it: anything destructive or
 * catastrophic, and anything Airlock could not analyse (an unknown program may do anything).
 */
export function isRiskyCommand(req: PendingRequest): boolean {
  const subs = req.decision.analysis?.subcommands ?? [];
  return subs.length === 0 || subs.some((s) => s.knowledge === 'unknown' || s.findings.some((f) => f.severity !== 'caution'));
}

/** The agent's name as people know it (one table, shared with the Timeline). */
function agentName(agent: string): string {
  return agentLabel(agent);
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The text of the current and proposed sides of an edit's diff. */
class ProposedContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly queue: ApprovalQueue) {}
  provideTextDocumentContent(uri: vscode.Uri): string {
    const [id, side] = [uri.path.split('/')[1], new URLSearchParams(uri.query).get('side')];
    const req = this.queue.get(id);
    if (!req) {
      return vscode.l10n.t('(this request is no longer pending)');
    }
    return side === 'current' ? req.current ?? '' : req.action.content ?? '';
  }
}

function diffUris(req: PendingRequest): { left: vscode.Uri; right: vscode.Uri } {
  const name = path.basename(req.action.paths[0] ?? 'file');
  const base = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/${req.id}/${name}` });
  return { left: base.with({ query: 'side=current' }), right: base.with({ query: 'side=proposed' }) };
}

function requestIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (arg instanceof vscode.Uri && arg.scheme === PROPOSED_SCHEME) {
    return arg.path.split('/')[1];
  }
  if (arg && typeof arg === 'object' && 'id' in arg && typeof (arg as { id: unknown }).id === 'string') {
    return (arg as { id: string }).id;
  }
  return undefined;
}

/**
 * Shows pending approvals: a diff editor for edits (Approve / Deny in its title bar), a modal dialog
 * for commands, a Pending view, and the shield's count. Closing a diff is not an approval: the
 * request stays pending until answered or timed out.
 */
export class ApprovalUi implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly shown = new Set<string>();
  private dialogBusy = false;
  readonly pendingView: PendingViewProvider;

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.pendingView = new PendingViewProvider(queue);
    this.disposables.push(
      this.pendingView,
      vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, new ProposedContentProvider(queue)),
      vscode.window.registerTreeDataProvider('airlock.pending', this.pendingView),
      vscode.commands.registerCommand(Commands.approve, (arg?: unknown) => this.answer(arg, { kind: 'approve' })),
      vscode.commands.registerCommand(Commands.allowForSession, (arg?: unknown) => this.answer(arg, { kind: 'approve-session' })),
      vscode.commands.registerCommand(Commands.deny, (arg?: unknown, reason?: unknown) => this.answer(arg, { kind: 'deny', message: typeof reason === 'string' ? reason : undefined })),
      vscode.commands.registerCommand(Commands.denyWithReason, async (arg?: unknown) => {
        const id = this.resolveId(arg);
        if (!id) {
          return false;
        }
        const message = await vscode.window.showInputBox({
          title: vscode.l10n.t('Deny: tell the agent why (optional)'),
          prompt: requestTitle(this.queue.get(id)!),
          placeHolder: vscode.l10n.t('e.g. use npm run clean instead'),
        });
        if (message === undefined) {
          return false;
        }
        return this.answer(id, { kind: 'deny', message: message || undefined });
      }),
      vscode.commands.registerCommand(Commands.reviewRequest, (arg?: unknown) => {
        const id = this.resolveId(arg);
        const req = id ? this.queue.get(id) : undefined;
        if (req) {
          void this.present(req, true);
        }
      }),
      this.queue.onDidChange(() => this.onQueueChange()),
    );
    void vscode.commands.executeCommand('setContext', ContextKeys.pendingCount, 0);
  }

  private onQueueChange(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.pendingCount, this.queue.size);
    for (const req of this.queue.list()) {
      if (!this.shown.has(req.id)) {
        this.shown.add(req.id);
        void this.present(req, false);
      }
    }
    const live = new Set(this.queue.list().map((r) => r.id));
    for (const id of [...this.shown]) {
      if (!live.has(id)) {
        this.shown.delete(id);
        void this.closeDiff(id);
      }
    }
  }

  private resolveId(arg: unknown): string | undefined {
    // Never guess between several requests: an answer must be for the one the developer looked at
    // (the id given, the approval diff in front of them, or the only one waiting).
    const only = this.queue.size === 1 ? this.queue.list()[0].id : undefined;
    const id = requestIdOf(arg) ?? requestIdOf(vscode.window.activeTextEditor?.document.uri) ?? only;
    if (!id && this.queue.size > 1) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Several requests are waiting: answer one from the Pending Approvals view or its diff.'));
      void vscode.commands.executeCommand('airlock.pending.focus');
    }
    return id && this.queue.get(id) ? id : undefined;
  }

  private answer(arg: unknown, answer: Omit<HumanAnswer, 'by'>): boolean {
    const id = this.resolveId(arg);
    if (!id) {
      if (this.queue.size === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Nothing is waiting for approval.'));
      }
      return false;
    }
    const req = this.queue.get(id)!;
    this.log.info(`[approvals] ${answer.kind} by the developer: ${requestTitle(req)}${answer.message ? ` (${answer.message})` : ''}`);
    return this.queue.answer(id, answer);
  }

  private async present(req: PendingRequest, explicit: boolean): Promise<void> {
    this.log.info(`[approvals] waiting for the developer: ${requestTitle(req)} — ${requestWhy(req)}`);
    const a = req.action;
    if ((a.kind === 'edit' || a.kind === 'create' || a.kind === 'delete') && (a.content !== undefined || req.current !== undefined)) {
      const { left, right } = diffUris(req);
      await vscode.commands.executeCommand('vscode.diff', left, right, diffTitle(req), { preview: false });
      return;
    }
    await this.dialog(req, explicit);
  }

  /** A modal dialog for commands and for changes without a diff: one at a time, in order. */
  private async dialog(req: PendingRequest, explicit: boolean): Promise<void> {
    if (this.dialogBusy && !explicit) {
      return;
    }
    this.dialogBusy = true;
    try {
      const allowOnce = vscode.l10n.t('Allow once');
      const allowSession = vscode.l10n.t('Allow for this session');
      const deny = vscode.l10n.t('Deny…');
      const allows = req.action.session ? [allowOnce, allowSession] : [allowOnce];
      // The first button is the default (Enter): never an Allow for a risky command.
      const buttons = req.action.kind === 'command' && isRiskyCommand(req) ? [deny, ...allows] : [...allows, deny];
      let pick: string | undefined;
      try {
        pick = await vscode.window.showWarningMessage(requestTitle(req), { modal: true, detail: commandDetail(req) }, ...buttons);
      } catch (err) {
        this.log.warn(`[approvals] could not show the dialog (${String(err)}); the request stays in the Pending view`);
        return;
      }
      if (!this.queue.get(req.id)) {
        if (pick) {
          void vscode.window.showInformationMessage(vscode.l10n.t('That request was already answered or timed out; nothing was allowed.'));
        }
        return;
      }
      if (pick === allowOnce) {
        this.answer(req.id, { kind: 'approve' });
      } else if (pick === allowSession) {
        this.answer(req.id, { kind: 'approve-session' });
      } else if (pick === deny) {
        await vscode.commands.executeCommand(Commands.denyWithReason, req.id);
      }
      // Cancel / Escape leaves it pending: not an approval.
    } finally {
      this.dialogBusy = false;
      const next = this.queue.list().find((r) => r.id !== req.id && r.action.kind === 'command');
      if (next && !this.queue.get(req.id)) {
        void this.dialog(next, false);
      }
    }
  }

  private async closeDiff(id: string): Promise<void> {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputTextDiff && input.modified.scheme === PROPOSED_SCHEME && input.modified.path.split('/')[1] === id) {
          await vscode.window.tabGroups.close(tab).then(undefined, () => undefined);
        }
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

/** The detail text of a command's approval dialog: each sub-command with its risk, cwd, writes. */
export function commandDetail(req: PendingRequest): string {
  const a = req.action;
  const lines: string[] = [];
  if (a.kind === 'command') {
    lines.push(a.command ?? '', '');
    for (const s of req.decision.analysis?.subcommands ?? []) {
      const risk = s.findings.length ? s.findings.map((f) => `${f.severity}: ${f.reason}`).join('; ') : s.knowledge === 'unknown' ? vscode.l10n.t('unknown program') : vscode.l10n.t('harmless');
      lines.push(`• ${oneLine(s.text, 100)} — ${risk}`);
    }
    const writes = req.decision.analysis?.effects ?? [];
    if (writes.length) {
      lines.push('', vscode.l10n.t('Files it would change:'), ...writes.slice(0, 12).map((e) => `  ${e.op} ${vscode.workspace.asRelativePath(e.path, false)}`));
    }
    lines.push('', vscode.l10n.t('Working directory: {0}', a.cwd));
  } else {
    lines.push(a.paths.join('\n'));
  }
  lines.push(vscode.l10n.t('Agent: {0}{1}', agentName(a.agent), a.tool ? ` (${a.tool})` : ''));
  lines.push('', vscode.l10n.t('Why Airlock asks: {0}', requestWhy(req)));
  for (const r of req.decision.rules) {
    lines.push(`  ${r.rule} — ${r.source === 'built-in' ? vscode.l10n.t('built-in default') : r.source === 'settings' ? vscode.l10n.t('your settings') : `${vscode.workspace.asRelativePath(r.source, false)}${r.line ? `:${r.line}` : ''}`}`);
  }
  const secs = Math.max(0, Math.round((req.deadline - Date.now()) / 1000));
  lines.push('', vscode.l10n.t('Denied automatically in {0} s if nobody answers.', secs));
  return lines.join('\n');
}

/** The Pending view: every request waiting for the human, oldest first. */
export class PendingViewProvider implements vscode.TreeDataProvider<PendingRequest>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: { dispose(): void };

  constructor(private readonly queue: ApprovalQueue) {
    this.sub = queue.onDidChange(() => this.changed.fire());
  }

  getChildren(): PendingRequest[] {
    return this.queue.list();
  }

  getTreeItem(req: PendingRequest): vscode.TreeItem {
    const item = new vscode.TreeItem(requestTitle(req), vscode.TreeItemCollapsibleState.None);
    item.id = req.id;
    item.description = requestWhy(req);
    item.tooltip = new vscode.MarkdownString(`**${requestTitle(req)}**\n\n${requestWhy(req)}`);
    item.iconPath = new vscode.ThemeIcon(req.action.kind === 'command' ? 'terminal' : 'diff', new vscode.ThemeColor('list.warningForeground'));
    item.contextValue = req.action.session ? 'airlock.pending.session' : 'airlock.pending';
    item.command = { command: Commands.reviewRequest, title: vscode.l10n.t('Review'), arguments: [req.id] };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
