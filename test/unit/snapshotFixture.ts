/** Real temporary git repositories and file-state capture for the snapshot tests. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { folderKey, snapshotStoreRoot } from '../../src/util/stateDir';

export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GIT_')) {
      env[k] = v;
    }
  }
  env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = 'Test';
  env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = 'test@example.com';
  env.GIT_CONFIG_NOSYSTEM = '1';
  return env;
}

/** Runs git in dir; returns stdout. */
export function g(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always', ...args], { cwd: dir, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The git dir of the folder's snapshot store under a state dir. */
export function storeDir(storage: string, folder: string): string {
  return path.join(snapshotStoreRoot(process.env, storage), folderKey(folder));
}

/** Runs git on the folder's snapshot store (never on the workspace's repository); returns stdout. */
export function sg(storage: string, folder: string, ...args: string[]): string {
  return g(folder, `--git-dir=${storeDir(storage, folder)}`, ...args);
}

/** Like g but never throws; returns the exit status. */
export function gStatus(dir: string, ...args: string[]): number {
  try {
    g(dir, ...args);
    return 0;
  } catch (e) {
    return (e as { status?: number }).status ?? 1;
  }
}

export function tmpDir(prefix = 'airlock-snap-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function rmrf(dir: string): void {
  // read-only folders would stop rm: make everything writable first
  try {
    execFileSync('chmod', ['-R', 'u+w', dir], { stdio: 'ignore' });
  } catch {
    /* nothing to fix */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export function write(root: string, rel: string, content: string | Buffer): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

export function read(root: string, rel: string): string {
  return fs.readFileSync(path.join(root, rel), 'utf8');
}

/** A repository with one commit (a.txt, src/app.js, .gitignore ignoring *.log and .env). */
export function makeRepo(): string {
  const dir = tmpDir();
  g(dir, 'init', '-q');
  write(dir, 'a.txt', 'alpha\n');
  write(dir, 'src/app.js', 'console.log(1);\n');
  write(dir, '.gitignore', '*.log\n.env\nbuild/\n');
  g(dir, 'add', '-A');
  g(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** A repository of n committed files (100 a folder), made in one `git fast-import` stream; returns its folder and the files' names. */
export function makeBigRepo(n: number): { dir: string; names: string[] } {
  const dir = tmpDir();
  g(dir, 'init', '-q');
  const names = Array.from({ length: n }, (_, i) => `d${String(Math.floor(i / 100)).padStart(3, '0')}/f${i}.txt`);
  const parts = names.map((_, i) => `blob\nmark :${i + 1}\ndata ${String(i).length + 1}\n${i}\n\n`);
  parts.push('commit refs/heads/main\ncommitter T <t@x> 1700000000 +0000\ndata 5\ninit\n', ...names.map((f, i) => `M 100644 :${i + 1} ${f}\n`), '\n');
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env: cleanEnv(), input: parts.join('') });
  g(dir, 'reset', '-q', '--hard');
  return { dir, names };
}

export interface FileState {
  readonly type: 'file' | 'link';
  readonly data: string;
  readonly exec: boolean;
}

/** Every file and symlink under root except .git, with content (base64), symlink target and exec bit. */
export function readState(root: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (rel === '' && e.name === '.git') {
        continue;
      }
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) {
        out.set(r, { type: 'link', data: fs.readlinkSync(abs), exec: false });
      } else if (e.isDirectory()) {
        walk(abs, r);
      } else {
        out.set(r, { type: 'file', data: fs.readFileSync(abs).toString('base64'), exec: (fs.statSync(abs).mode & 0o100) !== 0 });
      }
    }
  };
  walk(root, '');
  return out;
}

/** What a rollback must never change: HEAD, the index bytes, branches and other refs outside refs/airlock. */
export function repoFacts(dir: string): { head: string; index: string; refs: string } {
  const gitDir = g(dir, 'rev-parse', '--absolute-git-dir').trim();
  const indexPath = path.join(gitDir, 'index');
  return {
    head: fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8'),
    index: fs.existsSync(indexPath) ? fs.readFileSync(indexPath).toString('base64') : '(none)',
    refs: g(dir, 'for-each-ref', '--format=%(refname) %(objectname)')
      .split('\n')
      .filter((l) => !l.startsWith('refs/airlock/'))
      .join('\n'),
  };
}

/**
 * For a mocha `describe`: a fresh storage dir before each test, repositories made on demand, all
 * removed after the suite.
 */
export function useSnapshotDirs(): { storage: () => string; repo: () => string; track: (dir: string) => string } {
  const cleanup: string[] = [];
  let storage = '';
  beforeEach(() => {
    storage = tmpDir('airlock-storage-');
    cleanup.push(storage);
  });
  after(() => cleanup.forEach(rmrf));
  const track = (dir: string) => {
    cleanup.push(dir);
    return dir;
  };
  return { storage: () => storage, repo: () => track(makeRepo()), track };
}

/** What an agent runs in the workspace, as a shell line (each one against the old refs/airlock/* store). */
export const ATTACKS: Record<string, string> = {
  'fetch --prune deletes every ref under refs/airlock': "git fetch -q --prune . 'refs/none/*:refs/airlock/*'",
  'fetch +HEAD repoints a snapshot ref': 'git fetch -q . +HEAD:refs/airlock/snapshots/$(git rev-parse --short=12 HEAD)',
  'update-ref -d': 'for r in $(git for-each-ref --format="%(refname)" refs/airlock); do git update-ref -d "$r"; done; true',
  'reflog expire + gc --prune=now': 'git reflog expire --expire=now --all && git gc -q --prune=now',
  'filter-branch history rewrite + gc': "git -c advice.detachedHead=false filter-branch -f --index-filter 'git rm -rq --cached --ignore-unmatch a.txt src' -- --all >/dev/null 2>&1; rm -rf .git/refs/original && git reflog expire --expire=now --all && git gc -q --prune=now",
  'orphan rewrite with an empty index + gc':
    'git checkout -q --orphan rewritten && git read-tree --empty && git commit -q --allow-empty -m rewritten && for b in $(git for-each-ref --format="%(refname:short)" refs/heads); do [ "$b" = rewritten ] || git branch -qD "$b"; done && git reflog expire --expire=now --all && git gc -q --prune=now',
  'rm -rf .git then git init': 'rm -rf .git && git init -q',
};

/** Runs a shell line in dir, as an agent's terminal would. */
export function attack(dir: string, line: string): void {
  execFileSync('sh', ['-c', line], { cwd: dir, env: { ...cleanEnv(), GIT_CONFIG_NOSYSTEM: '1', FILTER_BRANCH_SQUELCH_WARNING: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Flips a byte inside an object's compressed data in every pack of the store that holds it. */
export function damageInPacks(store: string, oid: string): boolean {
  const packDir = path.join(store, 'objects', 'pack');
  let damaged = false;
  for (const idx of fs.readdirSync(packDir).filter((n) => n.endsWith('.idx'))) {
    const listed = execFileSync('git', ['show-index'], { input: fs.readFileSync(path.join(packDir, idx)), encoding: 'utf8' });
    const line = listed.split('\n').find((l) => l.split(' ')[1] === oid);
    if (line) {
      const pack = path.join(packDir, idx.replace(/\.idx$/, '.pack'));
      const bytes = fs.readFileSync(pack);
      const at = Number(line.split(' ')[0]) + 4;
      bytes[at] ^= 0xff; // inside the object's compressed data
      fs.chmodSync(pack, 0o644);
      fs.writeFileSync(pack, bytes);
      damaged = true;
    }
  }
  return damaged;
}
