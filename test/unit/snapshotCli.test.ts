import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanEnv, damageInPacks, g, makeRepo, sg, storeDir, read, readState, repoFacts, rmrf, tmpDir, write } from './snapshotFixture';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('snapshot store from the command line (dist/cli.js)', () => {
  const cleanup: string[] = [];
  let home: string;
  before(() => {
    home = tmpDir('airlock-home-');
    cleanup.push(home);
  });
  after(() => cleanup.forEach(rmrf));
  const env = () => ({ ...cleanEnv(), AIRLOCK_HOME: home });
  const airlock = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: env() });
  const repo = () => {
    const d = makeRepo();
    cleanup.push(d);
    return d;
  };

  it('snapshot, snapshots, diff and rollback (with undo) work end to end', () => {
    const dir = repo();
    const s = airlock('snapshot', '--cwd', dir, '--label', 'before refactor');
    assert.equal(s.status, 0, s.stderr);
    const id = s.stdout.trim();
    assert.match(id, /^[0-9a-f]{12}$/);
    const j = airlock('snapshot', '--cwd', dir, '--json');
    assert.equal(j.status, 0);
    const parsed = JSON.parse(j.stdout) as { id: string; unchanged: boolean; notes: string[] };
    assert.deepEqual([parsed.id, parsed.unchanged, parsed.notes], [id, true, []]);

    const list = airlock('snapshots', '--cwd', dir);
    assert.equal(list.status, 0);
    assert.match(list.stdout, new RegExp(`^${id} .* before refactor$`, 'm'));
    const listJson = JSON.parse(airlock('snapshots', '--cwd', dir, '--json').stdout) as { id: string; label: string }[];
    assert.deepEqual(listJson.map((x) => [x.id, x.label]), [[id, 'before refactor']]);
    const verified = airlock('snapshots', '--cwd', dir, '--verify');
    assert.equal(verified.status, 0);
    assert.match(verified.stdout, new RegExp(`^${id} .* ok {2}cli {2}before refactor$`, 'm'));

    write(dir, 'a.txt', 'refactored\n');
    write(dir, 'made.txt', 'new\n');
    const stat = airlock('diff', id, '--cwd', dir, '--stat');
    assert.equal(stat.status, 0);
    assert.match(stat.stdout, /a\.txt/);
    assert.match(stat.stdout, /made\.txt/);
    const patch = airlock('diff', id, '--cwd', dir);
    assert.match(patch.stdout, /^\+refactored$/m);
    const dj = JSON.parse(airlock('diff', id, '--cwd', dir, '--json').stdout) as { files: { path: string; status: string }[] };
    assert.deepEqual(dj.files.map((f) => [f.path, f.status]), [['a.txt', 'modified'], ['made.txt', 'added']]);

    const dry = airlock('rollback', id, '--cwd', dir, '--dry-run');
    assert.equal(dry.status, 0);
    assert.match(dry.stdout, /would restore {2}a\.txt/);
    assert.match(dry.stdout, /would delete {3}made\.txt/);
    assert.equal(read(dir, 'a.txt'), 'refactored\n');

    const before = readState(dir);
    const rb = airlock('rollback', id, '--cwd', dir, '--json');
    assert.equal(rb.status, 0, rb.stderr);
    const r = JSON.parse(rb.stdout) as { changed: string[]; deleted: string[]; safetySnapshotId: string };
    assert.deepEqual([r.changed, r.deleted], [['a.txt'], ['made.txt']]);
    assert.equal(read(dir, 'a.txt'), 'alpha\n');
    const undo = airlock('rollback', r.safetySnapshotId, '--cwd', dir);
    assert.equal(undo.status, 0);
    assert.deepEqual(readState(dir), before);

    const one = airlock('rollback', id, '--cwd', dir, '--files', 'made.txt');
    assert.match(one.stdout, /delete {3}made\.txt/);
    assert.match(one.stdout, /safety snapshot: [0-9a-f]{12} \(undo with: airlock rollback [0-9a-f]{12}\)/);
    assert.equal(read(dir, 'a.txt'), 'refactored\n');
  });

  it('exits 2 with a clear message for an unknown id, a missing id, a bad option or a missing folder', () => {
    const dir = repo();
    const unknown = airlock('rollback', 'abcdef123456', '--cwd', dir);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown snapshot 'abcdef123456'/);
    const none = airlock('rollback', '--cwd', dir);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give its id/);
    const bad = airlock('snapshot', '--cwd', dir, '--frobnicate');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option --frobnicate/);
    const missing = airlock('snapshots', '--cwd', path.join(dir, 'nope'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such folder/);
    const diffUnknown = airlock('diff', 'nothex', '--cwd', dir);
    assert.equal(diffUnknown.status, 2);
  });

  it("applies the workspace policy's snapshots settings: include and retention", () => {
    const dir = repo();
    write(dir, '.airlock/policy.json', JSON.stringify({ snapshots: { include: ['config/*.local.log'], retention: { maxCount: 2 } } }));
    write(dir, 'config/app.local.log', 'local settings\n'); // git-ignored (*.log)
    const s = airlock('snapshot', '--cwd', dir, '--json');
    assert.equal(s.status, 0, s.stderr);
    const { id } = JSON.parse(s.stdout) as { id: string };
    write(dir, 'config/app.local.log', 'changed\n');
    const r = airlock('rollback', id, '--cwd', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(dir, 'config/app.local.log'), 'local settings\n', 'the snapshot held the included ignored file');
    for (let i = 0; i < 3; i++) {
      write(dir, 'a.txt', `v${i}\n`);
      assert.equal(airlock('snapshot', '--cwd', dir).status, 0);
    }
    const list = JSON.parse(airlock('snapshots', '--cwd', dir, '--json').stdout) as { kind: string }[];
    assert.deepEqual(
      list.map((x) => x.kind),
      ['snapshot', 'snapshot', 'safety'],
      'retention.maxCount from the policy (the newest safety snapshot is kept for Undo Rollback)',
    );
  });

  it('uses $AIRLOCK_HOME for a folder outside git', () => {
    const dir = tmpDir('airlock-plain-');
    cleanup.push(dir);
    write(dir, 'f.txt', '1\n');
    const s = airlock('snapshot', '--cwd', dir);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(fs.existsSync(path.join(dir, '.git')), false);
    assert.ok(fs.existsSync(path.join(storeDir(home, dir), 'HEAD')), 'its store is in $AIRLOCK_HOME/snapshots');
  });

  it('10 concurrent snapshot processes on one repository corrupt nothing', async function () {
    this.timeout(60_000);
    const dir = repo();
    write(dir, 'a.txt', 'dirty\n');
    write(dir, 'new.txt', 'untracked\n');
    const facts = repoFacts(dir);
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const child = spawn(process.execPath, [cli, 'snapshot', '--cwd', dir, '--label', `agent ${i}`], { env: env() });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('close', (code) => resolve({ code, out, err }));
        });
      }),
    );
    for (const r of runs) {
      assert.equal(r.code, 0, r.err);
    }
    const listed = (JSON.parse(airlock('snapshots', '--cwd', dir, '--json').stdout) as { id: string }[]).map((s) => s.id);
    for (const r of runs) {
      assert.ok(listed.includes(r.out.trim()), `${r.out.trim()} is listed`);
    }
    assert.deepEqual(repoFacts(dir), facts);
    g(dir, 'fsck', '--no-progress', '--no-dangling');
    sg(home, dir, 'fsck', '--no-progress', '--no-dangling');
    assert.equal(fs.existsSync(path.join(dir, '.git', 'airlock')), false, 'nothing of Airlock in the workspace repository');
    const tmp = path.join(storeDir(home, dir), 'tmp');
    assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], [], 'no temporary index left behind');
    for (const id of listed) {
      assert.equal(sg(home, dir, 'show', `${id}:a.txt`), 'dirty\n');
    }
  });

  it('a snapshot whose record was damaged in the store: snapshots --verify names it and fails, rollback refuses it and changes nothing', () => {
    const dir = repo();
    const first = airlock('snapshot', '--cwd', dir, '--label', 'first').stdout.trim();
    write(dir, 'a.txt', 'second\n');
    const second = airlock('snapshot', '--cwd', dir, '--label', 'second').stdout.trim();
    const commit = (JSON.parse(airlock('snapshots', '--cwd', dir, '--json').stdout) as { id: string; commit: string }[]).find((s) => s.id === first)!.commit;
    assert.ok(damageInPacks(storeDir(home, dir), commit), 'the record is in a pack of the store');
    const verified = airlock('snapshots', '--cwd', dir, '--verify');
    assert.notEqual(verified.status, 0, 'a snapshot that does not verify fails the check');
    assert.match(verified.stdout, new RegExp(`^${first} .*DOES NOT VERIFY \\(its record cannot be read: `, 'm'));
    assert.match(verified.stdout, new RegExp(`^${second} .* ok {2}cli {2}second$`, 'm'));
    write(dir, 'a.txt', 'current\n');
    const before = readState(dir);
    const r = airlock('rollback', first, '--cwd', dir);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`snapshot ${first} does not verify \\(its record cannot be read: .*\\); nothing was restored`));
    assert.deepEqual(readState(dir), before, 'not a single file changed');
    assert.equal(airlock('rollback', second, '--cwd', dir).status, 0, 'the other snapshot still rolls back');
    assert.equal(read(dir, 'a.txt'), 'second\n');
  });

  it('a snapshot or rollback process killed at any moment leaves the repository, its index and the store intact', async function () {
    this.timeout(60_000);
    const dir = repo();
    write(dir, 'a.txt', 'one\n');
    const id = airlock('snapshot', '--cwd', dir).stdout.trim();
    for (let i = 0; i < 80; i++) {
      write(dir, `gen/f${i}.txt`, `${i}\n`);
    }
    write(dir, 'a.txt', 'two\n');
    const facts = repoFacts(dir);
    for (const [k, delay] of [5, 30, 45, 60, 70, 80, 90, 100, 120, 140, 170, 200].entries()) {
      const args = k % 2 === 0 ? ['snapshot', '--cwd', dir] : ['rollback', id, '--cwd', dir];
      await new Promise<void>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args], { env: env(), stdio: 'ignore', detached: true });
        setTimeout(() => {
          try {
            process.kill(-(child.pid as number), 'SIGKILL');
          } catch {
            /* already finished */
          }
        }, delay);
        child.on('close', () => resolve());
      });
      assert.deepEqual(repoFacts(dir), facts, `after a kill at ${delay} ms`);
      g(dir, 'fsck', '--no-progress', '--no-dangling');
      // The store is consistent and stands alone: every object of every listed snapshot is in it.
      const fsck = spawnSync('git', [`--git-dir=${storeDir(home, dir)}`, 'fsck', '--no-progress', '--no-dangling'], { encoding: 'utf8', env: cleanEnv() });
      assert.equal(fsck.status, 0, `git fsck of the store after a kill at ${delay} ms (${args[0]}): ${fsck.stdout}${fsck.stderr}`);
      const verify = airlock('snapshots', '--cwd', dir, '--verify');
      assert.equal(verify.status, 0, `every snapshot verifies after a kill at ${delay} ms: ${verify.stdout}${verify.stderr}`);
    }
    // Whatever state the files are in, a rollback completes and brings the snapshot back.
    const r = airlock('rollback', id, '--cwd', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(dir, 'a.txt'), 'one\n');
    assert.equal(fs.existsSync(path.join(dir, 'gen')), false);
    assert.deepEqual(repoFacts(dir), facts);
  });
});
