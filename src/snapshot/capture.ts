/**
 * The full pass: the folder as it is now, as trees in the store, in one git pipeline.
 *
 * In a git repository: a copy of the repository's index (stat data kept, so only changed files are
 * hashed; assume-unchanged flags cleared) in the store's temporary folder; `git status` (the same
 * walk `git status` costs) and, started at the same moment, `git update-index --stdin` that hashes
 * what status found into the store's object directory. The trees are then built in Node from the
 * index (tree.ts). Outside git the store is the repository and its own index the stat cache.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classify, parseStatus } from './classify';
import type { GitCall } from './git';
import { git, splitZ, startGit, traceStep } from './git';
import type { CacheTreeNode } from './indexFile';
import { clearAssumeUnchanged, IndexView } from './indexFile';
import type { Store } from './store';
import type { FileEntry } from './tree';
import { buildTrees, countChanges, treesOfCacheTree } from './tree';
import type { SkipReason, SnapshotPolicy } from './types';
import type { Workspace } from './workspace';

export interface CaptureOptions {
  readonly policy: SnapshotPolicy;
  /** Folder-relative paths to include when they exist, whatever ignore rules and caps say. */
  readonly forceInclude?: readonly string[];
  /** Folder -> tree id of the previous snapshot (in the store). */
  readonly known: ReadonlyMap<string, string>;
  readonly readTree?: (oid: string) => Buffer | undefined;
}

export interface Capture {
  readonly tree: string;
  readonly trees: Map<string, string>;
  /** Every file, folder-relative, in index order, and which of them the repository tracks (read on demand: the window's model). */
  readonly files: () => { entries: FileEntry[]; tracked?: Set<string> };
  /** Folder-relative paths of the coverage record. */
  readonly ignored: string[];
  readonly skipped: { path: string; reason: SkipReason; detail: string }[];
  /** Files that differ from the previous snapshot (or from the index when there is none). */
  readonly filesChanged: number;
  /** The repository's index as read (for sealing), when in a repository. */
  readonly userIndex?: { readonly buf: Buffer; readonly view: IndexView };
  /** Outside git: the refreshed index to keep as the store's own (rename it into place). */
  readonly storeIndex?: string;
}

/** More index entries than this to read and hash in Node, and git write-tree builds the trees instead. */
const GIT_WRITES_TREES_ABOVE = 5000;

const STATUS_ARGS = ['status', '--porcelain=v2', '-z', '--ignored=matching', '--untracked-files=normal', '--no-renames', '--ignore-submodules=all'];

function literal(p: string): string {
  return `:(top,literal)${p.replace(/\/$/, '')}`;
}

/** Paths of the submodules declared in .gitmodules that lie in the folder. */
async function submodulePaths(root: string, scope: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(root, '.gitmodules'), 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map((m) => m[1].replace(/^"(.*)"$/, '$1')).filter((p) => p.startsWith(scope));
}

