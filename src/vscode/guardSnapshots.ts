import type { SnapshotInfo, SnapshotStoreOptions } from '../snapshot/snapshot';
import { listSnapshots, snapshotOptionsFromPolicy, takeSnapshot } from '../snapshot/snapshot';
import type { PolicyService } from './policyService';

/** Snapshot access for the guards (watcher, terminal observer), with the folder's policy applied. */
export class GuardSnapshots {
  constructor(private readonly policy: PolicyService) {}

  options(folder: string): SnapshotStoreOptions {
    return snapshotOptionsFromPolicy(this.policy.policy(folder).settings.snapshots);
  }

  enabled(folder: string): boolean {
    return this.policy.policy(folder).settings.snapshots.enabled;
  }

  /** Takes a snapshot (deduplicated: an unchanged folder costs one status pass); its id, or undefined when snapshots are off. */
  async take(folder: string, label: string, extra: { tool?: string; forceInclude?: readonly string[] } = {}): Promise<string | undefined> {
    if (!this.enabled(folder)) {
      return undefined;
    }
    const r = await takeSnapshot(folder, { label, agent: 'airlock', tool: extra.tool ?? 'guard', forceInclude: extra.forceInclude }, this.options(folder));
    return r.id;
  }

  /**
   * The newest snapshot taken before `at` (ms since the epoch) that `accept` takes (at most `limit`
   * are examined), or undefined.
   */
  async before(folder: string, at: number, accept?: (s: SnapshotInfo) => Promise<boolean>, limit = 25): Promise<SnapshotInfo | undefined> {
    const list = await listSnapshots(folder, { storageDir: this.options(folder).storageDir });
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
