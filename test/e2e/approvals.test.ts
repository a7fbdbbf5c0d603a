import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { readAudit } from '../../src/audit/log';
import { requestDecision } from '../../src/bridge/client';
import { findRegistrations } from '../../src/bridge/registry';
import type { GateResult, ProposedAction } from '../../src/core/types';
import type { RunningServer } from './harness';
import { demoLib, projectRoot, serverLib } from './harness';
import { claudeWrites } from './hookCli';
import { openBrowser, screenshot, waitForAirlock } from './ui';

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
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

/**
 * The human's side of Airlock, clicked in a real VS Code (code-server, the working copy's extension
 * loaded as installed, no test driver): hook requests travel the real bridge (Unix socket found
 * through the registration), the test clicks what a developer clicks, and checks what the agent is told
 * and what happens to the files. Every test saves the screenshot the README shows.
 */
describe('approving and rolling back in a real VS Code (Playwright)', function () {
  this.timeout(90_000);
  let tmp: string;
  let folder: string;
  let env: Record<string, string>;
  let server: RunningServer;
  let ui: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-approvals-'));
    folder = (await demoLib()).createDemoWorkspace(path.join(tmp, 'demo'));
    const runtime = path.join(tmp, 'runtime');
    fs.mkdirSync(runtime, { mode: 0o700 });
    env = { AIRLOCK_RUNTIME_DIR: runtime, AIRLOCK_HOME: path.join(tmp, 'state') };
    server = await (await serverLib()).startVSCode({ linkExtension: projectRoot, env });
    ui = await openBrowser();
    page = ui.page;
    page.setDefaultTimeout(20_000);
    await page.goto(server.url(folder));
    await waitForAirlock(page);
    await until('the window to register for the folder', () => findRegistrations(folder, { ...process.env, ...env }).length > 0, 60_000);
  });

  after(async () => {
    await ui?.close();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      // What the window looked like, for whoever reads the failure.
      const file = path.join(os.tmpdir(), `airlock-e2e-failure-${Date.now()}.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      process.stderr.write(`screenshot of the failure: ${file}\n${airlockLog().split('\n').slice(-25).join('\n')}\n`);
    }
  });

  beforeEach(async () => {
    // Each test starts from a calm window: no dialog, no input box, no editor.
    for (let i = 0; i < 3 && (await page.locator('.monaco-dialog-box, .quick-input-widget:visible').count()) > 0; i++) {
      await page.keyboard.press('Escape');
    }
    await runCommand('View: Close All Editors');
    await runCommand('Notifications: Clear All Notifications');
  });

  const action = (over: Partial<ProposedAction>): ProposedAction => ({ kind: 'edit', paths: [], cwd: folder, agent: 'claude', tool: 'Write', session: 'e2e-session', ...over });

  /** What an agent's hook does: ask the window (over the real bridge) and wait for the answer. */
  function hook(a: Partial<ProposedAction>, deadlineMs = 60_000): Promise<GateResult> {
    return requestDecision([action(a)], { cwd: folder, deadlineMs, env: { ...process.env, ...env } });
  }

  /** Runs a command from the palette; `opensPicker` when the command shows a quick pick of its own. */
  async function runCommand(title: string, opensPicker = false): Promise<void> {
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

  /** The title-bar action of the active editor whose label starts with `label`. */
  function editorAction(label: string): Locator {
    return page.locator(`.editor-group-container.active .editor-actions a.action-label[aria-label^="${label}"]`).first();
  }

  /** Airlock's log (its output channel's file). */
  function airlockLog(): string {
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
    walk(path.join(server.root, 'user-data', 'logs'));
    return text;
  }

  /** How often the window has (re)loaded the folder's policy. */
  function policyLoads(): number {
    return (airlockLog().match(/\[Policy\] demo: loaded/g) ?? []).length;
  }

  /** Hovers a tree row until its inline action shows (the tree may re-render under the mouse), then clicks it. */
  async function clickInline(row: Locator, label: string): Promise<void> {
    await row.waitFor();
    const button = row.locator(`a.action-label[aria-label^="${label}"]`);
    await until(`the inline ${label} button`, async () => {
      await page.mouse.move(900, 600);
      await row.hover();
      return button.isVisible();
    });
    await button.click();
  }

  function dialog(): Locator {
    return page.locator('.monaco-dialog-box');
  }

  async function openAirlockView(): Promise<void> {
    if ((await page.locator('.sidebar .composite.title', { hasText: /Airlock/i }).count()) === 0) {
      await page.locator('.activitybar .action-item a[aria-label^="Airlock"]').first().click();
    }
    await page.locator('.sidebar .composite.title', { hasText: /Airlock/i }).first().waitFor();
  }

  function timelineRow(text: string | RegExp): Locator {
    return page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Timeline' }) }).locator('.monaco-list-row', { hasText: text });
  }

  it('shows a hook’s .env write as a diff; a click on Approve lets the hook answer allow', async () => {
    const envFile = path.join(folder, '.env');
    const before = fs.readFileSync(envFile, 'utf8');
    const answer = hook({ paths: [envFile], content: `${before}FEATURE_FLAG=on\n` });
    const approve = editorAction('Approve');
    await approve.waitFor();
    const tab = page.locator('.editor-group-container.active .tab.active');
    assert.match((await tab.getAttribute('aria-label')) ?? '', /Claude Code wants to change \.env/);
    const title = (await tab.getAttribute('title')) ?? (await tab.textContent()) ?? '';
    assert.match(title, /secret|\.env/i, 'the tab says why the policy asks');
    await page.locator('.editor-group-container.active .monaco-diff-editor .modified', { hasText: 'FEATURE_FLAG=on' }).first().waitFor();
    await page.locator('.statusbar-item', { hasText: 'Airlock 1' }).first().waitFor();
    await screenshot(page, 'approve-edit-diff.png');
    await approve.click();
    const res = await answer;
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.decidedBy, 'human');
    assert.match(res.snapshotId ?? '', /^[0-9a-f]{12}$/, 'a snapshot is taken before the approved write');
    await page.locator('.editor-group-container.active .editor-actions a.action-label[aria-label^="Approve"]').waitFor({ state: 'detached' });
    const last = readAudit(folder, env).entries.at(-1)!;
    assert.equal(last.decidedBy, 'human');
    assert.equal(last.verdict, 'allow');
    assert.deepEqual(last.paths, [envFile]);
  });

  it('the real `airlock hook claude`: Approve → the agent proceeds; Deny… → a PreToolUse deny carrying the reason', async () => {
    const runHook = (content: string) => claudeWrites(folder, path.join(folder, '.env'), content, { ...process.env, ...env });
    const approved = runHook('VIA_CLI=1\n');
    const early = await Promise.race([approved, editorAction('Approve').waitFor().then(() => undefined)]);
    assert.equal(early, undefined, `the hook answered without asking the window: ${JSON.stringify(early)}`);
    await editorAction('Approve').click();
    const a = await approved;
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stdout, /"deny"/, 'Claude Code is not told to stop');

    const denied = runHook('VIA_CLI=2\n');
    await editorAction('Deny').waitFor();
    await editorAction('Deny').click();
    await page.locator('.quick-input-widget input').fill('Not from a hook test.');
    await page.keyboard.press('Enter');
    const d = await denied;
    const out = JSON.parse(d.stdout) as { hookSpecificOutput?: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string } };
    assert.equal(out.hookSpecificOutput?.hookEventName, 'PreToolUse');
    assert.equal(out.hookSpecificOutput?.permissionDecision, 'deny');
    assert.match(out.hookSpecificOutput?.permissionDecisionReason ?? '', /Not from a hook test\./);
  });

  it('Deny… with a typed reason sends that reason back to the agent', async () => {
    const answer = hook({ paths: [path.join(folder, '.env')], content: 'STRIPE_SECRET_KEY=sk_live_leaked\n' });
    await editorAction('Deny').waitFor();
    await editorAction('Deny').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('Keep secrets out of the repository; use the vault.');
    await screenshot(page, 'deny-with-reason.png');
    await page.keyboard.press('Enter');
    const res = await answer;
    assert.equal(res.decision.verdict, 'deny');
    assert.equal(res.decidedBy, 'human');
    assert.equal(res.message, 'Keep secrets out of the repository; use the vault.');
    assert.equal(res.snapshotId, undefined, 'nothing is snapshotted for a denied write');
    assert.equal(readAudit(folder, env).entries.at(-1)!.message, 'Keep secrets out of the repository; use the vault.');
  });

  it('answers from the keyboard: Ctrl+Alt+Backspace opens Deny…, Escape keeps it pending, Ctrl+Alt+Enter approves', async () => {
    const answer = hook({ paths: [path.join(folder, '.env')], content: 'KEYBOARD=1\n' });
    await editorAction('Approve').waitFor();
    await page.locator('.editor-group-container.active .monaco-diff-editor .modified .view-lines').first().click();
    await page.keyboard.press('Control+Alt+Backspace');
    await page.locator('.quick-input-widget input').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.locator('.statusbar-item', { hasText: 'Airlock 1' }).first().waitFor();
    await page.locator('.editor-group-container.active .monaco-diff-editor .modified .view-lines').first().click();
    await page.keyboard.press('Control+Alt+Enter');
    const res = await answer;
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.decidedBy, 'human');
  });

  it('shows a destructive command with its risks in a modal dialog; Deny is the default and a click denies', async () => {
    const answer = hook({ kind: 'command', command: 'git push --force origin main', tool: 'Bash' });
    const box = dialog();
    await box.waitFor();
    const text = (await box.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Claude Code wants to run: git push --force origin main/);
    assert.match(text, /Pushing shares our work with everyone/, 'the rule’s reason');
    assert.match(text, /git push --force origin main — destructive: /, 'each sub-command with its risk');
    assert.match(text, /Working directory:/);
    assert.match(text, /Denied automatically in \d+ s/);
    const focused = (await page.locator('.monaco-dialog-box :focus').first().textContent({ timeout: 5_000 })) ?? '';
    assert.doesNotMatch(focused, /Allow/, 'Enter must not allow a destructive command');
    await screenshot(page, 'command-dialog.png');
    await box.locator('.dialog-buttons a.monaco-button', { hasText: 'Deny' }).first().click();
    // Deny… asks for an optional reason: an empty Enter denies without one.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await page.keyboard.press('Enter');
    const res = await answer;
    assert.equal(res.decision.verdict, 'deny');
    assert.equal(res.decidedBy, 'human');
    await box.waitFor({ state: 'detached' });
  });

  it('a burst of policy denials makes one notification, with Show in Timeline', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((i) => hook({ kind: 'command', command: `npm publish --tag burst${i}`, tool: 'Bash' })));
    assert.deepEqual(results.map((r) => [r.decision.verdict, r.decidedBy]), Array(4).fill(['deny', 'policy']));
    const toast = page.locator('.notification-toast', { hasText: 'Airlock denied 4 agent actions' });
    await toast.waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await page.locator('.notification-toast', { hasText: /npm publish/ }).count(), 1, 'one notification for the burst');
    await screenshot(page, 'denials-notification.png');
    await toast.locator('a.monaco-button', { hasText: 'Show in Timeline' }).click();
    await timelineRow('npm publish --tag burst4').first().waitFor();
  });

  it('rolls back from the Timeline (Roll Back, preview, confirm) and Undo Rollback restores the state before it', async () => {
    const cart = path.join(folder, 'src', 'cart.js');
    const coupon = path.join(folder, 'src', 'coupon.js');
    const original = fs.readFileSync(cart, 'utf8');
    // An agent edits cart.js and creates coupon.js; the policy allows both, with a snapshot first.
    const r1 = await hook({ paths: [cart], content: `${original}// discount\n` });
    assert.equal(r1.decision.verdict, 'allow');
    fs.writeFileSync(cart, `${original}// discount\n`);
    const r2 = await hook({ kind: 'create', paths: [coupon], content: 'export const coupon = 10;\n' });
    assert.equal(r2.decision.verdict, 'allow');
    fs.writeFileSync(coupon, 'export const coupon = 10;\n');

    await openAirlockView();
    // The cart.js action's row (its snapshot id may equal an earlier one when nothing changed in between).
    const row = timelineRow('src/cart.js').filter({ hasText: r1.snapshotId! }).first();
    await clickInline(row, 'Roll Back to Before This');
    const pick = page.locator('.quick-input-widget');
    await pick.locator('.monaco-list-row', { hasText: 'src/coupon.js' }).waitFor();
    await pick.locator('.monaco-list-row', { hasText: 'src/cart.js' }).waitFor();
    await screenshot(page, 'rollback-preview.png');
    await page.keyboard.press('Enter');
    const box = dialog();
    await box.waitFor();
    assert.match(await box.innerText(), /Roll back 2 file/);
    await screenshot(page, 'rollback-confirm.png');
    await box.locator('.dialog-buttons a.monaco-button', { hasText: 'Roll Back' }).click();
    await until('cart.js restored and coupon.js removed', () => fs.readFileSync(cart, 'utf8') === original && !fs.existsSync(coupon));

    const undoRow = timelineRow(`Rolled back to before src/cart.js`).first();
    await undoRow.waitFor();
    await page.locator('.notification-toast', { hasText: 'Rolled back 2 file' }).first().waitFor();
    await screenshot(page, 'timeline-after-rollback.png');
    await clickInline(undoRow, 'Undo Rollback');
    await until('the agent’s changes back', () => fs.existsSync(coupon) && fs.readFileSync(cart, 'utf8') === `${original}// discount\n`);
    assert.equal(fs.readFileSync(coupon, 'utf8'), 'export const coupon = 10;\n');
    await timelineRow('Undid the rollback to before src/cart.js').first().waitFor();
    const log = readAudit(folder, env).entries.filter((e) => e.kind === 'rollback');
    assert.equal(log.length >= 2, true, 'the rollback and its undo are in the audit log');
  });

  it('denies when nobody answers within the policy’s timeout, closes the diff and says so', async () => {
    const policyFile = path.join(folder, '.airlock', 'policy.json');
    const original = fs.readFileSync(policyFile, 'utf8');
    const loadsBefore = policyLoads();
    fs.writeFileSync(policyFile, original.replace('"timeoutSeconds": 120', '"timeoutSeconds": 5'));
    try {
      // The policy reloads when the file changes; a request sent before that would wait 120 s.
      await until('the policy to reload', () => policyLoads() > loadsBefore);
      await runCommand('Notifications: Clear All Notifications');
      const started = Date.now();
      const answer = hook({ paths: [path.join(folder, '.env')], content: 'TIMEOUT=1\n' });
      await editorAction('Approve').waitFor();
      const res = await answer;
      const waited = Date.now() - started;
      assert.equal(res.decision.verdict, 'deny');
      assert.equal(res.decidedBy, 'timeout');
      assert.ok(waited >= 4_500, `denied after the timeout, not before (${waited} ms)`);
      await editorAction('Approve').waitFor({ state: 'detached' });
      const toast = page.locator('.notification-toast', { hasText: /change \.env: nobody answered/i }).first();
      await toast.waitFor();
      assert.ok(await toast.locator('a.monaco-button', { hasText: 'Show in Timeline' }).count(), 'the notification leads to the Timeline');
      await screenshot(page, 'timeout-denied.png');
      assert.equal(readAudit(folder, env).entries.at(-1)!.decidedBy, 'timeout');
    } finally {
      fs.writeFileSync(policyFile, original);
    }
  });

  it('first run: the walkthrough creates a starter policy, and Try an Approval puts a demo request to the developer', async () => {
    const policyFile = path.join(folder, '.airlock', 'policy.json');
    const original = fs.readFileSync(policyFile, 'utf8');
    fs.rmSync(policyFile);
    try {
      await runCommand('Welcome: Open Walkthrough...', true);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Agent Airlock' }).first().click();
      const walkthrough = page.locator('.gettingStartedContainer');
      await walkthrough.locator('.getting-started-step', { hasText: 'Create a team policy' }).first().waitFor();
      await walkthrough.getByRole('button', { name: 'Create Policy', exact: true }).first().click();
      const starter = await until('the starter policy, written out', () => fs.existsSync(policyFile) && /"approval"[^]*\}\s*$/.test(fs.readFileSync(policyFile, 'utf8')) && fs.readFileSync(policyFile, 'utf8'));
      assert.match(starter, /^\{\n {2}\/\/ The team's rules for AI agents/, 'a commented starter policy');
      await page.locator('.tab', { hasText: 'policy.json' }).first().waitFor();
      await runCommand('View: Close All Editors');
      await runCommand('Welcome: Open Walkthrough...', true);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Agent Airlock' }).first().click();
      await walkthrough.locator('.getting-started-step', { hasText: 'Try an approval' }).first().click();
      await screenshot(page, 'walkthrough.png');
      await walkthrough.getByRole('button', { name: 'Try an Approval', exact: true }).first().click();
      await editorAction('Approve').waitFor();
      assert.match((await page.locator('.editor-group-container.active .tab.active').getAttribute('aria-label')) ?? '', /The Airlock demo wants to change \.env\.airlock-demo/);
      await editorAction('Approve').click();
      await page.locator('.notification-toast', { hasText: 'You approved' }).first().waitFor();
      const last = readAudit(folder, env).entries.at(-1)!;
      assert.equal(last.agent, 'airlock-demo');
      assert.equal(last.decidedBy, 'human');
      assert.equal(last.verdict, 'allow');
      assert.equal(fs.existsSync(path.join(folder, '.env.airlock-demo')), false, 'the demo writes nothing');
    } finally {
      fs.writeFileSync(policyFile, original);
    }
  });

  it('Install Agent Hooks… offers every agent and installs the hook for the one picked', async () => {
    const claudeSettings = path.join(folder, '.claude', 'settings.json');
    try {
      await runCommand('Airlock: Install Agent Hooks…', true);
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Claude Code' }).first();
      await row.waitFor();
      assert.ok(await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Gemini CLI' }).count(), 'every agent is offered');
      await row.locator('.monaco-checkbox, input[type=checkbox]').first().click();
      await page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor();
      await screenshot(page, 'install-hooks.png');
      await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
      await page.locator('.notification-toast', { hasText: 'Airlock now guards Claude Code' }).first().waitFor();
      const settings = fs.readFileSync(claudeSettings, 'utf8');
      assert.match(settings, /PreToolUse/);
      assert.match(settings, /airlock-hook/);
    } finally {
      fs.rmSync(path.join(folder, '.claude'), { recursive: true, force: true });
      fs.rmSync(path.join(folder, '.airlock', 'bin'), { recursive: true, force: true });
    }
  });
});
