/**
 * Integrity of a snapshot before anything is restored from it: its ref names the commit it points
 * to; the commit and its coverage record hash to their ids (so the record: id, time, agent, tool,
 * coverage and tree, is what was written); every object below its tree is in the store itself
 * (not only in the workspace's repository, which an agent can rewrite); and the files a rollback
 * writes hash to what the tree says. A snapshot that fails any of these is refused as a whole.
 */
import type { GitCall } from './git';
import { git } from './git';
import type { ObjectType } from './objects';
import { hashObject, parseCommit, parseTrailers } from './objects';
import { coverageOf } from './records';
import { sealBorrowed } from './seal';
import type { Target } from './target';
import type { CoverageRecord, SnapshotInfo } from './types';
import { SnapshotIntegrityError } from './types';

interface BatchObject {
  readonly oid: string;
  readonly type?: string;
  readonly content?: Buffer;
}

/** Reads objects with one `git cat-file --batch` (missing ones come back without content). */
export async function readObjects(call: GitCall, oids: readonly string[]): Promise<BatchObject[]> {
  if (oids.length === 0) {
    return [];
  }
  const out = (await git(['cat-file', '--batch'], { ...call, input: oids.join('\n') + '\n' })).stdout;
  const res: BatchObject[] = [];
  let at = 0;
  for (const oid of oids) {
    const nl = out.indexOf(0x0a, at);
    if (nl < 0) {
      res.push({ oid });
      continue;
    }
    const header = out.toString('latin1', at, nl).split(' ');
    at = nl + 1;
    if (header[1] === 'missing' || header.length < 3) {
      res.push({ oid });
      continue;
    }
    const size = Number(header[2]);
    res.push({ oid, type: header[1], content: out.subarray(at, at + size) });
    at += size + 1;
  }
  return res;
}

/** Checks objects against their ids; returns a description of the first that fails, if any. */
export function badObject(objects: readonly BatchObject[], format: Target['store']['format']): string | undefined {
  for (const o of objects) {
    if (!o.content || !o.type) {
      return `object ${o.oid.slice(0, 12)} is missing`;
    }
    if (hashObject(format, o.type as ObjectType, o.content) !== o.oid) {
      return `object ${o.oid.slice(0, 12)} does not match its id (damaged or altered)`;
    }
  }
  return undefined;
}

/** Objects below the tree that the store itself lacks. */
async function missingBelow(t: Target, tree: string): Promise<string[]> {
  const r = await git(['rev-list', '--objects', '--missing=print', tree], t.store.call);
  return r.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l.startsWith('?'))
    .map((l) => l.slice(1).trim());
}

/**
 * Verifies the snapshot's record and (unless `complete: false`, for a rollback that checks what it
 * reads as it reads it) its completeness; returns its coverage record, or throws a
 * SnapshotIntegrityError saying what is wrong.
 */
export async function verifySnapshot(t: Target, s: SnapshotInfo, opts: { complete?: boolean } = {}): Promise<CoverageRecord> {
  const fail = (problem: string) => new SnapshotIntegrityError(s.id, problem);
  if (s.damaged) {
    throw fail(`its record cannot be read: ${s.damaged}`);
  }
  if (s.refOid !== undefined && s.refOid !== s.commit) {
    throw fail('its ref was moved to another commit');
  }
  // The record (label, coverage, agent, tool, time) is the commit: it must hash to its id.
  const [commit] = await readObjects(t.store.call, [s.commit]).catch((e: unknown) => {
    throw fail(`its record cannot be read (${e instanceof Error ? e.message.slice(0, 200) : String(e)})`);
  });
  const bad = badObject([commit], t.store.format);
  if (bad) {
    throw fail(`its record: ${bad}`);
  }
  const rec = commit.type === 'commit' ? parseCommit(commit.content as Buffer) : undefined;
  if (!rec || rec.tree !== s.tree) {
    throw fail('its record is not a snapshot record');
  }
  const trailers = parseTrailers(rec.message);
  if (!trailers.get('Airlock-Time') || !trailers.get('Airlock-Kind')) {
    throw fail('its record lacks its time or kind');
  }
  const coverage = coverageOf(rec.message);
  if (!coverage) {
    throw fail('its record has no readable coverage');
  }
  if (opts.complete === false) {
    return coverage;
  }
  let missing = await missingBelow(t, s.tree);
  if (missing.length > 0 && t.ws.repo) {
    // Borrowed objects not sealed yet (an interrupted seal): copy them now while the repository has them.
    await sealBorrowed(t.store, t.ws.repo, undefined, s.tree).catch(() => undefined);
    missing = await missingBelow(t, s.tree);
  }
  if (missing.length > 0) {
    throw fail(`${missing.length} of the objects it needs are gone from the store`);
  }
  return coverage;
}

/** Checks the blobs a rollback is about to write against their ids. */
export async function verifyBlobs(t: Target, s: SnapshotInfo, oids: readonly string[]): Promise<void> {
  const unique = [...new Set(oids)];
  // Read through the repository too: an object not yet copied into the store is as good, once it hashes right.
  const call = t.ws.repo ? { ...t.store.call, alternates: t.ws.repo.objectsDir } : t.store.call;
  let objects: BatchObject[];
  try {
    objects = await readObjects(call, unique);
  } catch (e) {
    throw new SnapshotIntegrityError(s.id, `a file in it cannot be read (${e instanceof Error ? e.message.split('\n')[0].slice(0, 300) : String(e)})`);
  }
  const bad = badObject(objects, t.store.format);
  if (bad) {
    throw new SnapshotIntegrityError(s.id, `a file in it: ${bad}`);
  }
}
