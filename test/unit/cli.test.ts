import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

function airlock(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

describe('airlock CLI (the built dist/cli.js)', () => {
  it('prints its version', () => {
    const r = airlock('--version');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('prints help with exit 0 for --help', () => {
    const r = airlock('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage:/);
    assert.match(r.stdout, /Exit codes: 0 success, 1 refused, 2 bad usage/);
  });

  it('exits 2 with a clear message on stderr for no command or an unknown one', () => {
    const none = airlock();
    assert.equal(none.status, 2);
    assert.match(none.stderr, /Usage:/);
    const bad = airlock('frobnicate');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command 'frobnicate'/);
  });
});
