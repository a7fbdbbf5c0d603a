// @ts-check
/**
 * Snapshot benchmark: repositories of 1,000, 20,000 and 100,000 files (made with `git fast-import`)
 * with 10 modified files. Prints, measured in the same run: snapshot time against `git status`
 * (goal <= 1.5x), against a Cline-style shadow repository `git add -A && git commit` (cold first
 * checkpoint and warm steady state; goal >= 10x from 20,000 files), rollback of 1,000 changed files
 * (against `git restore --source` as a reference) and disk growth per snapshot.
 * AIRLOCK_BENCH_QUICK=1 skips the 100,000-file case; AIRLOCK_BENCH_DIR picks where the repositories go.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function env() {
  /** @type {NodeJS.ProcessEnv} */
  const e = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GIT_')) e[k] = v;
  }
  Object.assign(e, { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@x' });
  return e;
}

/** @param {string} cwd @param {string[]} args @param {{input?: string|Buffer, env?: NodeJS.ProcessEnv}} [o] */
function git(cwd, args, o = {}) {
  const r = spawnSync('git', ['-c', 'gc.auto=0', '-c', 'init.defaultBranch=main', ...args], { cwd, env: o.env ?? env(), input: o.input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

/** @param {() => unknown} fn */
async function time(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** @param {string} dir */
function dirSize(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  }
  return total;
}

/** Makes a repository of n files (100 per folder, ~200 bytes each) in one fast-import stream. */
function makeRepo(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q']);
  const parts = [];
  const name = (i) => `m${String(Math.floor(i / 10000)).padStart(2, '0')}/d${String(Math.floor(i / 100) % 100).padStart(2, '0')}/file${i}.txt`;
  for (let i = 0; i < n; i++) {
    const body = `file ${i}\n${'lorem ipsum dolor sit amet '.repeat(7)}\n`;
    parts.push(`blob\nmark :${i + 1}\ndata ${Buffer.byteLength(body)}\n${body}\n`);
  }
  const msg = 'init\n';
  parts.push(`commit refs/heads/main\ncommitter Bench <b@x> 1700000000 +0000\ndata ${msg.length}\n${msg}`);
  for (let i = 0; i < n; i++) parts.push(`M 100644 :${i + 1} ${name(i)}\n`);
  parts.push('\n');
  git(dir, ['fast-import', '--quiet'], { input: parts.join('') });
  git(dir, ['reset', '-q', '--hard']);
  return name;
}

/** Bundles the snapshot modules (TypeScript) for this process. */
async function loadSnapshot() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-bundle-'));
  const entry = path.join(out, 'entry.ts');
  fs.writeFileSync(entry, `export * from ${JSON.stringify(path.join(root, 'src/snapshot/snapshot.ts'))};\nexport * from ${JSON.stringify(path.join(root, 'src/snapshot/rollback.ts'))};\n`);
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(out, 'snapshot.mjs'), logLevel: 'warning', banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" } });
  try {
    return await import(pathToFileURL(path.join(out, 'snapshot.mjs')).href);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export async function run() {
  const snap = await loadSnapshot();
  const sizes = process.env.AIRLOCK_BENCH_QUICK ? [1000, 20000] : [1000, 20000, 100000];
  const work = fs.mkdtempSync(path.join(process.env.AIRLOCK_BENCH_DIR ?? os.tmpdir(), 'airlock-bench-'));
  const storage = path.join(work, 'storage');
  const rows = [];
  try {
    for (const n of sizes) {
      const t0 = Date.now();
      const dir = path.join(work, `repo${n}`);
      const name = makeRepo(dir, n);
      const gen = Date.now() - t0;
      let round = 0;
      const modify10 = () => {
        round++;
        for (let k = 0; k < 10; k++) fs.appendFileSync(path.join(dir, name(k * Math.floor(n / 10))), `edit ${round}\n`);
      };
      modify10();
      git(dir, ['status', '--porcelain']); // warm the OS cache and the index's stat data for everyone

      const status = [];
      for (let i = 0; i < 7; i++) status.push(await time(() => git(dir, ['status', '--porcelain'])));
      const snapNew = [];
      const objects = path.join(dir, '.git', 'objects');
      const before = dirSize(objects);
      for (let i = 0; i < 7; i++) {
        modify10();
        snapNew.push(await time(() => snap.takeSnapshot(dir, { label: `bench ${i}` }, { storageDir: storage, retention: false })));
      }
      const growth = (dirSize(objects) - before) / 7;
      const snapSame = [];
      for (let i = 0; i < 3; i++) snapSame.push(await time(() => snap.takeSnapshot(dir, { label: 'same' }, { storageDir: storage, retention: false })));

      // Cline-style shadow repository: a separate git dir with the folder as work tree, add -A && commit.
      const shadow = path.join(work, `shadow${n}`);
      git(work, ['init', '-q', '--bare', shadow]);
      const senv = { ...env(), GIT_DIR: shadow, GIT_WORK_TREE: dir };
      git(dir, ['config', 'core.bare', 'false'], { env: senv });
      const cline = () => {
        git(dir, ['add', '-A', '.'], { env: senv });
        git(dir, ['commit', '-q', '--allow-empty', '-m', 'checkpoint'], { env: senv });
      };
      const clineCold = await time(cline);
      const clineWarm = [];
      for (let i = 0; i < 3; i++) {
        modify10();
        clineWarm.push(await time(cline));
      }

      // Rollback of 1,000 changed files (incl. the safety snapshot), and git restore as a reference.
      let rollback = NaN;
      let restore = NaN;
      if (n >= 1000) {
        const base = await snap.takeSnapshot(dir, { label: 'before 1000 edits' }, { storageDir: storage, retention: false });
        const edit1000 = () => {
          for (let k = 0; k < 1000; k++) fs.appendFileSync(path.join(dir, name(Math.floor((k * n) / 1000))), 'agent edit\n');
        };
        edit1000();
        rollback = await time(() => snap.rollbackToSnapshot(dir, base.id, { storageDir: storage, retention: false }));
        edit1000();
        const tmpIndex = path.join(work, `restore-index-${n}`);
        fs.copyFileSync(path.join(dir, '.git', 'index'), tmpIndex); // stat data, so only changed files are rewritten
        restore = await time(() => git(dir, ['restore', `--source=${base.commit}`, '--worktree', '--', '.'], { env: { ...env(), GIT_INDEX_FILE: tmpIndex } }));
        git(dir, ['reset', '-q', '--hard']);
      }
      const row = {
        files: n,
        generateMs: gen,
        gitStatusMs: median(status),
        snapshotMs: median(snapNew),
        unchangedSnapshotMs: median(snapSame),
        clineColdMs: clineCold,
        clineWarmMs: median(clineWarm),
        rollback1000Ms: rollback,
        gitRestore1000Ms: restore,
        diskPerSnapshotBytes: Math.round(growth),
      };
      rows.push(row);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(shadow, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const f = (x) => (Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  process.stdout.write('files    | git status | snapshot (x status) | unchanged | Cline cold (ours faster) | Cline warm (ours faster) | rollback 1000 | git restore 1000 | disk/snapshot\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.files).padEnd(8)} | ${f(r.gitStatusMs).padStart(7)} ms | ${f(r.snapshotMs).padStart(6)} ms (${(r.snapshotMs / r.gitStatusMs).toFixed(2)}x) | ${f(r.unchangedSnapshotMs).padStart(6)} ms | ${f(r.clineColdMs).padStart(8)} ms (${(r.clineColdMs / r.snapshotMs).toFixed(1)}x) | ${f(r.clineWarmMs).padStart(7)} ms (${(r.clineWarmMs / r.snapshotMs).toFixed(1)}x) | ${f(r.rollback1000Ms).padStart(8)} ms | ${f(r.gitRestore1000Ms).padStart(8)} ms | ${(r.diskPerSnapshotBytes / 1024).toFixed(1)} KiB\n`,
    );
  }
  process.stdout.write(`(medians; snapshot = 10 files modified each time; generation took ${rows.map((r) => `${(r.generateMs / 1000).toFixed(1)} s`).join(', ')})\n`);
  process.stdout.write(`goals: snapshot <= 1.5x git status; >= 10x faster than Cline from 20,000 files\n`);
}
