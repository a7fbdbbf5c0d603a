import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { harness, projectRoot } from './harness';

/**
 * The integration harness must be able to fail: a failing, a throwing and a never-finishing suite
 * each give a non-zero result in bounded time, and no VS Code process is left behind.
 */
describe('the integration harness (runs suites in a real VS Code)', function () {
  this.timeout(240_000);
  let workspace: string;

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-harness-'));
    fs.writeFileSync(path.join(workspace, 'a.txt'), 'x');
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  async function runFixture(name: string, timeoutMs: number) {
    const { runTestsInVSCode } = await harness();
    const lines: string[] = [];
    const started = Date.now();
    const r = await runTestsInVSCode({
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: path.join(projectRoot, 'out', 'test', 'e2e', 'fixtures', name, 'index.js'),
      workspace,
      timeoutMs,
      onLog: (l) => lines.push(l),
    });
    return { ...r, seconds: (Date.now() - started) / 1000, log: lines.join('\n') };
  }

  function codeServerProcesses(serverRoot: string): string[] {
    return fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch {
          return '';
        }
      })
      .filter((c) => c.includes(serverRoot));
  }

  it('reports a failing test as a failure', async () => {
    const r = await runFixture('failing', 120_000);
    assert.notEqual(r.code, 0, r.log);
    assert.match(r.log, /fails on purpose|expected failure/);
  });

  it('reports a test index that throws at load as a failure', async () => {
    const r = await runFixture('throwing', 120_000);
    assert.notEqual(r.code, 0, r.log);
  });

  it('fails a suite that never finishes once its time is up, and leaves no process behind', async () => {
    const r = await runFixture('hanging', 25_000);
    assert.notEqual(r.code, 0);
    assert.match(r.reason, /timed out/);
    assert.ok(r.seconds < 90, `took ${r.seconds} s`);
    assert.deepEqual(codeServerProcesses(r.serverRoot), []);
    assert.equal(fs.existsSync(r.serverRoot), false, 'its private directory is gone');
  });
});
