/**
 * A fresh temporary git repository (with a git-ignored `.env` and a small source tree) and a
 * separate HOME for one agent run.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ENV_CONTENT = 'API_KEY=original-secret\n';
export const APP_CONTENT = "export const greeting = 'hello';\n";
export const UTIL_CONTENT = 'export const answer = 42;\n';

export interface Sandbox {
  readonly root: string;
  readonly repo: string;
  readonly home: string;
  /** Scratch directory for stand-in hooks and the like. */
  readonly scratch: string;
  cleanup(): void;
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function makeSandbox(label: string): Sandbox {
  const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), `airlock-e2e-${label}-`));
  const repo = path.join(root, 'repo');
  const home = path.join(root, 'home');
  const scratch = path.join(root, 'scratch');
  for (const d of [repo, home, scratch, path.join(repo, 'src')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(path.join(repo, '.gitignore'), '.env\nnode_modules/\n');
  fs.writeFileSync(path.join(repo, '.env'), ENV_CONTENT);
  fs.writeFileSync(path.join(repo, 'src', 'app.js'), APP_CONTENT);
  fs.writeFileSync(path.join(repo, 'src', 'util.js'), UTIL_CONTENT);
  fs.writeFileSync(path.join(repo, 'README.md'), '# demo\n');
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=e2e@example.invalid', '-c', 'user.name=e2e', 'commit', '-q', '-m', 'initial');
  return { root, repo, home, scratch, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
