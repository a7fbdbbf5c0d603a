// @ts-check
/** Creates the demo workspace (a small git repository) from the template in demo/. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const template = path.join(projectRoot, 'demo');

/** Template names starting with `dot-` become dot files (so the project's git does not apply them). */
function copyTemplate(/** @type {string} */ from, /** @type {string} */ to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const name = entry.name.startsWith('dot-') ? `.${entry.name.slice(4)}` : entry.name;
    const src = path.join(from, entry.name);
    const dst = path.join(to, name);
    if (entry.isDirectory()) {
      copyTemplate(src, dst);
    } else {
      fs.copyFileSync(src, dst);
    }
  }
}

/**
 * Makes a fresh demo repository at `dir` (which must not exist or be empty).
 * @param {string} dir
 * @returns {string} dir
 */
export function createDemoWorkspace(dir) {
  copyTemplate(template, dir);
  const git = (/** @type {string[]} */ ...args) =>
    execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Demo Developer');
  git('config', 'user.email', 'demo@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'Demo shop: initial commit');
  return dir;
}
