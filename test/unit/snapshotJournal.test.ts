import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ChangeJournal } from '../../src/snapshot/journal';
import { SnapshotService } from '../../src/snapshot/service';
import { takeSnapshot } from '../../src/snapshot/snapshot';
import { snapshotStoreRoot } from '../../src/util/stateDir';
import type { SnapshotSettings } from '../../src/snapshot/service';
import { ATTACKS, attack, read, readState, rmrf, tmpDir, useSnapshotDirs, write } from './snapshotFixture';

const SETTINGS: SnapshotSettings = { enabled: true, include: [], maxFileSizeMB: 10, retention: { maxCount: 200, maxAgeDays: 14, maxSizeMB: 1024 } };

/** The window's snapshots (a journal the test feeds as the watcher would) against full passes in another store. */
describe('snapshots in the window: the change journal', () => {
  const dirs = useSnapshotDirs();
  const services: SnapshotService[] = [];
  after(() => services.forEach((s) => s.dispose()));

  function windowOf(dir: string, opts: { verifyEveryMs?: number } = {}) {
    const journal = new ChangeJournal({ verifyEveryMs: opts.verifyEveryMs ?? 3600_000 });
    const verified: boolean[] = [];
    const service = new SnapshotService({ storageDir: dirs.storage(), settings: () => SETTINGS, journal, onVerified: (_f, missed) => verified.push(missed) });
    services.push(service);
    const touch = (...rels: string[]) => rels.forEach((r) => journal.changed(dir, path.join(dir, r)));
    return { journal, service, touch, verified };
  }
  /** The tree a full pass finds now (a separate store, so nothing is shared with the window's). */
  const fullTree = async (dir: string) => (await takeSnapshot(dir, { label: 'full' }, { storageDir: dirs.track(tmpDir('airlock-full-')), retention: false })).tree;

  it('after a full pass, snapshots only look at the changed paths, and make the same tree a full pass makes', async () => {
    const dir = dirs.repo();
    const { service, touch } = windowOf(dir);
    const first = (await service.takeNow(dir, { label: 'first' }))!;
    assert.equal(first.tree, await fullTree(dir));
    write(dir, 'a.txt', 'edited\n');
    write(dir, 'src/new.js', 'new file in a known folder\n');
    write(dir, 'src/x.log', 'ignored\n');
    fs.rmSync(path.join(dir, 'src/app.js'));
    fs.symlinkSync('a.txt', path.join(dir, 'link'));
    touch('a.txt', 'src/new.js', 'src/x.log', 'src/app.js', 'link');
    const s = await service.takeNow(dir, { label: 'journal' });
    assert.equal(s.tree, await fullTree(dir), 'the same tree as a full pass');
    assert.equal(s.filesChanged, 4);
    assert.equal((await service.readFile(dir, s.id, 'src/new.js'))?.toString(), 'new file in a known folder\n');
    assert.equal(await service.readFile(dir, s.id, 'src/x.log'), undefined, 'ignored stays out');
    // A rollback to it restores exactly, and never deletes the ignored file it did not cover.
    write(dir, 'a.txt', 'later\n');
    touch('a.txt');
    const r = await service.rollback(dir, s.id);
    assert.deepEqual(r.changed, ['a.txt']);
    assert.equal(read(dir, 'a.txt'), 'edited\n');
    assert.equal(read(dir, 'src/x.log'), 'ignored\n');
  });

  it('nothing changed: the previous snapshot, without a git process', async () => {
    const dir = dirs.repo();
    const { service } = windowOf(dir);
    const a = (await service.takeNow(dir, { label: 'a' }))!;
    const b = (await service.takeNow(dir, { label: 'b' }))!;
    assert.deepEqual([b.unchanged, b.id], [true, a.id]);
  });

  it('falls back to a full pass for a new folder, a .gitignore change or a lost watcher', async () => {
    const dir = dirs.repo();
    const { service, journal, touch } = windowOf(dir);
    await service.takeNow(dir, { label: 'a' });
    write(dir, 'newdir/deep/f.txt', 'in a new folder\n');
    touch('newdir');
    assert.equal((await service.takeNow(dir, { label: 'b' })).tree, await fullTree(dir));
    write(dir, '.gitignore', '*.log\n');
    write(dir, 'build/out.txt', 'no longer ignored\n');
    touch('.gitignore');
    assert.equal((await service.takeNow(dir, { label: 'c' })).tree, await fullTree(dir));
    write(dir, 'a.txt', 'changed while the watcher was down\n');
    journal.lost(dir);
    assert.equal((await service.takeNow(dir, { label: 'd' })).tree, await fullTree(dir));
  });

  it('a file made, removed or renamed whose event has not come yet is in the next snapshot (its folder\'s time moved)', async () => {
    const dir = dirs.repo();
    const { service, journal, touch } = windowOf(dir);
    await service.takeNow(dir, { label: 'a' });
    write(dir, 'src/made.js', 'no event yet\n');
    fs.renameSync(path.join(dir, 'a.txt'), path.join(dir, 'renamed.txt'));
    const before = journal.stats.journal;
    const s = await service.takeNow(dir, { label: 'journal, no events' });
    assert.equal(journal.stats.journal, before + 1, 'still from the journal');
    assert.equal(s.tree, await fullTree(dir));
    write(dir, 'newdir/x.txt', 'a new folder, no event\n');
    assert.equal((await service.takeNow(dir, { label: 'full pass' })).tree, await fullTree(dir));
    void touch;
  });

  it('a missed event is found by the background verification, and the next snapshot has the change', async () => {
    const dir = dirs.repo();
    const { service, touch, verified } = windowOf(dir, { verifyEveryMs: 0 });
    await service.takeNow(dir, { label: 'a' });
    write(dir, 'src/app.js', 'reported\n');
    write(dir, 'a.txt', 'changed in place, but the event was lost\n');
    touch('src/app.js');
    const s = await service.takeNow(dir, { label: 'journal' });
    assert.notEqual(s.tree, await fullTree(dir), 'the journal alone missed a.txt');
    for (let i = 0; i < 100 && verified.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(verified, [true], 'the verification saw what the journal missed');
    write(dir, 'c.txt', 'c\n');
    touch('c.txt');
    assert.equal((await service.takeNow(dir, { label: 'after' })).tree, await fullTree(dir));
  });

  it('rolling back to a journal snapshot never deletes a file it may have missed, only files made after it', async () => {
    const dir = dirs.repo();
    const { service, touch } = windowOf(dir);
    // Made unseen: no event, and the folder's time put back as if nothing was made in it.
    const rootTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
    fs.utimesSync(dir, rootTime, rootTime);
    await service.takeNow(dir, { label: 'a' });
    write(dir, 'missed.txt', 'its event never came\n');
    fs.utimesSync(dir, rootTime, rootTime);
    write(dir, 'src/app.js', 'reported\n');
    touch('src/app.js');
    const s = await service.takeNow(dir, { label: 'journal' });
    assert.equal(await service.readFile(dir, s.id, 'missed.txt'), undefined, 'the journal did not see it');
    await new Promise((r) => setTimeout(r, 20));
    write(dir, 'after.txt', 'made after the snapshot\n');
    touch('after.txt');
    const r = await service.rollback(dir, s.id);
    assert.deepEqual(r.deleted, ['after.txt']);
    assert.deepEqual(r.kept.map((k) => k.path), ['missed.txt']);
    assert.equal(read(dir, 'missed.txt'), 'its event never came\n');
  });

  it('a store deleted under it is made again: the next snapshot is whole, and verifies', async () => {
    const dir = dirs.repo();
    const { service, touch } = windowOf(dir);
    await service.takeNow(dir, { label: 'a' });
    fs.rmSync(snapshotStoreRoot(process.env, dirs.storage()), { recursive: true, force: true });
    write(dir, 'a.txt', 'after the store was deleted\n');
    touch('a.txt');
    const s = await service.takeNow(dir, { label: 'b' });
    assert.equal(s.tree, await fullTree(dir));
    assert.deepEqual(await service.verify(dir, s.id), { id: s.id, ok: true });
    assert.deepEqual((await service.list(dir)).map((x) => x.id), [s.id]);
  });

  it('FIFOs an agent puts in the folder (new, git-ignored and protected, or in place of a file) never stall a snapshot; they are left out as a full pass leaves them', async () => {
    const dir = dirs.repo();
    const { service, touch } = windowOf(dir);
    write(dir, '.env', 'TOKEN=1\n');
    await service.takeNow(dir, { label: 'start' });
    for (const f of ['.env.fifo', 'src/pipe', 'x.log']) {
      execFileSync('mkfifo', [path.join(dir, f)]);
    }
    write(dir, 'a.txt', 'edited\n');
    touch('.env.fifo', 'src/pipe', 'x.log', 'a.txt');
    const s = await service.takeNow(dir, { label: 'with FIFOs' });
    assert.equal(s.tree, await fullTree(dir), 'the tree a full pass makes');
    assert.equal(await service.readFile(dir, s.id, 'src/pipe'), undefined);
    // A file replaced by a FIFO: the snapshot completes (as a full pass) and the rollback restores the file.
    fs.rmSync(path.join(dir, 'a.txt'));
    execFileSync('mkfifo', [path.join(dir, 'a.txt')]);
    touch('a.txt');
    await service.takeNow(dir, { label: 'a.txt is a FIFO' });
    fs.rmSync(path.join(dir, 'a.txt'));
    touch('a.txt');
    await service.rollback(dir, s.id);
    assert.equal(read(dir, 'a.txt'), 'edited\n');
  });

  for (const [name, line] of Object.entries(ATTACKS)) {
    it(`window, ${name}: journal snapshots before and after it list, verify and roll back exactly`, async function () {
      this.timeout(60_000);
      const dir = dirs.repo();
      const { service, touch } = windowOf(dir);
      const snaps: { id: string; state: string }[] = [];
      const state = () => JSON.stringify([...readState(dir)].filter(([p]) => !p.endsWith('.log')).sort());
      const take = async (label: string) => snaps.push({ id: (await service.takeNow(dir, { label })).id, state: state() });
      await take('start');
      write(dir, 'a.txt', 'edited before\n');
      write(dir, 'src/new.js', 'made before\n');
      touch('a.txt', 'src/new.js');
      await take('from the journal, before');
      write(dir, 'debug.log', 'never covered\n');
      attack(dir, line);
      write(dir, 'a.txt', 'edited after\n');
      fs.rmSync(path.join(dir, 'src/app.js'));
      touch('a.txt', 'src/app.js', 'debug.log');
      const after = await service.takeNow(dir, { label: 'from the journal, after' });
      assert.equal(after.tree, await fullTree(dir), 'the journal snapshot after the attack is what a full pass finds');
      snaps.push({ id: after.id, state: state() });
      const listed = (await service.list(dir)).map((s) => s.id);
      for (const s of [...snaps].reverse()) {
        assert.ok(listed.includes(s.id), `${s.id} is still listed`);
        assert.deepEqual(await service.verify(dir, s.id), { id: s.id, ok: true });
        await service.rollback(dir, s.id);
        assert.equal(state(), s.state, `rolled back to ${s.id} exactly`);
        assert.equal(read(dir, 'debug.log'), 'never covered\n');
      }
    });
  }

  it('property: random edits reported to the journal give the tree a full pass gives', async function () {
    this.timeout(120_000);
    const names = ['a.txt', 'src/app.js', 'src/b.js', 'x.log', 'src/y.log', '.env', 'c d.txt', 'src/ü.md'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), name: fc.constantFrom(...names), text: fc.string({ maxLength: 20 }) }),
      fc.record({ kind: fc.constant('delete' as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant('chmod' as const), name: fc.constantFrom(...names), exec: fc.boolean() }),
      fc.record({ kind: fc.constant('snapshot' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const dir = dirs.repo();
        const { service, touch } = windowOf(dir);
        try {
          await service.takeNow(dir, { label: 'start' });
          for (const o of ops) {
            const abs = path.join(dir, o.kind === 'snapshot' ? '' : o.name);
            if (o.kind === 'write') {
              write(dir, o.name, o.text);
            } else if (o.kind === 'delete') {
              fs.rmSync(abs, { force: true });
            } else if (o.kind === 'chmod' && fs.existsSync(abs)) {
              fs.chmodSync(abs, o.exec ? 0o755 : 0o644);
            }
            if (o.kind === 'snapshot') {
              assert.equal((await service.takeNow(dir, { label: 'step' })).tree, await fullTree(dir));
            } else {
              touch(o.name);
            }
          }
          assert.equal((await service.takeNow(dir, { label: 'end' })).tree, await fullTree(dir));
        } finally {
          rmrf(dir);
        }
      }),
      { numRuns: Number(process.env.AIRLOCK_PROP_RUNS ?? 12), seed: Number(process.env.AIRLOCK_PROP_SEED ?? 1313), endOnFailure: true },
    );
  });
});
