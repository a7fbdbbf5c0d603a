import * as vscode from 'vscode';
import type { ApprovalQueue, HumanAnswer, PendingRequest } from '../gate/approvalQueue';
import { ApprovalDiffs, hasDiff, requestIdOfUri } from './approvalDiff';
import type { PanelAnswer } from './approvalPanel';
import { ApprovalPanel, ARM_MS } from './approvalPanel';
import { countdown, requestTitle, requestWhy } from './approvalText';
import type { CommandGroup } from './commandCenter';
import { ContextKeys, ViewCommands, Views } from './ids';
import { PendingViewProvider } from './pendingView';

/** Where an answer came from: a click or key in the UI, or code (an id given by a caller). */
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
    const origin = (arg: unknown): Origin => (typeof arg === 'string' ? 'code' : 'ui');
    return {
      component: 'Approvals',
      handlers: {
        approve: (arg?: unknown) => this.answer(arg, { kind: 'approve' }, origin(arg)),
        allowForSession: (arg?: unknown) => this.answer(arg, { kind: 'approve-session' }, origin(arg)),
        deny: (arg?: unknown, reason?: unknown) => this.answer(arg, { kind: 'deny', message: typeof reason === 'string' ? reason : undefined }, origin(arg)),
        denyWithReason: (arg?: unknown) => this.denyWithReason(arg),
        reviewRequest: (arg?: unknown) => {
          const id = this.resolveId(arg);
          const req = id ? this.queue.get(id) : undefined;
          return req ? this.present(req) : undefined;
        },
      },
    };
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
    const id = this.resolveId(arg);
    if (!id) {
      if (this.queue.size === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Nothing is waiting for approval.'));
      }
      return false;
    }
    const req = this.queue.get(id)!;
    if (origin === 'ui' && answer.kind !== 'deny' && this.tooSoon(id)) {
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

  dispose(): void {
    clearTimeout(this.armingTimer);
    this.panels.forEach((p) => p.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}
