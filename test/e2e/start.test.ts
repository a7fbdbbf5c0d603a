import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeDir } from '../../src/bridge/registry';
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
      const registered = /registers in (\S+?)\);/.exec(out)?.[1];
      assert.equal(registered, runtimeDir(plainTerminalEnv()), out);
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
    // Every process of that VS Code, with what it is (state, group, command line) if one is left.
    const leftovers = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .flatMap((p) => {
          try {
            const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
            return cmd.includes(path.join(tmp, 'state')) ? [`${p} ${fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ').slice(0, 4).join(' ')} ${cmd.replace(/\0/g, ' ')}`] : [];
          } catch {
            return [];
          }
        });
    assert.deepEqual(leftovers(), [], 'no VS Code process is left after Ctrl-C');
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

/** A copy of what `git clone` gives for the set-up step: manifests, lockfile and scripts, no node_modules. */
function freshCopy(tmp: string): string {
  const dir = path.join(tmp, 'clone');
  for (const f of ['package.json', 'package-lock.json', '.npmrc', 'scripts', 'demo']) {
    fs.cpSync(path.join(projectRoot, f), path.join(dir, f), { recursive: true });
  }
  return dir;
}

/** Runs `npm <script>` in dir (npm runs the pre-script, as for a user). */
function npmRun(dir: string, script: string, env: NodeJS.ProcessEnv) {
  const cli = process.env.npm_execpath?.endsWith('.js') ? process.env.npm_execpath : fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
  return spawnSync(process.execPath, [cli, 'run', script], { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
}

describe('npm start / npm test on a fresh clone (scripts/setup.mjs)', function () {
  this.timeout(240_000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-setup-')));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('without the system packages, stops at once with the one line to run, before installing anything', () => {
    const dir = freshCopy(tmp);
    // A machine without git, chromium, the sandbox's tools and the build tools: only node, npm and sh on PATH.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
    // AIRLOCK_NO_APT=1 stands for a user who is not root (the tests run as root in CI).
    const env = { ...process.env, PATH: bin, AIRLOCK_NO_APT: '1', AIRLOCK_VSCODE_CACHE: path.join(tmp, 'no-vscode-yet') };
    for (const [script, wanted] of [
      ['test', 'git bubblewrap chromium make python3 g++ pkg-config libkrb5-dev'],
      ['start', 'git bubblewrap g++ make python3 pkg-config libkrb5-dev'],
    ]) {
      const r = npmRun(dir, script, env);
      assert.notEqual(r.status, 0, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l.includes('apt-get install'));
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].endsWith(`apt-get install -y ${wanted}`), lines[0]);
      assert.match(r.stderr, new RegExp(`npm ${script} needs: git \\(`));
      assert.ok(!fs.existsSync(path.join(dir, 'node_modules')), 'nothing was installed before the check');
      assert.ok(!fs.existsSync(path.join(dir, 'dist')), 'nothing was built');
    }
  });

  it('installs node_modules with npm ci when it is missing (saying so in one line), and leaves a matching one alone', async () => {
    const dir = freshCopy(tmp);
    const first = spawnSync(process.execPath, [path.join(dir, 'scripts', 'setup.mjs'), 'test'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    assert.equal(first.status, 0, first.stderr);
    const said = first.stderr.split('\n').filter((l) => l.startsWith('[setup]'));
    assert.deepEqual(said, ['[setup] node_modules is missing: installing node_modules from package-lock.json (npm ci)']);
    assert.ok(fs.existsSync(path.join(dir, 'node_modules', 'esbuild', 'package.json')));
    const again = spawnSync(process.execPath, [path.join(dir, 'scripts', 'setup.mjs'), 'test'], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual([again.status, again.stderr], [0, '']);

    // Whatever drifts from the lockfile is named (and would be reinstalled).
    const { nodeModulesProblem } = (await import(pathToFileURL(path.join(dir, 'scripts', 'lib', 'nodeModules.mjs')).href)) as { nodeModulesProblem(root: string): string | undefined };
    const hidden = path.join(dir, 'node_modules', '.package-lock.json');
    const lock = JSON.parse(fs.readFileSync(hidden, 'utf8')) as { packages: Record<string, { version: string }> };
    const wanted = lock.packages['node_modules/minimatch'].version;
    lock.packages['node_modules/minimatch'].version = '0.0.1';
    fs.writeFileSync(hidden, JSON.stringify(lock));
    assert.equal(nodeModulesProblem(dir), `minimatch is 0.0.1, package-lock.json wants ${wanted}`);
    lock.packages['node_modules/minimatch'].version = wanted;
    lock.packages['node_modules/left-pad'] = { version: '1.3.0' };
    fs.writeFileSync(hidden, JSON.stringify(lock));
    assert.equal(nodeModulesProblem(dir), 'left-pad is installed but not in package-lock.json');
    delete lock.packages['node_modules/left-pad'];
    fs.writeFileSync(hidden, JSON.stringify(lock));
    fs.rmSync(path.join(dir, 'node_modules', 'ajv'), { recursive: true });
    assert.equal(nodeModulesProblem(dir), 'ajv was removed from node_modules');
  });
});
