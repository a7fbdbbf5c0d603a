// @ts-check
/**
 * Snapshot benchmark: repositories of 1,000, 20,000 and 100,000 files (made with `git fast-import`,
 * 100 files a folder) with 10 files modified before each snapshot. Prints, measured in the same run
 * and interleaved round by round with the baseline:
 * - snapshot time over `git status --porcelain` for the headless path (the pipeline the hook and
 *   the CLI run: one full pass) and the window path (the change journal fed the 10 changed paths,
 *   as VS Code's file watcher does); goals: headless <= 1.5x, window < 1.0x;
 * - the first snapshot of a workspace (the full pass plus copying the repository's objects in);
 * - rollback of 1,000 changed files (verification and safety snapshot included) over `git checkout`
 *   of the same files (goal <= 2x);
 * - the store's disk growth per snapshot, and `airlock snapshot` as a whole process.
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

/** Makes a repository of n files (100 per folder, ~200 bytes each) in one fast-import stream. @param {string} dir @param {number} n */
function makeRepo(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q']);
  const parts = [];
  /** @param {number} i */
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
  const mods = ['snapshot/service', 'snapshot/snapshot', 'snapshot/journal', 'util/stateDir'].map((m) => `export * from ${JSON.stringify(path.join(root, 'src', `${m}.ts`))};`);
  fs.writeFileSync(entry, `${mods.join('\n')}\n`);
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', mainFields: ['module', 'main'], outfile: path.join(out, 'snapshot.mjs'), logLevel: 'warning', banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" } });
  try {
    return await import(pathToFileURL(path.join(out, 'snapshot.mjs')).href);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const SETTINGS = { enabled: true, include: [], maxFileSizeMB: 10, retention: { maxCount: 1000, maxAgeDays: 14, maxSizeMB: 100000 } };

export async function run() {
  const snap = await loadSnapshot();
  const sizes = process.env.AIRLOCK_BENCH_QUICK ? [1000, 20000] : [1000, 20000, 100000];
  const rounds = Number(process.env.AIRLOCK_BENCH_ROUNDS ?? 9);
  const work = fs.mkdtempSync(path.join(process.env.AIRLOCK_BENCH_DIR ?? os.tmpdir(), 'airlock-bench-'));
  const cli = path.join(root, 'dist', 'cli.js');
  const rows = [];
  try {
    for (const n of sizes) {
      const t0 = Date.now();
      const dir = path.join(work, `repo${n}`);
      const name = makeRepo(dir, n);
      const gen = Date.now() - t0;
      let round = 0;
      /** The 10 files modified in each round (the same ones, so status always sees 10 changes). */
      const ten = Array.from({ length: 10 }, (_, k) => name(k * Math.floor(n / 10)));
      const modify10 = () => {
        round++;
        for (const f of ten) fs.appendFileSync(path.join(dir, f), `edit ${round}\n`);
      };
      modify10();
      git(dir, ['status', '--porcelain']); // warm the OS cache and the index's stat data for everyone

      const headlessStorage = path.join(work, `headless${n}`);
      const headless = new snap.SnapshotService({ storageDir: headlessStorage, settings: () => SETTINGS });
      const journal = new snap.ChangeJournal({ verifyEveryMs: 3600_000 });
      const window = new snap.SnapshotService({ storageDir: path.join(work, `window${n}`), settings: () => SETTINGS, journal });
      const first = await time(() => headless.takeNow(dir, { label: 'first' }));
      await window.takeNow(dir, { label: 'first' }); // the full pass the journal starts from

      const objects = path.join(snap.snapshotStoreRoot(process.env, headlessStorage));
      const diskBefore = dirSize(objects);
      const status = [];
      const headlessMs = [];
      const windowMs = [];
      for (let i = 0; i < rounds; i++) {
        status.push(await time(() => git(dir, ['status', '--porcelain'])));
        modify10();
        headlessMs.push(await time(() => headless.takeNow(dir, { label: `headless ${i}` })));
        modify10();
        for (const f of ten) journal.changed(dir, path.join(dir, f)); // what the file watcher reports
        windowMs.push(await time(() => window.takeNow(dir, { label: `window ${i}` })));
      }
      const disk = (dirSize(objects) - diskBefore) / rounds;
      // The CLI as a hook runs it: a process of its own (its store already made by an earlier call).
      const cliEnv = { ...env(), AIRLOCK_HOME: path.join(work, `cli${n}`) };
      spawnSync(process.execPath, [cli, 'snapshot', '--cwd', dir], { env: cliEnv });
      modify10();
      const cliMs = await time(() => spawnSync(process.execPath, [cli, 'snapshot', '--cwd', dir], { env: cliEnv }));
      const nodeMs = await time(() => spawnSync(process.execPath, ['-e', '0']));

      // Rollback of 1,000 changed files (verification and the safety snapshot included), and git checkout of them.
      const base = await headless.takeNow(dir, { label: 'before 1000 edits' });
      const thousand = Array.from({ length: 1000 }, (_, k) => name(Math.floor((k * n) / 1000)));
      const edit1000 = () => {
        for (const f of thousand) fs.appendFileSync(path.join(dir, f), 'agent edit\n');
      };
      const rollback = [];
      const checkout = [];
      for (let i = 0; i < 3; i++) {
        edit1000();
        rollback.push(await time(() => headless.rollback(dir, base.id)));
        git(dir, ['add', '-A']); // the files as the snapshot has them, staged, so checkout restores them too
        edit1000();
        checkout.push(await time(() => git(dir, ['checkout', '-q', '--', '.'])));
        git(dir, ['reset', '-q']);
      }
      headless.dispose();
      window.dispose();
      rows.push({ n, gen, status: median(status), headless: median(headlessMs), window: median(windowMs), first, rollback: median(rollback), checkout: median(checkout), disk, cliMs, nodeMs });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const f = (/** @type {number} */ x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const x = (/** @type {number} */ a, /** @type {number} */ b) => `${(a / b).toFixed(2)}x`;
  process.stdout.write('files    | git status | headless snapshot | window snapshot | first snapshot | rollback 1000 | git checkout 1000 | disk/snapshot | airlock snapshot process\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.n).padEnd(8)} | ${f(r.status).padStart(7)} ms | ${f(r.headless).padStart(6)} ms (${x(r.headless, r.status)}) | ${f(r.window).padStart(5)} ms (${x(r.window, r.status)}) | ${f(r.first).padStart(9)} ms | ${f(r.rollback).padStart(6)} ms (${x(r.rollback, r.checkout)}) | ${f(r.checkout).padStart(10)} ms | ${(r.disk / 1024).toFixed(1).padStart(7)} KiB | ${f(r.cliMs)} ms (node -e 0: ${f(r.nodeMs)} ms)\n`,
    );
  }
  process.stdout.write(`(medians of ${rounds} rounds, interleaved; 10 files modified before each snapshot; repositories generated in ${rows.map((r) => `${(r.gen / 1000).toFixed(1)} s`).join(', ')})\n`);
  process.stdout.write('goals: headless <= 1.5x git status; window < 1.0x; rollback of 1,000 files <= 2x git checkout\n');
}
