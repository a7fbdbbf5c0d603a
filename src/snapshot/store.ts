/**
 * The snapshot store: one self-contained git object store per workspace folder, in Airlock's state
 * dir (never in the workspace), keyed by the folder's real path. Snapshots are commits with no
 * parent, named by refs `refs/airlock/snapshots/<full commit id>`; nothing a git command run in the
 * workspace can reach. Small files beside them remember the newest snapshot (StoreState, for speed)
 * and which of the workspace repository's objects are already copied in (see seal.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { folderKey, snapshotStoreRoot, stateDir } from '../util/stateDir';
import type { GitCall } from './git';
import { git } from './git';
import type { ObjectFormat } from './objects';
import { objectFormatOf } from './workspace';

export const SNAPSHOT_REF_PREFIX = 'refs/airlock/snapshots/';

/** The state this process wrote last, per store dir (its file is written in the background). */
const written = new Map<string, StoreState>();

export interface Store {
  /** The store's git dir. */
  readonly dir: string;
  readonly objectsDir: string;
  readonly format: ObjectFormat;
  /** The folder it keeps snapshots of (real path). */
  readonly folder: string;
  /** Temporary indexes and staging folders (never in the workspace). */
  readonly tmpDir: string;
  /** Git calls on the store alone. */
  readonly call: GitCall;
  /** Random, made with the store: a store deleted and made again has another (what a process remembers of the old one is void). */
  readonly id: string;
}

function storeOf(dir: string, folder: string, format: ObjectFormat): Store {
  let id = '';
  try {
    id = fs.readFileSync(path.join(dir, 'airlock-store-id'), 'utf8').trim();
  } catch {
    /* a store made before ids: its path stands in */
  }
  return { dir, objectsDir: path.join(dir, 'objects'), format, folder, tmpDir: path.join(dir, 'tmp'), call: { cwd: dir, gitDir: dir }, id: id || dir };
}

/** The store of a folder (created on first use, atomically: built aside, then renamed into place). */
export async function openStore(storageDir: string | undefined, folder: string, format: ObjectFormat): Promise<Store> {
  const dir = path.join(snapshotStoreRoot(process.env, storageDir ?? stateDir()), folderKey(folder));
  const config = path.join(dir, 'config');
  if (fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(config)) {
    return storeOf(dir, folder, objectFormatOf(fs.readFileSync(config, 'utf8')));
  }
  written.delete(dir); // a new store: nothing this process remembers of an old one holds
  const parent = path.dirname(dir);
  await fs.promises.mkdir(parent, { recursive: true, mode: 0o700 });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await git(['init', '--bare', '-q', ...(format === 'sha256' ? ['--object-format=sha256'] : []), tmp], { cwd: parent });
    // core.bare false (outside git the folder is its work tree); no reflogs.
    const config = path.join(tmp, 'config');
    await fs.promises.writeFile(config, (await fs.promises.readFile(config, 'utf8')).replace(/^([ \t]*bare[ \t]*=[ \t]*)true[ \t]*$/m, '$1false') + '[core]\n\tlogAllRefUpdates = false\n');
    await fs.promises.writeFile(path.join(tmp, 'airlock-folder'), `${folder}\n`);
    await fs.promises.writeFile(path.join(tmp, 'airlock-store-id'), `${randomBytes(8).toString('hex')}\n`);
    // Hooks a template may have copied are never run (hooksPath=/dev/null) but need not exist either.
    await fs.promises.rm(path.join(tmp, 'hooks'), { recursive: true, force: true });
    try {
      await fs.promises.rename(tmp, dir);
    } catch (e) {
      if (!fs.existsSync(path.join(dir, 'HEAD'))) {
        throw e;
      }
      // another process won the race: use its store
    }
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
  return storeOf(dir, folder, objectFormatOf(fs.readFileSync(config, 'utf8')));
}

/** Writes a small file atomically (a temporary file renamed over it). */
export function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Ref folders this process has made (so each write costs no extra mkdir). */
const madeDirs = new Set<string>();

/** Points a ref of the store at an object (a loose ref file, written atomically). */
export function writeRef(store: Store, ref: string, oid: string): void {
  const file = path.join(store.dir, ...ref.split('/'));
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  try {
    writeAtomic(file, `${oid}\n`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw e;
    }
    fs.mkdirSync(dir, { recursive: true }); // removed meanwhile: make it again
    writeAtomic(file, `${oid}\n`);
  }
}

