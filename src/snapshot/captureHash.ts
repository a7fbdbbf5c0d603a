/**
 * Capturing by hashing (see capture.ts), the usual way in a git repository: `git status` runs on
 * the repository's own index, read only (no copy, no lock), while `git hash-object --stdin-paths`,
 * started at the same moment, waits for the changed files and says what their blobs are (with the
 * repository's filters and line endings). The trees are then built in Node from the index with those
 * changes applied (folders the cache-tree vouches for and the store already has are skipped), and the
 * new blobs and trees are written to the store as one pack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Capture, CaptureOptions } from './capture';
import { cacheTreeAt, findChanges, folderRange } from './changes';
import type { GitResult, StartedGit } from './git';
import { git, traceStep } from './git';
import type { IndexView } from './indexFile';
import { quotePath } from './longGit';
import type { NewObject, ObjectFormat } from './objects';
import { hashObject, readPackable } from './objects';
import type { Store } from './store';
import type { FileEntry } from './tree';
import { buildTrees, comparePaths } from './tree';
import type { Workspace } from './workspace';

interface Hashed {
  readonly mode: string;
  readonly oid: Buffer;
}

/** Whether the repository tracks the executable bit (core.fileMode, true unless set to false). */
function tracksFileMode(commonDir: string): boolean {
  try {
    return !/^\s*filemode\s*=\s*false\s*$/im.test(fs.readFileSync(path.join(commonDir, 'config'), 'utf8'));
  } catch {
    return true;
  }
}

/** Every folder above a root-relative path ('a/', 'a/b/'). */
function folderPrefixes(p: string, into: Set<string>): void {
  for (let at = p.indexOf('/'); at >= 0; at = p.indexOf('/', at + 1)) {
    into.add(p.slice(0, at + 1));
  }
}

