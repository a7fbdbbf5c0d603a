// @ts-check
/**
 * The guards beyond hooks: what each costs, next to baselines measured in the same run.
 * - Copilot settings sync (pure part): policy -> entries -> settings.json plan, against compiling
 *   the same policy (which every policy change costs anyway).
 * - Session budgets in the gate: decide() with budgets, against decide() without.
 * - A periodic terminal-guard snapshot of an unchanged repository (deduplicated), against the
 *   `git status` it must at least run.
 */
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDemoWorkspace, projectRoot } from '../lib/demoWorkspace.mjs';

const ENTRY = `
export { buildPolicy } from './src/policy/compile';
export { parsePolicyText } from './src/policy/parse';
export { copilotApprovalEntries, planSettings } from './src/policy/copilotSettings';
export { SessionBudgets } from './src/gate/budgets';
export { decide } from './src/gate/gate';
export { takeSnapshot } from './src/snapshot/snapshot';
`;

async function loadCore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-guard-'));
  const outfile = path.join(dir, 'guardCore.mjs');
  await esbuild.build({ stdin: { contents: ENTRY, resolveDir: projectRoot, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', mainFields: ['module', 'main'], outfile, logLevel: 'error' });
  const mod = await import(pathToFileURL(outfile).href);
  fs.rmSync(dir, { recursive: true, force: true });
  return mod;
}

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

export async function run() {
  const core = await loadCore();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-guard-ws-'));
  fs.rmSync(workspace, { recursive: true, force: true });
  createDemoWorkspace(workspace);
  try {
    const text = fs.readFileSync(path.join(workspace, '.airlock', 'policy.json'), 'utf8');
    const parsed = core.parsePolicyText(text, path.join(workspace, '.airlock', 'policy.json'));
    const build = () => core.buildPolicy({ folder: workspace, team: { source: 'team', file: parsed.file, locate: parsed.locate } });
    const policy = build();
    const settings = '{\n  // mine\n  "editor.tabSize": 2,\n  "chat.tools.terminal.autoApprove": { "npm run lint": true }\n}\n';
    const compile = await time(build, 200);
    row('baseline: compile the demo policy', compile);
    const entries = await time(() => core.copilotApprovalEntries(policy), 200);
    row('Copilot entries from the compiled policy', entries, compile);
    const plan = await time(() => core.planSettings(settings, { edits: [], terminal: [] }, core.copilotApprovalEntries(policy)), 200);
    row('entries + settings.json plan (JSONC edit)', plan, compile);
    const n = Object.keys(core.copilotApprovalEntries(policy).edits).length;
    const m = Object.keys(core.copilotApprovalEntries(policy).terminal).length;
    process.stdout.write(`  (${n} edit globs, ${m} terminal entries for the demo policy)\n`);

    const allow = { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] };
    const deps = { evaluate: () => allow, folder: () => workspace, via: 'vscode' };
    let i = 0;
    const action = () => ({ kind: 'edit', paths: [`${workspace}/src/f${i++ % 500}.js`], cwd: workspace, agent: 'claude', session: 's1' });
    const plain = await time(() => core.decide([action()], deps), 2000);
    row('baseline: gate decide() without budgets', plain);
    const tracker = new core.SessionBudgets();
    const budgets = { tracker, limits: () => ({ filesChanged: 1000, filesDeleted: 100, commands: 100, minutes: 60 }) };
    const withBudgets = await time(() => core.decide([action()], { ...deps, budgets }), 2000);
    row('gate decide() with session budgets (500 files counted)', withBudgets, plain);

    const status = await time(() => execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: workspace }), 10, 5);
    row('baseline: git status --porcelain --ignored (demo repo)', status);
    await core.takeSnapshot(workspace, { label: 'first' });
    const snap = await time(() => core.takeSnapshot(workspace, { label: 'periodic', agent: 'airlock', tool: 'terminal' }), 10, 5);
    row('periodic guard snapshot, nothing changed (deduplicated)', snap, status);
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
