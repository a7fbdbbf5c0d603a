import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalQueue, PendingRequest } from '../gate/approvalQueue';
import { askingRules, countdown, requestColumn, requestTitle, requestWhy, ruleSource } from './approvalText';
import { Schemes } from './ids';

/** The text of the current and proposed sides of an edit's diff. */
class ProposedContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly queue: ApprovalQueue) {}
  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = requestIdOfUri(uri);
    const req = id ? this.queue.get(id) : undefined;
    if (!req) {
      return vscode.l10n.t('(this request is no longer pending)');
    }
    return new URLSearchParams(uri.query).get('side') === 'current' ? req.current ?? '' : req.action.content ?? '';
  }
}

/** Whether a request is shown as a diff (an edit, create or delete whose content is known). */
export function hasDiff(req: PendingRequest): boolean {
  const a = req.action;
  return (a.kind === 'edit' || a.kind === 'create' || a.kind === 'delete') && (a.content !== undefined || req.current !== undefined);
}

function diffUris(req: PendingRequest): { left: vscode.Uri; right: vscode.Uri } {
  const name = path.basename(req.action.paths[0] ?? 'file');
  const base = vscode.Uri.from({ scheme: Schemes.proposed, path: `/${req.id}/${name}` });
  return { left: base.with({ query: 'side=current' }), right: base.with({ query: 'side=proposed' }) };
}

/** The request id of an approval diff's document, or undefined for any other URI. */
export function requestIdOfUri(uri: vscode.Uri | undefined): string | undefined {
  return uri?.scheme === Schemes.proposed ? uri.path.split('/')[1] : undefined;
}

function diffTabsOf(id: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && requestIdOfUri(t.input.modified) === id);
}

/**
 * The diffs of edits waiting for an answer: opened without taking the keyboard focus, with a line
 * at the top of the proposed side that says why Airlock asks and counts down to the automatic
 * denial (the rule in its hover), closed when the request goes. Reports a diff the developer closed
 * and one that came (back) into view.
 */
export class ApprovalDiffs implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closing = new Set<string>();
  private readonly banner = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    // The countdown in front of the first line (always in view), why at its end (the rule in the hover).
    before: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 1.5em 0 0', fontStyle: 'italic' },
    after: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly events: { closedByUser(id: string): void; shown(id: string): void },
  ) {
    this.disposables.push(
      this.banner,
      vscode.workspace.registerTextDocumentContentProvider(Schemes.proposed, new ProposedContentProvider(queue)),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const id = tab.input instanceof vscode.TabInputTextDiff ? requestIdOfUri(tab.input.modified) : undefined;
          if (id && !this.closing.has(id) && this.queue.get(id) && diffTabsOf(id).length === 0) {
            this.events.closedByUser(id);
          }
        }
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const e of editors) {
          const id = requestIdOfUri(e.document.uri);
          if (id && new URLSearchParams(e.document.uri.query).get('side') === 'proposed') {
            this.events.shown(id);
          }
        }
        this.render();
      }),
    );
  }

  async open(req: PendingRequest): Promise<void> {
    const { left, right } = diffUris(req);
    await vscode.commands.executeCommand('vscode.diff', left, right, requestTitle(req), { preview: false, preserveFocus: true, viewColumn: requestColumn() });
    this.events.shown(req.id);
    this.render();
    this.timer ??= setInterval(() => this.render(), 1000);
  }

  isOpen(id: string): boolean {
    return diffTabsOf(id).length > 0;
  }

  async close(id: string): Promise<void> {
    this.closing.add(id);
    try {
      for (const tab of diffTabsOf(id)) {
        await vscode.window.tabGroups.close(tab).then(undefined, () => undefined);
      }
    } finally {
      this.closing.delete(id);
    }
    if (this.queue.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The line above each visible proposed side: why, and the time left. */
  private render(): void {
    const now = Date.now();
    for (const editor of vscode.window.visibleTextEditors) {
      const id = requestIdOfUri(editor.document.uri);
      if (!id || new URLSearchParams(editor.document.uri.query).get('side') !== 'proposed') {
        continue;
      }
      const req = this.queue.get(id);
      if (!req) {
        editor.setDecorations(this.banner, []);
        continue;
      }
      const left = countdown(req.deadline - now);
      const hover = new vscode.MarkdownString(
        [vscode.l10n.t('Denied automatically in {0} unless you approve.', left), vscode.l10n.t('Airlock asks: {0}', requestWhy(req)), ...askingRules(req).map((r) => `\`${r.rule}\` — ${ruleSource(r)}`)].join('\n\n'),
      );
      editor.setDecorations(this.banner, [
        {
          range: new vscode.Range(0, 0, 0, 0),
          hoverMessage: hover,
          renderOptions: { before: { contentText: vscode.l10n.t('Denied in {0} unless you approve', left) }, after: { contentText: vscode.l10n.t('Airlock asks: {0}', requestWhy(req)) } },
        },
      ]);
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
