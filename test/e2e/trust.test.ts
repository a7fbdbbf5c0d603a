import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAudit } from '../../src/audit/log';
import { screenshot } from './ui';
import { sleep, until, Workbench } from './workbench';

/** Saves a screenshot and the end of Airlock's log when a test fails. */
function reportFailures(wb: () => Workbench | undefined): void {
  afterEach(async function () {
    const w = wb();
    if (this.currentTest?.state === 'failed' && w) {
      const file = path.join(os.tmpdir(), `airlock-e2e-failure-${Date.now()}.png`);
      await w.page.screenshot({ path: file }).catch(() => undefined);
      fs.writeFileSync(`${file}.log`, w.airlockLog());
      process.stderr.write(`screenshot of the failure: ${file} (log: ${file}.log)\n${w.airlockLog().split("\n").slice(-25).join("\n")}\n`);
    }
  });
}

/**
 * Issue 15, clicked through in a real VS Code: approvals a person can trust at a glance. Each test
 * is named after the finding it covers.
 */
describe('approvals a person can trust at a glance (Playwright)', function () {
  this.timeout(120_000);
  let wb: Workbench;
  let folder: string;

  before(async function () {
    this.timeout(180_000);
    wb = await Workbench.open();
    folder = wb.folder;
  });
  after(async () => wb?.close());
  reportFailures(() => wb);
  beforeEach(async () => wb.calm());

  /** The approval panel's buttons, in order. */
  const buttons = () => wb.panel().locator('button').allInnerTexts();
  /** Approvals by the developer so far (the audit log is written as each decision is made). */
  const approvalsInLog = () => readAudit(folder, wb.env).entries.filter((e) => e.decidedBy === 'human' && e.verdict === 'allow').length;
  /** Waits until the visible approval panel is the one for this request. */
  const panelOf = (title: string) => wb.panel().locator('h1', { hasText: title }).waitFor();

  it('1. a stray Enter, keys typed as the request appears, or a click in its first moment never allow: rm -rf src, a read of .env, git reset --hard', async () => {
    // The cursor in an editor, typing.
    await wb.runCommand('Go to File...', true);
    await wb.page.locator('.quick-input-widget input').fill('cart.js');
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'cart.js' }).first().waitFor();
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    const approvedBefore = approvalsInLog();

    // rm -rf src arrives while Enter is being pressed: the keys race the request and keep going after it shows.
    const rm = wb.hook({ kind: 'command', command: 'rm -rf src', tool: 'Bash' });
    let shownAt = 0;
    for (const start = Date.now(); Date.now() - start < 4000; ) {
      await wb.page.keyboard.press('Enter');
      if (!shownAt && (await wb.page.locator('.tab', { hasText: 'wants to run: rm -rf src' }).count())) {
        shownAt = Date.now();
      }
      await sleep(25);
    }
    assert.ok(shownAt, 'the request appeared while Enter was being pressed');
    await panelOf('wants to run: rm -rf src');
    // It opened beside the editor: what was being typed stays in view, in the editor it was typed in.
    assert.equal(await wb.page.locator('.editor-group-container').count(), 2, 'the request opens beside the editor');
    assert.equal(await wb.page.locator('.editor-group-container .tab.active', { hasText: 'cart.js' }).count(), 1, 'cart.js is still in view');
    assert.equal(approvalsInLog(), approvedBefore, 'no Enter allowed it');
    assert.ok(fs.existsSync(path.join(folder, 'src', 'cart.js')));
    const order = await buttons();
    assert.deepEqual(order, ['Allow once', 'Allow for this session', 'Deny…']);
    // Enter on a focused Allow does nothing either (and says how to allow).
    await wb.panel().locator('button[data-answer="approve"]:not([disabled])').waitFor();
    await wb.panelButton('approve').focus();
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.press('Space');
    await wb.panel().locator('#hint', { hasText: 'Enter never allows' }).waitFor();
    assert.equal(approvalsInLog(), approvedBefore);
    await wb.panelButton('deny').click();
    await wb.page.locator('.quick-input-widget input').waitFor();
    await wb.page.keyboard.press('Enter');
    assert.equal((await rm).decision.verdict, 'deny');

    // A read of .env: a click on Allow the moment the panel appears does nothing.
    await until('the rm panel to close', async () => (await wb.page.locator('.tab', { hasText: 'rm -rf src' }).count()) === 0);
    const read = wb.hook({ kind: 'read', paths: [path.join(folder, '.env')], tool: 'Read' });
    const allow = wb.panelButton('approve');
    await panelOf('wants to read .env');
    const appeared = Date.now();
    const box = await allow.boundingBox();
    assert.ok(box);
    // A real click at the button's place, as a hand already moving would land it (the box is in page coordinates).
    await wb.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const clickedAfter = Date.now() - appeared;
    await sleep(300);
    if (clickedAfter < 800) {
      assert.equal(approvalsInLog(), approvedBefore, `the click ${clickedAfter} ms after the panel appeared allowed nothing`);
    } else {
      process.stdout.write(`      (the machine was slow: the early click came ${clickedAfter} ms after the panel appeared)\n`);
    }
    assert.equal(await wb.page.locator('.tab', { hasText: 'wants to read .env' }).count(), 1, 'the request still waits');
    assert.deepEqual(await buttons(), order, 'the same buttons in the same order');
    await screenshot(wb.page, 'read-env-panel.png');
    await wb.panelButton('deny').click();
    await wb.page.locator('.quick-input-widget input').waitFor();
    await wb.page.keyboard.press('Enter');
    assert.equal((await read).decision.verdict, 'deny');

    // git reset --hard: the same order; the title bar's Approve is disabled at first, too.
    await until('the read panel to close', async () => (await wb.page.locator('.tab', { hasText: 'wants to read .env' }).count()) === 0);
    const reset = wb.hook({ kind: 'command', command: 'git reset --hard', tool: 'Bash' });
    await panelOf('wants to run: git reset --hard');
    const shown = Date.now();
    const disabledAtFirst = await wb.panelButton('approve').isDisabled();
    if (Date.now() - shown < 800) {
      assert.equal(disabledAtFirst, true, 'Allow waits a moment here too');
    }
    assert.deepEqual(await buttons(), order);
    await wb.panel().locator('button[data-answer="approve"]:not([disabled])').waitFor();
    await wb.panelButton('approve').click();
    const r = await reset;
    assert.equal(r.decision.verdict, 'allow', 'a deliberate click, once the moment has passed, allows');
    assert.equal(r.decidedBy, 'human');
    // Whatever the Enter keys typed into cart.js is thrown away.
    await wb.page.locator('.tab', { hasText: 'cart.js' }).first().click();
    await wb.runCommand('View: Revert and Close Editor');
  });

  it('2. an approved edit that writes a temp file and renames it over .env raises no warning', async () => {
    const env = path.join(folder, '.env');
    const content = `${fs.readFileSync(env, 'utf8')}APPROVED=1\n`;
    const answer = wb.hook({ paths: [env], content });
    await wb.armedEditorAction('Approve').click();
    assert.equal((await answer).decision.verdict, 'allow');
    // What Claude Code does: write a temporary file next to it, then rename it over the file.
    const tmp = `${env}.tmp.${process.pid}.9f1c0a3b`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, env);
    await sleep(3000);
    assert.doesNotMatch(wb.airlockLog(), /\[watch\] \.env.* without an approved action/);
    assert.deepEqual((await wb.notifications()).filter((n) => n.severity === 'warning'), []);
  });

  it('3. a dismissed protected-file warning is "kept" (audited), and the next change warns again', async () => {
    const env = path.join(folder, '.env');
    await sleep(10_500); // past the earlier approval of .env
    fs.writeFileSync(env, 'CHANGED_BEHIND_YOUR_BACK=1\n');
    const toast = wb.page.locator('.notification-toast', { hasText: '.env was changed' }).first();
    await toast.waitFor();
    await toast.hover();
    await toast.locator('.codicon-notifications-clear').first().click();
    await until('the keep in the audit log', () => readAudit(folder, wb.env).entries.findLast((e) => e.kind === 'keep' && /closed without an answer/.test(e.reasons.join(' '))));
    fs.writeFileSync(env, 'CHANGED_AGAIN=1\n');
    const again = wb.page.locator('.notification-toast', { hasText: '.env was changed' }).first();
    await again.waitFor();
    // Keep it: the kept state is snapshotted, so a later Revert comes back to it.
    await again.locator('a.monaco-button', { hasText: 'Keep' }).click();
    await until('the second keep', () => readAudit(folder, wb.env).entries.filter((e) => e.kind === 'keep').length >= 2);
  });

  it('4. an unguarded agent renaming a temp file over .env gets a warning with Revert, which restores it', async () => {
    const env = path.join(folder, '.env');
    await sleep(2000); // the snapshot of the kept state
    const before = fs.readFileSync(env, 'utf8');
    const tmp = `${env}.tmp.4242.abcdef12`;
    fs.writeFileSync(tmp, 'STOLEN=1\n');
    fs.renameSync(tmp, env);
    const toast = wb.page.locator('.notification-toast', { hasText: '.env was changed' }).first();
    await toast.waitFor();
    await screenshot(wb.page, 'protected-file-warning.png');
    await toast.locator('a.monaco-button', { hasText: 'Revert' }).click();
    await until('.env restored', () => fs.readFileSync(env, 'utf8') === before);
    await until('the revert in the audit log', () => readAudit(folder, wb.env).entries.findLast((e) => e.kind === 'revert'));
  });

  it('5. a request that times out or is withdrawn closes its panel and says so; closing a request leaves it waiting and says so', async () => {
    const policyFile = path.join(folder, '.airlock', 'policy.json');
    const original = fs.readFileSync(policyFile, 'utf8');
    await wb.writePolicy(original.replace('"timeoutSeconds": 120', '"timeoutSeconds": 5'));
    try {
      // Timeout: the panel closes by itself and the notification is not hidden behind anything.
      const timedOut = wb.hook({ kind: 'command', command: 'git push --force origin main', tool: 'Bash' });
      await panelOf('git push --force origin main');
      assert.equal((await timedOut).decidedBy, 'timeout');
      await until('the panel to close', async () => (await wb.page.locator('.tab', { hasText: 'git push --force' }).count()) === 0);
      await wb.page.locator('.notification-toast', { hasText: /nobody answered in time/ }).first().waitFor();
      await screenshot(wb.page, 'timeout-panel-closed.png');
    } finally {
      await wb.writePolicy(original);
    }
    await wb.runCommand('Notifications: Clear All Notifications');

    // Withdrawn: the agent stops waiting (its hook gives up after 3 s).
    const withdrawn = wb.hook({ kind: 'command', command: 'make deploy', tool: 'Bash' }, 3000).catch((e: Error) => e);
    await panelOf('make deploy');
    await withdrawn;
    await until('the panel to close', async () => (await wb.page.locator('.tab', { hasText: 'make deploy' }).count()) === 0);
    await wb.page.locator('.notification-toast', { hasText: 'the agent stopped waiting' }).first().waitFor();

    // Closing a request's tab is not an answer: it keeps waiting, and a notification says so with Deny.
    const closed = wb.hook({ paths: [path.join(folder, '.env')], content: 'CLOSED=1\n' });
    await wb.editorAction('Approve').waitFor();
    await wb.runCommand('View: Close Editor');
    const toast = wb.page.locator('.notification-toast', { hasText: 'Still waiting for your answer' }).first();
    await toast.waitFor();
    await toast.locator('a.monaco-button', { hasText: 'Deny' }).click();
    const r = await closed;
    assert.equal(r.decision.verdict, 'deny');
    assert.equal(r.decidedBy, 'human');
  });

  it('7. a broken policy shows in the status bar and the Status view, links to the problem, and each problem is reported once', async () => {
    const policyFile = path.join(folder, '.airlock', 'policy.json');
    const original = fs.readFileSync(policyFile, 'utf8');
    await wb.writePolicy(original.replace('"npm test": "allow"', '"npm test": "alow"'));
    try {
      const shield = wb.page.locator('.statusbar-item', { hasText: 'Airlock' }).first();
      await until('the status bar to show the problem', async () => /error/.test((await shield.getAttribute('aria-label')) ?? ''));
      await wb.openAirlockView();
      const status = wb.pane('Status');
      if ((await status.locator('.pane-header[aria-expanded="false"]').count()) > 0) {
        await status.locator('.pane-header').click();
      }
      await status.locator('.monaco-list-row', { hasText: 'Guarding agents with the last valid policy' }).waitFor();
      const problem = status.locator('.monaco-list-row', { hasText: /policy\.json line \d+/ }).first();
      await problem.waitFor();
      await screenshot(wb.page, 'broken-policy.png');
      await problem.click();
      await wb.page.locator('.tab.active', { hasText: 'policy.json' }).waitFor();
      // The JSON language service reports the schema error in the open editor; Airlock does not repeat it.
      await wb.page.keyboard.press('Control+Shift+M');
      const rows = wb.page.locator('.markers-panel .monaco-list-row', { hasText: /alow|allow", "ask", "deny|not allowed/ });
      await rows.first().waitFor({ timeout: 45_000 });
      await sleep(1500);
      assert.equal(await rows.count(), 1, (await rows.allInnerTexts()).join(' | '));
    } finally {
      await wb.writePolicy(original);
    }
    await until('the shield to be calm again', async () => !/error/.test((await wb.page.locator('.statusbar-item', { hasText: 'Airlock' }).first().getAttribute('aria-label')) ?? ''));
    await wb.runCommand('View: Toggle Panel Visibility').catch(() => undefined);
  });
});

