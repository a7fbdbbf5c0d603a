import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAudit } from '../../src/audit/log';
import { claudeWrites } from './hookCli';
import { screenshot } from './ui';
import { until, Workbench } from './workbench';

/**
 * The human's side of Airlock, clicked in a real VS Code (code-server, the working copy's extension
 * loaded as installed, no test driver): hook requests travel the real bridge (Unix socket found
 * through the registration), the test clicks what a developer clicks, and checks what the agent is told
 * and what happens to the files. Every test saves the screenshot the README shows.
 */
describe('approving and rolling back in a real VS Code (Playwright)', function () {
  this.timeout(90_000);
  let wb: Workbench;
  let folder: string;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(180_000);
    wb = await Workbench.open();
    folder = wb.folder;
    env = wb.env;
  });

  after(async () => {
    await wb?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      // What the window looked like, for whoever reads the failure.
      const file = path.join(os.tmpdir(), `airlock-e2e-failure-${Date.now()}.png`);
      await wb.page.screenshot({ path: file }).catch(() => undefined);
      process.stderr.write(`screenshot of the failure: ${file}\n${wb.airlockLog().split('\n').slice(-25).join('\n')}\n`);
    }
  });

  beforeEach(async () => {
    await wb.calm();
  });

  const hook = (a: Parameters<Workbench['hook']>[0], deadlineMs?: number) => wb.hook(a, deadlineMs);
  const runCommand = (title: string, opensPicker = false) => wb.runCommand(title, opensPicker);
  const editorAction = (label: string) => wb.editorAction(label);
  const armed = (label: string) => wb.armedEditorAction(label);
  const timelineRow = (text: string | RegExp) => wb.timelineRow(text);

  it('shows a hook’s .env write as a diff; a click on Approve lets the hook answer allow', async () => {
    const envFile = path.join(folder, '.env');
    const before = fs.readFileSync(envFile, 'utf8');
    const answer = hook({ paths: [envFile], content: `${before}FEATURE_FLAG=on\n` });
    const approve = editorAction('Approve');
    await approve.waitFor();
    const tab = wb.page.locator('.editor-group-container.active .tab.active');
    assert.match((await tab.getAttribute('aria-label')) ?? '', /Claude Code wants to change \.env/);
    assert.doesNotMatch((await tab.textContent()) ?? '', /paths\[|built-in/, 'the tab title is short, without rule jargon');
    const banner = await until('the line above the diff', async () => (await wb.diffBanner()) || undefined);
    assert.match(banner, /Denied in (\d+:\d\d|\d+ s) unless you approve/, `the countdown shows in the diff: ${banner}`);
    assert.match(banner, /secrets/, 'and why the policy asks');
    await wb.page.locator('.editor-group-container.active .monaco-diff-editor .modified', { hasText: 'FEATURE_FLAG=on' }).first().waitFor();
    await wb.page.locator('.statusbar-item', { hasText: 'Airlock 1' }).first().waitFor();
    await screenshot(wb.page, 'approve-edit-diff.png');
    await armed('Approve').click();
    const res = await answer;
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.decidedBy, 'human');
    assert.match(res.snapshotId ?? '', /^[0-9a-f]{12}$/, 'a snapshot is taken before the approved write');
    await wb.page.locator('.editor-group-container.active .editor-actions a.action-label[aria-label^="Approve"]').waitFor({ state: 'detached' });
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
    await armed('Approve').click();
    const a = await approved;
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stdout, /"deny"/, 'Claude Code is not told to stop');

    const denied = runHook('VIA_CLI=2\n');
    await editorAction('Deny').waitFor();
    await editorAction('Deny').click();
    await wb.page.locator('.quick-input-widget input').fill('Not from a hook test.');
    await wb.page.keyboard.press('Enter');
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
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor();
    assert.doesNotMatch((await input.getAttribute('placeholder')) ?? '', /npm run clean/, 'no suggestion that fits another request');
    await input.fill('Keep secrets out of the repository; use the vault.');
    await screenshot(wb.page, 'deny-with-reason.png');
    await wb.page.keyboard.press('Enter');
    const res = await answer;
    assert.equal(res.decision.verdict, 'deny');
    assert.equal(res.decidedBy, 'human');
    assert.equal(res.message, 'Keep secrets out of the repository; use the vault.');
    assert.equal(res.snapshotId, undefined, 'nothing is snapshotted for a denied write');
    assert.equal(readAudit(folder, env).entries.at(-1)!.message, 'Keep secrets out of the repository; use the vault.');
  });

  it('answers from the keyboard: Ctrl+Alt+Backspace opens Deny…, Escape keeps it pending, Ctrl+Alt+Enter approves', async () => {
    const answer = hook({ paths: [path.join(folder, '.env')], content: 'KEYBOARD=1\n' });
    await armed('Approve').waitFor();
    await wb.page.locator('.editor-group-container.active .monaco-diff-editor .modified .view-lines').first().click();
    await wb.page.keyboard.press('Control+Alt+Backspace');
    await wb.page.locator('.quick-input-widget input').waitFor();
    await wb.page.keyboard.press('Escape');
    await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await wb.page.locator('.statusbar-item', { hasText: 'Airlock 1' }).first().waitFor();
    await wb.page.locator('.editor-group-container.active .monaco-diff-editor .modified .view-lines').first().click();
    await armed('Approve').waitFor();
    await wb.page.keyboard.press('Control+Alt+Enter');
    const res = await answer;
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.decidedBy, 'human');
  });

  it('shows a destructive command with its risks in the approval panel; a click on Deny… denies', async () => {
    const answer = hook({ kind: 'command', command: 'git push --force origin main', tool: 'Bash' });
    const deny = wb.panelButton('deny');
    await deny.waitFor();
    const text = (await wb.panel().locator('body').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Claude Code wants to run: git push --force origin main/);
    assert.match(text, /Pushing shares our work with everyone/, 'the rule’s reason');
    assert.match(text, /destructive git push --force origin main force-pushes/, 'each sub-command with its risk');
    assert.match(text, /Working directory/);
    assert.match(text, /Denied automatically in (\d+:\d\d|\d+ s)/);
    assert.equal((text.match(/Pushing shares our work with everyone/g) ?? []).length, 1, 'each reason once');
    assert.doesNotMatch(text, /`/, 'no literal backticks');
    assert.deepEqual(await wb.panel().locator('button').allInnerTexts(), ['Allow once', 'Allow for this session', 'Deny…']);
    await wb.panel().locator('button[data-answer="approve"]:not([disabled])').waitFor();
    await screenshot(wb.page, 'approval-panel.png');
    await deny.click();
    // Deny… asks for an optional reason: an empty Enter denies without one.
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor();
    await wb.page.keyboard.press('Enter');
    const res = await answer;
    assert.equal(res.decision.verdict, 'deny');
    assert.equal(res.decidedBy, 'human');
    await until('the panel to close', async () => (await wb.page.locator('.tab', { hasText: 'git push --force' }).count()) === 0);
  });

  it('a burst of policy denials makes one notification, with Show in Timeline', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((i) => hook({ kind: 'command', command: `npm publish --tag burst${i}`, tool: 'Bash' })));
    assert.deepEqual(results.map((r) => [r.decision.verdict, r.decidedBy]), Array(4).fill(['deny', 'policy']));
    const toast = wb.page.locator('.notification-toast', { hasText: 'Airlock denied 4 agent actions' });
    await toast.waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await wb.page.locator('.notification-toast', { hasText: /npm publish/ }).count(), 1, 'one notification for the burst');
    await screenshot(wb.page, 'denials-notification.png');
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

    await wb.openAirlockView();
    // Both rows shown first: a row inserted while the mouse is on its way moves the one it aims at.
    await timelineRow('create src/coupon.js').first().waitFor();
    // The cart.js action's row (its snapshot id may equal an earlier one when nothing changed in between).
    const row = timelineRow('src/cart.js').filter({ hasText: r1.snapshotId! }).first();
    await wb.clickInline(row, 'Roll Back to Before This');
    const pick = wb.page.locator('.quick-input-widget');
    await pick.locator('.monaco-list-row', { hasText: 'src/coupon.js' }).waitFor();
    await pick.locator('.monaco-list-row', { hasText: 'src/cart.js' }).waitFor();
    await screenshot(wb.page, 'rollback-preview.png');
    await wb.page.keyboard.press('Enter');
    const box = wb.page.locator('.monaco-dialog-box');
    await box.waitFor();
    assert.match(await box.innerText(), /Roll back 2 file/);
    await screenshot(wb.page, 'rollback-confirm.png');
    await box.locator('.dialog-buttons a.monaco-button', { hasText: 'Roll Back' }).click();
    await until('cart.js restored and coupon.js removed', () => fs.readFileSync(cart, 'utf8') === original && !fs.existsSync(coupon));

    const undoRow = timelineRow(`Rolled back to before src/cart.js`).first();
    await undoRow.waitFor();
    await wb.page.locator('.notification-toast', { hasText: 'Rolled back 2 file' }).first().waitFor();
    await screenshot(wb.page, 'timeline-after-rollback.png');
    await wb.clickInline(undoRow, 'Undo Rollback');
    await until('the agent’s changes back', () => fs.existsSync(coupon) && fs.readFileSync(cart, 'utf8') === `${original}// discount\n`);
    assert.equal(fs.readFileSync(coupon, 'utf8'), 'export const coupon = 10;\n');
    await timelineRow('Undid the rollback to before src/cart.js').first().waitFor();
    await wb.page.locator('.notification-toast', { hasText: 'Undid the rollback' }).first().waitFor();
    await timelineRow(/Rolled back to before src\/cart\.js.*undone/).first().waitFor();
    const log = readAudit(folder, env).entries.filter((e) => e.kind === 'rollback');
    assert.equal(log.length >= 2, true, 'the rollback and its undo are in the audit log');
  });

  it('denies when nobody answers within the policy’s timeout, closes the diff and says so', async () => {
    const policyFile = path.join(folder, '.airlock', 'policy.json');
    const original = fs.readFileSync(policyFile, 'utf8');
    try {
      // The policy reloads when the file changes; a request sent before that would wait 120 s.
      await wb.writePolicy(original.replace('"timeoutSeconds": 120', '"timeoutSeconds": 5'));
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
      const toast = wb.page.locator('.notification-toast', { hasText: /change \.env: nobody answered/i }).first();
      await toast.waitFor();
      assert.ok(await toast.locator('a.monaco-button', { hasText: 'Show in Timeline' }).count(), 'the notification leads to the Timeline');
      await screenshot(wb.page, 'timeout-denied.png');
      assert.equal(readAudit(folder, env).entries.at(-1)!.decidedBy, 'timeout');
    } finally {
      await wb.writePolicy(original);
    }
  });

  it('first run: the walkthrough creates a starter policy, and Try an Approval puts a demo request to the developer', async () => {
    const policyFile = path.join(folder, '.airlock', 'policy.json');
    const original = fs.readFileSync(policyFile, 'utf8');
    fs.rmSync(policyFile);
    try {
      await runCommand('Welcome: Open Walkthrough...', true);
      await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Agent Airlock' }).first().click();
      const walkthrough = wb.page.locator('.gettingStartedContainer');
      await walkthrough.locator('.getting-started-step', { hasText: 'Create a team policy' }).first().waitFor();
      await walkthrough.getByRole('button', { name: 'Create Policy', exact: true }).first().click();
      const starter = await until('the starter policy, written out', () => fs.existsSync(policyFile) && /"approval"[^]*\}\s*$/.test(fs.readFileSync(policyFile, 'utf8')) && fs.readFileSync(policyFile, 'utf8'));
      assert.match(starter, /^\{\n {2}\/\/ The team's rules for AI agents/, 'a commented starter policy');
      await wb.page.locator('.tab', { hasText: 'policy.json' }).first().waitFor();
      await runCommand('View: Close All Editors');
      await runCommand('Welcome: Open Walkthrough...', true);
      await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Agent Airlock' }).first().click();
      await walkthrough.locator('.getting-started-step', { hasText: 'Try an approval' }).first().click();
      await walkthrough.getByRole('button', { name: 'Try an Approval', exact: true }).first().click();
      await editorAction('Approve').waitFor();
      assert.match((await wb.page.locator('.editor-group-container.active .tab.active').getAttribute('aria-label')) ?? '', /The Airlock demo wants to change \.env\.airlock-demo/);
      await armed('Approve').click();
      await wb.page.locator('.notification-toast', { hasText: 'You approved' }).first().waitFor();
      const last = readAudit(folder, env).entries.at(-1)!;
      assert.equal(last.agent, 'airlock-demo');
      assert.equal(last.decidedBy, 'human');
      assert.equal(last.verdict, 'allow');
      assert.equal(fs.existsSync(path.join(folder, '.env.airlock-demo')), false, 'the demo writes nothing');
    } finally {
      await wb.writePolicy(original);
    }
  });

  it('Install Agent Hooks… offers every agent and installs the hook for the one picked', async () => {
    const claudeSettings = path.join(folder, '.claude', 'settings.json');
    try {
      await runCommand('Airlock: Install Agent Hooks…', true);
      const row = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Claude Code' }).first();
      await row.waitFor();
      assert.ok(await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Gemini CLI' }).count(), 'every agent is offered');
      await row.locator('.monaco-checkbox, input[type=checkbox]').first().click();
      await wb.page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor();
      await screenshot(wb.page, 'install-hooks.png');
      await wb.page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
      await wb.page.locator('.notification-toast', { hasText: 'Airlock now guards Claude Code' }).first().waitFor();
      const settings = fs.readFileSync(claudeSettings, 'utf8');
      assert.match(settings, /PreToolUse/);
      assert.match(settings, /airlock-hook/);
    } finally {
      fs.rmSync(path.join(folder, '.claude'), { recursive: true, force: true });
      fs.rmSync(path.join(folder, '.airlock', 'bin'), { recursive: true, force: true });
    }
  });
});
