// @ts-check
/**
 * `airlock run`: the start-up cost of `airlock run -- true` over a bare `true` (goal: under 1 s), and
 * a real agent's start (`claude --version`) with and without it, and the hook's round trip inside
 * the sandbox (the launcher's fast client to the supervisor, outside it) against `node -e 0` in the
 * same place, pair by pair (goal: at most 1.2x), all measured in the same run. Also, for the
 * breakdown: bubblewrap alone, and `airlock run --no-sandbox` (the CLI and the policy, no sandbox).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../lib/demoWorkspace.mjs';

const cli = path.join(projectRoot, 'dist', 'cli.js');
const RUNS = 15;
const HOOK_CALLS = 11;

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

/**
 * The script that times hook calls from where it runs (inside the sandbox, or outside it), pair by
 * pair against a bare `node -e 0` started right before: the committed launcher with Claude Code's
 * Read and Bash calls (test/fixtures/hookCalls.json). Inside, the launcher's fast client reaches the
 * supervisor; outside (no decider) it runs the CLI, which decides alone. Prints the times as JSON.
 */
const INNER = `
const { spawnSync } = require('child_process');
const [calls, n, only] = process.argv.slice(2);
const payloads = Object.entries(JSON.parse(require('fs').readFileSync(calls, 'utf8'))).filter(([k]) => !only || k.startsWith(only + ' '));
const out = {};
const time = (cmd, args, input) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 || /deny|"cancel":\\s*true/i.test(r.stdout)) { console.error(cmd + ' ' + args.join(' ') + ' failed: ' + r.status + ' ' + r.stdout + r.stderr); process.exit(1); }
  return ms;
};
for (let i = 0; i < Number(n) + 1; i++) {
  for (const [key, payload] of payloads) {
    const base = time(process.execPath, ['-e', '0'], '');
    const hook = time('/bin/sh', ['.airlock/bin/airlock-hook', key.split(' ')[0]], payload);
    if (i > 0) { (out[key] ??= { node: [], hook: [] }).node.push(base); out[key].hook.push(hook); }
  }
}
console.log(JSON.stringify(out));
`;

/** Median of the pairwise ratios. @param {number[]} xs @param {number[]} base */
function ratio(xs, base) {
  return median(xs.map((x, i) => x / base[i]));
}

/** The Claude Code CLI the e2e tests installed, if any (for the start-up of a real agent). */
function cachedClaude() {
  const cache = path.join(os.homedir(), '.cache', 'agent-airlock');
  const dir = fs.existsSync(cache) ? fs.readdirSync(cache).find((d) => d.startsWith('agents-claude-code-')) : undefined;
  const bin = dir && path.join(cache, dir, 'node_modules', '.bin', 'claude');
  return bin && fs.existsSync(bin) ? bin : undefined;
}

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
  const env = { ...process.env, AIRLOCK_HOME: path.join(root, 'state'), AIRLOCK_RUNTIME_DIR: path.join(root, 'runtime'), AIRLOCK_SOCKET: '', AIRLOCK_TOKEN: '', AIRLOCK_CLI: cli };
  try {
    fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'README.md'), '# bench\n');
    fs.writeFileSync(path.join(ws, '.env'), 'KEY=secret\n');
    fs.writeFileSync(path.join(ws, 'src', 'app.js'), 'export {};\n');
    fs.writeFileSync(path.join(ws, 'inner.js'), INNER);
    // Each agent format's Read and Bash call (test/fixtures/hookCalls.json), keyed "agent tool".
    const fixture = JSON.parse(fs.readFileSync(path.join(projectRoot, 'test', 'fixtures', 'hookCalls.json'), 'utf8'));
    const calls = Object.fromEntries(
      Object.entries(fixture)
        .filter(([agent]) => agent !== '//')
        .flatMap(([agent, byTool]) => Object.entries(/** @type {Record<string, unknown>} */ (byTool)).map(([tool, p]) => [`${agent} ${tool}`, JSON.stringify(p).split('WS').join(ws)])),
    );
    fs.writeFileSync(path.join(ws, 'calls.json'), JSON.stringify(calls));
    spawnSync('git', ['init', '-q', ws]);
    spawnSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', ws], { env });
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

    // A real agent's start: claude --version directly and under airlock run, interleaved.
    const claude = cachedClaude();
    if (claude) {
      const direct = [];
      const wrapped = [];
      timeOnce(process.execPath, [cli, 'run', '--', claude, '--version'], opts);
      for (let i = 0; i < 7; i++) {
        direct.push(timeOnce(claude, ['--version'], opts).ms);
        wrapped.push(timeOnce(process.execPath, [cli, 'run', '--', claude, '--version'], opts).ms);
      }
      const d = median(direct);
      const w = median(wrapped);
      process.stdout.write(`  agent     claude --version                    median ${d.toFixed(1)} ms (7 runs)\n`);
      process.stdout.write(`  agent     airlock run -- claude --version     median ${w.toFixed(1)} ms  = +${(w - d).toFixed(1)} ms, ${(w / d).toFixed(2)}x\n`);
    } else {
      process.stdout.write('  agent     skipped: no Claude Code CLI in ~/.cache/agent-airlock (the e2e tests install it)\n');
    }

    // The hook's round trip, pair by pair against node -e 0 in the same place: inside the sandbox
    // (the launcher's fast client to the supervisor, a warm decider), per agent format, and outside
    // for Claude Code's calls (no decider: the cold CLI).
    const outside = JSON.parse(timeOnce(process.execPath, ['inner.js', 'calls.json', String(HOOK_CALLS), 'claude'], opts).stdout);
    const insideRun = timeOnce(process.execPath, [cli, 'run', '--', process.execPath, 'inner.js', 'calls.json', String(HOOK_CALLS)], opts);
    /** @type {Record<string, { node: number[], hook: number[] }>} */
    const inside = JSON.parse(insideRun.stdout.trim().split('\n').pop() ?? '{}');
    process.stdout.write(`  hook      load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}; ${HOOK_CALLS} pairs per call, medians; goal <= 1.20x inside\n`);
    for (const [key, t] of Object.entries(inside)) {
      const via = key.startsWith('cline ') ? 'full hook in the sandbox -> supervisor' : 'fast client -> supervisor';
      process.stdout.write(`  hook      ${key.padEnd(18)} inside airlock run (${via}) ${median(t.hook).toFixed(1)} ms vs node -e 0 ${median(t.node).toFixed(1)} ms = ${ratio(t.hook, t.node).toFixed(2)}x\n`);
    }
    for (const [key, t] of Object.entries(outside)) {
      /** @type {{ node: number[], hook: number[] }} */
      const o = /** @type {any} */ (t);
      process.stdout.write(
        `  hook      ${key.padEnd(18)} outside, no decider (cold CLI) ${median(o.hook).toFixed(1)} ms vs node -e 0 ${median(o.node).toFixed(1)} ms = ${ratio(o.hook, o.node).toFixed(2)}x; inside/outside ${(median(inside[key].hook) / median(o.hook)).toFixed(2)}x\n`,
      );
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
