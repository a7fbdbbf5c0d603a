// @ts-check
/**
 * A hook call from process start to answer, per agent format, a Read and a Bash call each, against
 * a bare `node -e 0` measured right before it (pair by pair; medians of the ratios):
 * - warm: a decider holds the policy and parser in memory. The real VS Code window (code-server, as
 *   the tests run it) and a headless decider (the hook service with the headless gate, what the
 *   `airlock run` supervisor serves). "fast" is the committed launcher (its perl client), "thin" is
 *   `node dist/cli.js hook` (its thin client). Goal: at most 1.2x, below 1.0x sought.
 * - cold: no decider (VS Code closed, no supervisor): the launcher runs the CLI, which decides alone.
 *   Goal: at most 1.5x for Read, 2.0x for Bash.
 * Then 20 concurrent cold hook calls, each checked for the right answer. The load average is printed
 * beside the figures: other processes on the machine inflate both sides of each pair, not evenly.
 * AIRLOCK_BENCH_RUNS sets the pairs per call (default 11); AIRLOCK_BENCH_WINDOW=0 skips the window.
 */
import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDemoWorkspace, projectRoot } from '../lib/demoWorkspace.mjs';

/** @type {{ timed: (cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv, cwd: string) => Promise<{ ms: number, code: number | null, out: string }>, allowed: (r: { code: number | null, out: string }) => boolean }} */
const { timed, allowed } = createRequire(import.meta.url)('../lib/timedRun.cjs');
const cli = path.join(projectRoot, 'dist', 'cli.js');
const RUNS = Number(process.env.AIRLOCK_BENCH_RUNS || 11);
const GOALS = { warm: { Read: 1.2, Bash: 1.2 }, cold: { Read: 1.5, Bash: 2.0 } };

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function load() {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** The Read and Bash call of each agent (test/fixtures/hookCalls.json) in workspace `ws`. @param {string} ws */
function callsFor(ws) {
  const all = JSON.parse(fs.readFileSync(path.join(projectRoot, 'test', 'fixtures', 'hookCalls.json'), 'utf8'));
  return Object.entries(all)
    .filter(([k]) => k !== '//')
    .flatMap(([agent, byTool]) => Object.entries(byTool).map(([tool, p]) => ({ agent, tool, payload: JSON.stringify(p).split('WS').join(ws) })));
}

/** The environment of a hook started outside any VS Code terminal. @param {Record<string, string>} extra */
function hookEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AIRLOCK_')));
  return { ...env, AIRLOCK_CLI: cli, ...extra };
}

const DECIDER = `
import { hookHandler } from './src/agents/hookService';
import { LocalGate } from './src/agents/localGate';
import { newSocketPath, newToken, register } from './src/bridge/registry';
import { BridgeServer } from './src/bridge/server';
const folder = process.argv[2];
const gate = new LocalGate();
const socketPath = newSocketPath();
const token = newToken();
const decide = async (req, signal) => gate.decide(req.actions, { agent: req.actions[0].agent, cwd: req.actions[0].cwd, canAsk: false, signal, deadlineMs: req.deadlineMs, ...(req.installedFor ? { installedFor: req.installedFor } : {}) });
BridgeServer.listen({ socketPath, token, folders: () => [folder], version: 'bench', onDecide: decide, onHook: hookHandler({ decide, socketPath: () => socketPath }) }).then((server) => {
  register({ pid: process.pid, socket: socketPath, token, folders: [folder], version: 'bench', createdAt: new Date().toISOString() });
  process.stdout.write(JSON.stringify({ socket: socketPath, token }) + '\\n');
  process.stdin.on('end', () => server.close().then(() => process.exit(0)));
  process.stdin.resume();
});
`;

/**
 * A headless warm decider in its own process, registered for `folder` in the runtime dir of `env`.
 * @param {string} folder @param {NodeJS.ProcessEnv} env
 */
async function startDecider(folder, env) {
  // Built beside the project so that the shell parser finds its wasm files in dist/.
  const dir = path.join(projectRoot, 'node_modules', '.cache', 'airlock-bench');
  fs.mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'decider.cjs');
  await esbuild.build({ stdin: { contents: DECIDER, resolveDir: projectRoot, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, logLevel: 'error' });
  const child = spawn(process.execPath, [outfile, folder], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        resolve(buf.split('\n')[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`the bench decider exited with ${code}`)));
  });
  return { ...JSON.parse(/** @type {string} */ (line)), stop: () => child.stdin.end() };
}

/**
 * Prints one table: per call, the median of the per-pair ratios of each path, and its median ms.
 * @param {string} title @param {Record<string, Record<string, number[]>>} samples key "agent tool" -> path -> ms (path 'base' = node -e 0)
 * @param {Record<string, 'warm' | 'cold'>} kinds path -> which goal applies
 */
