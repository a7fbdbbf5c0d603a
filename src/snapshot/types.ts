/** The snapshot store's vocabulary: settings, inputs, results, records and errors. */

/** Git-ignored files a snapshot still includes (globs relative to the folder; a pattern without '/' matches the base name anywhere). */
export const DEFAULT_PROTECTED_PATTERNS: readonly string[] = ['.env', '.env.*', '*.env', '.envrc', '.dev.vars', '.secrets', '.airlock/policy.local.json'];

/** Names of regenerable dependency/build folders (left out first when an untracked folder is huge). */
export const HEAVY_DIR_NAMES: ReadonlySet<string> = new Set(['node_modules', 'bower_components', '.venv', 'venv', '__pycache__', '.tox', '.gradle', '.next', '.nuxt', '.cache', 'target', '.terraform', 'Pods']);

export interface SnapshotPolicy {
  /** Git-ignored files to include anyway (default DEFAULT_PROTECTED_PATTERNS). */
  readonly protectedPatterns?: readonly string[];
  /** Size cap for those protected ignored files (default 1 MiB). */
  readonly maxProtectedFileBytes?: number;
  /** Untracked files larger than this are left out, with a note (default 10 MiB). */
  readonly maxUntrackedFileBytes?: number;
  /** A never-tracked folder with at least this many files is left out, with a note (default 200). */
  readonly maxUntrackedDirFiles?: number;
  /** Outside git (everything starts untracked) the folder limit for names other than node_modules & co. (default 5000). */
  readonly maxShadowDirFiles?: number;
}

export interface RetentionPolicy {
  /** Snapshots kept per folder (default 200). */
  readonly maxCount?: number;
  /** Snapshots older than this are pruned (default 14 days). */
  readonly maxAgeDays?: number;
  /** When the folder's store grows past this, the oldest snapshots go and it is repacked (default 1 GiB). */
  readonly maxStoreBytes?: number;
}

export interface SnapshotStoreOptions extends SnapshotPolicy {
  /** Airlock's state dir, where the stores live (default util/stateDir: $AIRLOCK_HOME or ~/.local/state/agent-airlock). */
  readonly storageDir?: string;
  /** Pruning after a new snapshot; false turns it off (default: the RetentionPolicy defaults). */
  readonly retention?: RetentionPolicy | false;
}

export type SnapshotKind = 'snapshot' | 'safety';

export interface TakeSnapshotInput {
  /** What is about to happen, e.g. "Edit src/app.ts" or "Bash: rm -rf build". */
  readonly label: string;
  readonly agent?: string;
  readonly tool?: string;
  /** 'safety' for the snapshot a rollback takes first. */
  readonly kind?: SnapshotKind;
  /** Paths (relative to the folder) to include when they exist, whatever the size caps and ignore rules say. */
  readonly forceInclude?: readonly string[];
}

export type SkipReason = 'large-file' | 'huge-folder' | 'nested-repo' | 'submodule' | 'protected-too-large';

export interface SkippedPath {
  /** Relative to the folder, '/'-separated; folders end with '/'. */
  readonly path: string;
  readonly reason: SkipReason;
  /** Plain-language explanation for the UI. */
  readonly detail: string;
}

export interface SnapshotResult {
  /** The snapshot id (12 hex digits); an existing one when `unchanged`. */
  readonly id: string;
  readonly commit: string;
  readonly tree: string;
  /** True when nothing changed since the previous snapshot of this folder: no new one was made. */
  readonly unchanged: boolean;
  readonly folder: string;
  /** True when the folder is not in a git repository (the store alone keeps its files). */
  readonly shadow: boolean;
  /** ISO time of the snapshot. */
  readonly time: string;
  /** Files that differ from the previous snapshot of the folder (or from the index for the first one). */
  readonly filesChanged: number;
  /** What was left out, and why. */
  readonly skipped: readonly SkippedPath[];
  /** Plain-language notes for the UI (one per skipped path and anything else worth saying). */
  readonly notes: readonly string[];
  readonly durationMs: number;
}

export interface SnapshotInfo {
  readonly id: string;
  readonly commit: string;
  readonly tree: string;
  /** ISO time. */
  readonly time: string;
  readonly label: string;
  readonly agent?: string;
  readonly tool?: string;
  readonly kind: SnapshotKind;
  readonly filesChanged: number;
  readonly skippedCount: number;
  /** Taken from the window's file-watcher journal rather than a full look at the folder. */
  readonly fromJournal?: boolean;
  /** @internal the commit id the snapshot's ref is named by (equal to `commit` unless tampered with). */
  readonly refOid?: string;
  /** Set when its record cannot be read from the store (damaged or altered): why. Such a snapshot is listed, never restored. */
  readonly damaged?: string;
}

/** What a snapshot did not cover (part of the snapshot's record, in its commit). */
export interface CoverageRecord {
  readonly version: 2;
  /** Folder-relative paths (folders end with '/') that existed but were git-ignored and not included. */
  readonly ignored: string[];
  /** Folder-relative paths left out by the size and nesting rules. */
  readonly skipped: { path: string; reason: SkipReason }[];
  /** True when what it left out is unknown (a migrated snapshot without its record): a rollback then deletes nothing. */
  readonly unknown?: boolean;
}

export class UnknownSnapshotError extends Error {
  constructor(readonly id: string) {
    super(`unknown snapshot '${id}' (run 'airlock snapshots' to list them)`);
    this.name = 'UnknownSnapshotError';
  }
}

/** A snapshot whose record or files do not verify: it is never restored, not even in part. */
export class SnapshotIntegrityError extends Error {
  constructor(
    readonly id: string,
    readonly problem: string,
  ) {
    super(`snapshot ${id} does not verify (${problem}); nothing was restored`);
    this.name = 'SnapshotIntegrityError';
  }
}
