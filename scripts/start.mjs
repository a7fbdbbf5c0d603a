// @ts-check
/**
 * `npm start`: serves a real VS Code (code-server) on 127.0.0.1 with Airlock loaded from this working
 * copy, on a demo workspace (a small git repository with source, a .env and a team policy).
 * Options: --port N (default 3120 or $AIRLOCK_PORT), --workspace DIR (default .demo/workspace),
 * --state DIR (default .demo/vscode). Ctrl-C stops everything it started.
 *
 * VS Code runs with a private HOME, TMPDIR and XDG_RUNTIME_DIR under the state dir (code-server writes
 * its config and sockets there), but Airlock in it uses this user's own runtime and state dirs: its
 * window registers where a hook started from any terminal of this user looks, and its audit log is
 * the one the CLI writes when it decides alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createDemoWorkspace, projectRoot } from './lib/demoWorkspace.mjs';
import { freePort, startVSCode } from './lib/vscodeServer.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    workspace: { type: 'string' },
    state: { type: 'string' },
  },
});

const workspace = path.resolve(values.workspace ?? path.join(projectRoot, '.demo', 'workspace'));
const state = path.resolve(values.state ?? path.join(projectRoot, '.demo', 'vscode'));
if (!fs.existsSync(path.join(workspace, '.git'))) {
  fs.rmSync(workspace, { recursive: true, force: true });
  createDemoWorkspace(workspace);
  process.stderr.write(`created the demo workspace in ${workspace}\n`);
}
if (!fs.existsSync(path.join(projectRoot, 'dist', 'extension.js'))) {
  process.stderr.write('dist/extension.js is missing: run `npm run build` (npm start does it for you)\n');
  process.exit(2);
}

let port = Number(values.port ?? process.env.AIRLOCK_PORT ?? 3120);
if (port === 0) {
  port = await freePort();
} else if (!values.port && !process.env.AIRLOCK_PORT) {
  // Take the default port when it is free, any free port otherwise.
  port = await new Promise((resolve) => {
    import('node:net').then((net) => {
      const s = net.createServer();
      s.once('error', () => freePort().then(resolve));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(port)));
    });
  });
}

/**
 * Where hooks of this user look for VS Code windows: the same rule as src/bridge/registry.ts
 * runtimeDir() ($AIRLOCK_RUNTIME_DIR, else $XDG_RUNTIME_DIR or the temp dir, + agent-airlock-<uid>).
 */
function airlockRuntimeDir() {
  if (process.env.AIRLOCK_RUNTIME_DIR) {
    return process.env.AIRLOCK_RUNTIME_DIR;
  }
  const xdg = process.env.XDG_RUNTIME_DIR;
  const base = xdg && fs.existsSync(xdg) ? xdg : os.tmpdir();
  return path.join(base, `agent-airlock-${process.getuid?.() ?? os.userInfo().username}`);
}

/** Airlock's per-user state: the same rule as src/util/stateDir.ts. */
function airlockStateDir() {
  return process.env.AIRLOCK_HOME || path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'agent-airlock');
}

const runtimeDir = airlockRuntimeDir();
const cli = path.join(projectRoot, 'dist', 'cli.js');
/** The user's own session dirs, for VS Code's terminals (null removes a variable VS Code set). */
const userSession = Object.fromEntries(
  ['HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR', 'TMPDIR'].map((k) => [k, process.env[k] ?? null]),
);
const server = await startVSCode({
  root: state,
  port,
  linkExtension: projectRoot,
  quiet: false,
  // AIRLOCK_CLI: the hook launcher in VS Code's own terminals runs this working copy's CLI.
  env: { AIRLOCK_RUNTIME_DIR: runtimeDir, AIRLOCK_HOME: airlockStateDir(), AIRLOCK_CLI: cli },
  // An agent started in VS Code's terminal finds its own login and config, as in any other terminal.
  settings: { 'terminal.integrated.env.linux': userSession },
});
const url = server.url(workspace);
const rel = (/** @type {string} */ p) => (path.relative(process.cwd(), p).startsWith('..') ? p : path.relative(process.cwd(), p) || '.');
process.stdout.write(
  [
    '',
    `Agent Airlock is running in VS Code ${server.vscodeVersion} (code-server) on the demo workspace.`,
    '',
    `  Open    ${url}`,
    '  Agents  Install their hooks once in that window (Airlock: Install Agent Hooks). VS Code\'s own',
    '          terminals need nothing more. Any other terminal of this user finds the window as it is',
    `          (it registers in ${runtimeDir}); tell the hook which Airlock to run:`,
    `            export AIRLOCK_CLI=${cli}`,
    `            cd ${workspace} && claude`,
    '          A terminal with another XDG_RUNTIME_DIR or TMPDIR also needs:',
    `            export AIRLOCK_RUNTIME_DIR=${runtimeDir}`,
    `  Stop    Ctrl-C here stops VS Code and everything it started (log: ${rel(path.join(state, 'server.log'))}).`,
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown() {
  if (stopping) {
    return;
  }
  stopping = true;
  process.stdout.write('\nstopping VS Code...\n');
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);
