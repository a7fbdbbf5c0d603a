// @ts-check
/**
 * `npm test`: every tier in order (unit in plain Node, integration inside a real VS Code, e2e that
 * drives VS Code and the CLI from outside), then one summary line. `node scripts/test.mjs unit`
 * (or integration, e2e) runs one tier. Exits non-zero if any tier fails, loads badly or times out.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDemoWorkspace, projectRoot } from './lib/demoWorkspace.mjs';
import { runTestsInVSCode } from './lib/runInVSCode.mjs';

const out = path.join(projectRoot, 'out', 'test');
const tiers = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = tiers.length ? tiers : ['unit', 'integration', 'e2e'];
const unknown = selected.filter((t) => !['unit', 'integration', 'e2e'].includes(t));
if (unknown.length) {
  process.stderr.write(`unknown test tier(s): ${unknown.join(', ')} (use unit, integration, e2e)\n`);
  process.exit(2);
}

/** @type {{ tier: string, passed: number, failed: number, ok: boolean, note: string }[]} */
const results = [];

/** Counts mocha's "N passing" / "N failing" lines in text. @param {string} text */
function counts(text) {
  const passed = [...text.matchAll(/^\s*(\d+) passing/gm)].reduce((n, m) => n + Number(m[1]), 0);
  const failed = [...text.matchAll(/^\s*(\d+) failing/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { passed, failed };
}

/**
 * Runs mocha over compiled tests in a child process (its own process group, killed at the end).
 * @param {string} tier @param {number} timeoutMs
 */
function runMocha(tier, timeoutMs) {
  const dir = path.join(out, tier);
  const files = fs.existsSync(dir) ? listTests(dir) : [];
  if (files.length === 0) {
    results.push({ tier, passed: 0, failed: 0, ok: true, note: 'no tests' });
    return Promise.resolve();
  }
  const mocha = path.join(projectRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const args = [mocha, '--reporter', 'spec', '--no-color', '--timeout', tier === 'unit' ? '20000' : '180000', ...files];
  if (process.env.AIRLOCK_TEST_GREP) {
    args.push('--grep', process.env.AIRLOCK_TEST_GREP);
  }
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${tier} tests (mocha, plain Node ${process.version}) ===\n`);
    const child = spawn(process.execPath, args, { cwd: projectRoot, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      process.stdout.write(d);
    });
    const timer = setTimeout(() => {
      process.stdout.write(`\n${tier}: timed out after ${timeoutMs} ms\n`);
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        /* the group is gone: nothing left behind */
      }
      const c = counts(text);
      results.push({ tier, ...c, ok: code === 0, note: code === 0 ? '' : `exit ${code ?? signal}` });
      resolve(undefined);
    });
  });
}

/** @param {string} dir @returns {string[]} */
function listTests(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: false })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(dir, f));
}

async function runIntegration() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-integration-'));
  let text = '';
  try {
    const workspace = createDemoWorkspace(path.join(work, 'demo shop'));
    const r = await runTestsInVSCode({
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: path.join(out, 'integration', 'index.js'),
      workspace,
      // The extension host has its own HOME: point it at the caches of this machine's user.
      env: {
        AIRLOCK_TEST_GREP: process.env.AIRLOCK_TEST_GREP ?? '',
        AIRLOCK_AGENTS_CACHE: process.env.AIRLOCK_AGENTS_CACHE || path.join(os.homedir(), '.cache', 'agent-airlock'),
      },
      onLog: (l) => {
        text += `${l}\n`;
        process.stdout.write(`${l}\n`);
      },
    });
    const c = counts(text);
    const loaded = c.passed + c.failed > 0;
    results.push({
      tier: 'integration',
      ...c,
      ok: r.code === 0 && loaded,
      note: `VS Code ${r.vscodeVersion}; ${r.reason}${loaded ? '' : '; no test ran'}`,
    });
  } catch (err) {
    results.push({ tier: 'integration', passed: 0, failed: 0, ok: false, note: String(err) });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

for (const tier of selected) {
  if (tier === 'integration') {
    process.stdout.write('\n=== integration tests (inside a real VS Code) ===\n');
    await runIntegration();
  } else {
    // unit: the hook-path parity test sends every corpus line through three paths (10 min alone on a loaded machine)
    await runMocha(tier, tier === 'unit' ? 25 * 60_000 : 40 * 60_000);
  }
}

process.stdout.write('\n=== summary ===\n');
for (const r of results) {
  process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.tier.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}\n`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const allOk = results.every((r) => r.ok);
process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
process.exit(allOk && (failed === 0) ? 0 : 1);
