/** A folder, what it is (workspace.ts), and its snapshot store (store.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { migrateOnce } from './migrate';
import type { Store } from './store';
import { openStore } from './store';
import type { Workspace } from './workspace';
import { workspaceOf } from './workspace';

/** A folder, what it is, and its store. */
export interface Target {
  readonly ws: Workspace;
  readonly store: Store;
}

/**
 * The folder's workspace and store (created, and older snapshots migrated into it, on first use).
 * A repository whose object format differs from the store's is snapshotted as a plain folder.
 */
export async function targetOf(folder: string, storageDir?: string): Promise<Target> {
  const ws = await workspaceOf(folder);
  const key = `${ws.folder}\0${storageDir ?? ''}\0${ws.repo?.gitDir ?? ''}`;
  const hit = cache.get(key);
  if (hit && fs.existsSync(path.join(hit.store.dir, 'HEAD')) && storeIdAt(hit.store.dir) === hit.store.id) {
    return hit; // the same store (not deleted and made again meanwhile)
  }
  const store = await openStore(storageDir, ws.folder, ws.repo?.format ?? 'sha1');
  await migrateOnce(ws, store, storageDir);
  const t: Target = { ws: ws.repo && ws.repo.format !== store.format ? { folder: ws.folder } : ws, store };
  cache.set(key, t);
  return t;
}

function storeIdAt(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'airlock-store-id'), 'utf8').trim() || dir;
  } catch {
    return dir;
  }
}

/** Targets of this process (a store, once opened and migrated, stays). */
const cache = new Map<string, Target>();
