// @ts-check
/**
 * The shell analysis: tree-sitter load time (cold, in fresh processes), commands classified per
 * second over the test corpus (analysis alone, and analysis + policy decision as `check --jsonl`
 * does), next to a baseline measured in the same run: splitting the same lines on whitespace.
 * Also the wall time of one `airlock check` process against a bare `node -e ''`.
 */
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../lib/demoWorkspace.mjs';

const ENTRY = `
export { analyzeCommand, loadShellParser } from './src/shell/analyze';
export { loadTimings } from './src/shell/parser';
export { createWorkspaceView } from './src/shell/workspaceView';
export { checkCommand } from './src/cli/check';
export { loadCorpus, placeOf } from './test/corpus/corpus';
export { createCorpusFixture, createPlainWorkspace } from './test/corpus/fixture';
`;

/**
 * The bash lines of the corpus, each where the corpus runs it (a plain repository, or the fixture
 * with ignored, untracked and changed files), so the file-system expansion is measured for real.
 */
function corpusLines(m, places) {
  return m
    .loadCorpus(path.join(projectRoot, 'test', 'corpus', 'commands'))
    .filter((c) => c.shell !== 'powershell')
    .map((c) => m.placeOf(c, places));
}

/** Runs fn over the lines until at least `ms` have passed; returns lines per second. */
function throughput(lines, fn, ms = 1500) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (const l of lines) {
      fn(l);
    }
    n += lines.length;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run() {
  const dir = fs.mkdtempSync(path.join(projectRoot, 'out', 'bench-shell-'));
  const outfile = path.join(dir, 'shellCore.cjs');
  try {
    await esbuild.build({ stdin: { contents: ENTRY, resolveDir: projectRoot, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, logLevel: 'error' });

    // Cold load in fresh processes (what a hook call pays once).
    const probe = `const m=require(${JSON.stringify(outfile)});const t=performance.now();m.loadShellParser([process.argv[1]]).then(()=>{console.log(JSON.stringify({ms:performance.now()-t,...m.loadTimings}))})`;
    const loads = { bash: [], powershell: [] };
    for (let i = 0; i < 5; i++) {
      for (const g of ['bash', 'powershell']) {
        const r = spawnSync(process.execPath, ['-e', probe, g], { encoding: 'utf8' });
        if (r.status === 0) {
          loads[g].push(JSON.parse(r.stdout).ms);
        }
      }
    }

    const require = createRequire(import.meta.url);
    const m = require(outfile);
    await m.loadShellParser();
    const places = { plain: m.createPlainWorkspace(dir), fixture: m.createCorpusFixture(dir) };
    const lines = corpusLines(m, places);
    // one view of the file system and repository per workspace for the batch, as check --jsonl has
    const views = new Map([places.plain, places.fixture].map((p) => [p.home, m.createWorkspaceView(p.workspace)]));
    const workspaceOf = new Map([places.plain, places.fixture].map((p) => [p.home, p.workspace]));
    const analyze = (l) => m.analyzeCommand(l.command, { cwd: l.cwd, home: l.home, workspace: workspaceOf.get(l.home), view: views.get(l.home) });
    const check = (l) => m.checkCommand(l.command, { cwd: l.cwd, home: l.home });
    const split = (l) => l.command.trim().split(/\s+/);
    // warm up the JIT (and the batch's caches) on every path first, then measure
    throughput(lines, split, 200);
    throughput(lines, check, 600);
    throughput(lines, analyze, 300);
    const baseline = throughput(lines, split);
    const analysis = throughput(lines, analyze);
    const decided = throughput(lines, check);
    const per = lines.map((l) => {
      const t = performance.now();
      analyze(l);
      return (performance.now() - t) * 1000;
    });
    per.sort((a, b) => a - b);

    const cli = path.join(projectRoot, 'dist', 'cli.js');
    const wall = (args) => {
      const xs = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        spawnSync(process.execPath, args, { encoding: 'utf8' });
        xs.push(performance.now() - t);
      }
      return median(xs);
    };
    const nodeBare = wall(['-e', '']);
    const checkOne = fs.existsSync(cli) ? wall([cli, 'check', '--cwd', places.fixture.workspace, '--', 'git status && npm test']) : NaN;

    const f = (x) => x.toFixed(1);
    const rows = [
      ['tree-sitter runtime + bash grammar, cold (median of 5 processes)', `${f(median(loads.bash))} ms`, ''],
      ['tree-sitter runtime + PowerShell grammar, cold (median of 5 processes)', `${f(median(loads.powershell))} ms`, ''],
      [`baseline: split on whitespace (${lines.length} corpus lines)`, `${Math.round(baseline).toLocaleString('en')} lines/s`, '1x'],
      ['analyzeCommand (parse + capabilities + effects + reads + file-system expansion)', `${Math.round(analysis).toLocaleString('en')} commands/s`, `${(baseline / analysis).toFixed(0)}x slower`],
      ['checkCommand (analysis + policy evaluate + path facts, as check --jsonl)', `${Math.round(decided).toLocaleString('en')} commands/s`, `${(baseline / decided).toFixed(0)}x slower`],
      ['analyzeCommand per command: median / p99', `${f(per[Math.floor(per.length / 2)])} / ${f(per[Math.floor(per.length * 0.99)])} µs`, ''],
      ["baseline: node -e '' (process start)", `${f(nodeBare)} ms`, '1x'],
      ['airlock check -- "git status && npm test" (one process)', `${f(checkOne)} ms`, `${(checkOne / nodeBare).toFixed(1)}x`],
    ];
    for (const [what, value, ratio] of rows) {
      process.stdout.write(`${what.padEnd(74)} ${value.padStart(22)}  ${ratio}\n`);
    }
    process.stdout.write(`goal >= 10,000 commands/s: ${analysis >= 10000 ? 'met' : 'NOT met'} (analysis), ${decided >= 10000 ? 'met' : 'NOT met'} (with policy)\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
