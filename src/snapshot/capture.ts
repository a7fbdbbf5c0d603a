/**
 * The full pass: the folder as it is now, as trees in the store, in one git pipeline.
 *
 * In a git repository, the usual way (captureHash.ts): `git status` on the repository's own index
 * (read only) finds what changed, and `git hash-object`, started at the same moment, hashes it into
 * the store; the trees are built in Node from the index, reusing every folder the cache-tree vouches
 * for. A split index, assume-unchanged entries, or many folders to build (a first snapshot, a branch
 * switch) take the other way (captureIndex.ts): a copy of the index, `git update-index` and, for
 * many folders, `git write-tree`. Outside git the store is the repository and its own index the stat
 * cache (captureIndex.ts too).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureByHashing } from './captureHash';
import { captureByIndex } from './captureIndex';
import { coveredEntries, folderRange, GIT_WRITES_TREES_ABOVE, startStatus } from './changes';
import { GitError, startGit } from './git';
import { IndexView } from './indexFile';
import type { Store } from './store';
import type { NewObject } from './objects';
import { writeObjects } from './objects';
import type { FileEntry } from './tree';
import type { SkipReason, SnapshotPolicy } from './types';
import type { Workspace } from './workspace';

export interface CaptureOptions {
  readonly policy: SnapshotPolicy;
  /** Folder-relative paths to include when they exist, whatever ignore rules and caps say. */
  readonly forceInclude?: readonly string[];
  /** Folder -> tree id of the previous snapshot (in the store). */
  readonly known: ReadonlyMap<string, string>;
}

export interface Capture {
  readonly tree: string;
  readonly trees: Map<string, string>;
  /** Every file, folder-relative, in index order, and which of them the repository tracks (read on demand: the window's model). */
  readonly files: () => { entries: FileEntry[]; tracked?: Set<string> };
  /** Folder-relative paths of the coverage record. */
  readonly ignored: string[];
  readonly skipped: { path: string; reason: SkipReason; detail: string }[];
  /** Folder-relative paths that differ from the index the capture started from: their blob, or null when deleted. */
  readonly delta: Map<string, string | null>;
  /** The checksum of that index (undefined when there was none). */
  readonly indexSum?: string;
  /** Outside git: the index is the store's own, the one the previous snapshot left. */
  readonly storeOnly: boolean;
  /** The repository's index as read (for sealing), when in a repository. */
  readonly userIndex?: { readonly buf: Buffer; readonly view: IndexView };
  /** New objects (blobs, trees) the store does not have yet: written with the snapshot's commit, in one pack (persist()). */
  readonly objects: NewObject[];
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

/** Writes a capture's new objects (for a caller that uses its tree without recording a snapshot). */
export function persist(store: Store, c: Pick<Capture, 'objects'>): void {
  writeObjects(store.objectsDir, store.format, c.objects);
  c.objects.length = 0;
}

/** The full pass (see the module comment). */
export async function capture(ws: Workspace, store: Store, opts: CaptureOptions): Promise<Capture> {
  const repo = ws.repo;
  if (repo) {
    // The usual way's two git processes start first, while Node reads the index.
    const status = startStatus({ cwd: repo.root }, ws);
    status.catch(() => undefined); // awaited below, or not needed
    const hasher = startGit(['hash-object', '--stdin-paths'], { cwd: repo.root });
    let buf: Buffer | undefined;
    try {
      buf = fs.readFileSync(repo.indexFile);
    } catch {
      buf = undefined; // no index yet
    }
    const view = buf ? IndexView.parse(buf, store.format) : undefined;
    if (buf && view && !view.split && view.assumeUnchangedAt.length === 0) {
      const { lo, hi } = folderRange(view, repo.scope);
      if (hi - lo - coveredEntries(view, lo, hi, repo.scope, opts.known) <= GIT_WRITES_TREES_ABOVE) {
        try {
          return await captureByHashing(ws, store, { buf, view }, opts, { status, hasher });
        } catch (e) {
          if (!(e instanceof GitError)) {
            throw e;
          }
          // A file vanished while it was hashed, say: the other way copes with that.
        }
      }
    }
    await hasher.finish('').catch(() => undefined);
  }
  return captureByIndex(ws, store, opts);
}
