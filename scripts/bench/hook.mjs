// @ts-check
/**
 * The hook's allow path: `airlock hook claude` answering a harmless Read, from process start to
 * answer, against a bare `node -e 0` measured in the same run (goal: at most 1.5x). Then 20
 * concurrent hook calls (half allowed, half denied), each checked for the right answer.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../lib/demoWorkspace.mjs';

const cli = path.join(projectRoot, 'dist', 'cli.js');
const RUNS = 25;

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** @param {string[]} args @param {string} input */
function timeOnce(args, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, r };
}

/** @param {string} payload @returns {Promise<{ code: number | null, stdout: string, stderr: string }>} */
function hookAsync(payload) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [cli, 'hook', 'claude'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
    c.stdin.end(payload);
  });
}

export async function run() {
  if (!fs.existsSync(cli)) {
    throw new Error('dist/cli.js is missing: run npm run build first');
  }
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-hook-')));
  // Audit entries of the bench go to a throwaway state dir, not the developer's.
  const savedHome = process.env.AIRLOCK_HOME;
  process.env.AIRLOCK_HOME = path.join(ws, '.state');
  try {
    fs.mkdirSync(path.join(ws, '.git'));
    fs.writeFileSync(path.join(ws, 'README.md'), '# bench\n');
    const read = JSON.stringify({ session_id: 'b', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: path.join(ws, 'README.md') } });

    // Warm the file cache for both, then interleave so that load on the machine hits both alike.
    timeOnce(['-e', '0'], '');
    timeOnce([cli, 'hook', 'claude'], read);
    const base = [];
    const hook = [];
    const load = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(timeOnce(['-e', '0'], '').ms);
      load.push(timeOnce([cli, '--version'], '').ms);
      const h = timeOnce([cli, 'hook', 'claude'], read);
      if (h.r.status !== 0 || h.r.stdout !== '') {
        throw new Error(`the harmless Read was not allowed: exit ${h.r.status} ${h.r.stdout}${h.r.stderr}`);
      }
      hook.push(h.ms);
    }
    const b = median(base);
    const h = median(hook);
    process.stdout.write(`  baseline  node -e 0                         median ${b.toFixed(1)} ms (${RUNS} runs)\n`);
    const l = median(load);
    process.stdout.write(`  load      airlock --version (bundle load)    median ${l.toFixed(1)} ms  = ${(l / b).toFixed(2)}x baseline (${(l - b).toFixed(1)} ms to load dist/cli.js)\n`);
    process.stdout.write(`  hook      airlock hook claude (Read, allow)  median ${h.toFixed(1)} ms  = ${(h / b).toFixed(2)}x baseline (goal <= 1.50x; ${(h - l).toFixed(1)} ms past loading)\n`);

    const calls = Array.from({ length: 20 }, (_, i) => {
      const denyIt = i % 2 === 1;
      const file = path.join(ws, denyIt ? `.env.${i}` : `f${i}.txt`);
      return { denyIt, payload: JSON.stringify({ cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: file, content: String(i) } }) };
    });
    const t = process.hrtime.bigint();
    const results = await Promise.all(calls.map((c) => hookAsync(c.payload)));
    const wall = Number(process.hrtime.bigint() - t) / 1e6;
    const correct = results.filter((r, i) => (calls[i].denyIt ? r.code === 2 && r.stdout.includes('"deny"') : r.code === 0 && r.stdout === '')).length;
    process.stdout.write(`  20 concurrent hook calls (10 allow, 10 deny): ${correct}/20 answered correctly in ${wall.toFixed(0)} ms wall\n`);
    if (correct !== 20) {
      process.exitCode = 1;
    }
  } finally {
    if (savedHome === undefined) {
      delete process.env.AIRLOCK_HOME;
    } else {
      process.env.AIRLOCK_HOME = savedHome;
    }
    fs.rmSync(ws, { recursive: true, force: true });
  }
}
