import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SnapshotService } from '../../src/snapshot/service';
import type { SnapshotSettings } from '../../src/snapshot/service';
import { folderKey } from '../../src/util/stateDir';
import { cleanEnv, g, read, readState, tmpDir, useSnapshotDirs, write } from './snapshotFixture';

const SETTINGS: SnapshotSettings = { enabled: true, include: [], maxFileSizeMB: 10, retention: { maxCount: 200, maxAgeDays: 14, maxSizeMB: 1024 } };

/** Git with extra environment (a temporary index, a shadow git dir). */
function gEnv(dir: string, env: Record<string, string>, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd: dir, env: { ...cleanEnv(), ...env }, input, encoding: 'utf8' });
}

/**
 * Writes a snapshot the way the previous version did: a commit of the whole folder with Airlock's
 * trailers and a v1 coverage record, under refs/airlock/ of `env`'s repository. Returns its id.
 */
function oldSnapshot(dir: string, env: Record<string, string>, label: string, ignored: string[], withParent: boolean): string {
  const index = path.join(tmpDir('airlock-oldindex-'), 'index');
  const e = { ...env, GIT_INDEX_FILE: index };
  gEnv(dir, e, ['add', '-A']);
  const tree = gEnv(dir, e, ['write-tree']).trim();
  const meta = gEnv(dir, env, ['hash-object', '-w', '--stdin'], JSON.stringify({ version: 1, ignored, skipped: [] })).trim();
  const message = `${label}\n\nAirlock-Kind: snapshot\nAirlock-Agent: claude\nAirlock-Tool: Edit\nAirlock-Time: 2026-01-02T03:04:05.000Z\nAirlock-Worktree: main\nAirlock-Scope: .\nAirlock-Files-Changed: 3\nAirlock-Skipped: 0\nAirlock-Meta: ${meta}\n`;
  const parent = withParent ? ['-p', gEnv(dir, env, ['rev-parse', 'HEAD']).trim()] : [];
  const commit = gEnv(dir, env, ['commit-tree', tree, ...parent, '-F', '-'], message).trim();
  const id = commit.slice(0, 12);
  gEnv(dir, env, ['update-ref', `refs/airlock/snapshots/${id}`, commit]);
  gEnv(dir, env, ['update-ref', `refs/airlock/meta/${id}`, meta]);
  fs.rmSync(path.dirname(index), { recursive: true, force: true });
  return id;
}

describe('snapshots of the previous version are migrated out of the workspace once', () => {
  const dirs = useSnapshotDirs();

  it("moves refs/airlock/* of the workspace's repository into the store, keeps their ids, then removes them", async () => {
    const dir = dirs.repo();
    write(dir, 'a.txt', 'as the old snapshot saw it\n');
    write(dir, 'untracked.txt', 'u\n');
    write(dir, 'debug.log', 'ignored\n');
    const state = readState(dir);
    const id = oldSnapshot(dir, {}, 'Edit a.txt', ['debug.log'], true);
    fs.mkdirSync(path.join(dir, '.git', 'airlock'));
    fs.writeFileSync(path.join(dir, '.git', 'airlock', 'index-1-stale'), 'left by a killed process');
    assert.notEqual(g(dir, 'for-each-ref', 'refs/airlock/'), '');

    const service = new SnapshotService({ storageDir: dirs.storage(), settings: () => SETTINGS });
    const list = await service.list(dir);
    assert.deepEqual(
      list.map((s) => [s.id, s.label, s.agent, s.tool, s.time, s.filesChanged]),
      [[id, 'Edit a.txt', 'claude', 'Edit', '2026-01-02T03:04:05.000Z', 3]],
    );
    assert.equal(g(dir, 'for-each-ref', 'refs/airlock/'), '', 'nothing left in the workspace repository');
    assert.equal(fs.existsSync(path.join(dir, '.git', 'airlock')), false);
    assert.deepEqual(await service.verify(dir, id), { id, ok: true });

    // Its objects are the store's own now: the repository can lose them.
    write(dir, 'a.txt', 'changed after\n');
    fs.rmSync(path.join(dir, 'untracked.txt'));
    g(dir, 'reflog', 'expire', '--expire=now', '--all');
    g(dir, 'gc', '-q', '--prune=now');
    await service.rollback(dir, id);
    assert.deepEqual(readState(dir), state, 'exactly as the old snapshot had it; the ignored log untouched');

    // Once only: a ref an agent plants there later (a forged "snapshot") is never taken in, by this process or a new one.
    const forged = oldSnapshot(dir, {}, 'forged by an agent', [], true);
    assert.equal((await service.list(dir)).some((x) => x.id === forged), false, 'the planted ref is not a snapshot');
    const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
    const other = spawnSync(process.execPath, [cli, 'snapshots', '--cwd', dir, '--json'], { encoding: 'utf8', env: { ...cleanEnv(), AIRLOCK_HOME: dirs.storage() } });
    assert.equal(other.status, 0, other.stderr);
    const ids = (JSON.parse(other.stdout) as { id: string }[]).map((x) => x.id);
    assert.ok(ids.includes(id) && !ids.includes(forged), `nor in a new process (${ids.join(', ')})`);
    assert.notEqual(g(dir, 'for-each-ref', 'refs/airlock/'), '', 'and Airlock leaves what it did not make alone');
  });

  it('moves an old shadow repository of a folder outside git into the store, and removes it', async () => {
    const dir = dirs.track(tmpDir('airlock-plain-'));
    write(dir, 'notes.txt', 'n1\n');
    const shadow = path.join(dirs.storage(), 'shadow', folderKey(dir));
    fs.mkdirSync(path.dirname(shadow), { recursive: true });
    gEnv(dir, {}, ['init', '-q', '--bare', shadow]);
    const env = { GIT_DIR: shadow, GIT_WORK_TREE: dir };
    const id = oldSnapshot(dir, env, 'before', [], false);
    write(dir, 'notes.txt', 'n2\n');
    write(dir, 'extra.txt', 'e\n');
    const service = new SnapshotService({ storageDir: dirs.storage(), settings: () => SETTINGS });
    assert.deepEqual((await service.list(dir)).map((s) => s.id), [id]);
    assert.equal(fs.existsSync(shadow), false, 'the old shadow repository is gone');
    const r = await service.rollback(dir, id);
    assert.deepEqual([r.changed, r.deleted], [['notes.txt'], ['extra.txt']]);
    assert.equal(read(dir, 'notes.txt'), 'n1\n');
  });
});
