/**
 * Snapshots of a workspace folder, kept in the folder's store outside the workspace (store.ts):
 * never touching the user's HEAD, index, branches, stash, refs or working tree. Taking one is the
 * full pass (capture.ts), the borrowed objects sealed into the store (seal.ts), then the record
 * written by Node: a commit with no parent naming the tree and holding the record (label, coverage,
 * agent, tool, time), and the ref that lists it (written last, so a kill leaves nothing half-listed).
 */
import type { Capture } from './capture';
import { capture } from './capture';
import { git, traceStep } from './git';
import type { NewObject } from './objects';
import { formatCommit, hashObject, writeObjects } from './objects';
import { listFor } from './records';
import { maintainStore, needsMaintenance } from './retention';
import { sealBorrowed } from './seal';
import type { StoreState } from './store';
import { readState, SNAPSHOT_REF_PREFIX, writeRef, writeState } from './store';
import type { Target } from './target';
import { targetOf } from './target';
import type { CoverageRecord, SkippedPath, SnapshotInfo, SnapshotResult, SnapshotStoreOptions, TakeSnapshotInput } from './types';

function oneLine(s: string, max = 300): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What a snapshot captured, ready to be recorded (from a full pass or from the window's journal). */
export type Captured = Pick<Capture, 'tree' | 'trees' | 'ignored' | 'skipped' | 'userIndex'> & {
  /** New objects to write with the commit (the journal writes its own). */
  readonly objects?: NewObject[];
  /** Changes against the index the capture started from (undefined when not known: the journal). */
  readonly delta?: Capture['delta'];
  readonly indexSum?: string;
  readonly storeOnly?: boolean;
  /** Files changed since the previous snapshot, when the capture knows it exactly (the journal). */
  readonly filesChanged?: number;
  /** True when nothing new is borrowed from the repository (the window's journal hashed every change into the store). */
  readonly sealed?: boolean;
  /** Made from the file watcher's journal, not a full pass (a file it missed is not in its record). */
  readonly fromJournal?: boolean;
};

/** Files that differ between the previous snapshot and this one, from their changes against the index (undefined: not known). */
function changedSince(prev: StoreState | undefined, c: Captured): number | undefined {
  if (c.filesChanged !== undefined) {
    return c.filesChanged;
  }
  if (!c.delta) {
    return undefined;
  }
  if (!prev || c.storeOnly) {
    return c.delta.size; // against the index, which outside git is the previous snapshot itself
  }
  if (!prev.delta || prev.indexSum !== c.indexSum) {
    return undefined;
  }
  // Same index: a path differs exactly when its change against the index differs.
  let n = 0;
  for (const p of new Set([...prev.delta.keys(), ...c.delta.keys()])) {
    if (prev.delta.get(p) !== c.delta.get(p)) {
      n++;
    }
  }
  return n;
}

/** Counts the files two trees of the store differ in (one git process: the index changed in between). */
async function countWithGit(t: Target, from: string, to: string): Promise<number> {
  const out = await git(['diff-tree', '-r', '-z', '--name-only', '--no-renames', from, to], t.store.call);
  return out.stdout.length === 0 ? 0 : out.stdout.toString('utf8').split('\0').filter(Boolean).length;
}

/** Records a captured state as a snapshot (or finds it unchanged); see the module comment. */
export async function recordSnapshot(t: Target, c: Captured, input: TakeSnapshotInput, opts: SnapshotStoreOptions, prev: StoreState | undefined, started: number): Promise<SnapshotResult> {
  const started0 = performance.now();
  const { ws, store } = t;
  const kind = input.kind ?? 'snapshot';
  const skipped: SkippedPath[] = c.skipped.map((s) => ({ path: s.path, reason: s.reason, detail: s.detail }));
  const notes = skipped.map((s) => s.detail);
  const latest = prev?.latest;
  if (latest && latest.tree === c.tree && kind === 'snapshot') {
    if (ws.repo && !c.sealed) {
      await sealBorrowed(store, ws.repo, c.userIndex, c.tree); // the index may have changed, the files not
    }
    return { id: latest.id, commit: latest.commit, tree: latest.tree, unchanged: true, folder: ws.folder, shadow: !ws.repo, time: latest.time, filesChanged: 0, skipped, notes, durationMs: Date.now() - started };
  }
  if (ws.repo && !c.sealed) {
    if (!c.userIndex) {
      // No index to compare (none yet, or split): sealing walks the tree, so its objects go first.
      writeObjects(store.objectsDir, store.format, c.objects ?? []);
      c.objects?.splice(0);
    }
    await sealBorrowed(store, ws.repo, c.userIndex, c.tree);
  }
  traceStep('sealed', started0);
  const filesChanged = changedSince(prev, c) ?? (latest ? await countWithGit(t, latest.tree, c.tree).catch(() => 0) : 0);
  const coverage: CoverageRecord = { version: 2, ignored: c.ignored, skipped: c.skipped.map((s) => ({ path: s.path, reason: s.reason })) };
  const now = Date.now();
  const time = new Date(now).toISOString();
  // The record is the commit itself: label, coverage, then the trailers; its id is the hash of all of it.
  const message = [
    oneLine(input.label || '(no label)'),
    '',
    JSON.stringify(coverage),
    '',
    `Airlock-Kind: ${kind}`,
    ...(input.agent ? [`Airlock-Agent: ${oneLine(input.agent, 100)}`] : []),
    ...(input.tool ? [`Airlock-Tool: ${oneLine(input.tool, 100)}`] : []),
    `Airlock-Time: ${time}`,
    `Airlock-Files-Changed: ${filesChanged}`,
    `Airlock-Skipped: ${c.skipped.length}`,
    ...(c.fromJournal ? ['Airlock-Pass: journal'] : []),
    '',
  ].join('\n');
  const content = formatCommit({ tree: c.tree, time: Math.floor(now / 1000), message });
  const commit = hashObject(store.format, 'commit', content);
  // The new blobs and trees and the commit, in one pack (one file write, not one per object).
  writeObjects(store.objectsDir, store.format, [...(c.objects ?? []), { type: 'commit', content, oid: commit }]);
  const id = commit.slice(0, 12);
  writeRef(store, SNAPSHOT_REF_PREFIX + commit, commit); // listed from here on
  const count = (prev?.count ?? 0) + 1;
  const retention = opts.retention === false ? undefined : opts.retention ?? {};
  const maintain = retention !== undefined && needsMaintenance(count, prev?.maintainedAt, retention);
  writeState(store, {
    latest: { commit, id, tree: c.tree, time, kind },
    trees: c.trees,
    ...(c.delta && !c.sealed ? { delta: c.delta } : {}),
    ...(c.indexSum ? { indexSum: c.indexSum } : {}),
    count,
    ...(prev?.maintainedAt && !maintain ? { maintainedAt: prev.maintainedAt } : {}),
  });
  traceStep('recorded', started0);
  if (maintain && retention) {
    await maintainStore(t, retention).catch(() => undefined);
  }
  return { id, commit, tree: c.tree, unchanged: false, folder: ws.folder, shadow: !ws.repo, time, filesChanged, skipped, notes, durationMs: Date.now() - started };
}

/** The full pass of the folder now (see capture.ts), with what the store remembers of the previous snapshot. */
export async function captureNow<T>(t: Target, opts: SnapshotStoreOptions & { forceInclude?: readonly string[] }, fn: (c: Capture, prev: StoreState | undefined) => Promise<T>): Promise<T> {
  const prev = readState(t.store);
  const c = await capture(t.ws, t.store, { policy: opts, ...(opts.forceInclude ? { forceInclude: opts.forceInclude } : {}), known: prev?.trees ?? new Map() });
  return fn(c, prev);
}

/** Takes a snapshot of the folder (see the module comment). */
export async function takeSnapshot(folder: string, input: TakeSnapshotInput, opts: SnapshotStoreOptions = {}): Promise<SnapshotResult> {
  return takeSnapshotOf(await targetOf(folder, opts.storageDir), input, opts);
}

/** takeSnapshot for a resolved target. */
export async function takeSnapshotOf(t: Target, input: TakeSnapshotInput, opts: SnapshotStoreOptions): Promise<SnapshotResult> {
  const started = Date.now();
  return captureNow(t, { ...opts, ...(input.forceInclude ? { forceInclude: input.forceInclude } : {}) }, (c, latest) => recordSnapshot(t, c, input, opts, latest, started));
}

/** Snapshots of the folder, newest first. */
export async function listSnapshots(folder: string, opts: Pick<SnapshotStoreOptions, 'storageDir'> = {}): Promise<SnapshotInfo[]> {
  return (await listFor(await targetOf(folder, opts.storageDir))).map(({ refOid: _ref, ...rest }) => rest);
}
