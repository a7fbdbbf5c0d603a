import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readIndexFlags } from '../../src/snapshot/indexFile';
import { diffSinceSnapshot, previewRollback, rollbackToSnapshot } from '../../src/snapshot/rollback';
import { snapshotOptionsFromPolicy } from '../../src/snapshot/service';
import { pruneSnapshots } from '../../src/snapshot/retention';
import { listSnapshots, takeSnapshot } from '../../src/snapshot/snapshot';
import { UnknownSnapshotError } from '../../src/snapshot/types';
import { snapshotStoreRoot } from '../../src/util/stateDir';
import { g, gStatus, makeBigRepo, read, readState, repoFacts, sg, storeDir, tmpDir, useSnapshotDirs, write } from './snapshotFixture';

describe('snapshot store', () => {
  const dirs = useSnapshotDirs();
  const repo = dirs.repo;
  const snap = (dir: string, label = 'step') => takeSnapshot(dir, { label, agent: 'test', tool: 'Edit' }, { storageDir: dirs.storage() });

  it('takes a snapshot without touching HEAD, index, branches, stash or files, and rolls back exactly', async () => {
    const dir = repo();
    write(dir, 'a.txt', 'alpha staged\n');
    g(dir, 'add', 'a.txt');
    write(dir, 'a.txt', 'alpha worktree\n');
    write(dir, 'untracked.txt', 'u\n');
    write(dir, 'debug.log', 'old log\n');
    g(dir, 'stash', 'list');
    const facts = repoFacts(dir);
    const files = readState(dir);
    const s = await snap(dir, 'Edit a.txt');
    assert.equal(s.unchanged, false);
    assert.match(s.id, /^[0-9a-f]{12}$/);
    assert.deepEqual(repoFacts(dir), facts);
    assert.deepEqual(readState(dir), files);
    assert.equal(g(dir, 'stash', 'list'), '');
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:a.txt`), 'alpha worktree\n');
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:untracked.txt`), 'u\n');
    assert.equal(gStatus(dir, `--git-dir=${storeDir(dirs.storage(), dir)}`, 'cat-file', '-e', `${s.commit}:debug.log`), 128, 'ignored files stay out');
    assert.equal(sg(dirs.storage(), dir, 'rev-list', '--parents', '-n', '1', s.commit).trim(), s.commit, 'a record of its own, no parent');
    assert.equal(g(dir, 'for-each-ref', 'refs/airlock/'), '', 'nothing in the workspace repository');
    assert.notEqual(gStatus(dir, 'cat-file', '-e', s.commit), 0, 'the record is not in the workspace repository');

    // The agent's step: edit, delete, create, and an ignored log it writes.
    write(dir, 'a.txt', 'broken\n');
    fs.rmSync(path.join(dir, 'src/app.js'));
    write(dir, 'new/file.txt', 'created by the agent\n');
    write(dir, 'debug.log', 'new log\n');
    const preview = await previewRollback(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual([preview.changed, preview.created, preview.deleted], [['a.txt'], ['src/app.js'], ['new/file.txt']]);
    assert.equal(read(dir, 'a.txt'), 'broken\n', 'a preview changes nothing');
    const before = readState(dir);
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual([r.changed, r.created, r.deleted], [['a.txt'], ['src/app.js'], ['new/file.txt']]);
    assert.equal(read(dir, 'a.txt'), 'alpha worktree\n');
    assert.equal(read(dir, 'src/app.js'), 'console.log(1);\n');
    assert.equal(fs.existsSync(path.join(dir, 'new')), false, 'the folder it created goes too');
    assert.equal(read(dir, 'debug.log'), 'new log\n', 'an ignored file the snapshot did not cover is untouched');
    assert.deepEqual(repoFacts(dir), facts);
    // Undo rollback.
    assert.ok(r.safetySnapshotId);
    await rollbackToSnapshot(dir, r.safetySnapshotId, { storageDir: dirs.storage() });
    assert.deepEqual(readState(dir), before);
    assert.deepEqual(repoFacts(dir), facts);
  });

  it('builds, in Node, exactly the tree git write-tree builds (names that sort around "/", unicode, modes, links)', async () => {
    const dir = repo();
    for (const f of ['a.b', 'a/b', 'a-b', 'a0', 'a/b.c/d', 'ü/x y', 'z/Z', 'A']) {
      write(dir, f, `${f}\n`);
    }
    write(dir, 'run.sh', '#!/bin/sh\n');
    fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
    fs.symlinkSync('a.b', path.join(dir, 'link'));
    g(dir, 'add', '-A');
    const s = await snap(dir);
    assert.equal(s.tree, g(dir, 'write-tree').trim());
    write(dir, 'a/b', 'changed\n'); // one folder invalid in the cache-tree, the rest reused
    g(dir, 'add', '-A');
    assert.equal((await snap(dir)).tree, g(dir, 'write-tree').trim());
  });

  it('over 5,000 files to build, git write-tree builds the trees (all into the store); the next snapshot builds only what changed', async function () {
    this.timeout(60_000);
    const { dir, names } = makeBigRepo(6000);
    dirs.track(dir);
    const first = await snap(dir);
    assert.equal(first.tree, g(dir, 'write-tree').trim());
    sg(dirs.storage(), dir, 'ls-tree', '-r', first.tree); // every tree is in the store itself
    write(dir, names[10], 'changed\n');
    write(dir, names[5000], 'changed too\n');
    const second = await snap(dir);
    g(dir, 'add', '-A');
    assert.equal(second.tree, g(dir, 'write-tree').trim());
    assert.equal(second.filesChanged, 2);
  });

  it('returns the previous id, unchanged, when nothing changed; lists newest first with metadata', async () => {
    const dir = repo();
    const s1 = await snap(dir, 'first');
    const s2 = await snap(dir, 'second');
    assert.equal(s2.unchanged, true);
    assert.equal(s2.id, s1.id);
    write(dir, 'a.txt', 'changed\n');
    write(dir, 'b.txt', 'b\n');
    const s3 = await snap(dir, 'third');
    assert.equal(s3.filesChanged, 2);
    const list = await listSnapshots(dir, { storageDir: dirs.storage() });
    assert.deepEqual(
      list.map((s) => [s.id, s.label, s.agent, s.tool, s.kind]),
      [
        [s3.id, 'third', 'test', 'Edit', 'snapshot'],
        [s1.id, 'first', 'test', 'Edit', 'snapshot'],
      ],
    );
    assert.equal(list[0].filesChanged, 2);
  });

  it('includes protected ignored files (.env) under a cap, and leaves out big files and huge folders with a note', async () => {
    const dir = repo();
    write(dir, '.env', 'TOKEN=1\n');
    write(dir, 'build/.env.local', 'X=1\n'); // inside an ignored folder: not walked
    write(dir, 'big.bin', Buffer.alloc(11 * 1024 * 1024, 1));
    for (let i = 0; i < 205; i++) {
      write(dir, `vendor/pkg${i}/index.js`, `${i}\n`);
    }
    write(dir, 'small/one.txt', '1\n');
    const s = await snap(dir);
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:.env`), 'TOKEN=1\n');
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:small/one.txt`), '1\n');
    assert.deepEqual(
      s.skipped.map((k) => [k.path, k.reason]),
      [
        ['big.bin', 'large-file'],
        ['vendor/', 'huge-folder'],
      ],
    );
    assert.equal(s.notes.length, 2);
    assert.match(s.notes.join('\n'), /big\.bin is 11\.0 MiB/);
    // Rolling back never deletes what the snapshot left out, even if it changed since.
    write(dir, '.env', 'TOKEN=2\n');
    write(dir, 'vendor/pkg1/index.js', 'changed\n');
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, '.env'), 'TOKEN=1\n');
    assert.equal(read(dir, 'vendor/pkg1/index.js'), 'changed\n');
    assert.ok(fs.existsSync(path.join(dir, 'big.bin')));
    assert.deepEqual(r.deleted, []);
  });

  it('in a new untracked project folder, leaves out only its dependency folder and ignores git-ignored bulk', async () => {
    const dir = repo();
    write(dir, 'app/index.js', 'main\n');
    write(dir, 'app/.gitignore', 'dist/\n');
    for (let i = 0; i < 250; i++) {
      write(dir, `app/node_modules/dep${i}/index.js`, `${i}\n`);
      write(dir, `app/dist/chunk${i}.js`, `${i}\n`);
    }
    const s = await snap(dir);
    assert.deepEqual(
      s.skipped.map((k) => [k.path, k.reason]),
      [['app/node_modules/', 'huge-folder']],
    );
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:app/index.js`), 'main\n');
    write(dir, 'app/index.js', 'edited\n');
    write(dir, 'app/node_modules/dep1/index.js', 'edited dep\n');
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual([r.changed, r.deleted], [['app/index.js'], []]);
    assert.equal(read(dir, 'app/node_modules/dep1/index.js'), 'edited dep\n');
    assert.equal(fs.readdirSync(path.join(dir, 'app/dist')).length, 250);
  });

  it("applies the policy's snapshot settings: extra ignored files to include and the size cap", async () => {
    const dir = repo();
    write(dir, 'config/app.local.log', 'local settings\n'); // ignored by *.log
    write(dir, 'medium.bin', Buffer.alloc(2 * 1024 * 1024, 1));
    const opts = snapshotOptionsFromPolicy({ enabled: true, include: ['config/*.local.log'], maxFileSizeMB: 1, retention: { maxCount: 5, maxAgeDays: 1, maxSizeMB: 10 } }, dirs.storage());
    const s = await takeSnapshot(dir, { label: 'policy' }, opts);
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:config/app.local.log`), 'local settings\n');
    assert.deepEqual(
      s.skipped.map((k) => [k.path, k.reason]),
      [['medium.bin', 'large-file']],
    );
  });

  it('never deletes a file that was ignored at snapshot time when .gitignore changed since', async () => {
    const dir = repo();
    write(dir, 'notes.log', 'my notes\n');
    const s = await snap(dir);
    write(dir, '.gitignore', 'build/\n'); // *.log no longer ignored: notes.log now shows up
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'notes.log'), 'my notes\n');
    assert.deepEqual(r.deleted, []);
    assert.deepEqual(
      r.kept.map((k) => k.path),
      ['notes.log'],
    );
    assert.equal(read(dir, '.gitignore'), '*.log\n.env\nbuild/\n');
  });

  it('rolls back selected files only', async () => {
    const dir = repo();
    const s = await snap(dir);
    write(dir, 'a.txt', 'A2\n');
    write(dir, 'src/app.js', 'B2\n');
    write(dir, 'src/new.js', 'N\n');
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage(), files: ['src'] });
    assert.deepEqual([r.changed, r.deleted], [['src/app.js'], ['src/new.js']]);
    assert.equal(read(dir, 'a.txt'), 'A2\n');
  });

  it('diffs since a snapshot: file list with status and a unified patch', async () => {
    const dir = repo();
    const s = await snap(dir);
    write(dir, 'a.txt', 'alpha\nbeta\n');
    fs.rmSync(path.join(dir, 'src/app.js'));
    write(dir, 'c d.txt', 'new\n');
    const d = await diffSinceSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual(
      d.files.map((f) => [f.path, f.status]),
      [
        ['a.txt', 'modified'],
        ['c d.txt', 'added'],
        ['src/app.js', 'deleted'],
      ],
    );
    assert.match(d.patch, /^\+beta$/m);
    assert.match(d.stat, /3 files changed/);
  });

  it('refuses an unknown snapshot id with a clear error', async () => {
    const dir = repo();
    await assert.rejects(rollbackToSnapshot(dir, 'deadbeef1234', { storageDir: dirs.storage() }), UnknownSnapshotError);
    await assert.rejects(rollbackToSnapshot(dir, '--force', { storageDir: dirs.storage() }), /unknown snapshot '--force'/);
    await assert.rejects(diffSinceSnapshot(dir, 'HEAD', { storageDir: dirs.storage() }), UnknownSnapshotError);
  });

  it('works on an unborn branch (no commits yet)', async () => {
    const dir = tmpDir();
    dirs.track(dir);
    g(dir, 'init', '-q');
    write(dir, 'first.txt', '1\n');
    const facts = repoFacts(dir);
    const s = await snap(dir);
    assert.equal(sg(dirs.storage(), dir, 'rev-list', '--parents', '-n', '1', s.commit).trim(), s.commit, 'no parent');
    write(dir, 'first.txt', '2\n');
    write(dir, 'second.txt', '2\n');
    await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'first.txt'), '1\n');
    assert.equal(fs.existsSync(path.join(dir, 'second.txt')), false);
    assert.deepEqual(repoFacts(dir), facts);
    assert.equal(gStatus(dir, 'rev-parse', '-q', '--verify', 'HEAD'), 1, 'still unborn');
  });

  it('works on a detached HEAD', async () => {
    const dir = repo();
    g(dir, 'checkout', '-q', '--detach');
    const facts = repoFacts(dir);
    const s = await snap(dir);
    write(dir, 'a.txt', 'x\n');
    await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'a.txt'), 'alpha\n');
    assert.deepEqual(repoFacts(dir), facts);
  });

  it('works mid-merge with conflicts and mid-rebase, leaving the operation in progress', async () => {
    const dir = repo();
    g(dir, 'checkout', '-q', '-b', 'other');
    write(dir, 'a.txt', 'other\n');
    g(dir, 'commit', '-q', '-am', 'other');
    g(dir, 'checkout', '-q', 'main');
    write(dir, 'a.txt', 'main\n');
    g(dir, 'commit', '-q', '-am', 'main');
    assert.notEqual(gStatus(dir, 'merge', 'other'), 0);
    const facts = repoFacts(dir);
    const conflicted = read(dir, 'a.txt');
    const s = await snap(dir);
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:a.txt`), conflicted);
    write(dir, 'a.txt', 'resolved badly\n');
    await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'a.txt'), conflicted);
    assert.deepEqual(repoFacts(dir), facts);
    assert.ok(fs.existsSync(path.join(dir, '.git', 'MERGE_HEAD')));
    g(dir, 'merge', '--abort');

    g(dir, 'checkout', '-q', 'other');
    assert.notEqual(gStatus(dir, 'rebase', 'main'), 0);
    const facts2 = repoFacts(dir);
    const s2 = await snap(dir);
    write(dir, 'a.txt', 'oops\n');
    await rollbackToSnapshot(dir, s2.id, { storageDir: dirs.storage() });
    assert.deepEqual(repoFacts(dir), facts2);
    assert.ok(fs.existsSync(path.join(dir, '.git', 'rebase-merge')) || fs.existsSync(path.join(dir, '.git', 'rebase-apply')));
  });

  it('keeps CRLF line endings exactly with core.autocrlf=true', async () => {
    const dir = repo();
    g(dir, 'config', 'core.autocrlf', 'true');
    write(dir, 'win.txt', 'one\r\ntwo\r\n');
    const s = await snap(dir);
    write(dir, 'win.txt', 'changed\r\n');
    await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'win.txt'), 'one\r\ntwo\r\n');
  });

  it('respects a sparse checkout: files outside it are neither snapshotted as deleted nor materialized', async () => {
    const dir = repo();
    write(dir, 'docs/guide.md', 'guide\n');
    g(dir, 'add', '-A');
    g(dir, 'commit', '-q', '-m', 'docs');
    g(dir, 'sparse-checkout', 'set', 'src');
    assert.equal(fs.existsSync(path.join(dir, 'docs/guide.md')), false);
    const facts = repoFacts(dir);
    const s = await snap(dir);
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:docs/guide.md`), 'guide\n');
    write(dir, 'src/app.js', 'edited\n');
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual([r.changed, r.created, r.deleted], [['src/app.js'], [], []]);
    assert.equal(fs.existsSync(path.join(dir, 'docs/guide.md')), false);
    assert.deepEqual(repoFacts(dir), facts);
  });

  it('snapshots an assume-unchanged file by its real content', async () => {
    const dir = repo();
    g(dir, 'update-index', '--assume-unchanged', 'a.txt');
    write(dir, 'a.txt', 'edited while assumed unchanged\n');
    const facts = repoFacts(dir);
    const s = await snap(dir);
    assert.equal(sg(dirs.storage(), dir, 'show', `${s.commit}:a.txt`), 'edited while assumed unchanged\n');
    assert.deepEqual(repoFacts(dir), facts);
    const flags = readIndexFlags(fs.readFileSync(path.join(dir, '.git', 'index')));
    assert.deepEqual(flags?.assumeUnchanged, ['a.txt']);
  });

  it('leaves a nested repository and a submodule alone, with a note, and never renames their .git', async () => {
    const dir = repo();
    const nested = path.join(dir, 'nested');
    fs.mkdirSync(nested);
    g(nested, 'init', '-q');
    write(nested, 'n.txt', 'n\n');
    g(nested, 'add', '-A');
    g(nested, 'commit', '-q', '-m', 'n');
    const lib = repo();
    g(dir, 'submodule', 'add', '-q', lib, 'libs/lib');
    g(dir, 'commit', '-q', '-m', 'submodule');
    const facts = repoFacts(dir);
    const s = await snap(dir);
    assert.deepEqual(
      s.skipped.map((k) => [k.path, k.reason]),
      [
        ['libs/lib/', 'submodule'],
        ['nested/', 'nested-repo'],
      ],
    );
    assert.ok(fs.statSync(path.join(nested, '.git')).isDirectory());
    assert.ok(fs.existsSync(path.join(dir, 'libs/lib/.git')));
    write(dir, 'libs/lib/a.txt', 'changed inside the submodule\n');
    write(nested, 'n.txt', 'changed inside nested\n');
    write(dir, 'a.txt', 'x\n');
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual(r.changed, ['a.txt']);
    assert.equal(read(dir, 'libs/lib/a.txt'), 'changed inside the submodule\n');
    assert.equal(read(nested, 'n.txt'), 'changed inside nested\n');
    assert.deepEqual(repoFacts(dir), facts);
  });

  it('uses a private shadow repository for a folder that is not in git (never a .git in the folder)', async () => {
    const dir = tmpDir('airlock-plain-');
    dirs.track(dir);
    write(dir, 'notes.txt', 'n1\n');
    write(dir, 'sub dir/ü.txt', 'u\n');
    const s = await snap(dir);
    assert.equal(s.shadow, true);
    assert.equal(fs.existsSync(path.join(dir, '.git')), false);
    assert.equal(fs.readdirSync(snapshotStoreRoot(process.env, dirs.storage())).length, 1, 'one store, in the state dir');
    assert.equal((await snap(dir)).unchanged, true);
    write(dir, 'notes.txt', 'n2\n');
    write(dir, 'extra.txt', 'e\n');
    fs.rmSync(path.join(dir, 'sub dir'), { recursive: true });
    const r = await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual([r.changed, r.created, r.deleted], [['notes.txt'], ['sub dir/ü.txt'], ['extra.txt']]);
    assert.equal(read(dir, 'sub dir/ü.txt'), 'u\n');
    assert.equal(fs.existsSync(path.join(dir, '.git')), false);
  });

  it('restores a read-only file and keeps it read-only; keeps a private file private', async () => {
    const dir = repo();
    write(dir, 'ro.txt', 'original\n');
    fs.chmodSync(path.join(dir, 'ro.txt'), 0o444);
    write(dir, 'secret.txt', 's\n');
    fs.chmodSync(path.join(dir, 'secret.txt'), 0o600);
    const s = await snap(dir);
    fs.chmodSync(path.join(dir, 'ro.txt'), 0o644);
    write(dir, 'ro.txt', 'edited\n');
    fs.chmodSync(path.join(dir, 'ro.txt'), 0o444);
    write(dir, 'secret.txt', 's2\n');
    await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'ro.txt'), 'original\n');
    assert.equal(fs.statSync(path.join(dir, 'ro.txt')).mode & 0o777, 0o444);
    assert.equal(fs.statSync(path.join(dir, 'secret.txt')).mode & 0o777, 0o600);
  });

  it('never writes through a symlink an agent put in place of a folder', async () => {
    const dir = repo();
    const outside = tmpDir('airlock-outside-');
    dirs.track(outside);
    const s = await snap(dir);
    fs.rmSync(path.join(dir, 'src'), { recursive: true });
    fs.symlinkSync(outside, path.join(dir, 'src'));
    await rollbackToSnapshot(dir, s.id, { storageDir: dirs.storage() });
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.ok(fs.lstatSync(path.join(dir, 'src')).isDirectory());
    assert.equal(read(dir, 'src/app.js'), 'console.log(1);\n');
  });

  it('works in a linked git worktree (.git is a file) and in a subfolder of a repository', async () => {
    const dir = repo();
    const wt = path.join(tmpDir('airlock-wt-'), 'wt');
    dirs.track(path.dirname(wt));
    g(dir, 'worktree', 'add', '-q', wt);
    assert.ok(fs.statSync(path.join(wt, '.git')).isFile());
    const facts = repoFacts(wt);
    const s = await snap(wt);
    write(wt, 'a.txt', 'wt edit\n');
    await rollbackToSnapshot(wt, s.id, { storageDir: dirs.storage() });
    assert.equal(read(wt, 'a.txt'), 'alpha\n');
    assert.deepEqual(repoFacts(wt), facts);
    assert.deepEqual(await listSnapshots(dir, { storageDir: dirs.storage() }), [], 'the main worktree lists its own snapshots');

    const sub = path.join(dir, 'src');
    const s2 = await snap(sub);
    write(dir, 'src/app.js', 'sub edit\n');
    write(dir, 'a.txt', 'outside the folder\n');
    const r = await rollbackToSnapshot(sub, s2.id, { storageDir: dirs.storage() });
    assert.deepEqual(r.changed, ['app.js']);
    assert.equal(read(dir, 'a.txt'), 'outside the folder\n');
  });

  it('prunes by count, keeping the latest and the newest safety snapshot; listed snapshots survive git gc', async () => {
    const dir = repo();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      write(dir, 'a.txt', `v${i}\n`);
      ids.push((await takeSnapshot(dir, { label: `s${i}` }, { storageDir: dirs.storage(), retention: false })).id);
    }
    const r = await rollbackToSnapshot(dir, ids[0], { storageDir: dirs.storage() });
    write(dir, 'a.txt', 'v5\n');
    const last = (await takeSnapshot(dir, { label: 's5' }, { storageDir: dirs.storage(), retention: false })).id;
    const pruned = await pruneSnapshots(dir, { storageDir: dirs.storage(), retention: { maxCount: 2 } });
    const left = (await listSnapshots(dir, { storageDir: dirs.storage() })).map((s) => s.id);
    assert.deepEqual(left, [last, r.safetySnapshotId]);
    assert.equal(pruned.deleted.length, 5);
    g(dir, 'gc', '-q', '--prune=now');
    write(dir, 'a.txt', 'after gc\n');
    await rollbackToSnapshot(dir, r.safetySnapshotId as string, { storageDir: dirs.storage() });
    assert.equal(read(dir, 'a.txt'), 'v4\n');
  });

  it("keeps the folder's store under retention.maxSizeMB: the oldest half goes, the store is repacked and shrinks, what is left still rolls back", async () => {
    const dir = repo();
    const storage = dirs.storage();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      // 200 KB of incompressible bytes a snapshot, in a file of its own
      write(dir, `blob${i}.bin`, randomBytes(200_000));
      ids.push((await takeSnapshot(dir, { label: `s${i}` }, { storageDir: storage, retention: false })).id);
      fs.rmSync(path.join(dir, `blob${i}.bin`));
    }
    const size = () => {
      let total = 0;
      for (const e of fs.readdirSync(path.join(storeDir(storage, dir), 'objects'), { withFileTypes: true, recursive: true })) {
        if (e.isFile()) {
          total += fs.statSync(path.join(e.parentPath, e.name)).size;
        }
      }
      return total;
    };
    const before = size();
    assert.ok(before > 1_000_000, `the store holds the blobs (${before} bytes)`);
    const pruned = await pruneSnapshots(dir, { storageDir: storage, retention: { maxCount: 100, maxStoreBytes: 1_000_000 } });
    const left = (await listSnapshots(dir, { storageDir: storage })).map((s) => s.id);
    assert.ok(pruned.deleted.length >= 3, `the oldest went (${pruned.deleted.join(', ')})`);
    assert.equal(left[0], ids[7], 'the newest stays');
    assert.deepEqual([...left].reverse(), ids.slice(ids.length - left.length), 'what is left is the newest ones');
    assert.ok(size() < before, `the store shrank (${before} -> ${size()} bytes)`);
    sg(storage, dir, 'fsck', '--no-progress', '--no-dangling');
    await rollbackToSnapshot(dir, left[left.length - 1], { storageDir: storage });
    const oldest = Number(/\d+/.exec((await listSnapshots(dir, { storageDir: storage })).find((s) => s.id === left[left.length - 1])!.label)![0]);
    assert.equal(fs.readFileSync(path.join(dir, `blob${oldest}.bin`)).length, 200_000, 'the oldest kept snapshot still restores its file');
  });
});
