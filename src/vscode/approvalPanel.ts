import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { PendingRequest } from '../gate/approvalQueue';
import { actionTitle, askingRules, otherReasons, relativePaths, requestColumn, revealInvisible, riskLabel, ruleSource, subcommandRisk } from './approvalText';
import { WebviewTypes } from './ids';
import { agentLabel } from './timeline';

/** How long after a request appears (or comes back into view) its Allow buttons stay disabled. */
export const ARM_MS = 1000;

export type PanelAnswer = 'approve' | 'approve-session' | 'deny';

/** The messages the panel's page (media/approval.js) posts to the extension. */
export interface PanelMessage {
  readonly type: 'answer';
  readonly answer: PanelAnswer;
}

/** HTML-escaped, with characters that would hide or reorder text shown as marks. */
function escape(s: string): string {
  return revealInvisible(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escaped text with `code` marks rendered as code. */
function rich(s: string): string {
  return escape(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The page of a request that has no diff (a command, a read, a rename): what it would do, why Airlock asks, and the answers. */
export function approvalHtml(req: PendingRequest, opts: { cspSource: string; nonce: string; script: string; style: string; allowSession: boolean; now: number }): string {
  const a = req.action;
  const t = vscode.l10n.t;
  const rows: string[] = [];
  if (a.kind === 'command') {
    rows.push(`<pre class="command"><code>${escape(a.command ?? '')}</code></pre>`);
    const subs = req.decision.analysis?.subcommands ?? [];
    if (subs.length > 1 || subs.some((s) => s.findings.length > 0 || s.knowledge === 'unknown')) {
      rows.push('<ul class="subcommands">');
      for (const s of subs) {
        const { risk, reasons } = subcommandRisk(s);
        rows.push(`<li class="risk-${risk}"><span class="badge">${escape(riskLabel(risk))}</span> <code>${escape(s.text)}</code>${reasons.length ? `<div class="reasons">${reasons.map(rich).join('<br>')}</div>` : ''}</li>`);
      }
      rows.push('</ul>');
    }
    const writes = req.decision.analysis?.effects ?? [];
    if (writes.length) {
      const ops: Record<string, string> = { write: t('changes'), create: t('creates'), delete: t('deletes') };
      rows.push(`<h2>${escape(t('Files it would change'))}</h2><ul class="files">${writes
        .slice(0, 12)
        .map((e) => `<li>${escape(ops[e.op] ?? e.op)} <code>${escape(vscode.workspace.asRelativePath(e.path, false))}</code></li>`)
        .join('')}${writes.length > 12 ? `<li>${escape(t('and {0} more', writes.length - 12))}</li>` : ''}</ul>`);
    }
  } else {
    rows.push(`<pre class="command"><code>${escape(relativePaths(a))}</code></pre>`);
  }
  const why = otherReasons(req);
  const facts: [string, string][] = [
    [t('Agent'), escape(`${agentLabel(a.agent)}${a.tool ? ` (${a.tool})` : ''}`)],
    [t('Working directory'), `<code>${escape(a.cwd)}</code>`],
  ];
  if (why.length) {
    facts.push([t('Why Airlock asks'), why.map(rich).join('<br>')]);
  }
  const rules = askingRules(req);
  if (rules.length) {
    // A built-in rule's name is jargon: its source is enough, the name is in the hover.
    const rule = (r: (typeof rules)[number]) =>
      r.source === 'built-in' ? `<span title="${escape(r.rule)}">${escape(ruleSource(r))}</span>` : `<span title="${escape(r.reason)}"><code>${escape(r.rule)}</code> · ${escape(ruleSource(r))}</span>`;
    const shown = [...new Map(rules.map((r) => [r.source === 'built-in' ? 'built-in' : `${r.rule}@${r.source}`, rule(r)])).values()];
    facts.push([shown.length > 1 ? t('Rules') : t('Rule'), shown.join('<br>')]);
  }
  const remaining = Math.max(0, req.deadline - opts.now);
  const button = (answer: PanelAnswer, label: string, cls: string, title: string) =>
    `<button type="button" data-answer="${answer}" class="${cls}" title="${escape(title)}" disabled>${escape(label)}</button>`;
  return `<!DOCTYPE html>
<html lang="${escape(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${opts.cspSource}; script-src 'nonce-${opts.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${opts.style}">
<title>${escape(actionTitle(a))}</title>
</head>
<body data-arm-ms="${ARM_MS}" data-remaining-ms="${remaining}" data-key-hint="${escape(t('Enter never allows: click Allow, or press Ctrl+Alt+Enter.'))}">
<h1>${escape(actionTitle(a))}</h1>
${rows.join('\n')}
<dl>${facts.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<div class="answers" role="group" aria-label="${escape(t('Your answer'))}">
${button('approve', t('Allow once'), 'allow', t('Allow this once (Ctrl+Alt+Enter)'))}
${opts.allowSession ? button('approve-session', t('Allow for this session'), 'allow', t('Allow this and the same request again in this agent session')) : ''}
${button('deny', t('Deny…'), 'deny', t('Deny, optionally with a reason for the agent (Ctrl+Alt+Backspace)'))}
</div>
<p class="status"><span class="arming-note">${escape(t('The buttons work in a moment: look first.'))}</span><span class="countdown" data-template="${escape(t('Denied automatically in {0} if nobody answers.', '{0}'))}"></span></p>
<p class="hint" id="hint"></p>
<script nonce="${opts.nonce}" src="${opts.script}"></script>
</body>
</html>`;
}

/**
 * An editor tab for a request that has no diff. It opens without taking the keyboard focus, its
 * Allow buttons work only after a moment (and again a moment after the tab comes back into view),
 * only by a click or Ctrl+Alt+Enter (Enter on a focused Allow does nothing), and it closes itself
 * when the request is answered, times out or is withdrawn. Closing it is not an answer.
 */
export class ApprovalPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private closing = false;
  /** When the panel was last shown or came back into view (ms since the epoch). */
  private shownAt = Date.now();

  constructor(
    readonly request: PendingRequest,
    extensionUri: vscode.Uri,
    allowSession: boolean,
    private readonly handlers: { answer(panel: ApprovalPanel, answer: PanelAnswer): void; closedByUser(panel: ApprovalPanel): void },
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel(
      WebviewTypes.approval,
      actionTitle(request.action),
      { viewColumn: requestColumn(), preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: true },
    );
    this.panel.iconPath = vscode.Uri.joinPath(media, 'airlock.svg');
    const web = this.panel.webview;
    web.html = approvalHtml(request, {
      cspSource: web.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
      script: web.asWebviewUri(vscode.Uri.joinPath(media, 'approval.js')).toString(),
      style: web.asWebviewUri(vscode.Uri.joinPath(media, 'approval.css')).toString(),
      allowSession,
      now: Date.now(),
    });
    web.onDidReceiveMessage((m: PanelMessage) => {
      if (m?.type === 'answer' && ['approve', 'approve-session', 'deny'].includes(m.answer)) {
        this.handlers.answer(this, m.answer);
      }
    });
    this.panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.visible) {
        this.shownAt = Date.now();
      }
    });
    this.panel.onDidDispose(() => {
      if (!this.closing) {
        this.closing = true;
        this.handlers.closedByUser(this);
      }
    });
  }

  /** Whether an Allow now would come too soon after the panel appeared. */
  tooSoon(now = Date.now()): boolean {
    return now - this.shownAt < ARM_MS;
  }

  get active(): boolean {
    return this.panel.active;
  }

  /** Whether the panel is the active tab of its editor group. */
  get visible(): boolean {
    return this.panel.visible;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Closes the panel (the request was answered, timed out or withdrawn). */
  dispose(): void {
    if (!this.closing) {
      this.closing = true;
      this.panel.dispose();
    }
  }
}
