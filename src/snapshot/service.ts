/**
 * The one snapshot service: every caller (the gate in the window and in the headless hook, the
 * guards, the Timeline, the CLI) takes, lists, reads and rolls back snapshots through it, and it
 * always applies the folder's policy `snapshots` settings (enabled, include, maxFileSizeMB,
 * retention). `enabled: false` turns off the automatic snapshots (gate, guards); a snapshot a person
 * asks for (`airlock snapshot`, Take Snapshot Now) and the safety snapshot of a rollback are still
 * taken, with the rest of the settings applied.
 */
import type { ProposedAction } from '../core/types';
import { policyFolder } from '../policy/folder';
import { loadPolicy } from '../policy/load';
import type { PolicySettings } from '../policy/policyFile';
import type { ChangeJournal } from './journal';
import { readSnapshotFile } from './read';
import { findSnapshot, listFor } from './records';
import type { DiffResult, RollbackResult } from './rollback';
import { diffSinceSnapshot, rollbackToSnapshot } from './rollback';
import type { PruneResult } from './retention';
import { pruneSnapshots } from './retention';
import { listSnapshots, takeSnapshot } from './snapshot';
import type { SnapshotInfo, SnapshotResult, SnapshotStoreOptions, TakeSnapshotInput } from './types';
import { DEFAULT_PROTECTED_PATTERNS, SnapshotIntegrityError } from './types';
import type { Target } from './target';
import { targetOf } from './target';
import { verifySnapshot } from './verify';
import { WindowSnapshots } from './windowPath';

/** The policy's merged `snapshots` settings of one folder. */
export type SnapshotSettings = PolicySettings['snapshots'];

/** Where the service reads a folder's settings from (the window: PolicyService; the CLI: the files). */
export type SnapshotSettingsSource = (folder: string) => SnapshotSettings;

export interface SnapshotServiceOptions {
  /** The folder's settings (default: read from the policy files of the folder's workspace). */
  readonly settings?: SnapshotSettingsSource;
  /** Airlock's state dir (default: util/stateDir). Tests point it at a temporary folder. */
  readonly storageDir?: string;
  /** The window's change journal (fed by its file watcher): snapshots then cost what the changes cost. */
  readonly journal?: ChangeJournal;
  /** Told after each background verification of the journal (missed: it had missed a change). */
  readonly onVerified?: (folder: string, missed: boolean) => void;
}

export interface Verification {
  readonly id: string;
  readonly ok: boolean;
  /** What is wrong, when not ok. */
  readonly problem?: string;
}

export interface RollbackRequest {
  /** Only these files or folders (relative to the folder); all when absent. */
  readonly files?: readonly string[];
  /** Recorded in the safety snapshot. */
  readonly agent?: string;
}

const MiB = 1024 * 1024;

/**
 * Store options from the policy's merged `snapshots` settings: `include` globs are protected
 * ignored files added to the defaults, `maxFileSizeMB` caps untracked files, `retention` maps over.
 */
export function snapshotOptionsFromPolicy(settings: SnapshotSettings, storageDir?: string): SnapshotStoreOptions {
  return {
    ...(storageDir !== undefined ? { storageDir } : {}),
    protectedPatterns: [...DEFAULT_PROTECTED_PATTERNS, ...settings.include],
    maxUntrackedFileBytes: settings.maxFileSizeMB * MiB,
    retention: { maxCount: settings.retention.maxCount, maxAgeDays: settings.retention.maxAgeDays, maxStoreBytes: settings.retention.maxSizeMB * MiB },
  };
}

/** Settings read from the policy files of the folder whose policy applies there (the CLI run by hand: src/policy/folder.ts). */
export function settingsFromPolicyFiles(folder: string): SnapshotSettings {
  return loadPolicy(policyFolder(folder, [])).policy.settings.snapshots;
}

export class SnapshotService {
  private readonly settingsOf: SnapshotSettingsSource;
  private readonly window: WindowSnapshots | undefined;
  /** The window's change journal, when there is one. */
  readonly journal: ChangeJournal | undefined;

  constructor(private readonly opts: SnapshotServiceOptions = {}) {
    this.settingsOf = opts.settings ?? settingsFromPolicyFiles;
    this.journal = opts.journal;
    this.window = opts.journal ? new WindowSnapshots(opts.journal, opts.onVerified) : undefined;
  }

