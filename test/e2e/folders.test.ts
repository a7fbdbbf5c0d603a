import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { harness, projectRoot } from './harness';

const cli = path.join(projectRoot, 'dist', 'cli.js');

function repo(dir: string, policy?: object): void {
  fs.mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  fs.writeFileSync(path.join(dir, 'README.md'), '# x\n');
  if (policy) {
    fs.mkdirSync(path.join(dir, '.airlock'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.airlock', 'policy.json'), JSON.stringify(policy, null, 2));
  }
  git('add', '.');
  git('commit', '-qm', 'init');
}

/**
 * The window and the headless hook pick the same folder's policy: a real VS Code opened on a
 * multi-root workspace with a nested folder runs test/e2e/fixtures/folders/suite.ts, which sends the
 * same actions through this window and through the headless hook and compares.
 */
describe('the policy folder in a real multi-root VS Code window and in the headless hook', function () {
  this.timeout(300_000);
  let base: string;

  before(() => {
    // Not in the OS temp dir: the built-in policy lets agents write scratch files there.
    fs.mkdirSync(path.join(os.homedir(), '.cache'), { recursive: true });
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.homedir(), '.cache', 'airlock-folders-')));
    const a = path.join(base, 'a');
    repo(a, { paths: { 'vendor/**': { write: 'deny', create: 'deny', reason: 'Vendored code is updated by the bot.' } } });
    repo(path.join(a, 'inner'), { paths: { 'docs/**': { write: 'deny', create: 'deny', reason: 'The docs are generated.' } } });
    repo(path.join(base, 'b'));
    // What an agent might do in a: a folder of its own, with a repository and a policy that allows everything.
    repo(path.join(a, 'vendor'), { paths: { '**': 'allow' }, defaults: { outsideWorkspace: 'allow' } });
    fs.mkdirSync(path.join(base, 'elsewhere'));
    for (const f of ['a', 'a/inner', 'b']) {
      const r = spawnSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', path.join(base, f)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    fs.writeFileSync(path.join(base, 'shop.code-workspace'), JSON.stringify({ folders: [{ path: 'a' }, { path: 'a/inner' }, { path: 'b' }] }, null, 2));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('gives the same folder, verdict and rules for the same action', async () => {
    const { runTestsInVSCode } = await harness();
    const lines: string[] = [];
    const r = await runTestsInVSCode({
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: path.join(projectRoot, 'out', 'test', 'e2e', 'fixtures', 'folders', 'index.js'),
      workspace: path.join(base, 'shop.code-workspace'),
      env: { AIRLOCK_FOLDERS_FIXTURE: base },
      timeoutMs: 240_000,
      onLog: (l) => lines.push(l),
    });
    const log = lines.join('\n');
    assert.equal(r.code, 0, log);
    assert.match(log, /7 passing/, log);
  });
});