/** Deletes refs of the store (one git transaction; packed or loose alike). */
export async function deleteRefs(store: Store, refs: readonly string[]): Promise<void> {
  if (refs.length > 0) {
    await git(['update-ref', '--stdin'], { ...store.call, input: refs.map((r) => `delete ${r}\n`).join('') });
  }
}

/** The newest snapshot written to the store (for dedup and speed). */
export interface Latest {
  readonly commit: string;
  readonly id: string;
  readonly tree: string;
  readonly time: string;
  readonly kind: string;
}

/**
 * What the store remembers of its newest snapshot, in one small file written once per snapshot:
 * the snapshot, its folders' trees (all in the store, so the next snapshot can reuse them), and the
 * files that differed from the index it read (to count the next snapshot's changes without reading
 * any tree). A missing or damaged file only makes the next snapshot do more work.
 */
export interface StoreState {
  readonly latest: Latest;
  /** Folder ('' for the root) -> tree id. */
  readonly trees: ReadonlyMap<string, string>;
  /** Folder-relative paths that differed from the index: their blob, or null when deleted. Undefined: not known. */
  readonly delta?: ReadonlyMap<string, string | null>;
  /** The checksum of the index the snapshot read (its delta is relative to that index). */
  readonly indexSum?: string;
  /** Snapshots in the store (as counted at the last retention pass, plus those since). */
  readonly count?: number;
  /** When retention last ran (ms since the epoch). */
  readonly maintainedAt?: number;
}

const STATE_FILE = 'airlock-state.json';

export function readState(store: Store): StoreState | undefined {
  const mine = written.get(store.dir);
  if (mine) {
    return mine;
  }
  try {
    const v = JSON.parse(fs.readFileSync(path.join(store.dir, STATE_FILE), 'utf8')) as { latest?: Latest; trees?: Record<string, string>; delta?: Record<string, string | null>; indexSum?: string; count?: number; maintainedAt?: number };
    if (!v.latest || typeof v.latest.commit !== 'string' || typeof v.latest.tree !== 'string' || !v.trees) {
      return undefined;
    }
    return {
      latest: v.latest,
      trees: new Map(Object.entries(v.trees)),
      ...(v.delta ? { delta: new Map(Object.entries(v.delta)) } : {}),
      ...(v.indexSum ? { indexSum: v.indexSum } : {}),
      ...(typeof v.count === 'number' ? { count: v.count } : {}),
      ...(typeof v.maintainedAt === 'number' ? { maintainedAt: v.maintainedAt } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Remembers the state: at once for this process, on disk just after (it is only a cache: a kill
 * before the file is written costs the next snapshot some speed, nothing else).
 */
export function writeState(store: Store, state: StoreState): void {
  written.set(store.dir, state);
  const text = JSON.stringify({
    latest: state.latest,
    trees: Object.fromEntries(state.trees),
    ...(state.delta ? { delta: Object.fromEntries(state.delta) } : {}),
    ...(state.indexSum ? { indexSum: state.indexSum } : {}),
    ...(state.count !== undefined ? { count: state.count } : {}),
    ...(state.maintainedAt !== undefined ? { maintainedAt: state.maintainedAt } : {}),
  });
  setImmediate(() => {
    if (written.get(store.dir) === state) {
      try {
        writeAtomic(path.join(store.dir, STATE_FILE), text);
      } catch {
        /* a cache: the next snapshot does without */
      }
    }
  });
}

/** Removes temporary files a killed process left behind (older than an hour). */
export async function cleanStaleTemp(store: Store): Promise<void> {
  const cutoff = Date.now() - 3600_000;
  const sweep = async (dir: string, match: (n: string) => boolean) => {
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      return;
    }
    await Promise.all(
      names.filter(match).map(async (n) => {
        const p = path.join(dir, n);
        try {
          if ((await fs.promises.lstat(p)).mtimeMs < cutoff) {
            await fs.promises.rm(p, { recursive: true, force: true });
          }
        } catch {
          /* gone already */
        }
      }),
    );
  };
  await Promise.all([sweep(store.tmpDir, () => true), sweep(path.join(store.objectsDir, 'pack'), (n) => n.startsWith('tmp_')), sweep(store.dir, (n) => n.includes('.tmp-'))]);
}
