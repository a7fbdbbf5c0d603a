// @ts-check
/** Timing of one hook call as a process, shared by scripts/bench/hook.mjs and its part in VS Code. */
const { spawn } = require('node:child_process');

/**
 * Runs a command with `input` on stdin and times it, without blocking this process (the warm
 * decider may live in it).
 * @param {string} cmd @param {string[]} args @param {string} input @param {NodeJS.ProcessEnv} env @param {string} cwd
 * @returns {Promise<{ ms: number, code: number | null, out: string }>}
 */
function timed(cmd, args, input, env, cwd) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const c = spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.stdin.on('error', () => {});
    c.on('error', reject);
    c.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, code, out }));
    c.stdin.end(input);
  });
}

/** An answer that lets the tool run, in any agent's format. @param {{ code: number | null, out: string }} r */
function allowed(r) {
  return r.code === 0 && !/deny|"cancel":\s*true|"permission":\s*"ask"|"decision":\s*"(block|ask)"/i.test(r.out);
}

module.exports = { timed, allowed };
