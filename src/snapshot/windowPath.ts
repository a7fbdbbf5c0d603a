/**
 * Snapshots in the window: from the change journal when it can (journal.ts), else a full pass
 * whose result becomes the journal's model; a background full pass re-verifies the model after
 * journal snapshots, alongside them. One folder's snapshots run one at a time.
 */
import { sealBorrowed } from './seal';
import type { ChangeJournal } from './journal';
import { policyKeyOf } from './journal';
import { persist } from './capture';
import { captureNow, recordSnapshot } from './snapshot';
import { readState } from './store';
import type { Target } from './target';
import { targetOf } from './target';
import type { SnapshotResult, SnapshotStoreOptions, TakeSnapshotInput } from './types';

export class WindowSnapshots {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly verifying = new Set<string>();

  constructor(
    readonly journal: ChangeJournal,
    private readonly onVerified?: (folder: string, missed: boolean) => void,
  ) {}

  /** Runs fn after everything queued for the folder. */
  private serial<T>(folder: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(folder) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.queues.set(
      folder,
      next.catch(() => undefined),
    );
    return next;
  }

  take(folder: string, input: TakeSnapshotInput, opts: SnapshotStoreOptions): Promise<SnapshotResult> {
    return this.serial(folder, async () => {
      const started = Date.now();
      const t = await targetOf(folder, opts.storageDir);
      const key = policyKeyOf(opts);
      if ((input.kind ?? 'snapshot') === 'snapshot') {
        const c = await this.journal.capture(t, opts, key, input.forceInclude);
        if (c) {
          const r = await recordSnapshot(t, c, input, opts, readState(t.store), started);
          this.journal.scheduleVerify(t.ws.folder, () => this.verify(t, opts));
          return r;
        }
      }
      const adopt = !input.forceInclude?.length;
      if (adopt) {
        this.journal.beginFullPass(t.ws.folder);
      }
      return captureNow(t, { ...opts, ...(input.forceInclude ? { forceInclude: input.forceInclude } : {}) }, async (c, latest) => {
        const r = await recordSnapshot(t, c, input, opts, latest, started);
        if (adopt) {
          this.journal.adopt(t.ws.folder, { ...c, ...c.files() }, key, started, t.store.id);
        }
        return r;
      });
    });
  }

  /**
   * The background full pass: seals what it borrows, compares, and becomes the model. It does not
   * hold up snapshots taken meanwhile (what they look at is looked at again after it).
   */
  private async verify(t: Target, opts: SnapshotStoreOptions): Promise<void> {
    const folder = t.ws.folder;
    if (this.verifying.has(folder)) {
      return;
    }
    this.verifying.add(folder);
    try {
      const started = Date.now();
      const before = this.journal.modelTree(folder);
      const quietBefore = !this.journal.hasPending(folder);
      this.journal.beginVerify(folder);
      await captureNow(t, opts, async (c) => {
        persist(t.store, c); // the model's blobs and trees are the store's from now on
        if (t.ws.repo) {
          await sealBorrowed(t.store, t.ws.repo, c.userIndex, c.tree);
        }
        const missedBefore = this.journal.missedChanges;
        this.journal.noteVerified(before, c.tree, quietBefore && !this.journal.hasPending(folder) && this.journal.modelTree(folder) === before);
        this.journal.endVerify(folder, { ...c, ...c.files() }, policyKeyOf(opts), started, t.store.id);
        this.onVerified?.(folder, this.journal.missedChanges > missedBefore);
      });
    } catch {
      this.journal.lost(folder); // could not verify: the next snapshot is a full pass
    } finally {
      this.verifying.delete(folder);
    }
  }

  dispose(): void {
    this.journal.dispose();
  }
}
