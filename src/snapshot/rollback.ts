/**
 * Rollback to a snapshot (whole folder or selected files), its preview, and the diff since a
 * snapshot. The snapshot is verified first (verify.ts) and refused as a whole if it does not
 * verify. A safety snapshot ("before rollback to <id>") comes next, holding every file the rollback
 * will touch, so rolling back to it undoes the rollback. Then every file to write is staged from the
 * store and checked before anything in the folder changes; only then are files rewritten, recreated
 * and removed; only files created after the snapshot are removed, never a file the snapshot did not
 * cover (git-ignored or left out by the size rules at the time). HEAD, the index, branches and the
 * stash are never touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { persist, withTemp } from './capture';
import { captureCalls } from './changes';
import type { GitCall } from './git';
import { git, splitZ } from './git';
import { withLock } from './lock';
import { findSnapshot } from './records';
import { captureNow, takeSnapshotOf } from './snapshot';
import type { Target } from './target';
import { targetOf } from './target';
import type { CoverageRecord, SnapshotInfo, SnapshotStoreOptions } from './types';
import { SnapshotIntegrityError } from './types';
import { verifyBlobs, verifySnapshot } from './verify';
import { applyChanges } from './writeFiles';
import { existsNoFollow } from '../util/fsProbe';

export type ChangeStatus = 'modified' | 'added' | 'deleted' | 'typechange';

export interface FileChange {
  /** Relative to the folder, '/'-separated. */
  readonly path: string;
  /** From the snapshot to now: 'added' means created since the snapshot. */
  readonly status: ChangeStatus;
  /** Git modes ('100644', '100755', '120000' symlink, '160000' submodule); '000000' when absent. */
  readonly oldMode: string;
  readonly newMode: string;
}

export interface DiffResult {
  readonly id: string;
  readonly folder: string;
  readonly files: FileChange[];
  /** Unified patch from the snapshot to now (binary files as "Binary files ... differ"). */
  readonly patch: string;
  /** `git diff --stat` style summary. */
  readonly stat: string;
}

export interface KeptPath {
  readonly path: string;
  readonly reason: string;
}

export interface RollbackOptions extends SnapshotStoreOptions {
  /** Only these files or folders (relative to the folder); all when absent. */
  readonly files?: readonly string[];
  /** Preview: compute what would change, change nothing (no safety snapshot either). */
  readonly dryRun?: boolean;
  /** Recorded in the safety snapshot. */
  readonly agent?: string;
}

export interface RollbackResult {
  /** The snapshot rolled back to. */
  readonly id: string;
  readonly folder: string;
  readonly dryRun: boolean;
  /** The safety snapshot taken first: roll back to it to undo this rollback. Absent for a dry run. */
  readonly safetySnapshotId?: string;
  /** Rewritten (content, mode or type), recreated, and removed files; relative to the folder. */
  readonly changed: string[];
  readonly created: string[];
  readonly deleted: string[];
  /** Files deliberately left alone, with the reason. */
  readonly kept: KeptPath[];
}

/** One difference between two trees of the store (folder-relative path). */
export interface RawChange {
  readonly oldMode: string;
  readonly newMode: string;
  readonly newOid: string;
  readonly status: string;
  readonly path: string;
}

/** Reading calls on the store: the workspace repository's objects too (a current tree borrows from it). */
function readCall(t: Target): GitCall {
  return t.ws.repo ? { ...t.store.call, alternates: t.ws.repo.objectsDir } : t.store.call;
}

async function rawDiff(t: Target, from: string, to: string): Promise<RawChange[]> {
  const out = splitZ((await git(['diff-tree', '-r', '-z', '--no-renames', '--raw', '--abbrev=64', from, to], readCall(t))).stdout);
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < out.length; i += 2) {
    const [oldMode, newMode, , newOid, status] = out[i].replace(/^:/, '').split(' ');
    changes.push({ oldMode, newMode, newOid, status: status[0], path: out[i + 1] });
  }
  return changes;
}

