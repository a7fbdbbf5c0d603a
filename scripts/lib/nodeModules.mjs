// @ts-check
/**
 * Whether node_modules matches package-lock.json, and `npm ci` when it does not. Only Node's
 * built-ins here: this runs before node_modules exists.
 *
 * npm records what it installed in node_modules/.package-lock.json (its "hidden lockfile"). The tree
 * matches when every package the lock wants is there at the locked version (optional packages for
 * other platforms are skipped, as npm skips them) and nothing else is.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { npmCli } from './vscodeServer.mjs';

/** @param {string} file @returns {Record<string, { version?: string, optional?: boolean, link?: boolean }> | undefined} */
function lockPackages(file) {
  try {
    const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
    return lock && typeof lock.packages === 'object' ? lock.packages : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} key e.g. node_modules/@scope/name/node_modules/dep */
const nameOf = (key) => key.replace(/^.*node_modules\//, '');

/**
 * Why node_modules does not match package-lock.json, or undefined when it does.
 * @param {string} root the project folder
 * @returns {string | undefined}
 */
export function nodeModulesProblem(root) {
  const modules = path.join(root, 'node_modules');
  if (!fs.existsSync(modules)) {
    return 'node_modules is missing';
  }
  const wanted = lockPackages(path.join(root, 'package-lock.json'));
  if (!wanted) {
    return 'package-lock.json is missing or unreadable';
  }
  const have = lockPackages(path.join(modules, '.package-lock.json'));
  if (!have) {
    return 'node_modules was not installed by npm from package-lock.json';
  }
  for (const [key, want] of Object.entries(wanted)) {
    if (key === '' || !key.includes('node_modules/') || want.link) {
      continue;
    }
    const got = have[key];
    if (!got) {
      if (want.optional) {
        continue;
      }
      return `${nameOf(key)}@${want.version} is not installed`;
    }
    if (got.version !== want.version) {
      return `${nameOf(key)} is ${got.version}, package-lock.json wants ${want.version}`;
    }
    if (!fs.existsSync(path.join(root, key, 'package.json'))) {
      return `${nameOf(key)} was removed from node_modules`;
    }
  }
  for (const key of Object.keys(have)) {
    if (key !== '' && !(key in wanted)) {
      return `${nameOf(key)} is installed but not in package-lock.json`;
    }
  }
  return undefined;
}

/**
 * Runs `npm ci` when node_modules does not match package-lock.json; says so in one line first.
 * @param {string} root @param {(line: string) => void} log
 * @returns {boolean} false when npm ci failed
 */
export function ensureNodeModules(root, log) {
  const problem = nodeModulesProblem(root);
  if (problem === undefined) {
    return true;
  }
  log(`${problem}: installing node_modules from package-lock.json (npm ci)`);
  const r = spawnSync(process.execPath, [npmCli(), 'ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    log(`npm ci failed (exit ${r.status ?? r.signal}); fix the error above and run it again`);
    return false;
  }
  const after = nodeModulesProblem(root);
  if (after !== undefined) {
    log(`after npm ci, ${after}`);
    return false;
  }
  return true;
}
