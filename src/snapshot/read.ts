/** Reading one file as a snapshot holds it (for "show changes since" diffs). */
import { git } from './git';
import { resolveTarget } from './repo';
import { findSnapshot } from './snapshot';

/**
 * The bytes of `relPath` (relative to the folder, '/'-separated) in snapshot `id`, or undefined when
 * the snapshot has no such file.
 */
export async function readSnapshotFile(folder: string, id: string, relPath: string, opts: { storageDir?: string } = {}): Promise<Buffer | undefined> {
  const t = await resolveTarget(folder, opts.storageDir);
  const s = await findSnapshot(t, id);
  const spec = `${s.commit}:${t.scope}${relPath.replace(/^\/+/, '')}`;
  const r = await git(['cat-file', 'blob', spec], { ...t.call, okCodes: [0, 128] });
  return r.code === 0 ? r.stdout : undefined;
}
