import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotSettings } from '../../src/snapshot/service';
import { SnapshotService } from '../../src/snapshot/service';
import { read, useSnapshotDirs, write } from './snapshotFixture';

/** A policy file in the folder; ignored *.local.log files become snapshot material through `include`. */
function writePolicy(dir: string, snapshots: Record<string, unknown>): void {
  write(dir, '.airlock/policy.json', JSON.stringify({ snapshots }));
}

describe('the snapshot service applies the folder policy to every caller', () => {
  const dirs = useSnapshotDirs();
  const repo = dirs.repo;

  it('reads the policy files: include, size cap and retention apply to snapshots taken by hand', async () => {
    const dir = repo();
    writePolicy(dir, { include: ['config/*.local.log'], maxFileSizeMB: 1, retention: { maxCount: 2 } });
    write(dir, 'config/app.local.log', 'local settings\n');
    write(dir, 'medium.bin', Buffer.alloc(2 * 1024 * 1024, 1));
    const service = new SnapshotService({ storageDir: dirs.storage() });
    const s = await service.takeNow(dir, { label: 'by hand' });
    assert.equal((await service.readFile(dir, s.id, 'config/app.local.log'))?.toString('utf8'), 'local settings\n');
    assert.deepEqual(
      s.skipped.map((k) => [k.path, k.reason]),
      [['medium.bin', 'large-file']],
    );
    for (let i = 0; i < 4; i++) {
      write(dir, 'a.txt', `v${i}\n`);
      await service.takeNow(dir, { label: `s${i}` });
    }
    assert.equal((await service.list(dir)).length, 2, 'retention.maxCount');
  });

  it('enabled: false turns off automatic snapshots (gate, guards), not those a person asks for', async () => {
    const dir = repo();
    writePolicy(dir, { enabled: false });
    const service = new SnapshotService({ storageDir: dirs.storage() });
    assert.equal(await service.take(dir, { label: 'gate' }), undefined);
    assert.equal(await service.forGate(dir, 'Edit a.txt', { agent: 'claude', tool: 'Edit' }), undefined);
    assert.deepEqual(await service.list(dir), []);
    const s = await service.takeNow(dir, { label: 'by hand' });
    assert.deepEqual(
      (await service.list(dir)).map((x) => x.id),
      [s.id],
    );
  });

  it('takes the gate snapshot with the action as label, agent and tool', async () => {
    const dir = repo();
    const service = new SnapshotService({ storageDir: dirs.storage() });
    const id = await service.forGate(dir, 'claude (Edit): edit a.txt', { agent: 'claude', tool: 'Edit' });
    const [info] = await service.list(dir);
    assert.deepEqual([info.id, info.label, info.agent, info.tool], [id, 'claude (Edit): edit a.txt', 'claude', 'Edit']);
  });

  it("a rollback's safety snapshot and its preview follow the policy too, so Undo Rollback restores an included ignored file", async () => {
    const dir = repo();
    writePolicy(dir, { include: ['*.local.log'] });
    const service = new SnapshotService({ storageDir: dirs.storage() });
    const s = await service.takeNow(dir, { label: 'before' });
    write(dir, 'made.local.log', 'created after the snapshot\n');
    write(dir, 'a.txt', 'changed\n');
    const preview = await service.preview(dir, s.id);
    assert.deepEqual([preview.changed, preview.deleted], [['a.txt'], ['made.local.log']]);
    const r = await service.rollback(dir, s.id);
    assert.deepEqual([r.changed, r.deleted], [['a.txt'], ['made.local.log']], 'the preview said exactly this');
    assert.equal(fs.existsSync(path.join(dir, 'made.local.log')), false);
    await service.rollback(dir, r.safetySnapshotId as string);
    assert.equal(read(dir, 'made.local.log'), 'created after the snapshot\n');
    assert.equal(read(dir, 'a.txt'), 'changed\n');
  });

  it('asks the settings source given (the window passes its PolicyService) on every call', async () => {
    const dir = repo();
    write(dir, 'x.local.log', 'x\n');
    let settings: SnapshotSettings = { enabled: true, include: [], maxFileSizeMB: 10, retention: { maxCount: 200, maxAgeDays: 14, maxSizeMB: 1024 } };
    const service = new SnapshotService({ storageDir: dirs.storage(), settings: () => settings });
    const s1 = await service.takeNow(dir, { label: 'one' });
    assert.equal(await service.readFile(dir, s1.id, 'x.local.log'), undefined);
    settings = { ...settings, include: ['x.local.log'] };
    const s2 = await service.takeNow(dir, { label: 'two' });
    assert.equal((await service.readFile(dir, s2.id, 'x.local.log'))?.toString('utf8'), 'x\n');
  });
});
