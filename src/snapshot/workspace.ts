/**
 * What a folder is, found in Node without a git process: its real path, and the git repository it
 * lies in (work tree root, git dir, common dir, index, object directory and object format), or none.
 * Odd set-ups (core.worktree, a bare repository, a git dir that cannot be read) are asked of git.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, GitError } from './git';
import type { ObjectFormat } from './objects';

export interface GitRepo {
  /** The work tree root (real path). */
  readonly root: string;
  /** The folder relative to root, '/'-separated with a trailing '/', or '' when it is the root. */
  readonly scope: string;
  /** The per-worktree git dir (HEAD and the index live there). */
  readonly gitDir: string;
  /** The shared git dir (objects, refs, config). */
  readonly commonDir: string;
  readonly indexFile: string;
  readonly objectsDir: string;
  readonly format: ObjectFormat;
  /** 'main' or the linked worktree's name. */
  readonly worktreeId: string;
}

export interface Workspace {
  /** The folder's real path: what its snapshot store is keyed by. */
  readonly folder: string;
  /** The repository the folder is in; undefined for a folder outside git. */
  readonly repo?: GitRepo;
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The object format a repository's config names (extensions.objectFormat), sha1 when none. */
export function objectFormatOf(config: string | undefined): ObjectFormat {
  return config && /^\s*objectformat\s*=\s*sha256\s*$/im.test(config) ? 'sha256' : 'sha1';
}

/** The git dir a `.git` entry points to, or undefined when it is not a usable one. */
function gitDirOf(dotGit: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(dotGit);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) {
    return fs.existsSync(path.join(dotGit, 'HEAD')) ? dotGit : undefined;
  }
  const m = /^gitdir: (.+)$/m.exec(readText(dotGit) ?? '');
  if (!m) {
    return undefined;
  }
  const dir = path.resolve(path.dirname(dotGit), m[1].trim());
  return fs.existsSync(path.join(dir, 'HEAD')) ? dir : undefined;
}

function repoAt(root: string, gitDir: string, folder: string): GitRepo | 'ask-git' {
  const common = readText(path.join(gitDir, 'commondir'));
  const commonDir = common ? path.resolve(gitDir, common.trim()) : gitDir;
  const config = readText(path.join(commonDir, 'config'));
  if (config && /^\s*(worktree\s*=|bare\s*=\s*true)/im.test(config)) {
    return 'ask-git';
  }
  const rel = path.relative(root, folder);
  return {
    root,
    scope: rel === '' ? '' : `${rel.split(path.sep).join('/')}/`,
    gitDir,
    commonDir,
    indexFile: path.join(gitDir, 'index'),
    objectsDir: path.join(commonDir, 'objects'),
    format: objectFormatOf(config),
    worktreeId: path.resolve(gitDir) === path.resolve(commonDir) ? 'main' : path.basename(gitDir),
  };
}

async function askGit(folder: string): Promise<GitRepo | undefined> {
  try {
    const r = await git(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--show-prefix'], { cwd: folder });
    const out = r.stdout.toString('utf8').split('\n');
    if (out[0] !== 'true') {
      return undefined;
    }
    const root = await fs.promises.realpath(out[1]);
    const gitDir = out[2];
    const commonDir = path.resolve(folder, out[3]);
    return {
      root,
      scope: out[4] ?? '',
      gitDir,
      commonDir,
      indexFile: path.join(gitDir, 'index'),
      objectsDir: path.join(commonDir, 'objects'),
      format: objectFormatOf(readText(path.join(commonDir, 'config'))),
      worktreeId: path.resolve(gitDir) === path.resolve(commonDir) ? 'main' : path.basename(gitDir),
    };
  } catch (e) {
    if (e instanceof GitError && e.code !== -1) {
      return undefined; // not a repository (or one git refuses to use): snapshots in the store alone
    }
    throw e;
  }
}

/** Finds what the folder is (see the module comment). */
export async function findWorkspace(folder: string): Promise<Workspace> {
  let real: string;
  try {
    real = await fs.promises.realpath(folder);
  } catch {
    throw new Error(`folder not found: ${folder}`);
  }
  if (!(await fs.promises.stat(real)).isDirectory()) {
    throw new Error(`not a folder: ${folder}`);
  }
  for (let dir = real; ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    if (fs.existsSync(dotGit)) {
      const gitDir = gitDirOf(dotGit);
      const found = gitDir ? repoAt(dir, gitDir, real) : 'ask-git';
      const repo = found === 'ask-git' ? await askGit(real) : found;
      return repo ? { folder: real, repo } : { folder: real };
    }
    if (path.dirname(dir) === dir) {
      return { folder: real };
    }
  }
}

/** Resolved workspaces of this process, re-checked cheaply on each use. */
const cache = new Map<string, Workspace>();

function stillValid(w: Workspace): boolean {
  if (!fs.existsSync(w.folder)) {
    return false;
  }
  if (!w.repo) {
    // a `git init` since makes it a repository
    for (let dir = w.folder; ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, '.git'))) {
        return false;
      }
      if (path.dirname(dir) === dir) {
        return true;
      }
    }
  }
  return fs.existsSync(w.repo.indexFile) ? true : fs.existsSync(path.join(w.repo.gitDir, 'HEAD'));
}

/** findWorkspace, cached for the life of the process while it stays true. */
export async function workspaceOf(folder: string): Promise<Workspace> {
  const key = path.resolve(folder);
  const hit = cache.get(key);
  if (hit && stillValid(hit)) {
    return hit;
  }
  const w = await findWorkspace(folder);
  cache.set(key, w);
  return w;
}
