import type { RollbackResult } from '../snapshot/rollback';
import type { SnapshotService } from '../snapshot/service';
import type { SnapshotInfo } from '../snapshot/types';

/** Snapshot access for the guards (watcher, terminal observer): the snapshot service, with the folder's policy applied. */
export class GuardSnapshots {
  constructor(private readonly service: SnapshotService) {}

  /** Takes a snapshot (deduplicated: an unchanged folder makes no new one); its id, or undefined when snapshots are off. */
  async take(folder: string, label: string, extra: { tool?: string; forceInclude?: readonly string[] } = {}): Promise<string | undefined> {
    const r = await this.service.take(folder, { label, agent: 'airlock', tool: extra.tool ?? 'guard', ...(extra.forceInclude ? { forceInclude: extra.forceInclude } : {}) });
    return r?.id;
  }

  /** One file as snapshot `id` holds it. */
  readFile(folder: string, id: string, rel: string): Promise<Buffer | undefined> {
    return this.service.readFile(folder, id, rel);
  }

  /** Rolls some files (or the folder) back to snapshot `id`, a safety snapshot first; the developer's act. */
  rollback(folder: string, id: string, files: readonly string[] | undefined): Promise<RollbackResult> {
    return this.service.rollback(folder, id, { ...(files ? { files } : {}), agent: 'developer' });
  }

  /**
   * The newest snapshot taken before `at` (ms since the epoch) that `accept` takes (at most `limit`
   * are examined), or undefined.
   */
  async before(folder: string, at: number, accept?: (s: SnapshotInfo) => Promise<boolean>, limit = 25): Promise<SnapshotInfo | undefined> {
    const list = await this.service.list(folder);
    let examined = 0;
    for (const s of list) {
      if (Date.parse(s.time) >= at) {
        continue;
      }
      if (!accept || (await accept(s))) {
        return s;
      }
      if (++examined >= limit) {
        return undefined;
      }
    }
    return undefined;
  }
}