  private snap(folder: string, input: TakeSnapshotInput, options: SnapshotStoreOptions): Promise<SnapshotResult> {
    return this.window ? this.window.take(folder, input, options) : takeSnapshot(folder, input, options);
  }

  /** The folder's settings, as the policy says now. */
  settings(folder: string): SnapshotSettings {
    return this.settingsOf(folder);
  }

  /** Whether automatic snapshots (gate, guards) are on for the folder. */
  enabled(folder: string): boolean {
    return this.settings(folder).enabled;
  }

  private options(folder: string): SnapshotStoreOptions {
    return snapshotOptionsFromPolicy(this.settings(folder), this.opts.storageDir);
  }

  private store(): { storageDir?: string } {
    return this.opts.storageDir !== undefined ? { storageDir: this.opts.storageDir } : {};
  }

  /** An automatic snapshot (gate, guards); undefined when the folder's policy turns snapshots off. */
  async take(folder: string, input: TakeSnapshotInput): Promise<SnapshotResult | undefined> {
    const settings = this.settings(folder);
    if (!settings.enabled) {
      return undefined;
    }
    return this.snap(folder, input, snapshotOptionsFromPolicy(settings, this.opts.storageDir));
  }

  /** A snapshot a person asked for (CLI, Take Snapshot Now): taken even when automatic ones are off. */
  takeNow(folder: string, input: TakeSnapshotInput): Promise<SnapshotResult> {
    return this.snap(folder, input, this.options(folder));
  }

  /** The gate's `snapshot` dependency (GateDeps.snapshot): the id, or undefined when snapshots are off. */
  readonly forGate = async (folder: string, label: string, action: Pick<ProposedAction, 'agent' | 'tool'>): Promise<string | undefined> =>
    (await this.take(folder, { label, agent: action.agent, ...(action.tool !== undefined ? { tool: action.tool } : {}) }))?.id;

  /** The folder's snapshots, newest first. */
  list(folder: string): Promise<SnapshotInfo[]> {
    return listSnapshots(folder, this.store());
  }

  /** Rolls the folder (or some files) back; a safety snapshot under the folder's settings comes first. */
  rollback(folder: string, id: string, req: RollbackRequest = {}): Promise<RollbackResult> {
    return rollbackToSnapshot(folder, id, { ...this.options(folder), ...req });
  }

  /** What a rollback would change, changing nothing. */
  preview(folder: string, id: string, req: Omit<RollbackRequest, 'agent'> = {}): Promise<RollbackResult> {
    return rollbackToSnapshot(folder, id, { ...this.options(folder), ...req, dryRun: true });
  }

  /** What changed in the folder since a snapshot. */
  diff(folder: string, id: string): Promise<DiffResult> {
    return diffSinceSnapshot(folder, id, this.options(folder));
  }

  /** One file as a snapshot holds it (undefined when it has no such file). */
  readFile(folder: string, id: string, relPath: string): Promise<Buffer | undefined> {
    return readSnapshotFile(folder, id, relPath, this.store());
  }

  /** Checks a snapshot's record and that everything it needs is in the store (what a rollback checks first). */
  async verify(folder: string, id: string): Promise<Verification> {
    const t = await targetOf(folder, this.opts.storageDir);
    return verified(t, await findSnapshot(t, id));
  }

  /** Every snapshot of the folder, newest first, each with its verification (one listing, checked one after another). */
  async verifyAll(folder: string): Promise<(SnapshotInfo & { verified: Verification })[]> {
    const t = await targetOf(folder, this.opts.storageDir);
    const out: (SnapshotInfo & { verified: Verification })[] = [];
    for (const { refOid: _ref, ...s } of await listFor(t)) {
      out.push({ ...s, verified: await verified(t, s) });
    }
    return out;
  }

  /** Ends the window's long-lived git processes and timers. */
  dispose(): void {
    this.window?.dispose();
  }

  /** Applies the folder's retention settings now. */
  prune(folder: string): Promise<PruneResult> {
    return pruneSnapshots(folder, this.options(folder));
  }
}

async function verified(t: Target, s: SnapshotInfo): Promise<Verification> {
  try {
    await verifySnapshot(t, s);
    return { id: s.id, ok: true };
  } catch (e) {
    if (e instanceof SnapshotIntegrityError) {
      return { id: s.id, ok: false, problem: e.problem };
    }
    throw e;
  }
}
