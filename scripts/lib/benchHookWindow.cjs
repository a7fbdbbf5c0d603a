// @ts-check
/**
 * The hook benchmark's part inside a real VS Code window (run as the extension host's test entry by
 * scripts/bench/hook.mjs): the window that has the workspace open is the warm decider, and hook
 * calls are timed from here against `node -e 0`, pair by pair, without blocking the extension host
 * (which answers them). Prints one line `AIRLOCK_BENCH_RESULT <json>`.
 */
const { allowed, timed } = require('./timedRun.cjs');
// The extension host provides it.
const vscode = require('vscode');

exports.run = async function run() {
  const spec = JSON.parse(process.env.AIRLOCK_BENCH_HOOK ?? '{}');
  const ext = vscode.extensions.getExtension('agent-airlock.agent-airlock');
  const api = await ext.activate();
  for (let i = 0; i < 100 && !api.bridgeSocket(); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Let the window finish starting (other extensions, indexing) before timing anything.
  await new Promise((r) => setTimeout(r, 3000));
  const env = { ...process.env };
  for (const k of Object.keys(env).filter((k) => k.startsWith('AIRLOCK_') && k !== 'AIRLOCK_HOME')) {
    delete env[k];
  }
  env.AIRLOCK_CLI = spec.cli;
  /** @type {Record<string, { base: number[], fast: number[], thin: number[] }>} */
  const samples = {};
  const failures = [];
  for (let r = 0; r < spec.runs; r++) {
    for (const c of spec.calls) {
      const key = `${c.agent} ${c.tool}`;
      const s = (samples[key] ??= { base: [], fast: [], thin: [] });
      s.base.push((await timed(spec.node, ['-e', '0'], '', env, spec.workspace)).ms);
      const fast = await timed('/bin/sh', [spec.launcher, c.agent], c.payload, env, spec.workspace);
      const thin = await timed(spec.node, [spec.cli, 'hook', c.agent], c.payload, env, spec.workspace);
      for (const [name, res] of /** @type {const} */ ([['fast', fast], ['thin', thin]])) {
        if (!allowed(res)) {
          failures.push(`${key} ${name}: exit ${res.code} ${res.out.slice(0, 300)}`);
        }
      }
      s.fast.push(fast.ms);
      s.thin.push(thin.ms);
    }
  }
  console.log(`AIRLOCK_BENCH_RESULT ${JSON.stringify({ samples, failures })}`);
};