/**
 * A first-time user, from an empty Airlock state (no policy, no hooks): the walkthrough's Create
 * Policy, Install Agent Hooks and Try an Approval, then an approved agent edit. Nothing they did
 * through Airlock may raise a warning; the views follow what they did.
 */
describe('a first-time user through the walkthrough (Playwright)', function () {
  this.timeout(180_000);
  let wb: Workbench;

  before(async function () {
    this.timeout(180_000);
    // A project without Airlock yet: no policy file, no agent hooks.
    wb = await Workbench.open((folder) => fs.rmSync(path.join(folder, '.airlock'), { recursive: true, force: true }));
  });
  after(async () => wb?.close());
  reportFailures(() => wb);

  async function openWalkthrough(step: string): Promise<void> {
    await wb.runCommand('Welcome: Open Walkthrough...', true);
    await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Agent Airlock' }).first().click();
    await wb.page.locator('.gettingStartedContainer .getting-started-step', { hasText: step }).first().click();
  }

  it('counts the notifications: zero warnings for what the user did through Airlock', async () => {
    const folder = wb.folder;
    const page = wb.page;
    const walkthrough = page.locator('.gettingStartedContainer');
    await wb.openAirlockView();
    // The views as a new user first sees them: the Pending view small, the Timeline offering to install hooks.
    const pendingHeight = (await wb.pane('Pending Approvals').boundingBox())!.height;
    const timelineHeight = (await wb.pane('Timeline').boundingBox())!.height;
    assert.ok(pendingHeight < timelineHeight / 2, `the empty Pending view (${pendingHeight}px) leaves the room to the Timeline (${timelineHeight}px)`);
    await wb.pane('Timeline').locator('a.monaco-button', { hasText: 'Install Agent Hooks' }).waitFor();

    await openWalkthrough('Create a team policy');
    await walkthrough.getByRole('button', { name: 'Create Policy', exact: true }).first().click();
    await until('the starter policy', () => fs.existsSync(path.join(folder, '.airlock', 'policy.json')));
    await page.locator('.tab', { hasText: 'policy.json' }).first().waitFor();

    await openWalkthrough('Connect your agents');
    await walkthrough.getByRole('button', { name: 'Install Agent Hooks', exact: true }).first().click();
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Claude Code' }).first();
    await row.waitFor();
    await row.locator('.monaco-checkbox, input[type=checkbox]').first().click();
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
    await page.locator('.notification-toast', { hasText: 'Airlock now guards Claude Code' }).first().waitFor();
    await until('the hook installed', () => fs.existsSync(path.join(folder, '.claude', 'settings.json')) && fs.existsSync(path.join(folder, '.airlock', 'bin', 'airlock-hook')));

    await openWalkthrough('Try an approval');
    await screenshot(page, 'walkthrough.png');
    await walkthrough.getByRole('button', { name: 'Try an Approval', exact: true }).first().click();
    await wb.armedEditorAction('Approve').click();
    await page.locator('.notification-toast', { hasText: 'You approved' }).first().waitFor();

    // An agent's edit of .env, approved, written the way Claude Code writes (a temp file renamed over it).
    const env = path.join(folder, '.env');
    const content = 'STRIPE_SECRET_KEY=sk_test_rotated\n';
    const answer = wb.hook({ paths: [env], content });
    await wb.armedEditorAction('Approve').click();
    assert.equal((await answer).decision.verdict, 'allow');
    const tmp = `${env}.tmp.${process.pid}.0c7e21aa`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, env);
    await sleep(4000);

    const all = await wb.notifications();
    const warnings = all.filter((n) => n.severity !== 'info');
    assert.deepEqual(warnings, [], `warnings or errors among: ${JSON.stringify(all)}`);
    assert.doesNotMatch(wb.airlockLog(), /without an approved action/);
    assert.equal(all.filter((n) => /Copilot/.test(n.text)).length, 0, 'no Copilot offer without Copilot');

    // The views follow: the Status view names the guarded agent; the Timeline no longer offers the install.
    await wb.runCommand('View: Close All Editors');
    await wb.openAirlockView();
    const status = wb.pane('Status');
    if ((await status.locator('.pane-header[aria-expanded="false"]').count()) > 0) {
      await status.locator('.pane-header').click();
    }
    await status.locator('.monaco-list-row', { hasText: 'Guarded: Claude Code' }).waitFor();
    const session = wb.timelineRow('The Airlock demo').first();
    await session.waitFor();
    assert.match(await session.innerText(), /1 action\b/, '"1 action", not "1 actions"');
    assert.equal(await wb.pane('Timeline').locator('a.monaco-button', { hasText: 'Install Agent Hooks' }).count(), 0);
  });
});
