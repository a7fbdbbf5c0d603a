// @ts-check
/**
 * What the agents guarded through plugins add to each tool call, next to baselines measured in the
 * same run:
 * - Cline: the hook writes a pass for an allowed call and Airlock's plugin takes it, against writing
 *   and removing one small file in the same directory (the least any file handoff costs).
 * - OpenCode: Airlock's plugin runs the launcher for every call; with a launcher that answers at
 *   once, against spawning the same launcher directly (what any hook agent pays).
 */
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../lib/demoWorkspace.mjs';

const ENTRY = `
export { passKey, writePass } from './src/agents/toolCallPass';
export { clinePluginScript } from './src/agents/clinePlugin';
export { installHooks } from './src/agents/install';
`;

/** Median ms per call of fn over `rounds` rounds of `n` calls. @param {() => unknown} fn */
async function time(fn, n, rounds = 7) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      await fn();
    }
    samples.push(Number(process.hrtime.bigint() - t) / 1e6 / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** @param {string} label @param {number} ms @param {number} [base] */
function row(label, ms, base) {
  const v = ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
  process.stdout.write(`${label.padEnd(58)} ${v.padStart(12)}${base ? `  (${(ms / base).toFixed(2)}x baseline)` : ''}\n`);
}

/** @param {string} cmd @param {string[]} args */
function runOnce(cmd, args) {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    c.on('error', reject);
    c.on('close', resolve);
    c.stdin.end('{}');
  });
}

export async function run() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-plugins-'));
  try {
    const outfile = path.join(dir, 'core.mjs');
    await esbuild.build({ stdin: { contents: ENTRY, resolveDir: projectRoot, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', mainFields: ['module', 'main'], outfile, logLevel: 'error' });
    const core = await import(pathToFileURL(outfile).href);
    const env = { ...process.env, AIRLOCK_RUNTIME_DIR: path.join(dir, 'runtime') };
    process.env.AIRLOCK_RUNTIME_DIR = env.AIRLOCK_RUNTIME_DIR;
    const pluginFile = path.join(dir, 'airlock.mjs');
    fs.writeFileSync(pluginFile, core.clinePluginScript());
    const plugin = (await import(pathToFileURL(pluginFile).href)).default;

    const scratch = path.join(dir, 'scratch');
    fs.mkdirSync(scratch);
    let n = 0;
    const base = await time(() => {
      const f = path.join(scratch, `f${n++}`);
      fs.writeFileSync(f, 'x\n', { mode: 0o600 });
      fs.unlinkSync(f);
    }, 500);
    row('baseline: write and remove one small file', base);
    const input = { path: path.join(dir, 'src', 'app.js'), old_text: 'a'.repeat(200), new_text: 'b'.repeat(200) };
    let i = 0;
    const pass = await time(async () => {
      const id = `call_${i++}`;
      core.writePass(core.passKey(id, 'editor', input), env);
      const r = await plugin.hooks.beforeTool({ toolCall: { toolCallId: id, toolName: 'editor' }, input });
      if (r !== undefined) {
        throw new Error('the plugin refused a call with a pass');
      }
    }, 500);
    row('Cline: the hook writes a pass, the plugin takes it', pass, base);
    const refuse = await time(() => plugin.hooks.beforeTool({ toolCall: { toolCallId: 'none', toolName: 'editor' }, input }), 500);
    row('Cline: the plugin refuses a call without a pass', refuse, base);

    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    core.installHooks('opencode', ws);
    const launcher = path.join(ws, '.airlock', 'bin', 'airlock-hook');
    fs.writeFileSync(launcher, 'cat >/dev/null\nprintf \'{"decision":"allow"}\\n\'\n');
    const ocFile = path.join(ws, '.opencode', 'plugins', 'airlock.mjs');
    fs.copyFileSync(path.join(ws, '.opencode', 'plugins', 'airlock.js'), ocFile);
    const oc = await (await import(pathToFileURL(ocFile).href)).AgentAirlock({ directory: ws, worktree: ws });
    const spawnBase = await time(() => runOnce('sh', [launcher, 'opencode']), 30);
    row('baseline: spawn the launcher (answers at once)', spawnBase);
    const ocCall = await time(() => oc['tool.execute.before']({ tool: 'bash', sessionID: 's', callID: 'c' }, { args: { command: 'ls' } }), 30);
    row('OpenCode: its plugin around that launcher', ocCall, spawnBase);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
