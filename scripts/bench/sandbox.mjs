// @ts-check
/**
 * `airlock run`: the start-up cost of `airlock run -- true` over a bare `true` (goal: under 1 s), and
 * the hook's round trip inside the sandbox (to the supervisor, outside it) against the same hook run
 * outside (goal: at most 1.2x), all measured in the same run. Also, for the breakdown: bubblewrap
 * alone, and `airlock run --no-sandbox` (the CLI and the policy without a sandbox).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../lib/demoWorkspace.mjs';

const cli = path.join(projectRoot, 'dist', 'cli.js');
const RUNS = 15;
const HOOK_CALLS = 15;

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} [opts] */
function timeOnce(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  }
  return { ms, stdout: String(r.stdout) };
}

/** The script that times hook calls from where it runs (inside or outside the sandbox). */
const INNER = `
const { spawnSync } = require('child_process');
const [cli, ws, n] = process.argv.slice(2);
const payload = JSON.stringify({ session_id: 'b', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: ws + '/README.md' } });
const ms = [];
for (let i = 0; i < Number(n) + 1; i++) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'hook', 'claude'], { input: payload, encoding: 'utf8' });
  if (r.status !== 0) { console.error('hook failed: ' + r.status + ' ' + r.stdout + r.stderr); process.exit(1); }
  if (i > 0) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(JSON.stringify(ms));
`;

export async function run() {
  if (!fs.existsSync(cli)) {
    throw new Error('dist/cli.js is missing: run npm run build first');
  }
  if (process.platform !== 'linux' || spawnSync('sh', ['-c', 'command -v bwrap']).status !== 0) {
    process.stdout.write('  skipped: the sandbox needs Linux with bubblewrap (apt-get install bubblewrap)\n');
    return;
  }
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-sandbox-')));
  const ws = path.join(root, 'ws');
  const env = { ...process.env, AIRLOCK_HOME: path.join(root, 'state'), AIRLOCK_RUNTIME_DIR: path.join(root, 'runtime'), AIRLOCK_SOCKET: '', AIRLOCK_TOKEN: '' };
  try {
    fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'README.md'), '# bench\n');
    fs.writeFileSync(path.join(ws, '.env'), 'KEY=secret\n');
    fs.writeFileSync(path.join(ws, 'src', 'app.js'), 'export {};\n');
    fs.writeFileSync(path.join(ws, 'inner.js'), INNER);
    spawnSync('git', ['init', '-q', ws]);
    const opts = { cwd: ws, env };
    const bwrapArgs = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-all', '--unshare-user', '--die-with-parent', '--', 'true'];
    // Warm caches, then interleave so that load on the machine hits every kind alike.
    for (const [c, a] of /** @type {[string, string[]][]} */ ([['true', []], ['bwrap', bwrapArgs], [process.execPath, [cli, 'run', '--', 'true']]])) {
      timeOnce(c, a, opts);
    }
    const bare = [];
    const bw = [];
    const noSandbox = [];
    const sandboxed = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(timeOnce('true', [], opts).ms);
      bw.push(timeOnce('bwrap', bwrapArgs, opts).ms);
      noSandbox.push(timeOnce(process.execPath, [cli, 'run', '--no-sandbox', '--', 'true'], opts).ms);
      sandboxed.push(timeOnce(process.execPath, [cli, 'run', '--', 'true'], opts).ms);
    }
    const b = median(bare);
    const r = median(sandboxed);
    process.stdout.write(`  baseline  true                                median ${b.toFixed(1)} ms (${RUNS} runs)\n`);
    process.stdout.write(`  bwrap     bubblewrap alone, -- true           median ${median(bw).toFixed(1)} ms\n`);
    process.stdout.write(`  cli       airlock run --no-sandbox -- true    median ${median(noSandbox).toFixed(1)} ms (Node, the CLI, the policy)\n`);
    process.stdout.write(`  run       airlock run -- true                 median ${r.toFixed(1)} ms  = +${(r - b).toFixed(1)} ms over true (goal: under 1000 ms)\n`);

    // The scan grows with the workspace: this checkout (with node_modules) against the small one.
    const entries = (/** @type {string} */ dir) => fs.readdirSync(dir, { recursive: true }).length;
    const small = [];
    const big = [];
    for (let i = 0; i < 5; i++) {
      small.push(timeOnce(process.execPath, [cli, 'run', '--dry-run', '--', 'true'], opts).ms);
      big.push(timeOnce(process.execPath, [cli, 'run', '--dry-run', '--', 'true'], { cwd: projectRoot, env }).ms);
    }
    process.stdout.write(
      `  scan      airlock run --dry-run: ${entries(ws)} entries median ${median(small).toFixed(1)} ms; this checkout, ${entries(projectRoot)} entries, median ${median(big).toFixed(1)} ms\n`,
    );

    // The hook's round trip: the same script times hook calls outside, and inside the sandbox.
    const outside = JSON.parse(timeOnce(process.execPath, [path.join(ws, 'inner.js'), cli, ws, String(HOOK_CALLS)], opts).stdout);
    const insideRun = timeOnce(process.execPath, [cli, 'run', '--', process.execPath, 'inner.js', cli, ws, String(HOOK_CALLS)], opts);
    const inside = JSON.parse(insideRun.stdout.trim().split('\n').pop() ?? '[]');
    const o = median(outside);
    const n = median(inside);
    process.stdout.write(`  hook      outside: airlock hook claude (Read)  median ${o.toFixed(1)} ms (${HOOK_CALLS} calls; no window: the headless gate)\n`);
    process.stdout.write(`  hook      inside the sandbox, to its supervisor median ${n.toFixed(1)} ms  = ${(n / o).toFixed(2)}x outside (goal <= 1.20x)\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
