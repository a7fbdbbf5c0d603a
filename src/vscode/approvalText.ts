import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MatchedRule, ProposedAction, SubCommand } from '../core/types';
import type { PendingRequest } from '../gate/approvalQueue';
import { agentLabel } from './timeline';

/** The words of an approval request, shared by the diff, the approval panel, the views and notifications. */

/** "Claude Code wants to change .env", "Copilot wants to run: rm -rf build". */
export function actionTitle(a: ProposedAction): string {
  const who = agentLabel(a.agent);
  if (a.kind === 'command') {
    return vscode.l10n.t('{0} wants to run: {1}', who, oneLine(a.command ?? '', 80));
  }
  const what = revealInvisible(a.paths.map((p) => vscode.workspace.asRelativePath(p, false)).join(', '));
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

export function requestTitle(req: PendingRequest): string {
  return actionTitle(req.action);
}

/** Text without markdown code marks (for places that show plain text). */
export function plain(s: string): string {
  return s.replace(/`([^`]*)`/g, '$1');
}

/** Why the policy wants a person, each reason once, in plain text. */
export function requestWhy(req: PendingRequest): string {
  const reasons = [...new Set(req.decision.reasons.map(plain))];
  return reasons.join(' ') || vscode.l10n.t('The policy asks for approval.');
}

/** Where a rule is written, in a few words: "built-in default", "policy.json line 12", "your settings". */
export function ruleSource(r: MatchedRule): string {
  if (r.source === 'built-in') {
    return vscode.l10n.t('built-in default');
  }
  if (r.source === 'settings') {
    return vscode.l10n.t('your settings (airlock.policy)');
  }
  const file = vscode.workspace.asRelativePath(r.source, false);
  return r.line ? vscode.l10n.t('{0} line {1}', file, r.line) : file;
}

/** The rules that made this a question (those with the request's verdict, else all). */
export function askingRules(req: PendingRequest): readonly MatchedRule[] {
  const asking = req.decision.rules.filter((r) => r.verdict === req.decision.wouldBe || r.verdict === 'ask');
  return asking.length ? asking : req.decision.rules;
}

export type Risk = 'catastrophic' | 'destructive' | 'caution' | 'unknown' | 'harmless';

/** How risky one sub-command is, in one word, and its reasons (each once). */
export function subcommandRisk(s: SubCommand): { risk: Risk; reasons: string[] } {
  const order: Risk[] = ['catastrophic', 'destructive', 'caution'];
  const worst = order.find((r) => s.findings.some((f) => f.severity === r));
  const reasons = [...new Set(s.findings.map((f) => f.reason))];
  if (worst) {
    return { risk: worst, reasons };
  }
  return { risk: s.knowledge === 'unknown' ? 'unknown' : 'harmless', reasons };
}

export function riskLabel(r: Risk): string {
  switch (r) {
    case 'catastrophic':
      return vscode.l10n.t('catastrophic');
    case 'destructive':
      return vscode.l10n.t('destructive');
    case 'caution':
      return vscode.l10n.t('caution');
    case 'unknown':
      return vscode.l10n.t('not understood');
    default:
      return vscode.l10n.t('harmless');
  }
}

/** A reason without the "`sub-command`: " it starts with when the sub-command is shown beside it. */
function withoutSubject(reason: string): string {
  return reason.replace(/^`[^`]+`: /, '');
}

/** The reasons not already shown next to a sub-command (so the panel says each thing once). */
export function otherReasons(req: PendingRequest): string[] {
  const subs = req.decision.analysis?.subcommands ?? [];
  const shown = new Set(subs.flatMap((s) => s.findings.map((f) => f.reason)));
  const own = req.action.kind === 'command' ? req.decision.reasons.map(withoutSubject) : req.decision.reasons;
  return [...new Set(own)].filter((r) => !shown.has(r));
}

/** "1:42" or "42 s". */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : vscode.l10n.t('{0} s', s);
}

/** The relative paths of an action's files, for short labels. */
export function relativePaths(a: ProposedAction): string {
  return a.paths.map((p) => vscode.workspace.asRelativePath(path.resolve(a.cwd, p), false)).join(', ');
}

/**
 * Where a request opens: beside the editor in front of the developer (so what they are typing stays
 * in view, and keeps going there), or in the editor area when none is open.
 */
export function requestColumn(): vscode.ViewColumn {
  return vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}

export function oneLine(s: string, max: number): string {
  const t = revealInvisible(s).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * Characters that change how text looks without showing themselves (bidirectional overrides and
 * isolates, zero-width characters, other control characters but newline and tab): an agent can use
 * them to make a command read like another one. They are shown as visible marks (`⟨U+202E⟩`).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufff9-\ufffb]/g;

export function revealInvisible(s: string): string {
  return s.replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
