import * as vscode from 'vscode';
import type { GateResult, ProposedAction } from '../core/types';
import { actionTitle, plain } from './approvalText';
import type { GateService } from './gateService';
import { ViewCommands, Views } from './ids';

interface Item {
  readonly kind: 'policy' | 'timeout' | 'problem';
  readonly text: string;
}

/**
 * Tells the developer what Airlock stopped on its own (a policy denial, an approval nobody answered in
 * time) and what went wrong (a snapshot that failed), without flooding: items that arrive close
 * together become one notification, and after one is shown the next waits for a quiet period and
 * sums up everything that happened meanwhile. Denials the developer made are not announced.
 */
export class DenialNotifier implements vscode.Disposable {
  private batch: Item[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastShown = 0;
  private readonly sub: vscode.Disposable;

  constructor(
    gate: GateService,
    private readonly log: vscode.LogOutputChannel,
    private readonly gatherMs = 600,
    private readonly quietMs = 8_000,
  ) {
    this.sub = gate.onDidDecide((e) => this.onDecide(e));
  }

  /** Called with every gate decision (GateService.onDidDecide). */
  onDecide(e: { actions: readonly ProposedAction[]; result: GateResult }): void {
    const first = e.actions[0];
    const what = first ? actionTitle(first) : vscode.l10n.t('An agent action');
    const r = e.result;
    if (r.snapshotError) {
      this.push({ kind: 'problem', text: vscode.l10n.t('The snapshot before "{0}" failed: {1}', what, r.snapshotError) });
    }
    if (r.decision.verdict !== 'deny' || r.decidedBy === 'human') {
      return;
    }
    if (r.decidedBy === 'timeout') {
      this.push({ kind: 'timeout', text: vscode.l10n.t('{0}: nobody answered in time, so Airlock denied it.', what) });
    } else {
      this.push({ kind: 'policy', text: vscode.l10n.t('{0}: denied. {1}', what, plain([...new Set(r.decision.reasons)].join(' '))) });
    }
  }

  private push(item: Item): void {
    this.batch.push(item);
    if (!this.timer) {
      const wait = Math.max(this.gatherMs, this.lastShown + this.quietMs - Date.now());
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  private flush(): void {
    this.timer = undefined;
    const items = this.batch;
    this.batch = [];
    if (items.length === 0) {
      return;
    }
    this.lastShown = Date.now();
    const denials = items.filter((i) => i.kind !== 'problem').length;
    const problems = items.length - denials;
    const latest = items[items.length - 1].text;
    let message: string;
    if (items.length === 1) {
      message = vscode.l10n.t('Airlock: {0}', latest);
    } else if (problems === 0) {
      message = vscode.l10n.t('Airlock denied {0} agent actions. Latest — {1}', denials, latest);
    } else {
      message = vscode.l10n.t('Airlock: {0} denial(s) and {1} problem(s). Latest — {2}', denials, problems, latest);
    }
    this.log.info(`[notify] ${message}`);
    const show = vscode.l10n.t('Show in Timeline');
    const logButton = vscode.l10n.t('Show Log');
    const buttons = problems ? [show, logButton] : [show];
    void vscode.window.showWarningMessage(message, ...buttons).then((pick) => {
      if (pick === show) {
        void vscode.commands.executeCommand(ViewCommands.focus(Views.timeline));
      } else if (pick === logButton) {
        this.log.show(true);
      }
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.sub.dispose();
  }
}
