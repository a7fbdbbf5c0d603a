import * as vscode from 'vscode';
import type { ApprovalQueue, HumanAnswer, PendingRequest } from '../gate/approvalQueue';
import { ApprovalDiffs, hasDiff, requestIdOfUri } from './approvalDiff';
import type { PanelAnswer } from './approvalPanel';
import { ApprovalPanel, ARM_MS } from './approvalPanel';
import { countdown, requestTitle, requestWhy } from './approvalText';
import type { CommandGroup } from './commandCenter';
import { ContextKeys, ViewCommands, Views } from './ids';
import { PendingViewProvider } from './pendingView';

/**
 * Where an answer came from: Airlock's own UI (a Pending Approvals row, an approval diff's or
 * panel's title bar, its key, the Command Palette with the request in front), or code (any caller of
 * `vscode.commands.executeCommand` with an id). Code can deny and reveal, never allow.
 */
type Origin = 'ui' | 'code';

function requestIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (arg instanceof vscode.Uri) {
    return requestIdOfUri(arg);
  }
  if (arg && typeof arg === 'object' && 'id' in arg && typeof (arg as { id: unknown }).id === 'string') {
    return (arg as { id: string }).id;
  }
  return undefined;
}

/** The requests whose approval diff is the active tab of some editor group (its title bar shows Approve). */
function frontDiffRequests(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => {
    const input = g.activeTab?.input;
    const id = input instanceof vscode.TabInputTextDiff ? requestIdOfUri(input.modified) : undefined;
    return id ? [id] : [];
  });
}

/** A URI that is not an approval diff's (the title bar of an approval panel passes the panel's). */
function isOtherUri(arg: unknown): boolean {
  return arg instanceof vscode.Uri && requestIdOfUri(arg) === undefined;
}

/**
 * Shows pending approvals: a diff for edits (Approve / Deny in its title bar), an approval panel for
 * everything else (commands, reads, renames), the Pending view and the shield's count. Neither takes
 * the keyboard focus, so keys typed elsewhere never answer; no Allow works within a moment of a
 * request appearing; buttons have one order everywhere (Allow, then Deny). Closing a diff or panel
 * is not an answer: the request stays pending, and a notification says so.
 */