function selected(files: readonly string[] | undefined): (p: string) => boolean {
  if (!files || files.length === 0) {
    return () => true;
  }
  const wanted = files.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, ''));
  return (p) => wanted.some((w) => w === '' || p === w || p.startsWith(`${w}/`));
}

/** Whether a folder-relative path was present-but-not-covered when the snapshot was taken. */
function excludedAt(coverage: CoverageRecord): (p: string) => boolean {
  if (coverage.unknown) {
    return () => true;
  }
  const set = new Set<string>([...coverage.ignored, ...coverage.skipped.map((s) => s.path)]);
  return (p) => {
    if (set.has(p)) {
      return true;
    }
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
      if (set.has(p.slice(0, i + 1))) {
        return true;
      }
    }
    return false;
  };
}

/** Whether the file was created, renamed or written after `time` (its inode change time is later). */
function changedSince(p: string, time: number): boolean {
  try {
    return fs.lstatSync(p).ctimeMs > time;
  } catch {
    return true;
  }
}


/** Rolls the folder (or some files) back to snapshot `id`; see the module comment. */
export async function rollbackToSnapshot(folder: string, id: string, opts: RollbackOptions = {}): Promise<RollbackResult> {
  const t = await targetOf(folder, opts.storageDir);
  const target = await findSnapshot(t, id);
  // The record verified now; the objects the rollback reads are checked as they are read (all of them before any file changes).
  const coverage = await verifySnapshot(t, target, { complete: false });
  const pick = selected(opts.files);
  if (opts.dryRun) {
    return captureNow(t, opts, (c) => {
      persist(t.store, c); // the folder's tree now, for git to compare with
      return diffTo(t, target, c.tree).then((changes) => plan(t, target, coverage, changes, pick, true));
    });
  }
  await fs.promises.mkdir(t.store.tmpDir, { recursive: true });
  return withLock(path.join(t.store.tmpDir, 'rollback.lock'), async () => {
    const label = `before rollback to ${target.id}`;
    const safetyInput = { label, ...(opts.agent ? { agent: opts.agent } : {}), tool: 'rollback', kind: 'safety' as const };
    let safety = await takeSnapshotOf(t, safetyInput, { ...opts, retention: false });
    let changes = await diffTo(t, target, safety.tree);
    // A file of the snapshot that exists now but the safety snapshot left out (ignored now, or over a
    // size cap) is overwritten by the rollback: take the safety snapshot again with it included.
    const uncovered = changes.filter((c) => c.status === 'A' && pick(c.path) && existsNoFollow(path.join(t.ws.folder, c.path))).map((c) => c.path);
    if (uncovered.length > 0) {
      safety = await takeSnapshotOf(t, { ...safetyInput, forceInclude: uncovered }, { ...opts, retention: false });
      changes = await diffTo(t, target, safety.tree);
    }
    const result = await plan(t, target, coverage, changes, pick, false);
    return { ...result, safetySnapshotId: safety.id };
  });
}

/** The files a rollback would change, changing nothing. */
export function previewRollback(folder: string, id: string, opts: Omit<RollbackOptions, 'dryRun'> = {}): Promise<RollbackResult> {
  return rollbackToSnapshot(folder, id, { ...opts, dryRun: true });
}

/** What differs from the folder's tree now to the snapshot's (its trees unreadable: an integrity error). */
async function diffTo(t: Target, target: SnapshotInfo, currentTree: string): Promise<RawChange[]> {
  try {
    return await rawDiff(t, currentTree, target.tree);
  } catch (e) {
    throw new SnapshotIntegrityError(target.id, `its folders cannot be read (${e instanceof Error ? e.message.slice(0, 200) : String(e)})`);
  }
}

