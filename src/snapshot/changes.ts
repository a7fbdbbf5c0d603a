/**
 * What changed in a folder, from one `git status --porcelain=v2 -z --ignored=matching` (the walk a
 * `git status` costs) and the rules of classify.ts: the paths to hash into a snapshot, the deleted
 * ones, and what is left out. Shared by both ways of capturing (captureIndex.ts, captureHash.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Classified, StatusRecords } from './classify';
import { classify, parseStatus } from './classify';
import type { GitCall, GitResult } from './git';
import { git, splitZ } from './git';
import type { CacheTreeNode, IndexView } from './indexFile';
import type { Store } from './store';
import type { SnapshotPolicy } from './types';
import type { Workspace } from './workspace';

const STATUS_ARGS = ['status', '--porcelain=v2', '-z', '--ignored=matching', '--untracked-files=normal', '--no-renames', '--ignore-submodules=all'];

export function literal(p: string): string {
  return `:(top,literal)${p.replace(/\/$/, '')}`;
}

/** Paths of the submodules declared in .gitmodules that lie in the folder. */
export async function submodulePaths(root: string, scope: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(root, '.gitmodules'), 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map((m) => m[1].replace(/^"(.*)"$/, '$1')).filter((p) => p.startsWith(scope));
}

/** Whether a parent folder of root/p is a symbolic link (git refuses to touch such a path). */
export function beyondSymlink(root: string, p: string): boolean {
  let cur = root;
  const parts = p.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    cur = path.join(cur, parts[i]);
    try {
      if (fs.lstatSync(cur).isSymbolicLink()) {
        return true;
      }
    } catch {
      return false;
    }
  }
  return false;
}

export function cacheTreeAt(node: CacheTreeNode | undefined, scope: string): CacheTreeNode | undefined {
  for (const part of scope.split('/').filter(Boolean)) {
    node = node?.children.get(part);
  }
  return node;
}

/** The git calls of a capture: where the work tree, the index and the objects are. */
export function captureCalls(ws: Workspace, store: Store, tmpIndex: string): { read: GitCall; write: GitCall; root: string; scope: string } {
  if (ws.repo) {
    const read: GitCall = { cwd: ws.repo.root, indexFile: tmpIndex };
    // New objects go to the store only (no alternates: git must not skip writing a blob it sees in the repository).
    return { read, write: { ...read, objectDir: store.objectsDir }, root: ws.repo.root, scope: ws.repo.scope };
  }
  const call: GitCall = { cwd: ws.folder, gitDir: store.dir, workTree: ws.folder, indexFile: tmpIndex };
  return { read: call, write: call, root: ws.folder, scope: '' };
}


export interface Changes {
  readonly status: StatusRecords;
  /** Root-relative paths to hash (tracked changes, untracked and protected files, forced ones), and what is left out. */
  readonly c: Classified;
  /** Deleted tracked files beyond a symbolic link (git refuses to touch them: left out of the tree by Node). */
  readonly dropped: Set<string>;
}

/** Runs status on the folder and decides what a snapshot takes (see the module comment). */
/** Starts `git status` of the folder (on the index `read` names; read only in a repository). */
export function startStatus(read: GitCall, ws: Workspace): Promise<GitResult> {
  const scope = ws.repo ? ws.repo.scope : '';
  return git([...STATUS_ARGS, '--', scope === '' ? ':/' : literal(scope)], { ...read, env: ws.repo ? { GIT_OPTIONAL_LOCKS: '0' } : undefined });
}

/** Decides what a snapshot takes from the folder's status (started with startStatus, or now). */
export async function findChanges(read: GitCall, ws: Workspace, opts: { policy: SnapshotPolicy; forceInclude?: readonly string[] }, inIndex: (p: string) => boolean, started?: Promise<GitResult>): Promise<Changes> {
  const repo = ws.repo;
  const root = repo ? repo.root : ws.folder;
  const scope = repo ? repo.scope : '';
  const statusOut = await (started ?? startStatus(read, ws));
  const status = parseStatus(splitZ(statusOut.stdout));
  const force = new Set((opts.forceInclude ?? []).map((p) => scope + p.replace(/\\/g, '/').replace(/^\.\//, '')));
  const c = await classify(status, {
    root,
    scope,
    storeOnly: !repo,
    policy: opts.policy,
    force,
    submodules: repo ? await submodulePaths(root, scope) : [],
    listUntracked: async (dirs) => {
      const chunk = dirs.map(literal);
      const [out, ign] = await Promise.all([git(['ls-files', '-z', '-o', '--exclude-standard', '--', ...chunk], read), git(['ls-files', '-z', '-o', '-i', '--exclude-standard', '--directory', '--', ...chunk], read)]);
      return { files: splitZ(out.stdout), ignored: splitZ(ign.stdout) };
    },
  });
  const adding = new Set(c.add);
  for (const f of force) {
    // A forced path already in the index and unchanged is in the tree anyway.
    if (!adding.has(f) && !inIndex(f)) {
      try {
        const st = fs.lstatSync(path.join(root, f));
        if (st.isFile() || st.isSymbolicLink()) {
          c.add.push(f);
          adding.add(f);
        }
      } catch {
        /* not there: nothing to force */
      }
    }
  }
  return { status, c, dropped: new Set(status.deleted.filter((p) => beyondSymlink(root, p))) };
}

/** More index entries than this to read and hash in Node, and git write-tree builds the trees instead. */
export const GIT_WRITES_TREES_ABOVE = 5000;

/**
 * Index entries of the folder [lo, hi) that Node need not read: under folders the cache-tree
 * vouches for and whose tree the store already has (the previous snapshot's, `known`).
 */
export function coveredEntries(view: IndexView, lo: number, hi: number, scope: string, known: ReadonlyMap<string, string>): number {
  const covered = (node: CacheTreeNode, dir: string): number => {
    if (node.oid && known.get(dir) === node.oid) {
      return node.entryCount;
    }
    let n = 0;
    for (const [name, child] of node.children) {
      n += covered(child, dir === '' ? name : `${dir}/${name}`);
    }
    return n;
  };
  const ct = cacheTreeAt(view.cacheTree, scope);
  return ct ? Math.min(hi - lo, covered(ct, '')) : 0;
}

/** The folder's entries are one run of the sorted index ('sub/' up to 'sub0'). */
export function folderRange(view: IndexView, scope: string): { lo: number; hi: number } {
  return scope === '' ? { lo: 0, hi: view.count } : { lo: view.lowerBound(scope), hi: view.lowerBound(`${scope.slice(0, -1)}0`) };
}