function table(title, samples, kinds) {
  const paths = Object.keys(kinds);
  process.stdout.write(`\n  ${title}\n  ${'agent'.padEnd(12)} ${'call'.padEnd(5)} ${'node -e 0'.padStart(10)}  ${paths.map((p) => p.padStart(22)).join('')}\n`);
  const worst = /** @type {Record<string, number>} */ ({});
  for (const [key, s] of Object.entries(samples)) {
    const [agent, tool] = key.split(' ');
    const cells = paths.map((p) => {
      const ratio = median(s[p].map((ms, i) => ms / s.base[i]));
      const goal = GOALS[kinds[p]][/** @type {'Read' | 'Bash'} */ (tool)];
      worst[p] = Math.max(worst[p] ?? 0, ratio / goal);
      return `${ratio.toFixed(2)}x ${median(s[p]).toFixed(1).padStart(6)} ms${ratio <= goal ? ' ' : '!'}`.padStart(22);
    });
    process.stdout.write(`  ${agent.padEnd(12)} ${tool.padEnd(5)} ${`${median(s.base).toFixed(1)} ms`.padStart(10)}  ${cells.join('')}\n`);
  }
  process.stdout.write(`  (! = over its goal: warm <= ${GOALS.warm.Read}x; cold <= ${GOALS.cold.Read}x Read, ${GOALS.cold.Bash}x Bash)\n`);
  return worst;
}