async function plan(t: Target, target: SnapshotInfo, coverage: CoverageRecord, all: readonly RawChange[], pick: (p: string) => boolean, dryRun: boolean): Promise<RollbackResult> {
  const folder = t.ws.folder;
  const wasExcluded = excludedAt(coverage);
  const changes = all.filter((c) => pick(c.path));
  const kept: KeptPath[] = [];
  const removals: RawChange[] = [];
  const writes: RawChange[] = [];
  for (const c of changes) {
    if (c.oldMode === '160000' || c.newMode === '160000') {
      kept.push({ path: c.path, reason: 'submodule: roll it back in its own repository' });
    } else if (c.status === 'D') {
      if (wasExcluded(c.path)) {
        kept.push({ path: c.path, reason: coverage.unknown ? 'the snapshot has no coverage record: not deleting' : 'existed when the snapshot was taken but was not in it (git-ignored or left out)' });
      } else if (target.fromJournal && !changedSince(path.join(folder, c.path), Date.parse(target.time))) {
        // A snapshot from the file watcher's journal: a file untouched since may have existed then unseen.
        kept.push({ path: c.path, reason: 'may have existed when the snapshot was taken (from the file watcher, which may have missed it): not deleting' });
      } else {
        removals.push(c);
      }
    } else {
      writes.push(c);
    }
  }
  if (dryRun) {
    const created: string[] = [];
    const changed: string[] = [];
    for (const c of writes) {
      (c.status === 'A' && !existsNoFollow(path.join(folder, c.path)) ? created : changed).push(c.path);
    }
    return { id: target.id, folder, dryRun, changed, created, deleted: removals.map((c) => c.path), kept };
  }
  // Everything to write is checked and staged before the folder is touched: all or nothing.
  await verifyBlobs(t, target, writes.map((c) => c.newOid));
  return withTemp(t.store, 'restore', async (tmpIndex) => {
    const staging = `${tmpIndex}.files`;
    const scope = t.ws.repo?.scope ?? '';
    if (writes.length > 0) {
      const { write } = captureCalls(t.ws, t.store, tmpIndex);
      const call: GitCall = { ...write, ...(t.ws.repo ? { alternates: t.ws.repo.objectsDir } : {}) };
      // checkout-index applies the folder's filters, eol conversion, exec bits and symlinks exactly as git checkout would.
      await git(['update-index', '-z', '--index-info'], { ...call, input: writes.map((c) => `${c.newMode} ${c.newOid}\t${scope}${c.path}\0`).join('') });
      await git(['checkout-index', '-a', '-f', `--prefix=${staging}/`], call);
      const unstaged = writes.find((c) => !existsNoFollow(path.join(staging, scope, c.path)));
      if (unstaged) {
        throw new SnapshotIntegrityError(target.id, `${unstaged.path} could not be read from it`);
      }
    }
    const applied = applyChanges(folder, path.join(staging, scope), removals, writes);
    return { id: target.id, folder, dryRun, changed: applied.changed, created: applied.created, deleted: applied.deleted, kept: [...kept, ...applied.kept] };
  });
}

const STATUS: Record<string, ChangeStatus> = { M: 'modified', A: 'added', D: 'deleted', T: 'typechange' };

/** What changed in the folder since snapshot `id`: file list and unified patch. */
export async function diffSinceSnapshot(folder: string, id: string, opts: SnapshotStoreOptions = {}): Promise<DiffResult> {
  const t = await targetOf(folder, opts.storageDir);
  const target = await findSnapshot(t, id);
  return captureNow(t, opts, async (now) => {
    persist(t.store, now);
    const call = readCall(t);
    const [changes, patch, stat] = await Promise.all([
      rawDiff(t, target.tree, now.tree),
      git(['diff-tree', '-r', '-p', '--no-color', '--no-renames', '--no-ext-diff', '--no-textconv', target.tree, now.tree], call),
      git(['diff-tree', '-r', '--stat', '--no-color', '--no-renames', target.tree, now.tree], call),
    ]);
    const files = changes.map((c) => ({ path: c.path, status: STATUS[c.status] ?? 'modified', oldMode: c.oldMode, newMode: c.newMode }));
    return { id: target.id, folder: t.ws.folder, files, patch: patch.stdout.toString('utf8'), stat: stat.stdout.toString('utf8') };
  });
}