/** Whether a parent folder of root/p is a symbolic link (git refuses to touch such a path). */
function beyondSymlink(root: string, p: string): boolean {
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

function cacheTreeAt(node: CacheTreeNode | undefined, scope: string): CacheTreeNode | undefined {
  for (const part of scope.split('/').filter(Boolean)) {
    node = node?.children.get(part);
  }
  return node;
}

/** Runs fn with a unique temporary file path in the store, removed afterwards unless fn kept it. */
export async function withTemp<T>(store: Store, name: string, fn: (tmp: string) => Promise<T>): Promise<T> {
  await fs.promises.mkdir(store.tmpDir, { recursive: true });
  const tmp = path.join(store.tmpDir, `${name}-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    return await fn(tmp);
  } finally {
    await Promise.all([fs.promises.rm(tmp, { recursive: true, force: true }), fs.promises.rm(`${tmp}.lock`, { force: true }), fs.promises.rm(`${tmp}.files`, { recursive: true, force: true })]);
  }
}

/** Copies an index with its original mtime (rounded down, so git's racy-entry check stays safe). */
async function seed(from: string, to: string, mutate?: (buf: Buffer) => Buffer): Promise<Buffer | undefined> {
  let buf: Buffer;
  let st: fs.Stats;
  try {
    [buf, st] = await Promise.all([fs.promises.readFile(from), fs.promises.stat(from)]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined; // no index yet: git starts from an empty one
    }
    throw e;
  }
  await fs.promises.writeFile(to, mutate ? mutate(buf) : buf);
  const secs = Math.floor(st.mtimeMs / 1000);
  await fs.promises.utimes(to, secs, secs);
  return buf;
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

/** The full pass (see the module comment), in a temporary index `tmpIndex` in the store. */
export async function capture(ws: Workspace, store: Store, tmpIndex: string, opts: CaptureOptions): Promise<Capture> {
  const t0 = performance.now();
  const repo = ws.repo;
  const { read, write, root, scope } = captureCalls(ws, store, tmpIndex);
  const format = store.format;
  let userIndex: Capture['userIndex'];
  let seedView: IndexView | undefined;
  let split = false;
  if (repo) {
    const buf = await seed(repo.indexFile, tmpIndex, (b) => {
      const view = IndexView.parse(b, format);
      split = !view || view.split;
      if (view && !split) {
        userIndex = { buf: b, view };
        seedView = view;
        return clearAssumeUnchanged(b, view, format);
      }
      return b;
    });
    if (buf && split) {
      // A split index (or one this reader does not know): git lists assume-unchanged entries itself.
      const out = splitZ((await git(['ls-files', '-z', '-v'], read)).stdout);
      const assumed = out.filter((l) => /^[a-z] /.test(l)).map((l) => l.slice(2));
      if (assumed.length > 0) {
        await git(['update-index', '--no-assume-unchanged', '-z', '--stdin'], { ...read, input: assumed.join('\0') + '\0' });
      }
    }
  } else {
    const buf = await seed(path.join(store.dir, 'index'), tmpIndex);
    seedView = buf ? IndexView.parse(buf, format) : undefined;
  }
  // update-index starts now and waits for its input; --force-write-index un-splits a split index.
  const updater = startGit(['update-index', '--add', '--remove', '--replace', '-z', '--stdin', ...(split ? ['--force-write-index'] : [])], write);
  try {
    const spec = scope === '' ? ':/' : literal(scope);
    const statusOut = await git([...STATUS_ARGS, '--', spec], { ...read, env: repo ? { GIT_OPTIONAL_LOCKS: '0' } : undefined });
    traceStep('status done', t0);
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
    traceStep('classified', t0);
    const adding = new Set(c.add);
    for (const f of force) {
      // A forced path already in the index and unchanged is in the tree anyway.
      if (!adding.has(f) && !seedView?.has(f)) {
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
    // Deleted files leave the index here (--remove); one beyond a symbolic link is dropped below instead.
    const dropped = new Set(status.deleted.filter((p) => beyondSymlink(root, p)));
    const feed = [...c.add, ...status.deleted.filter((p) => !dropped.has(p))];
    const fed = c.add.length + status.deleted.length;
    await updater.finish(feed.length ? feed.join('\0') + '\0' : '');
    traceStep('update-index done', t0);
    const after = IndexView.parse(await fs.promises.readFile(tmpIndex), format);
    if (!after || after.split) {
      throw new Error('cannot read the temporary index git wrote');
    }
    traceStep('index parsed', t0);
    // The folder's entries are one run of the sorted index ('sub/' up to 'sub0').
    const lo = scope === '' ? 0 : after.lowerBound(scope);
    const hi = scope === '' ? after.count : after.lowerBound(`${scope.slice(0, -1)}0`);
    const skipped = new Set<number>();
    for (let i = lo; i < hi; i++) {
      if (after.stage(i) !== 0) {
        throw new Error(`${after.path(i)} is still in a merge conflict after git update-index`);
      }
      if (after.intentToAdd(i)) {
        skipped.add(i);
      }
    }
    const untrusted = new Set<string>();
    for (const p of dropped) {
      const i = after.lowerBound(p);
      if (i < after.count && after.path(i) === p) {
        skipped.add(i);
        for (let at = p.indexOf('/'); at >= 0; at = p.indexOf('/', at + 1)) {
          untrusted.add(p.slice(0, at + 1));
        }
      }
    }
    const treeStore = { objectsDir: store.objectsDir, format, known: opts.known, ...(opts.readTree ? { readTree: opts.readTree } : {}) };
    const ct = cacheTreeAt(after.cacheTree, scope);
    // Entries Node can skip: under folders the cache-tree vouches for and the store already has.
    const covered = !ct ? 0 : ct.oid && opts.known.get('') === ct.oid ? hi - lo : [...ct.children].reduce((n, [name, c]) => n + (c.oid && opts.known.get(name) === c.oid ? c.entryCount : 0), 0);
    let built: { tree: string; trees: Map<string, string>; filesChanged?: number };
    if (hi - lo - covered > GIT_WRITES_TREES_ABOVE && skipped.size === 0) {
      // Many folders to build (a first snapshot, a branch switch): git's own write-tree is quicker.
      // --missing-ok and no alternates: every tree is written to the store, blobs stay borrowed (sealed later).
      await git(['write-tree', '--missing-ok'], write);
      const node = cacheTreeAt(IndexView.parse(await fs.promises.readFile(tmpIndex), format)?.cacheTree, scope);
      if (!node?.oid) {
        throw new Error('git write-tree left no tree of the folder');
      }
      const trees = treesOfCacheTree(node);
      built = { tree: node.oid, trees, ...(opts.known.size > 0 ? { filesChanged: countChanges(treeStore, trees) } : {}) };
    } else {
      built = buildTrees({ src: after, lo, hi, prefix: scope, ...(skipped.size ? { skip: (i: number) => skipped.has(i), untrusted } : {}), ...(ct ? { cacheTree: ct } : {}) }, treeStore);
    }
    traceStep('trees built', t0);
    const files = () => {
      const entries: FileEntry[] = [];
      const tracked = repo ? new Set<string>() : undefined;
      for (let i = lo; i < hi; i++) {
        if (!skipped.has(i)) {
          const rel = after.path(i).slice(scope.length);
          entries.push({ path: rel, mode: after.mode(i), oid: after.oid(i) });
          if (tracked && seedView?.has(after.path(i))) {
            tracked.add(rel);
          }
        }
      }
      return { entries, ...(tracked ? { tracked } : {}) };
    };
    const toFolder = (p: string) => p.slice(scope.length);
    return {
      tree: built.tree,
      trees: built.trees,
      files,
      ignored: c.ignored.map(toFolder).sort(),
      skipped: c.skipped.map((s) => ({ ...s, path: toFolder(s.path) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
      filesChanged: built.filesChanged ?? fed,
      ...(userIndex ? { userIndex } : {}),
      ...(repo ? {} : { storeIndex: tmpIndex }),
    };
  } catch (e) {
    await updater.finish('').catch(() => undefined);
    throw e;
  }
}
