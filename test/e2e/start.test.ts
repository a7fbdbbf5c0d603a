import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from './harness';
import { openBrowser, screenshot, waitForAirlock } from './ui';

/** `npm start` as a new user runs it: a real VS Code on 127.0.0.1 with Airlock in the activity bar. */
describe('npm start (Airlock in a real VS Code on the demo workspace)', function () {
  this.timeout(240_000);

  it('serves VS Code on 127.0.0.1 with the Airlock view, and Ctrl-C stops everything', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-start-'));
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'start.mjs'), '--workspace', path.join(tmp, 'demo'), '--state', path.join(tmp, 'state')], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AIRLOCK_PORT: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const ui = await openBrowser();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setInterval(() => {
          const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
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
