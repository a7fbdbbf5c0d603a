import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from './harness';
import { claudeWrites } from './hookCli';
import { openBrowser, screenshot, waitForAirlock } from './ui';

/** A terminal the user opens next to `npm start`: their own PATH, HOME and session dirs, nothing of Airlock's. */
function plainTerminalEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'XDG_RUNTIME_DIR', 'TMPDIR'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

/** `npm start` as a new user runs it: a real VS Code on 127.0.0.1 with Airlock in the activity bar. */
describe('npm start (Airlock in a real VS Code on the demo workspace)', function () {
  this.timeout(240_000);

  it('serves VS Code on 127.0.0.1 with the Airlock view, finds the window from a plain terminal, and Ctrl-C stops everything', async () => {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-start-')));
    const demo = path.join(tmp, 'demo');
    // As a user's terminal runs it: no Airlock variables (the audit log goes to a temp state dir).
    const startEnv: NodeJS.ProcessEnv = { ...process.env, AIRLOCK_PORT: '0', AIRLOCK_HOME: path.join(tmp, 'airlock-state') };
    for (const k of ['AIRLOCK_RUNTIME_DIR', 'AIRLOCK_SOCKET', 'AIRLOCK_TOKEN', 'AIRLOCK_CLI']) {
      delete startEnv[k];
    }
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'start.mjs'), '--workspace', demo, '--state', path.join(tmp, 'state')], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: startEnv,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const ui = await openBrowser();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setInterval(() => {
          const m = /Open\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
          if (m) {
            clearInterval(t);
            resolve(m[1]);
          }
        }, 100);
        child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?folder=/);
      assert.ok(fs.existsSync(path.join(tmp, 'demo', '.git')), 'the demo workspace is a git repository');
      assert.ok(fs.existsSync(path.join(tmp, 'demo', '.env')), 'the demo workspace has a .env');
      assert.ok(fs.existsSync(path.join(tmp, 'demo', '.airlock', 'policy.json')), 'the demo workspace has a team policy');

      const { page } = ui;
      await page.goto(url);
      await waitForAirlock(page);
      await page.locator('.activitybar .action-item a[aria-label^="Airlock"]').first().click();
      await page.locator('.sidebar .composite.title', { hasText: /Airlock/i }).first().waitFor({ timeout: 30_000 });
      for (const view of ['Pending Approvals', 'Timeline', 'Status']) {
        await page.locator('.sidebar .pane-header', { hasText: view }).first().waitFor({ timeout: 30_000 });
      }
      await page.locator('.sidebar', { hasText: 'Nothing is waiting for your approval' }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'airlock-view.png');

      // What it printed: where the window registered (where every terminal of this user looks), how
      // to give an outside terminal's hook this working copy's Airlock, and how to stop.
      const registered = /registered in (\S+?)\);/.exec(out)?.[1];
      assert.ok(registered, out);
      assert.ok(out.includes(`export AIRLOCK_CLI=${path.join(projectRoot, 'dist', 'cli.js')}`), out);
      assert.match(out, /Ctrl-C here stops VS Code/);

      // Claude Code in the user's own terminal (not VS Code's): its hook finds the window, and the
      // .env write waits there for the human.
      const answer = claudeWrites(demo, path.join(demo, '.env'), 'FROM_MY_TERMINAL=1\n', plainTerminalEnv(), 'start-e2e');
      const approve = page.locator('.editor-group-container.active .editor-actions a.action-label[aria-label^="Approve"]').first();
      const early = await Promise.race([answer, approve.waitFor({ timeout: 30_000 }).then(() => undefined)]);
      assert.equal(early, undefined, `the hook answered without reaching the window: ${JSON.stringify(early)}`);
      await page.locator('.tabs-container .tab', { hasText: '.env' }).first().waitFor();
      await approve.click();
      const a = await answer;
      assert.equal(a.code, 0, a.stderr);
      assert.doesNotMatch(a.stdout, /"deny"/, 'Claude Code is told to go ahead');

      // VS Code's own terminal is the user's session too (their HOME: an agent finds its login there),
      // with this working copy's Airlock for the hook launcher.
      const seen = path.join(tmp, 'terminal-env.txt');
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Terminal: Create New Terminal');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Terminal: Create New Terminal' }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.terminal-wrapper.active .xterm').first().waitFor({ timeout: 30_000 });
      await page.keyboard.type(`echo "$HOME|$AIRLOCK_CLI" > '${seen}'\n`, { delay: 5 });
      const deadline = Date.now() + 30_000;
      while (!fs.existsSync(seen) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(fs.readFileSync(seen, 'utf8').trim(), `${os.homedir()}|${path.join(projectRoot, 'dist', 'cli.js')}`);
    } finally {
      await ui.close();
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.on('exit', r)));
    }
    assert.equal(child.exitCode, 0, out);
    assert.match(out, /stopping VS Code/);
    const leftovers = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(path.join(tmp, 'state'));
        } catch {
          return false;
        }
      });
    assert.deepEqual(leftovers, [], 'no VS Code process is left after Ctrl-C');
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
