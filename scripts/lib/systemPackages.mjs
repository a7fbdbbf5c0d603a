// @ts-check
/**
 * The system packages `npm start` and `npm test` need, checked before any long work. Only Node's
 * built-ins here: this runs before node_modules exists.
 *
 * Each requirement is checked the way its user finds it (a program on PATH, a header through
 * pkg-config), so a package installed some other way counts. When something is missing: as root with
 * apt-get, install it (saying what); otherwise stop at once with the one line to run.
 *
 * Why system packages and not npm ones (README "Requirements" says the same):
 * - chromium: Playwright's and Puppeteer's own browsers are downloaded from a CDN at install time,
 *   which fails on a machine that reaches only the registries; Debian's Chromium works headless.
 * - bubblewrap: no npm package ships it; `airlock run` runs it directly (src/sandbox).
 * - make, python3: the sandbox's attack tests run them inside it (`make clean`, `python3 -c`).
 * - g++, make, python3, pkg-config, libkrb5-dev: code-server's native modules (node-pty, kerberos,
 *   ...) compile from source against them; only needed while VS Code is not yet in the cache.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * @typedef {object} Requirement
 * @property {string} name what the user sees
 * @property {('start'|'test')[]} for the commands that need it
 * @property {boolean} [build] needed only to build VS Code's native modules (first run)
 * @property {boolean} [linux] only needed on Linux (macOS sandboxes with its own sandbox-exec)
 * @property {(env: NodeJS.ProcessEnv) => boolean} present
 * @property {string} apt Debian/Ubuntu package(s)
 * @property {string} dnf Fedora package(s)
 * @property {string} why
 */

/** @param {string} name @param {NodeJS.ProcessEnv} env @returns {string | undefined} */
export function which(name, env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) {
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** @param {string[]} names @returns {(env: NodeJS.ProcessEnv) => boolean} */
const onPath = (...names) => (env) => names.every((n) => which(n, env) !== undefined);

/** Chromium as the UI tests find it: $AIRLOCK_CHROMIUM, else `chromium` on PATH. @param {NodeJS.ProcessEnv} env */
export function findChromium(env = process.env) {
  if (env.AIRLOCK_CHROMIUM) {
    return fs.existsSync(env.AIRLOCK_CHROMIUM) ? env.AIRLOCK_CHROMIUM : undefined;
  }
  return which('chromium', env) ?? which('chromium-browser', env);
}

/** @type {Requirement[]} */
export const REQUIREMENTS = [
  { name: 'git', for: ['start', 'test'], present: onPath('git'), apt: 'git', dnf: 'git', why: 'the demo workspace and every snapshot are git repositories' },
  { name: 'bubblewrap', for: ['start', 'test'], linux: true, present: onPath('bwrap'), apt: 'bubblewrap', dnf: 'bubblewrap', why: '`airlock run` sandboxes agents with it' },
  { name: 'chromium', for: ['test'], present: (env) => findChromium(env) !== undefined, apt: 'chromium', dnf: 'chromium', why: 'the UI and integration tests drive a real VS Code in it' },
  { name: 'make and python3', for: ['test'], linux: true, present: onPath('make', 'python3'), apt: 'make python3', dnf: 'make python3', why: "the sandbox's attack tests run them inside it" },
  { name: 'a C++ compiler and make', for: ['start', 'test'], build: true, present: onPath('g++', 'make'), apt: 'g++ make', dnf: 'gcc-c++ make', why: "VS Code's native modules are compiled on first use" },
  { name: 'python3', for: ['start', 'test'], build: true, present: onPath('python3'), apt: 'python3', dnf: 'python3', why: 'node-gyp builds those modules with it' },
  { name: 'pkg-config', for: ['start', 'test'], build: true, present: onPath('pkg-config'), apt: 'pkg-config', dnf: 'pkgconf-pkg-config', why: 'finds the Kerberos headers' },
  {
    name: 'libkrb5-dev',
    for: ['start', 'test'],
    build: true,
    present: (env) => which('pkg-config', env) !== undefined && spawnSync('pkg-config', ['--exists', 'krb5-gssapi'], { env, stdio: 'ignore' }).status === 0,
    apt: 'libkrb5-dev',
    dnf: 'krb5-devel',
    why: "VS Code's kerberos module compiles against it",
  },
];

/**
 * The requirements of `command` that are missing.
 * @param {'start'|'test'} command
 * @param {{ env?: NodeJS.ProcessEnv, needBuild: boolean, platform?: NodeJS.Platform }} opts
 */
export function missingRequirements(command, opts) {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  return REQUIREMENTS.filter(
    (r) => r.for.includes(command) && (!r.build || opts.needBuild) && (!r.linux || platform === 'linux') && !r.present(env),
  );
}

/** @param {Requirement[]} reqs @param {'apt'|'dnf'} manager */
function packageNames(reqs, manager) {
  return [...new Set(reqs.flatMap((r) => r[manager].split(' ')))];
}

/**
 * The one line a user runs to install what is missing.
 * @param {Requirement[]} missing @param {NodeJS.ProcessEnv} env
 */
export function installLine(missing, env = process.env) {
  const sudo = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
  if (which('apt-get', env) || !which('dnf', env)) {
    return `${sudo}apt-get install -y ${packageNames(missing, 'apt').join(' ')}`;
  }
  return `${sudo}dnf install -y ${packageNames(missing, 'dnf').join(' ')}`;
}

/**
 * Checks the system packages `command` needs; as root with apt-get (and without AIRLOCK_NO_APT=1)
 * installs the missing ones, otherwise prints the line to run. Returns true when all are there.
 * @param {'start'|'test'} command
 * @param {{ needBuild: boolean, env?: NodeJS.ProcessEnv, log?: (line: string) => void }} opts
 */
export function ensureSystemPackages(command, opts) {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
  const missing = missingRequirements(command, { env, needBuild: opts.needBuild });
  if (missing.length === 0) {
    return true;
  }
  const list = missing.map((r) => `${r.name} (${r.why})`).join('; ');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = which('apt-get', env);
  if (!root || !apt || env.AIRLOCK_NO_APT === '1') {
    log(`npm ${command} needs: ${list}.`);
    log(`Install them, then run npm ${command} again:  ${installLine(missing, env)}`);
    return false;
  }
  const pkgs = packageNames(missing, 'apt');
  log(`npm ${command} needs ${list}; installing with apt-get (as root): ${pkgs.join(' ')}`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  // apt's chatter (debconf notes, progress) is shown only when it fails.
  const aptRun = (/** @type {string[]} */ args) => {
    const r = spawnSync(apt, ['-o', 'DPkg::Lock::Timeout=300', ...args], { env: aptEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      log(`apt-get ${args[0]} failed:\n${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd());
    }
    return r.status === 0;
  };
  // A fresh machine has no package lists yet; a stale list can name versions no longer served.
  aptRun(['update', '-qq']);
  const ok = aptRun(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  const still = missingRequirements(command, { env, needBuild: opts.needBuild });
  if (!ok || still.length > 0) {
    log(`apt-get could not install ${(still.length ? still : missing).map((r) => r.name).join(', ')}; run:  ${installLine(still.length ? still : missing, env)}`);
    return false;
  }
  return true;
}
