import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SnapshotService } from '../../src/snapshot/service';
import type { SnapshotSettings } from '../../src/snapshot/service';
import type { FileState } from './snapshotFixture';
import { ATTACKS, attack, damageInPacks, g, read, readState, storeDir, useSnapshotDirs, write } from './snapshotFixture';

const SETTINGS: SnapshotSettings = { enabled: true, include: [], maxFileSizeMB: 10, retention: { maxCount: 200, maxAgeDays: 14, maxSizeMB: 1024 } };

/** The files a snapshot covers (everything but the git-ignored *.log of the fixture). */
function covered(state: Map<string, FileState>): Record<string, FileState> {
  return Object.fromEntries([...state].filter(([p]) => !p.endsWith('.log')).sort());
}

describe('snapshots an agent cannot destroy or forge with git commands in the workspace', () => {
  const dirs = useSnapshotDirs();

  /**
   * A repository with history, and snapshots of states whose blobs exist only in old commits, an
   * untracked file, a staged change and a protected ignored file.
   */
  async function scene() {
    const dir = dirs.repo();
    const service = new SnapshotService({ storageDir: dirs.storage(), settings: () => SETTINGS });
    const snaps: { id: string; state: Record<string, FileState> }[] = [];
    const take = async (label: string) => {
      const s = await service.takeNow(dir, { label });
      snaps.push({ id: s.id, state: covered(readState(dir)) });
    };
    await take('initial commit');
    write(dir, 'a.txt', 'second version\n');
    g(dir, 'commit', '-qam', 'second');
    write(dir, 'src/app.js', 'console.log(2);\n');
    write(dir, 'notes.txt', 'untracked notes\n');
    write(dir, '.env', 'TOKEN=1\n');
    g(dir, 'add', 'src/app.js');
    await take('second commit, staged change, untracked and .env');
    write(dir, 'a.txt', 'third, uncommitted\n');
    fs.chmodSync(path.join(dir, 'notes.txt'), 0o755);
    fs.symlinkSync('notes.txt', path.join(dir, 'link'));
    await take('work in progress');
    write(dir, 'debug.log', 'ignored, never covered\n');
    return { dir, service, snaps };
  }

  for (const [name, line] of Object.entries(ATTACKS)) {
    it(`${name}: every snapshot still lists, verifies and rolls back exactly`, async function () {
      this.timeout(60_000);
      const { dir, service, snaps } = await scene();
      attack(dir, line);
      const listed = (await service.list(dir)).map((s) => s.id);
      for (const s of snaps) {
        assert.ok(listed.includes(s.id), `${s.id} is still listed`);
        assert.deepEqual(await service.verify(dir, s.id), { id: s.id, ok: true });
      }
      for (const s of [...snaps].reverse()) {
        await service.rollback(dir, s.id);
        assert.deepEqual(covered(readState(dir)), s.state, `rolled back to ${s.id} exactly`);
        assert.equal(read(dir, 'debug.log'), 'ignored, never covered\n', 'what no snapshot covered is untouched');
      }
    });
  }

  it('a snapshot whose record or objects were altered in the store is refused as a whole, and nothing is restored', async () => {
    const { dir, service, snaps } = await scene();
    const target = snaps[1];
    const [info] = (await service.list(dir)).filter((s) => s.id === target.id);
    // Damage one blob of it inside the store (as a disk error would): the blob of notes.txt, in a pack.
    const store = storeDir(dirs.storage(), dir);
    const blob = g(dir, `--git-dir=${store}`, 'rev-parse', `${info.tree}:notes.txt`).trim();
    const damaged = damageInPacks(store, blob);
    assert.ok(damaged, 'the blob is in a pack of the store');
    write(dir, 'a.txt', 'current work\n');
    write(dir, 'notes.txt', 'the damaged version is nowhere else now\n');
    const before = readState(dir);
    await assert.rejects(service.rollback(dir, target.id), /does not verify.*nothing was restored/);
    assert.deepEqual(readState(dir), before, 'not a single file changed');
    // A ref moved to another snapshot's commit is refused too.
    const other = (await service.list(dir)).find((s) => s.id === snaps[0].id)!;
    fs.writeFileSync(path.join(storeDir(dirs.storage(), dir), 'refs', 'airlock', 'snapshots', (await service.list(dir)).find((s) => s.id === snaps[2].id)!.commit), `${other.commit}\n`);
    const moved = await service.verify(dir, snaps[2].id).catch((e: Error) => ({ ok: false, problem: e.message }));
    assert.equal(moved.ok, false);
    assert.deepEqual(readState(dir), before);
  });

  it("a snapshot whose record (its commit: label, time, agent, coverage) was altered in the store is refused, and the others still roll back", async () => {
    const { dir, service, snaps } = await scene();
    const target = snaps[1];
    const store = storeDir(dirs.storage(), dir);
    const info = (await service.list(dir)).find((s) => s.id === target.id)!;
    assert.ok(damageInPacks(store, info.commit), 'the record is in a pack of the store');
    write(dir, 'a.txt', 'current work\n');
    const before = readState(dir);
    const listed = await service.list(dir);
    assert.deepEqual(listed.map((s) => s.id).sort(), snaps.map((s) => s.id).sort(), 'all three still listed');
    assert.match(listed.find((s) => s.id === target.id)?.damaged ?? '', /./, 'the altered one is marked');
    const verified = await service.verify(dir, target.id);
    assert.equal(verified.ok, false, 'the altered record does not verify');
    assert.match(verified.problem ?? '', /record cannot be read/);
    await assert.rejects(service.rollback(dir, target.id), /snapshot \w+ does not verify \(its record cannot be read.*nothing was restored/);
    assert.deepEqual(readState(dir), before, 'not a single file changed');
    // A snapshot ref whose commit is gone from the store altogether is listed and refused the same way.
    const gone = 'ab'.repeat(20);
    fs.writeFileSync(path.join(store, 'refs', 'airlock', 'snapshots', gone), `${gone}\n`);
    assert.match((await service.list(dir)).find((s) => s.id === gone.slice(0, 12))?.damaged ?? '', /missing object/);
    await assert.rejects(service.rollback(dir, gone.slice(0, 12)), /does not verify \(its record cannot be read.*nothing was restored/);
    assert.deepEqual(readState(dir), before, 'not a single file changed');
    // The damage stays with those snapshots: the others verify and roll back exactly.
    for (const s of [snaps[0], snaps[2]]) {
      assert.deepEqual(await service.verify(dir, s.id), { id: s.id, ok: true });
      await service.rollback(dir, s.id);
      assert.deepEqual(covered(readState(dir)), s.state, `rolled back to ${s.id} exactly`);
    }
  });
});
