/**
 * Retention and disk use of a folder's store: snapshots beyond the count or older than the age
 * limit are dropped (never the newest one, nor the newest safety snapshot that Undo Rollback
 * needs); past the size limit the oldest half of the rest goes and the store is repacked. Checked
 * cheaply after each snapshot (a directory listing), in full at most once an hour.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './git';
import { listFor } from './records';
import type { Store } from './store';
import { deleteRefs, readState, SNAPSHOT_REF_PREFIX, writeState } from './store';
import type { Target } from './target';
import { targetOf } from './target';
import type { RetentionPolicy, SnapshotInfo, SnapshotStoreOptions } from './types';

const MiB = 1024 * 1024;
/** More packs than this (each snapshot and each seal may add one) and the small ones are merged. */
const MAX_PACKS = 40;

export interface PruneResult {
  readonly deleted: string[];
  readonly kept: number;
}

/** Total size of the files under dir. */
function dirSize(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        stack.push(p);
      } else {
        try {
          total += fs.lstatSync(p).size;
        } catch {
          /* gone meanwhile */
        }
      }
    }
  }
  return total;
}

function countPacks(store: Store): number {
  try {
    return fs.readdirSync(path.join(store.objectsDir, 'pack')).filter((n) => n.endsWith('.pack')).length;
  } catch {
    return 0;
  }
}

/**
 * Repacks the store into one pack and drops what no snapshot (nor the index it sealed, nor its own
 * index) names. Objects younger than an hour stay: a snapshot being taken right now may need them.
 */
async function repack(store: Store, dropUnreachable: boolean): Promise<void> {
  const sealed = path.join(store.dir, 'airlock-sealed-index');
  // The objects the sealed index names count as used (repack and prune read GIT_INDEX_FILE).
  const call = fs.existsSync(sealed) ? { ...store.call, indexFile: sealed } : store.call;
  try {
    await git(['repack', '-a', '-d', '-q'], call);
  } catch {
    // An object the sealed index names is missing: seal again from scratch next time.
    fs.rmSync(path.join(store.dir, 'airlock-sealed'), { force: true });
    await git(['repack', '-a', '-d', '-q'], store.call);
  }
  if (dropUnreachable) {
    await git(['prune', '--expire=1.hour.ago'], call).catch(() => git(['prune', '--expire=1.hour.ago'], store.call));
  }
}

/** Applies the retention policy to the snapshots listed (newest first). */
export async function pruneList(t: Target, all: readonly SnapshotInfo[], policy: RetentionPolicy): Promise<PruneResult> {
  const { store } = t;
  // A snapshot whose record cannot be read is kept as it is (evidence; its age is unknown), never counted.
  const list = all.filter((s) => !s.damaged);
  const maxCount = policy.maxCount ?? 200;
  const maxAgeMs = (policy.maxAgeDays ?? 14) * 86400_000;
  const protectedIds = new Set<string>(list.length > 0 ? [list[0].commit] : []);
  const newestSafety = list.find((s) => s.kind === 'safety');
  if (newestSafety) {
    protectedIds.add(newestSafety.commit); // what "undo rollback" needs
  }
  const now = Date.now();
  const doomed = new Set<string>();
  list.forEach((s, i) => {
    if (!protectedIds.has(s.commit) && (i >= maxCount || now - Date.parse(s.time) > maxAgeMs)) {
      doomed.add(s.commit);
    }
  });
  const refsOf = (commits: Iterable<string>) => [...commits].map((c) => SNAPSHOT_REF_PREFIX + c);
  await deleteRefs(store, refsOf(doomed));
  const maxBytes = policy.maxStoreBytes ?? 1024 * MiB;
  if (dirSize(store.objectsDir) > maxBytes) {
    // Drop the oldest half of what is left, then repack for real.
    const rest = list.filter((s) => !doomed.has(s.commit) && !protectedIds.has(s.commit));
    const drop = rest.slice(Math.floor(rest.length / 2)).map((s) => s.commit);
    drop.forEach((c) => doomed.add(c));
    await deleteRefs(store, refsOf(drop));
    await repack(store, true);
  } else if (countPacks(store) > MAX_PACKS) {
    // Each snapshot writes a small pack: merge them, the small ones only (geometric), keeping big ones as they are.
    await git(['repack', '-d', '-q', '--geometric=2'], store.call).catch(() => repack(store, false));
  }
  const gone = list.filter((s) => doomed.has(s.commit)).map((s) => s.id);
  return { deleted: gone, kept: list.length - gone.length };
}

/**
 * Whether a new snapshot should be followed by a retention pass: the count over the limit by a
 * tenth (so a full store is not pruned on every snapshot), or an hour since the last pass.
 */
export function needsMaintenance(count: number, maintainedAt: number | undefined, policy: RetentionPolicy): boolean {
  const maxCount = policy.maxCount ?? 200;
  return count > maxCount + Math.floor(maxCount / 10) || maintainedAt === undefined || Date.now() - maintainedAt > 3600_000;
}

/** The retention pass after a snapshot; the store's state then remembers the count and the time. */
export async function maintainStore(t: Target, policy: RetentionPolicy): Promise<void> {
  const r = await pruneList(t, await listFor(t), policy);
  const state = readState(t.store);
  if (state) {
    writeState(t.store, { ...state, count: r.kept, maintainedAt: Date.now() });
  }
}

/** Applies the retention policy to the folder's snapshots now. */
export async function pruneSnapshots(folder: string, opts: SnapshotStoreOptions = {}): Promise<PruneResult> {
  const t = await targetOf(folder, opts.storageDir);
  return pruneList(t, await listFor(t), opts.retention === false ? {} : opts.retention ?? {});
}
