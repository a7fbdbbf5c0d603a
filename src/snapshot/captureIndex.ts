/**
 * Capturing through a temporary index (see capture.ts): a copy of the index with its stat data (or
 * the store's own index outside git), `git status` and `git update-index` started together, then the
 * trees built in Node, or by `git write-tree --missing-ok` straight into the store when there are
 * many folders to build.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Capture, CaptureOptions } from './capture';
import { withTemp } from './capture';
import { cacheTreeAt, captureCalls, coveredEntries, findChanges, folderRange, GIT_WRITES_TREES_ABOVE } from './changes';
import { git, splitZ, startGit, traceStep } from './git';
import { clearAssumeUnchanged, IndexView } from './indexFile';
import type { NewObject } from './objects';
import type { Store } from './store';
import type { FileEntry } from './tree';
import { buildTrees, treesOfCacheTree } from './tree';
import type { Workspace } from './workspace';

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

/** Captures the folder through a temporary index in the store (see the module comment). */
export function captureByIndex(ws: Workspace, store: Store, opts: CaptureOptions): Promise<Capture> {
  return withTemp(store, 'index', (tmpIndex) => captureIn(ws, store, tmpIndex, opts));
}

async function captureIn(ws: Workspace, store: Store, tmpIndex: string, opts: CaptureOptions): Promise<Capture> {
  const t0 = performance.now();
  const repo = ws.repo;
  const { read, write, scope } = captureCalls(ws, store, tmpIndex);
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
    const { status, c, dropped } = await findChanges(read, ws, opts, (p) => seedView?.has(p) ?? false);
    traceStep('status done, classified', t0);
    // Deleted files leave the index here (--remove); one beyond a symbolic link is dropped below instead.
    const feed = [...c.add, ...status.deleted.filter((p) => !dropped.has(p))];
    await updater.finish(feed.length ? feed.join('\0') + '\0' : '');
    traceStep('update-index done', t0);
    const after = IndexView.parse(await fs.promises.readFile(tmpIndex), format);
    if (!after || after.split) {
      throw new Error('cannot read the temporary index git wrote');
    }
    traceStep('index parsed', t0);
    const { lo, hi } = folderRange(after, scope);
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
    const ct = cacheTreeAt(after.cacheTree, scope);
    const covered = coveredEntries(after, lo, hi, scope, opts.known);
    let built: { tree: string; trees: Map<string, string>; objects: NewObject[] };
    if (hi - lo - covered > GIT_WRITES_TREES_ABOVE && skipped.size === 0) {
      // Many folders to build (a first snapshot, a branch switch): git's own write-tree is quicker.
      // --missing-ok and no alternates: every tree is written to the store, blobs stay borrowed (sealed later).
      await git(['write-tree', '--missing-ok'], write);
      const node = cacheTreeAt(IndexView.parse(await fs.promises.readFile(tmpIndex), format)?.cacheTree, scope);
      if (!node?.oid) {
        throw new Error('git write-tree left no tree of the folder');
      }
      built = { tree: node.oid, trees: treesOfCacheTree(node), objects: [] };
    } else {
      built = buildTrees({ src: after, lo, hi, prefix: scope, ...(skipped.size ? { skip: (i: number) => skipped.has(i), untrusted } : {}), ...(ct ? { cacheTree: ct } : {}) }, { objectsDir: store.objectsDir, format, known: opts.known });
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
    const captured: Capture = {
      tree: built.tree,
      trees: built.trees,
      files,
      ignored: c.ignored.map(toFolder).sort(),
      skipped: c.skipped.map((s) => ({ ...s, path: toFolder(s.path) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
      delta: new Map<string, string | null>([
        ...c.add.map((p): [string, string | null] => {
          const i = after.lowerBound(p);
          return [toFolder(p), i < after.count && after.path(i) === p ? after.oid(i) : null];
        }),
        ...status.deleted.map((p): [string, null] => [toFolder(p), null]),
      ]),
      ...(seedView ? { indexSum: seedView.checksum } : {}),
      storeOnly: !repo,
      ...(userIndex ? { userIndex } : {}),
      objects: built.objects,
    };
    if (!repo) {
      // Outside git the refreshed index is the store's stat cache for next time (an atomic rename).
      await fs.promises.rename(tmpIndex, path.join(store.dir, 'index')).catch(() => undefined);
    }
    return captured;
  } catch (e) {
    await updater.finish('').catch(() => undefined);
    throw e;
  }
}