export class ApprovalUi implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** The requests shown so far that are still pending. */
  private readonly shown = new Map<string, PendingRequest>();
  private readonly panels = new Map<string, ApprovalPanel>();
  /** When each request was last shown or came (back) into view. */
  private readonly shownAt = new Map<string, number>();
  /** Requests this window answered (the rest that leave the queue timed out or were withdrawn). */
  private readonly answered = new Set<string>();
  private readonly diffs: ApprovalDiffs;
  private armingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.diffs = new ApprovalDiffs(queue, { closedByUser: (id) => this.closedByUser(id), shown: (id) => this.markShown(id) });
    const sub = this.queue.onDidChange(() => this.onQueueChange());
    this.disposables.push(this.diffs, new PendingViewProvider(queue), { dispose: () => sub.dispose() });
    void vscode.commands.executeCommand('setContext', ContextKeys.pendingCount, 0);
  }

  /** Approve, allow for the session, deny (with or without a reason), review: for the command center. */
  commands(): CommandGroup<'approve' | 'allowForSession' | 'deny' | 'denyWithReason' | 'reviewRequest'> {
    return {
      component: 'Approvals',
      handlers: {
        approve: (arg?: unknown) => this.answer(arg, { kind: 'approve' }, this.originOf(arg)),
        allowForSession: (arg?: unknown) => this.answer(arg, { kind: 'approve-session' }, this.originOf(arg)),
        deny: (arg?: unknown, reason?: unknown) => this.answer(arg, { kind: 'deny', message: typeof reason === 'string' ? reason : undefined }, this.originOf(arg)),
        denyWithReason: (arg?: unknown) => this.denyWithReason(arg),
        reviewRequest: (arg?: unknown) => {
          const id = this.resolveId(arg);
          const req = id ? this.queue.get(id) : undefined;
          return req ? this.present(req) : undefined;
        },
      },
    };
  }

  /**
   * Whether a command call came from Airlock's own UI. VS Code calls a Pending Approvals row's actions
   * with the row's own request object (nobody else holds it), an approval diff's title bar with the
   * diff's URI while that diff is in front, and a key or the Command Palette with nothing (then only
   * the request in front is answered, see frontRequest). An id, a copy of a request, or the URI of a diff
   * that is not in front come from code.
   */
  private originOf(arg: unknown): Origin {
    if (arg === undefined) {
      return 'ui';
    }
    if (arg instanceof vscode.Uri) {
      const id = requestIdOfUri(arg);
      return id === undefined || frontDiffRequests().includes(id) ? 'ui' : 'code';
    }
    if (typeof arg === 'object' && arg !== null) {
      const id = requestIdOf(arg);
      return id !== undefined && this.queue.get(id) === arg ? 'ui' : 'code';
    }
    return 'code';
  }

  private async denyWithReason(arg: unknown): Promise<boolean> {
    const id = this.resolveId(arg);
    if (!id) {
      return false;
    }
    const req = this.queue.get(id)!;
    const message = await vscode.window.showInputBox({
      title: vscode.l10n.t('Deny: tell the agent why (optional)'),
      prompt: requestTitle(req),
      placeHolder: vscode.l10n.t('What should the agent do instead? Enter denies without a reason.'),
    });
    if (message === undefined) {
      return false;
    }
    return this.answer(id, { kind: 'deny', message: message || undefined }, 'code');
  }

  private onQueueChange(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.pendingCount, this.queue.size);
    for (const req of this.queue.list()) {
      if (!this.shown.has(req.id)) {
        this.shown.set(req.id, req);
        this.log.info(`[Approvals] waiting for the developer: ${requestTitle(req)} — ${requestWhy(req)}`);
        void this.present(req);
      }
    }
    const live = new Set(this.queue.list().map((r) => r.id));
    for (const [id, req] of [...this.shown]) {
      if (!live.has(id)) {
        this.gone(req);
      }
    }
  }

  /** A request left the queue: close what shows it, and say so if it was withdrawn. */
  private gone(req: PendingRequest): void {
    const id = req.id;
    this.shown.delete(id);
    this.shownAt.delete(id);
    this.panels.get(id)?.dispose();
    this.panels.delete(id);
    void this.diffs.close(id);
    if (this.answered.delete(id) || Date.now() >= req.deadline - 250) {
      return; // answered here, or timed out (the denial notification says so)
    }
    this.log.info(`[Approvals] withdrawn by the agent: ${requestTitle(req)}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: the agent stopped waiting (it was interrupted or gave up), so nothing was allowed.', requestTitle(req)));
  }

  private async present(req: PendingRequest): Promise<void> {
    if (hasDiff(req)) {
      await this.diffs.open(req);
      return;
    }
    const open = this.panels.get(req.id);
    if (open) {
      open.reveal();
      return;
    }
    const panel = new ApprovalPanel(req, this.extensionUri, Boolean(req.action.session), {
      answer: (p, a) => this.onPanelAnswer(p, a),
      closedByUser: (p) => {
        this.panels.delete(p.request.id);
        this.closedByUser(p.request.id);
      },
    });
    this.panels.set(req.id, panel);
    this.markShown(req.id);
  }

  private onPanelAnswer(panel: ApprovalPanel, answer: PanelAnswer): void {
    if (answer === 'deny') {
      void this.denyWithReason(panel.request.id);
    } else {
      this.answer(panel.request.id, { kind: answer }, 'ui');
    }
  }

  /** A request was shown or came back into view: no Allow from the UI for a moment. */
  private markShown(id: string): void {
    this.shownAt.set(id, Date.now());
    void vscode.commands.executeCommand('setContext', ContextKeys.arming, true);
    clearTimeout(this.armingTimer);
    this.armingTimer = setTimeout(() => void vscode.commands.executeCommand('setContext', ContextKeys.arming, false), ARM_MS);
  }

  /** The developer closed a request's diff or panel without answering: it waits on, and they are told. */
  private closedByUser(id: string): void {
    const req = this.queue.get(id);
    if (!req) {
      return;
    }
    const review = vscode.l10n.t('Review');
    const deny = vscode.l10n.t('Deny');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Still waiting for your answer: {0}. Denied automatically in {1} unless you approve it.', requestTitle(req), countdown(req.deadline - Date.now())), review, deny)
      .then((pick) => {
        if (pick === review && this.queue.get(id)) {
          void this.present(this.queue.get(id)!);
        } else if (pick === deny) {
          this.answer(id, { kind: 'deny' }, 'code');
        }
      });
  }

  private resolveId(arg: unknown): string | undefined {
    // Never guess between several requests: an answer must be for the one the developer looked at
    // (the id given, the approval diff or panel in front of them, or the only one waiting).
    const only = this.queue.size === 1 ? this.queue.list()[0].id : undefined;
    const activePanel = [...this.panels.values()].find((p) => p.active)?.request.id;
    const id = requestIdOf(arg) ?? requestIdOfUri(vscode.window.activeTextEditor?.document.uri) ?? activePanel ?? only;
    if (!id && this.queue.size > 1) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Several requests are waiting: answer one from the Pending Approvals view, its diff or its panel.'));
      void vscode.commands.executeCommand(ViewCommands.focus(Views.pending));
    }
    return id && this.queue.get(id) ? id : undefined;
  }

  /** Whether an Allow from the UI comes too soon after the request appeared (or came back into view). */
  private tooSoon(id: string): boolean {
    const panel = this.panels.get(id);
    const at = this.shownAt.get(id);
    return (panel?.tooSoon() ?? false) || (at !== undefined && Date.now() - at < ARM_MS);
  }

  private answer(arg: unknown, answer: Omit<HumanAnswer, 'by'>, origin: Origin): boolean {
    const allow = answer.kind !== 'deny';
    // A key, the Command Palette or a panel's title bar allows only the request in front of the developer.
    const front = allow && (arg === undefined || isOtherUri(arg));
    const id = front ? this.frontRequest() : this.resolveId(arg);
    if (!id) {
      if (this.queue.size === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Nothing is waiting for approval.'));
      } else if (front) {
        this.revealWaiting();
      }
      return false;
    }
    const req = this.queue.get(id)!;
    if (allow && origin === 'code') {
      // Only the developer allows: a call from code (another extension, an agent's tool) shows the request.
      this.log.warn(`[Approvals] ignored an approval that did not come from Airlock's approval UI (a command called with an id); showing the request instead: ${requestTitle(req)}`);
      void this.present(req);
      return false;
    }
    if (allow && this.tooSoon(id)) {
      this.log.warn(`[Approvals] ignored an approval that came less than ${ARM_MS} ms after the request appeared: ${requestTitle(req)}`);
      vscode.window.setStatusBarMessage(vscode.l10n.t('$(shield) Airlock: that was too quick, the request had just appeared. Look at it, then approve.'), 4000);
      return false;
    }
    this.log.info(`[Approvals] ${answer.kind} by the developer: ${requestTitle(req)}${answer.message ? ` (${answer.message})` : ''}`);
    this.answered.add(id);
    const ok = this.queue.answer(id, answer);
    if (!ok) {
      this.answered.delete(id);
    }
    return ok;
  }

  /**
   * Answers a request as the developer would, without the UI: for the extension's own integration
   * tests only (extension.ts hands it out in VS Code's test mode and nowhere else).
   */
  answerForTest(id: string, answer: Omit<HumanAnswer, 'by'>): boolean {
    const req = this.queue.get(id);
    if (!req) {
      return false;
    }
    this.log.info(`[Approvals] ${answer.kind} by a test: ${requestTitle(req)}`);
    this.answered.add(id);
    return this.queue.answer(id, answer) || (this.answered.delete(id), false);
  }

  /**
   * The request in front of the developer: the approval diff or panel that has the focus, else the
   * only one whose diff or panel is the active tab of its editor group. Undefined when none or several.
   */
  private frontRequest(): string | undefined {
    const focused = requestIdOfUri(vscode.window.activeTextEditor?.document.uri) ?? [...this.panels.values()].find((p) => p.active)?.request.id;
    if (focused && this.queue.get(focused)) {
      return focused;
    }
    const shown = [...new Set([...frontDiffRequests(), ...[...this.panels.values()].filter((p) => p.visible).map((p) => p.request.id)])].filter((id) => this.queue.get(id));
    return shown.length === 1 ? shown[0] : undefined;
  }

  /** Approve with nothing in front: show what waits (the only request, or the Pending Approvals view). */
  private revealWaiting(): void {
    if (this.queue.size === 1) {
      void this.present(this.queue.list()[0]);
      return;
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Several requests are waiting: answer one from the Pending Approvals view, its diff or its panel.'));
    void vscode.commands.executeCommand(ViewCommands.focus(Views.pending));
  }

  dispose(): void {
    clearTimeout(this.armingTimer);
    this.panels.forEach((p) => p.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}