/** @param {string} ws @param {ReturnType<typeof callsFor>} calls */
async function measureHeadless(ws, calls) {
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-run-'));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-none-'));
  const launcher = path.join(ws, '.airlock', 'bin', 'airlock-hook');
  const state = { AIRLOCK_HOME: path.join(ws, '..', 'state') };
  const decider = await startDecider(ws, hookEnv({ ...state, AIRLOCK_RUNTIME_DIR: runtime }));
  const warm = hookEnv({ ...state, AIRLOCK_RUNTIME_DIR: runtime });
  const cold = hookEnv({ ...state, AIRLOCK_RUNTIME_DIR: empty });
  /** @type {Record<string, Record<string, number[]>>} */
  const samples = {};
  const failures = [];
  let cpu;
  try {
    // Warm the file cache and the code cache of each path once.
    for (const c of calls) {
      await timed('/bin/sh', [launcher, c.agent], c.payload, cold, ws);
    }
    for (let r = 0; r < RUNS; r++) {
      for (const c of calls) {
        const s = (samples[`${c.agent} ${c.tool}`] ??= { base: [], fast: [], thin: [], cold: [] });
        s.base.push((await timed(process.execPath, ['-e', '0'], '', cold, ws)).ms);
        const runs = {
          fast: await timed('/bin/sh', [launcher, c.agent], c.payload, warm, ws),
          thin: await timed(process.execPath, [cli, 'hook', c.agent], c.payload, warm, ws),
          cold: await timed('/bin/sh', [launcher, c.agent], c.payload, cold, ws),
        };
        for (const [p, res] of Object.entries(runs)) {
          s[p].push(res.ms);
          if (!allowed(res)) {
            failures.push(`${c.agent} ${c.tool} ${p}: exit ${res.code} ${res.out.slice(0, 200)}`);
          }
        }
      }
    }
    cpu = perfAvailable() ? await cpuTimes(calls.filter((c) => c.agent === 'claude'), { launcher, warm, cold, ws }) : undefined;
  } finally {
    decider.stop();
    fs.rmSync(runtime, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
  return { samples, failures, cpu };
}

function perfAvailable() {
  return spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', 'true'], { encoding: 'utf8' }).status === 0;
}

/**
 * CPU time (perf stat's task-clock: every thread of the process and its children), median of RUNS:
 * far less disturbed by other load on the machine than wall-clock time.
 * @param {ReturnType<typeof callsFor>} calls
 * @param {{ launcher: string, warm: NodeJS.ProcessEnv, cold: NodeJS.ProcessEnv, ws: string }} o
 */
async function cpuTimes(calls, o) {
  /** @param {string[]} cmd @param {string} input @param {NodeJS.ProcessEnv} env */
  const perf = async (cmd, input, env) => {
    const r = await timed('perf', ['stat', '-x,', '-e', 'task-clock', '--', ...cmd], input, env, o.ws);
    const line = r.out.split('\n').find((l) => /,msec,task-clock/.test(l));
    return line ? Number(line.split(',')[0]) : NaN;
  };
  /** @type {Record<string, Record<string, number[]>>} */
  const out = {};
  for (let r = 0; r < RUNS; r++) {
    for (const c of calls) {
      const s = (out[`${c.agent} ${c.tool}`] ??= { base: [], fast: [], thin: [], cold: [] });
      s.base.push(await perf([process.execPath, '-e', '0'], '', o.cold));
      s.fast.push(await perf(['/bin/sh', o.launcher, c.agent], c.payload, o.warm));
      s.thin.push(await perf([process.execPath, cli, 'hook', c.agent], c.payload, o.warm));
      s.cold.push(await perf(['/bin/sh', o.launcher, c.agent], c.payload, o.cold));
    }
  }
  return out;
}

/** @param {Record<string, Record<string, number[]>>} cpu */
function cpuTable(cpu) {
  process.stdout.write(`\n  CPU time (perf stat task-clock, all threads; median of ${RUNS}), against node -e 0's\n`);
  for (const [key, s] of Object.entries(cpu)) {
    const b = median(s.base);
    const cell = (/** @type {string} */ p) => `${p} ${median(s[p]).toFixed(1)} ms = ${(median(s[p]) / b).toFixed(2)}x`;
    process.stdout.write(`  ${key.padEnd(18)} node -e 0 ${b.toFixed(1)} ms   ${['fast', 'thin', 'cold'].map(cell).join('   ')}\n`);
  }
}

/** @param {string} ws @param {ReturnType<typeof callsFor>} calls */
async function measureWindow(ws, calls) {
  const { runTestsInVSCode } = await import('../lib/runInVSCode.mjs');
  /** @type {string | undefined} */
  let result;
  const spec = { node: process.execPath, cli, workspace: ws, launcher: path.join(ws, '.airlock', 'bin', 'airlock-hook'), calls, runs: RUNS };
  const r = await runTestsInVSCode({
    extensionDevelopmentPath: projectRoot,
    extensionTestsPath: path.join(projectRoot, 'scripts', 'lib', 'benchHookWindow.cjs'),
    workspace: ws,
    env: { AIRLOCK_BENCH_HOOK: JSON.stringify(spec) },
    timeoutMs: 20 * 60_000,
    onLog: (l) => {
      if (l.includes('AIRLOCK_BENCH_RESULT ')) {
        result = l.slice(l.indexOf('AIRLOCK_BENCH_RESULT ') + 'AIRLOCK_BENCH_RESULT '.length);
      }
    },
  });
  if (r.code !== 0 || !result) {
    throw new Error(`the window benchmark failed: ${r.reason}`);
  }
  return /** @type {{ samples: Record<string, Record<string, number[]>>, failures: string[] }} */ (JSON.parse(result));
}

/** @param {string} ws @param {string} payload */
function hookAsync(ws, payload) {
  return timed('/bin/sh', [path.join(ws, '.airlock', 'bin', 'airlock-hook'), 'claude'], payload, hookEnv({ AIRLOCK_HOME: path.join(ws, '..', 'state'), AIRLOCK_RUNTIME_DIR: path.join(ws, '..', 'none') }), ws);
}

export async function run() {
  if (!fs.existsSync(cli)) {
    throw new Error('dist/cli.js is missing: run npm run build first');
  }
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-hook-')));
  const ws = path.join(base, 'shop');
  try {
    createDemoWorkspace(ws);
    fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
    fs.mkdirSync(path.join(base, 'none'), { mode: 0o700 });
    const inst = spawnSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', ws], { encoding: 'utf8' });
    if (inst.status !== 0) {
      throw new Error(`install-hooks failed: ${inst.stderr}`);
    }
    const calls = callsFor(ws);
    process.stdout.write(`  ${calls.length} calls (test/fixtures/hookCalls.json) in the demo workspace with its team policy; ${RUNS} pairs each\n`);
    process.stdout.write(`  load average (1/5/15 min) before: ${load()}\n`);
    const headless = await measureHeadless(ws, calls);
    const worst = table('headless decider (warm) and no decider (cold)', headless.samples, { fast: 'warm', thin: 'warm', cold: 'cold' });
    if (headless.cpu) {
      cpuTable(headless.cpu);
    }
    process.stdout.write(`  load average after: ${load()}\n`);
    const failures = [...headless.failures];
    if (process.env.AIRLOCK_BENCH_WINDOW !== '0') {
      const win = await measureWindow(ws, calls);
      const w = table('the VS Code window (warm, code-server 4.139.1)', win.samples, { fast: 'warm', thin: 'warm' });
      process.stdout.write(`  load average after: ${load()}\n`);
      failures.push(...win.failures.map((f) => `window: ${f}`));
      worst.windowFast = w.fast;
      worst.windowThin = w.thin;
    }
    process.stdout.write(
      `  worst ratio against its goal: ${Object.entries(worst)
        .map(([p, v]) => `${p} ${v.toFixed(2)}`)
        .join(', ')} (1.00 = at the goal)\n`,
    );
    if (failures.length) {
      process.stdout.write(`  NOT ALLOWED (a harmless call was refused):\n    ${failures.slice(0, 10).join('\n    ')}\n`);
      process.exitCode = 1;
    }

    const concurrent = Array.from({ length: 20 }, (_, i) => {
      const denyIt = i % 2 === 1;
      const file = path.join(ws, denyIt ? `.env.${i}` : `f${i}.txt`);
      return { denyIt, payload: JSON.stringify({ cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: file, content: String(i) } }) };
    });
    const t = process.hrtime.bigint();
    const results = await Promise.all(concurrent.map((c) => hookAsync(ws, c.payload)));
    const wall = Number(process.hrtime.bigint() - t) / 1e6;
    const correct = results.filter((r, i) => (concurrent[i].denyIt ? r.code === 2 && r.out.includes('"deny"') : r.code === 0 && r.out === '')).length;
    process.stdout.write(`\n  20 concurrent cold hook calls (10 allow, 10 deny): ${correct}/20 answered correctly in ${wall.toFixed(0)} ms wall\n`);
    if (correct !== 20) {
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}
