import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { requestDecision } from '../../src/bridge/client';
import { findRegistrations } from '../../src/bridge/registry';
import type { GateResult, ProposedAction } from '../../src/core/types';
import type { RunningServer } from './harness';
import { demoLib, projectRoot, serverLib } from './harness';
import { openBrowser, waitForAirlock } from './ui';

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) {
      return v;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real VS Code (code-server, the working copy's extension loaded as installed, no test driver) on
 * a fresh demo workspace, in headless Chromium, with what the UI tests do in it: send a hook's
 * request over the real bridge, run a palette command, find Airlock's buttons and read its log.
 */
export class Workbench {
  private constructor(
    readonly page: Page,
    readonly server: RunningServer,
    readonly folder: string,
    readonly env: Record<string, string>,
    private readonly tmp: string,
    private readonly closeBrowser: () => Promise<void>,
  ) {}

  /** Starts VS Code on a new demo workspace; `prepare` may change the workspace before VS Code opens it. */
  static async open(prepare?: (folder: string) => void): Promise<Workbench> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-ui-'));
    const folder = (await demoLib()).createDemoWorkspace(path.join(tmp, 'demo'));
    prepare?.(folder);
    const runtime = path.join(tmp, 'runtime');
    fs.mkdirSync(runtime, { mode: 0o700 });
    const env = { AIRLOCK_RUNTIME_DIR: runtime, AIRLOCK_HOME: path.join(tmp, 'state') };
    const server = await (await serverLib()).startVSCode({ linkExtension: projectRoot, env });
    const ui = await openBrowser();
    ui.page.setDefaultTimeout(20_000);
    await ui.page.goto(server.url(folder));
    await waitForAirlock(ui.page);
    await until('the window to register for the folder', () => findRegistrations(folder, { ...process.env, ...env }).length > 0, 60_000);
    return new Workbench(ui.page, server, folder, env, tmp, ui.close);
  }

  async close(): Promise<void> {
    await this.closeBrowser();
    await this.server.stop();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  action(over: Partial<ProposedAction>): ProposedAction {
    return { kind: 'edit', paths: [], cwd: this.folder, agent: 'claude', tool: 'Write', session: 'e2e-session', ...over };
  }

  /** What an agent's hook does: ask the window (over the real bridge) and wait for the answer. */
  hook(a: Partial<ProposedAction>, deadlineMs = 60_000): Promise<GateResult> {
    return requestDecision([this.action(a)], { cwd: this.folder, deadlineMs, env: { ...process.env, ...this.env } });
  }

  /** Runs a command from the palette; `opensPicker` when the command shows a quick pick of its own. */
  async runCommand(title: string, opensPicker = false): Promise<void> {
    const page = this.page;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
    if (opensPicker) {
      await page.locator('.quick-input-widget input:not([aria-label*="Type the name of a command"])').first().waitFor();
    } else {
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    }
  }

  /** A calm window: no dialog, no input box, no editor, no notification. */
  async calm(): Promise<void> {
    for (let i = 0; i < 3 && (await this.page.locator('.monaco-dialog-box, .quick-input-widget:visible').count()) > 0; i++) {
      await this.page.keyboard.press('Escape');
    }
    await this.runCommand('View: Close All Editors');
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** The title-bar action of the active editor whose label starts with `label` (enabled or not). */
  editorAction(label: string): Locator {
    return this.page.locator(`.editor-group-container.active .editor-actions a.action-label[aria-label^="${label}"]`).first();
  }

  /** The title-bar action of any editor group's editor (a request opens beside the editor in front). */
  anyEditorAction(label: string): Locator {
    return this.page.locator(`.editor-group-container .editor-actions a.action-label[aria-label^="${label}"]`).first();
  }

  /** The same action once it is enabled (Approve is disabled for a moment after a request appears). */
  armedEditorAction(label: string): Locator {
    return this.page.locator(`.editor-group-container.active .editor-actions a.action-label[aria-label^="${label}"]:not(.disabled)`).first();
  }

  /** The page inside the visible approval panel (a webview: two iframes deep, laid over the editor). */
  panel(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
  }

  /** The approval panel's button for an answer ('approve', 'approve-session', 'deny'). */
  panelButton(answer: 'approve' | 'approve-session' | 'deny'): Locator {
    return this.panel().locator(`button[data-answer="${answer}"]`);
  }

  /** The line Airlock shows at the top of an approval diff (a decoration: CSS content, not text). */
  async diffBanner(): Promise<string> {
    // (A string, evaluated in the page: these tests compile without the DOM's types.)
    const texts = (await this.page.evaluate(`[...document.querySelectorAll('.editor-group-container.active .monaco-diff-editor .modified .view-lines span')]
      .flatMap((el) => [getComputedStyle(el, '::before').content, getComputedStyle(el, '::after').content])
      .filter((c) => c && c !== 'none' && c !== 'normal')`)) as string[];
    return texts.join(' ');
  }

  activeTab(): Locator {
    return this.page.locator('.editor-group-container.active .tab.active');
  }

  /** Airlock's log (its output channel's file). */
  airlockLog(): string {
    let text = '';
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          walk(p);
        } else if (/Airlock\.log$/.test(e.name)) {
          text += fs.readFileSync(p, 'utf8');
        }
      }
    };
    walk(path.join(this.server.root, 'user-data', 'logs'));
    return text;
  }

  /** How often the window has (re)loaded the folder's policy. */
  policyLoads(): number {
    return (this.airlockLog().match(/\[Policy\] demo: /g) ?? []).length;
  }

  /**
   * Writes the policy file and waits until the window has loaded it (a load logged after the write:
   * the log file is written with a delay, so counting lines could count an earlier load).
   */
  async writePolicy(text: string): Promise<void> {
    const file = path.join(this.folder, '.airlock', 'policy.json');
    const at = Date.now();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    await until('the policy to reload', () =>
      [...this.airlockLog().matchAll(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[\w+\] \[Policy\] demo: /gm)].some((m) => new Date(`${m[1]}T${m[2]}`).getTime() >= at - 5),
    );
  }

  /** Hovers a tree row until its inline action shows (the tree may re-render under the mouse), then clicks it. */
  async clickInline(row: Locator, label: string): Promise<void> {
    await row.waitFor();
    const button = row.locator(`a.action-label[aria-label^="${label}"]`);
    await until(`the inline ${label} button`, async () => {
      await this.page.mouse.move(900, 600);
      await row.hover();
      return button.isVisible();
    });
    await button.click();
  }

  async openAirlockView(): Promise<void> {
    const title = this.page.locator('.sidebar .composite.title', { hasText: /Airlock/i });
    if ((await title.count()) === 0) {
      await this.page.locator('.activitybar .action-item a[aria-label^="Airlock"]').first().click();
    }
    await title.first().waitFor();
  }

  /** A view of the Airlock container (its pane). */
  pane(name: 'Pending Approvals' | 'Timeline' | 'Status'): Locator {
    return this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: name }) });
  }

  timelineRow(text: string | RegExp): Locator {
    return this.pane('Timeline').locator('.monaco-list-row', { hasText: text });
  }

  /** Every notification, as the Notifications center lists them (toasts hide after a while; the center keeps them). */
  async notifications(): Promise<{ severity: 'info' | 'warning' | 'error'; text: string }[]> {
    const page = this.page;
    await this.runCommand('Notifications: Show Notifications');
    const rows = page.locator('.notifications-center .monaco-list-row');
    const out: { severity: 'info' | 'warning' | 'error'; text: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      const icon = (await row.locator('.notification-list-item-icon').getAttribute('class')) ?? '';
      const severity = /error/.test(icon) ? 'error' : /warning/.test(icon) ? 'warning' : 'info';
      out.push({ severity, text: (await row.locator('.notification-list-item-message').innerText()).replace(/\s+/g, ' ') });
    }
    await this.runCommand('Notifications: Hide Notifications');
    return out;
  }
}
