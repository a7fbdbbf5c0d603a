/** The records of a folder's snapshots: listing, finding by id, and the coverage record. */
import { git } from './git';
import { parseTrailers } from './objects';
import { SNAPSHOT_REF_PREFIX } from './store';
import type { Target } from './target';
import type { CoverageRecord, SnapshotInfo } from './types';
import { SnapshotIntegrityError, UnknownSnapshotError } from './types';

/** Parses for-each-ref output of snapshot refs (id, tree, ref; subject; trailers) into the list, newest first. */
function parseList(out: Buffer): SnapshotInfo[] {
  const parts = out.toString('utf8').split('\0');
  const list: SnapshotInfo[] = [];
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const [commit, tree, ref] = parts[i].replace(/^\n/, '').split(' ');
    const tr = parseTrailers(parts[i + 2]);
    const agent = tr.get('Airlock-Agent');
    const tool = tr.get('Airlock-Tool');
    list.push({
      id: tr.get('Airlock-Id') ?? ref.slice(SNAPSHOT_REF_PREFIX.length, SNAPSHOT_REF_PREFIX.length + 12),
      commit,
      tree,
      time: tr.get('Airlock-Time') ?? '',
      label: parts[i + 1],
      ...(agent ? { agent } : {}),
      ...(tool ? { tool } : {}),
      kind: tr.get('Airlock-Kind') === 'safety' ? 'safety' : 'snapshot',
      filesChanged: Number(tr.get('Airlock-Files-Changed') ?? 0),
      skippedCount: Number(tr.get('Airlock-Skipped') ?? 0),
      ...(tr.get('Airlock-Pass') === 'journal' ? { fromJournal: true } : {}),
      refOid: ref.slice(SNAPSHOT_REF_PREFIX.length),
    });
  }
  list.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return list;
}

/** The coverage record in a snapshot's commit message (its second paragraph), or undefined. */
export function coverageOf(message: string): CoverageRecord | undefined {
  const para = message.split('\n\n')[1] ?? '';
  if (!para.startsWith('{')) {
    return undefined;
  }
  try {
    const rec = JSON.parse(para) as CoverageRecord;
    return rec.version === 2 && Array.isArray(rec.ignored) && Array.isArray(rec.skipped) ? rec : undefined;
  } catch {
    return undefined;
  }
}

const LIST_FORMAT = '--format=%(objectname) %(tree) %(refname)%00%(contents:subject)%00%(trailers:only,unfold)%00';

/** Every snapshot in the folder's store, newest first (those whose record cannot be read last, marked `damaged`). */
export async function listFor(t: Target): Promise<SnapshotInfo[]> {
  try {
    return parseList((await git(['for-each-ref', LIST_FORMAT, SNAPSHOT_REF_PREFIX], t.store.call)).stdout);
  } catch {
    return listOneByOne(t);
  }
}

/**
 * A record that cannot be read (damaged or altered in the store) must not hide the others: the refs
 * are read in halves until each unreadable one is alone (a few git calls for one bad record).
 */
async function listOneByOne(t: Target): Promise<SnapshotInfo[]> {
  const refs = (await git(['for-each-ref', '--format=%(objectname) %(refname)', SNAPSHOT_REF_PREFIX], t.store.call)).stdout
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string]);
  const readable: SnapshotInfo[] = [];
  const damaged: SnapshotInfo[] = [];
  const read = async (group: (typeof refs)[number][]): Promise<void> => {
    try {
      readable.push(...parseList((await git(['for-each-ref', LIST_FORMAT, ...group.map(([, ref]) => ref)], t.store.call)).stdout));
    } catch (e) {
      if (group.length > 1) {
        await read(group.slice(0, group.length >> 1));
        await read(group.slice(group.length >> 1));
        return;
      }
      const [commit, ref] = group[0];
      const refOid = ref.slice(SNAPSHOT_REF_PREFIX.length);
      const message = e instanceof Error ? e.message : String(e);
      const why = (/(?:error|fatal): [^\n]*/.exec(message)?.[0] ?? message).slice(0, 200);
      damaged.push({ id: refOid.slice(0, 12), commit, tree: '', time: '', label: '(record cannot be read)', kind: 'snapshot', filesChanged: 0, skippedCount: 0, refOid, damaged: why });
    }
  };
  for (let i = 0; i < refs.length; i += 256) {
    await read(refs.slice(i, i + 256));
  }
  return [...readable.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)), ...damaged];
}

/** Finds a snapshot by id (or a unique prefix of at least 7 hex digits, or its commit id). */
export async function findSnapshot(t: Target, id: string): Promise<SnapshotInfo> {
  const want = id.trim().toLowerCase();
  if (!/^[0-9a-f]{7,64}$/.test(want)) {
    throw new UnknownSnapshotError(id);
  }
  const list = await listFor(t);
  const hits = list.filter((s) => s.id.startsWith(want) || (want.length > 12 && s.commit.startsWith(want)));
  const damaged = list.filter((s) => s.damaged).length;
  if (hits.length === 0 && damaged > 0) {
    throw new SnapshotIntegrityError(id, `it is not among the snapshots whose record can be read, and ${damaged} record(s) in the store cannot be read (damaged or altered)`);
  }
  if (hits.length !== 1) {
    throw new UnknownSnapshotError(id);
  }
  return hits[0];
}

/** Reads a snapshot's coverage record; undefined when it cannot be read. */
export async function readCoverage(t: Target, s: SnapshotInfo): Promise<CoverageRecord | undefined> {
  try {
    const r = await git(['cat-file', 'commit', s.commit], t.store.call);
    const text = r.stdout.toString('utf8');
    return coverageOf(text.slice(text.indexOf('\n\n') + 2));
  } catch {
    return undefined;
  }
}