/** Captures the folder of a repository whose index is `index` (see the module comment). */
export async function captureByHashing(ws: Workspace, store: Store, index: { buf: Buffer; view: IndexView }, opts: CaptureOptions, started: { status: Promise<GitResult>; hasher: StartedGit }): Promise<Capture> {
  const t0 = performance.now();
  const repo = ws.repo as NonNullable<Workspace['repo']>;
  const { root, scope } = repo;
  const view = index.view;
  const format: ObjectFormat = store.format;
  // git says what each changed file's blob is (filters and line endings applied), writing nothing.
  const hasher = started.hasher;
  let finished = false;
  try {
    const { status, c, dropped } = await findChanges({ cwd: root }, ws, opts, (p) => view.has(p), started.status);
    traceStep('status done, classified', t0);
    const fileMode = tracksFileMode(repo.commonDir);
    const hashing: string[] = [];
    const objects: NewObject[] = [];
    const changed = new Map<string, Hashed | undefined>();
    const deleted = new Set<string>([...status.deleted, ...dropped]);
    for (const p of c.add) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(root, p));
      } catch {
        deleted.add(p); // gone since status saw it
        continue;
      }
      if (st.isSymbolicLink()) {
        const target = Buffer.from(fs.readlinkSync(path.join(root, p)));
        const oid = hashObject(format, 'blob', target);
        objects.push({ type: 'blob', content: target, oid });
        changed.set(p, { mode: '120000', oid: Buffer.from(oid, 'hex') });
      } else if (st.isFile()) {
        const i = view.lowerBound(p);
        const indexed = i < view.count && view.path(i) === p ? view.mode(i) : undefined;
        const mode = !fileMode && indexed && indexed !== '120000' ? indexed : st.mode & 0o100 ? '100755' : '100644';
        changed.set(p, { mode, oid: Buffer.alloc(0) });
        hashing.push(p);
      } else {
        deleted.add(p); // a folder where a file was: its files are untracked entries of their own
      }
    }
    const out = await hasher.finish(hashing.map((p) => `${quotePath(p)}\n`).join(''));
    finished = true;
    const oids = out.stdout.toString('latin1').split('\n');
    // A file whose bytes are its blob (no filter, no line-ending change) goes into this snapshot's pack
    // from Node; others (and big ones, streamed) are written by git itself, loose, into the store.
    const byGit: string[] = [];
    hashing.forEach((p, k) => {
      const content = readPackable(path.join(root, p));
      if (content && hashObject(format, 'blob', content) === oids[k]) {
        objects.push({ type: 'blob', content, oid: oids[k] });
        changed.set(p, { mode: (changed.get(p) as Hashed).mode, oid: Buffer.from(oids[k], 'hex') });
      } else {
        byGit.push(p);
      }
    });
    if (byGit.length > 0) {
      // New objects go to the store only (no alternates: git must not skip writing a blob it sees in the repository).
      const written = (await git(['hash-object', '-w', '--stdin-paths'], { cwd: root, objectDir: store.objectsDir, input: byGit.map((p) => `${quotePath(p)}\n`).join('') })).stdout.toString('latin1').split('\n');
      byGit.forEach((p, k) => changed.set(p, { mode: (changed.get(p) as Hashed).mode, oid: Buffer.from(written[k], 'hex') }));
    }
    traceStep('hashed', t0);

    // The index with the changes applied: replaced entries, left-out entries, and extra (new) files.
    const { lo, hi } = folderRange(view, scope);
    const override = new Map<number, Hashed>();
    const skip = new Set<number>();
    const untrusted = new Set<string>();
    const extra: { path: string; mode: string; oid: Buffer }[] = [];
    const positions = (p: string, fn: (i: number, first: boolean) => void): boolean => {
      let i = view.lowerBound(p);
      const found = i < view.count && view.path(i) === p;
      for (let first = true; i < view.count && view.path(i) === p; i++, first = false) {
        fn(i, first); // a conflicted path has one entry per side
      }
      return found;
    };
    for (const [p, h] of changed) {
      folderPrefixes(p, untrusted);
      if (!positions(p, (i, first) => (first ? override.set(i, h as Hashed) : skip.add(i)))) {
        extra.push({ path: p, ...(h as Hashed) });
      }
    }
    for (const p of deleted) {
      folderPrefixes(p, untrusted);
      positions(p, (i) => skip.add(i));
    }
    for (let i = lo; i < hi; i++) {
      if (!override.has(i) && (view.stage(i) !== 0 || view.intentToAdd(i))) {
        skip.add(i); // an intent-to-add entry with nothing in the work tree, or a conflict side with no file
      }
    }
    extra.sort((a, b) => comparePaths(a.path, b.path));
    const ct = cacheTreeAt(view.cacheTree, scope);
    const built = buildTrees({ src: view, lo, hi, prefix: scope, skip: (i) => skip.has(i), untrusted, override, extra: extra.filter((e) => e.path.startsWith(scope)), ...(ct ? { cacheTree: ct } : {}) }, { objectsDir: store.objectsDir, format, known: opts.known });
    traceStep('trees built', t0);
    const files = () => {
      const entries: FileEntry[] = [];
      const tracked = new Set<string>();
      for (let i = lo; i < hi; i++) {
        if (!skip.has(i)) {
          const rel = view.path(i).slice(scope.length);
          const o = override.get(i);
          entries.push({ path: rel, mode: o ? o.mode : view.mode(i), oid: o ? o.oid.toString('hex') : view.oid(i) });
          tracked.add(rel);
        }
      }
      for (const e of extra) {
        entries.push({ path: e.path.slice(scope.length), mode: e.mode, oid: e.oid.toString('hex') });
      }
      entries.sort((a, b) => comparePaths(a.path, b.path));
      return { entries, tracked };
    };
    const toFolder = (p: string) => p.slice(scope.length);
    return {
      tree: built.tree,
      trees: built.trees,
      files,
      ignored: c.ignored.map(toFolder).sort(),
      skipped: c.skipped.map((k) => ({ ...k, path: toFolder(k.path) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
      delta: new Map<string, string | null>([...[...changed].map(([p, h]): [string, string | null] => [toFolder(p), (h as Hashed).oid.toString('hex')]), ...[...deleted].map((p): [string, null] => [toFolder(p), null])]),
      indexSum: view.checksum,
      storeOnly: false,
      userIndex: index,
      objects: [...objects, ...built.objects],
    };
  } finally {
    if (!finished) {
      await hasher.finish('').catch(() => undefined);
    }
  }
}
