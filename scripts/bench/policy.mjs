// @ts-check
/**
 * The cost of one policy evaluation against a 200-rule policy, next to baselines measured in the
 * same run: one precompiled minimatch call, and the same evaluation with no policy file (built-in
 * defaults only). Also the cost of loading (parse + validate + compile) the 200-rule file.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../lib/demoWorkspace.mjs';

const ENTRY = `
export { buildPolicy } from './src/policy/compile';
export { evaluate } from './src/policy/evaluate';
export { parsePolicyText } from './src/policy/parse';
export { Minimatch } from 'minimatch';
`;

async function loadCore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-policy-'));
  const outfile = path.join(dir, 'policyCore.mjs');
  await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: projectRoot, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  const mod = await import(pathToFileURL(outfile).href);
  fs.rmSync(dir, { recursive: true, force: true });
  return mod;
}

/** A 200-rule team policy: 120 path rules, 60 command rules, 9 categories, 11 agent rules. */
function bigPolicyText() {
  const paths = {};
  for (let i = 0; i < 40; i++) paths[`packages/pkg${i}/src/**`] = { write: i % 3 ? 'allow' : 'ask', reason: `Package ${i} is owned by team ${i % 7}.` };
  for (let i = 0; i < 40; i++) paths[`*.gen${i}.ts`] = { write: 'deny' };
  for (let i = 0; i < 30; i++) paths[`docs/area${i}/**/*.md`] = i % 2 ? 'allow' : { delete: 'ask' };
  for (let i = 0; i < 10; i++) paths[`/opt/shared/cache${i}/**`] = { write: 'allow', create: 'allow' };
  const commands = {};
  for (let i = 0; i < 50; i++) commands[`tool${i} deploy *`] = { verdict: i % 2 ? 'ask' : 'deny', reason: `tool${i} deploys.` };
  for (let i = 0; i < 10; i++) commands[`/^script${i}\\s+--danger/`] = 'deny';
  const categories = { 'file-destruction': 'ask', 'git-history': 'ask', publishing: 'deny', infrastructure: 'deny', database: 'deny', system: 'deny', 'remote-code': 'deny', exfiltration: 'deny', privilege: 'ask' };
  const agents = { copilot: { paths: {}, commands: {} } };
  for (let i = 0; i < 6; i++) agents.copilot.paths[`packages/pkg${i}/**`] = 'ask';
  for (let i = 0; i < 5; i++) agents.copilot.commands[`npm run task${i}`] = 'ask';
  return JSON.stringify({ mode: 'enforce', paths, commands, categories, agents }, null, 2);
}

/** Median microseconds per call over several batches. @param {() => unknown} fn */
function measure(fn, batch = 5000, batches = 9) {
  for (let i = 0; i < batch * 4; i++) fn();
  const times = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run() {
  const core = await loadCore();
  const root = '/home/dev/monorepo';
  const text = bigPolicyText();
  const parsed = core.parsePolicyText(text, `${root}/.airlock/policy.json`);
  if (!parsed.file) throw new Error(`bench policy invalid: ${parsed.problems[0]?.message}`);
  const team = { source: `${root}/.airlock/policy.json`, file: parsed.file, locate: parsed.locate };
  const big = core.buildPolicy({ folder: root, team, caseInsensitive: false, home: '/home/dev' });
  const empty = core.buildPolicy({ folder: root, caseInsensitive: false, home: '/home/dev' });

  const edit = { kind: 'edit', paths: ['packages/pkg17/src/deep/nested/module/file.ts'], cwd: root, agent: 'claude' };
  const outside = { kind: 'read', paths: ['/usr/include/linux/types.h'], cwd: root, agent: 'copilot' };
  /** @param {string} text @param {string[]} argv @param {any[]} findings */
  const sub = (text, argv, findings = []) => ({ text, argv, program: argv[0], cwd: root, findings, knowledge: findings.length ? 'known' : 'harmless' });
  const analysis = {
    commandLine: 'npm test && git push --force origin main | tee out/log.txt',
    shell: 'bash',
    subcommands: [
      sub('npm test', ['npm', 'test']),
      sub('git push --force origin main', ['git', 'push', '--force', 'origin', 'main'], [{ category: 'git-history', severity: 'destructive', reason: 'Force-push rewrites shared history.', id: 'git.push-force' }]),
      sub('tee out/log.txt', ['tee', 'out/log.txt']),
    ],
    effects: [{ path: `${root}/out/log.txt`, op: 'write', via: 'tee out/log.txt' }],
    parseErrors: [],
  };
  const cmd = { kind: 'command', paths: [], command: analysis.commandLine, cwd: root, agent: 'claude' };
  const mm = new core.Minimatch('packages/pkg17/src/**', { dot: true });

  const rows = [
    ['baseline: one precompiled minimatch match', measure(() => mm.match('packages/pkg17/src/deep/nested/module/file.ts'))],
    ['baseline: edit, built-in defaults only', measure(() => core.evaluate(empty, edit))],
    ['edit of a source file, 200-rule policy', measure(() => core.evaluate(big, edit))],
    ['read outside the workspace, 200-rule policy', measure(() => core.evaluate(big, outside))],
    ['command: 3 sub-commands + 1 effect, 200 rules', measure(() => core.evaluate(big, cmd, analysis))],
  ];
  const base = rows[0][1];
  const builtinOnly = rows[1][1];
  process.stdout.write(`${'case'.padEnd(50)} ${'µs/op'.padStart(9)} ${'x minimatch'.padStart(12)} ${'x built-in'.padStart(11)}\n`);
  for (const [name, us] of rows) {
    process.stdout.write(`${String(name).padEnd(50)} ${Number(us).toFixed(2).padStart(9)} ${(Number(us) / base).toFixed(1).padStart(12)} ${(Number(us) / builtinOnly).toFixed(1).padStart(11)}\n`);
  }
  const loadUs = measure(() => {
    const p = core.parsePolicyText(text, 'p.json');
    core.buildPolicy({ folder: root, team: { source: 'p.json', file: p.file, locate: p.locate }, caseInsensitive: false });
  }, 20, 7);
  process.stdout.write(`load (parse + validate + compile) of the 200-rule file (${(text.length / 1024).toFixed(1)} KiB): ${(loadUs / 1000).toFixed(2)} ms\n`);
}
