/** Reading one file as a snapshot holds it (for "show changes since" diffs and the watcher's Revert). */
import { git } from './git';
import { findSnapshot } from './records';
import { targetOf } from './target';

/**
 * The bytes of `relPath` (relative to the folder, '/'-separated) in snapshot `id`, or undefined when
 * the snapshot has no such file.
 */
export async function readSnapshotFile(folder: string, id: string, relPath: string, opts: { storageDir?: string } = {}): Promise<Buffer | undefined> {
  const t = await targetOf(folder, opts.storageDir);
  const s = await findSnapshot(t, id);
  const spec = `${s.tree}:${relPath.replace(/\\/g, '/').replace(/^\/+/, '')}`;
  const r = await git(['cat-file', 'blob', spec], { ...t.store.call, ...(t.ws.repo ? { alternates: t.ws.repo.objectsDir } : {}), okCodes: [0, 128] });
  return r.code === 0 ? r.stdout : undefined;
}
