/**
 * Finds the git repository behind a workspace folder, or creates the private shadow repository for a
 * folder that is not in one (never a `.git` in the user's folder).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GitCall } from './git';
import { folderKey, stateDir } from '../util/stateDir';
import { git, GitError } from './git';

export interface RepoTarget {
  /** The folder asked for (real path). */
  readonly folder: string;
  /** The work tree root (real path): the repository's top level, or the folder for a shadow. */
  readonly root: string;
  /** The folder relative to root, '/'-separated with a trailing '/', or '' when it is the root. */
  readonly scope: string;
  /** The per-worktree git dir (where the index lives). */
  readonly gitDir: string;
  /** True when this is Airlock's private shadow repository. */
  readonly shadow: boolean;
  /** 'main' or the linked worktree's name; snapshots are listed per worktree and scope. */
  readonly worktreeId: string;
  /** The index the user's git uses (for a shadow: Airlock's own). */
  readonly indexFile: string;
  /** Where Airlock keeps temporary index files (inside the git dir, never in the work tree). */
  readonly tmpDir: string;
  /** Base of every git call for this target. */
  readonly call: Pick<GitCall, 'cwd' | 'gitDir' | 'workTree'>;
}

/** Airlock's state dir (util/stateDir: $AIRLOCK_HOME, else $XDG_STATE_HOME/agent-airlock, else ~/.local/state/agent-airlock), shared by CLI and extension. */
export function defaultStorageDir(): string {
  return path.resolve(stateDir());
}

/** The shadow git dir for a folder: keyed by the folder's real path. */
export function shadowGitDir(storageDir: string, realFolder: string): string {
  return path.join(storageDir, 'shadow', folderKey(realFolder));
}

/** Resolved targets of this process, re-checked cheaply on each use (saves a git call per snapshot). */
const cache = new Map<string, RepoTarget>();

function stillValid(t: RepoTarget): boolean {
  return fs.existsSync(t.gitDir) && fs.existsSync(t.folder) && (!t.shadow || !fs.existsSync(path.join(t.folder, '.git')));
}

export async function resolveTarget(folder: string, storageDir: string = defaultStorageDir()): Promise<RepoTarget> {
  const key = `${path.resolve(folder)}\0${storageDir}`;
  const hit = cache.get(key);
  if (hit && stillValid(hit)) {
    return hit;
  }
  const t = await resolveUncached(folder, storageDir);
  cache.set(key, t);
  return t;
}

async function resolveUncached(folder: string, storageDir: string): Promise<RepoTarget> {
  let real: string;
  try {
    real = await fs.promises.realpath(folder);
  } catch {
    throw new Error(`folder not found: ${folder}`);
  }
  if (!(await fs.promises.stat(real)).isDirectory()) {
    throw new Error(`not a folder: ${folder}`);
  }
  let out: string[] | undefined;
  try {
    const r = await git(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--show-prefix'], { cwd: real });
    out = r.stdout.toString('utf8').split('\n');
  } catch (e) {
    if (!(e instanceof GitError) || e.code === -1) {
      throw e;
    }
    out = undefined; // not a repository (or inside a .git dir): shadow
  }
  if (out && out[0] === 'true') {
    const root = await fs.promises.realpath(out[1]);
    const gitDir = out[2];
    const commonDir = path.resolve(real, out[3]);
    const scope = out[4] ?? '';
    const worktreeId = path.resolve(gitDir) === path.resolve(commonDir) ? 'main' : path.basename(gitDir);
    return {
      folder: real,
      root,
      scope,
      gitDir,
      shadow: false,
      worktreeId,
      indexFile: path.join(gitDir, 'index'),
      tmpDir: path.join(gitDir, 'airlock'),
      call: { cwd: root },
    };
  }
  const gitDir = shadowGitDir(storageDir, real);
  await ensureShadow(gitDir, real);
  return {
    folder: real,
    root: real,
    scope: '',
    gitDir,
    shadow: true,
    worktreeId: 'main',
    indexFile: path.join(gitDir, 'index'),
    tmpDir: path.join(gitDir, 'airlock'),
    call: { cwd: real, gitDir, workTree: real },
  };
}

/** Creates the shadow git dir atomically (built aside, then renamed into place). */
async function ensureShadow(gitDir: string, workTree: string): Promise<void> {
  if (fs.existsSync(path.join(gitDir, 'HEAD'))) {
    return;
  }
  const parent = path.dirname(gitDir);
  await fs.promises.mkdir(parent, { recursive: true });
  const tmp = `${gitDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await git(['init', '--bare', '-q', tmp], { cwd: parent });
    await git(['config', 'core.bare', 'false'], { cwd: parent, gitDir: tmp });
    await git(['config', 'core.logAllRefUpdates', 'false'], { cwd: parent, gitDir: tmp });
    await fs.promises.writeFile(path.join(tmp, 'airlock-folder'), `${workTree}\n`);
    // Hooks a template may have copied are never run (hooksPath=/dev/null) but need not exist either.
    await fs.promises.rm(path.join(tmp, 'hooks'), { recursive: true, force: true });
    try {
      await fs.promises.rename(tmp, gitDir);
    } catch (e) {
      if (!fs.existsSync(path.join(gitDir, 'HEAD'))) {
        throw e;
      }
      // another process won the race: use its repository
    }
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
