/**
 * Snapshots of a workspace folder, kept in the folder's store outside the workspace (store.ts):
 * never touching the user's HEAD, index, branches, stash, refs or working tree. Taking one is the
 * full pass (capture.ts), the borrowed objects sealed into the store (seal.ts), then the record
 * written by Node: a coverage blob, a commit with no parent naming the tree and the record, and
 * the ref that lists it (written last, so a kill leaves nothing half-listed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Capture } from './capture';
import { capture, withTemp } from './capture';
import { traceStep } from './git';
import { formatCommit, writeLoose } from './objects';
import { listFor } from './records';
import { maybeMaintain } from './retention';
import { sealBorrowed } from './seal';
import type { Latest } from './store';
import { META_REF_PREFIX, readLatest, readTrees, SNAPSHOT_REF_PREFIX, writeLatest, writeRef, writeTrees } from './store';
import type { Target } from './target';
import { looseTreeReader, targetOf } from './target';
import type { CoverageRecord, SkippedPath, SnapshotInfo, SnapshotResult, SnapshotStoreOptions, TakeSnapshotInput } from './types';

function oneLine(s: string, max = 300): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What a snapshot captured, ready to be recorded (from a full pass or from the window's journal). */
export type Captured = Pick<Capture, 'tree' | 'trees' | 'ignored' | 'skipped' | 'filesChanged' | 'userIndex' | 'storeIndex'> & {
  /** True when nothing new is borrowed from the repository (the window's journal hashed every change into the store). */
  readonly sealed?: boolean;
};

/** Records a captured state as a snapshot (or finds it unchanged); see the module comment. */
export async function recordSnapshot(t: Target, c: Captured, input: TakeSnapshotInput, opts: SnapshotStoreOptions, latest: Latest | undefined, started: number): Promise<SnapshotResult> {
  const started0 = performance.now();
  const { ws, store } = t;
  const kind = input.kind ?? 'snapshot';
  const skipped: SkippedPath[] = c.skipped.map((s) => ({ path: s.path, reason: s.reason, detail: s.detail }));
  const notes = skipped.map((s) => s.detail);
  const keepIndex = () => (c.storeIndex ? fs.promises.rename(c.storeIndex, path.join(store.dir, 'index')).catch(() => undefined) : undefined);
  if (latest && latest.tree === c.tree && kind === 'snapshot') {
    await keepIndex();
    if (ws.repo && !c.sealed) {
      await sealBorrowed(store, ws.repo, c.userIndex, c.tree); // the index may have changed, the files not
    }
    return { id: latest.id, commit: latest.commit, tree: latest.tree, unchanged: true, folder: ws.folder, shadow: !ws.repo, time: latest.time, filesChanged: 0, skipped, notes, durationMs: Date.now() - started };
  }
  if (ws.repo && !c.sealed) {
    await sealBorrowed(store, ws.repo, c.userIndex, c.tree);
  }
  traceStep('sealed', started0);
  const record: CoverageRecord = { version: 2, ignored: c.ignored, skipped: c.skipped.map((s) => ({ path: s.path, reason: s.reason })) };
  const meta = writeLoose(store.objectsDir, store.format, 'blob', Buffer.from(JSON.stringify(record)));
  const now = Date.now();
  const time = new Date(now).toISOString();
  const message = [
    oneLine(input.label || '(no label)'),
    '',
    `Airlock-Kind: ${kind}`,
    ...(input.agent ? [`Airlock-Agent: ${oneLine(input.agent, 100)}`] : []),
    ...(input.tool ? [`Airlock-Tool: ${oneLine(input.tool, 100)}`] : []),
    `Airlock-Time: ${time}`,
    `Airlock-Files-Changed: ${c.filesChanged}`,
    `Airlock-Skipped: ${c.skipped.length}`,
    `Airlock-Meta: ${meta}`,
    '',
  ].join('\n');
  const commit = writeLoose(store.objectsDir, store.format, 'commit', formatCommit({ tree: c.tree, time: Math.floor(now / 1000), message }));
  const id = commit.slice(0, 12);
  writeRef(store, META_REF_PREFIX + commit, meta);
  writeRef(store, SNAPSHOT_REF_PREFIX + commit, commit); // listed from here on
  writeLatest(store, { commit, id, tree: c.tree, time, kind });
  writeTrees(store, c.tree, c.trees);
  await keepIndex();
  traceStep('recorded', started0);
  if (opts.retention !== false) {
    await maybeMaintain(t, opts.retention ?? {}).catch(() => undefined);
  }
  return { id, commit, tree: c.tree, unchanged: false, folder: ws.folder, shadow: !ws.repo, time, filesChanged: c.filesChanged, skipped, notes, durationMs: Date.now() - started };
}

/** The full pass of the folder now, in a temporary index (see capture.ts); fn gets it before the index goes. */
export async function captureNow<T>(t: Target, opts: SnapshotStoreOptions & { forceInclude?: readonly string[] }, fn: (c: Capture, latest: Latest | undefined) => Promise<T>): Promise<T> {
  const latest = readLatest(t.store);
  return withTemp(t.store, 'index', async (tmp) => {
    const c = await capture(t.ws, t.store, tmp, { policy: opts, ...(opts.forceInclude ? { forceInclude: opts.forceInclude } : {}), known: readTrees(t.store, latest), readTree: looseTreeReader(t.store) });
    return fn(c, latest);
  });
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
  return (await listFor(await targetOf(folder, opts.storageDir))).map(({ meta: _meta, refOid: _ref, ...rest }) => rest);
}
