/**
 * Rollback to a snapshot (whole folder or selected files), its preview, and the diff since a
 * snapshot. A rollback first takes a safety snapshot ("before rollback to <id>"), so rolling back to
 * that one undoes it. It rewrites changed files, recreates deleted ones and removes only files
 * created after the snapshot: never a file the snapshot did not cover (git-ignored or left out by
 * the size rules at the time). HEAD, the index, branches and the stash are never touched.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GitCall } from './git';
import { git, splitZ } from './git';
import { withLock } from './lock';
import type { RepoTarget } from './repo';
import { resolveTarget } from './repo';
import type { SnapshotInfo, SnapshotStoreOptions } from './snapshot';
import { buildTree, findSnapshot, readCoverage, scopeSpec, takeSnapshotOf, withTempIndex } from './snapshot';

export type ChangeStatus = 'modified' | 'added' | 'deleted' | 'typechange';

export interface FileChange {
  /** Relative to the folder, '/'-separated. */
  readonly path: string;
  /** From the snapshot to now: 'added' means created since the snapshot. */
  readonly status: ChangeStatus;
  /** Git modes ('100644', '100755', '120000' symlink, '160000' submodule); '000000' when absent. */
  readonly oldMode: string;
  readonly newMode: string;
}

export interface DiffResult {
  readonly id: string;
  readonly folder: string;
  readonly files: FileChange[];
  /** Unified patch from the snapshot to now (binary files as "Binary files ... differ"). */
  readonly patch: string;
  /** `git diff --stat` style summary. */
  readonly stat: string;
}

export interface KeptPath {
  readonly path: string;
  readonly reason: string;
}

export interface RollbackOptions extends SnapshotStoreOptions {
  /** Only these files or folders (relative to the folder); all when absent. */
  readonly files?: readonly string[];
  /** Preview: compute what would change, change nothing (no safety snapshot either). */
  readonly dryRun?: boolean;
  /** Recorded in the safety snapshot. */
  readonly agent?: string;
}

export interface RollbackResult {
  /** The snapshot rolled back to. */
  readonly id: string;
  readonly folder: string;
  readonly dryRun: boolean;
  /** The safety snapshot taken first: roll back to it to undo this rollback. Absent for a dry run. */
  readonly safetySnapshotId?: string;
  /** Rewritten (content, mode or type), recreated, and removed files; relative to the folder. */
  readonly changed: string[];
  readonly created: string[];
  readonly deleted: string[];
  /** Files deliberately left alone, with the reason. */
  readonly kept: KeptPath[];
}

interface RawChange {
  readonly oldMode: string;
  readonly newMode: string;
  readonly newOid: string;
  readonly status: string;
  /** Root-relative. */
  readonly path: string;
}

async function rawDiff(t: RepoTarget, from: string, to: string): Promise<RawChange[]> {
  const out = splitZ((await git(['diff-tree', '-r', '-z', '--no-renames', '--raw', '--abbrev=64', from, to, '--', scopeSpec(t)], t.call)).stdout);
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < out.length; i += 2) {
    const [oldMode, newMode, , newOid, status] = out[i].replace(/^:/, '').split(' ');
    changes.push({ oldMode, newMode, newOid, status: status[0], path: out[i + 1] });
  }
  return changes;
}

function rel(t: RepoTarget, p: string): string {
  return t.scope !== '' && p.startsWith(t.scope) ? p.slice(t.scope.length) : p;
}

function selected(t: RepoTarget, files: readonly string[] | undefined): (p: string) => boolean {
  if (!files || files.length === 0) {
    return () => true;
  }
  const wanted = files.map((f) => t.scope + f.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, ''));
  return (p) => wanted.some((w) => w === '' || p === w || p.startsWith(`${w}/`));
}

/** Whether a root-relative path was present-but-not-covered when the snapshot was taken. */
function excludedAt(ignored: readonly string[], skipped: readonly { path: string }[]): (p: string) => boolean {
  const set = new Set<string>([...ignored, ...skipped.map((s) => s.path)]);
  return (p) => {
    if (set.has(p)) {
      return true;
    }
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
      if (set.has(p.slice(0, i + 1))) {
        return true;
      }
    }
    return false;
  };
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch {
    return undefined;
  }
}

/**
 * Writes the snapshot's version of the given entries into a staging folder inside the git dir with
 * `git checkout-index --prefix` (so eol conversion, filters, exec bits and symlinks are exactly what
 * git checkout would produce), from a temporary index holding only those entries.
 */
async function stageEntries(t: RepoTarget, entries: readonly RawChange[], tmpIndex: string, staging: string): Promise<void> {
  if (entries.length === 0) {
    return;
  }
  const call: GitCall = { ...t.call, indexFile: tmpIndex };
  const info = entries.map((c) => `${c.newMode} ${c.newOid}\t${c.path}\0`).join('');
  await git(['update-index', '-z', '--index-info'], { ...call, input: info });
  await git(['checkout-index', '-a', '-f', `--prefix=${staging}/`], call);
}
/** Makes sure every parent of root/p is a real directory inside root (never follows a symlink out). */
async function ensureParents(root: string, p: string): Promise<string | undefined> {
  const parts = p.split('/').slice(0, -1);
  let cur = root;
  for (const part of parts) {
    cur = path.join(cur, part);
    const st = await lstatOrUndefined(cur);
    if (!st) {
      await fs.promises.mkdir(cur);
    } else if (!st.isDirectory()) {
      return `${path.relative(root, cur)} is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not a folder`;
    }
  }
  return undefined;
}

async function moveInto(staged: string, dst: string): Promise<void> {
  try {
    await fs.promises.rename(staged, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw e;
    }
    // Shadow repositories may live on another file system: copy beside the target, then rename.
    const tmp = path.join(path.dirname(dst), `.airlock-restore-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const st = await fs.promises.lstat(staged);
      if (st.isSymbolicLink()) {
        await fs.promises.symlink(await fs.promises.readlink(staged), tmp);
      } else {
        await fs.promises.copyFile(staged, tmp);
        await fs.promises.chmod(tmp, st.mode & 0o777);
      }
      await fs.promises.rename(tmp, dst);
    } catch (e2) {
      await fs.promises.rm(tmp, { force: true });
      throw e2;
    }
  }
}

async function writeEntry(root: string, p: string, mode: string, staged: string): Promise<string | undefined> {
  const problem = await ensureParents(root, p);
  if (problem) {
    return problem;
  }
  const dst = path.join(root, p);
  const existing = await lstatOrUndefined(dst);
  if (existing?.isDirectory()) {
    try {
      await fs.promises.rmdir(dst);
    } catch {
      return `${p} is now a folder with other files in it`;
    }
  }
  if (mode !== '120000' && existing && existing.isFile()) {
    // Keep the file's own permissions (a private 0600 stays private), with the snapshot's executable bit.
    const perm = existing.mode & 0o777;
    await fs.promises.chmod(staged, mode === '100755' ? perm | ((perm & 0o444) >> 2) : perm & ~0o111);
  }
  await moveInto(staged, dst);
  return undefined;
}

/** Removes now-empty parent folders of a deleted file (not the folder itself, not folders the snapshot has). */
async function removeEmptyParents(root: string, scopeRoot: string, p: string, keepDirs: Set<string>): Promise<void> {
  let dir = path.dirname(p);
  while (dir !== '.' && dir !== '' && !keepDirs.has(dir)) {
    const abs = path.join(root, dir);
    if (path.relative(scopeRoot, abs).startsWith('..') || abs === scopeRoot) {
      return;
    }
    try {
      await fs.promises.rmdir(abs);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}

/** Rolls the folder (or some files) back to snapshot `id`; see the module comment. */
export async function rollbackToSnapshot(folder: string, id: string, opts: RollbackOptions = {}): Promise<RollbackResult> {
  const t = await resolveTarget(folder, opts.storageDir);
  const target = await findSnapshot(t, id);
  if (opts.dryRun) {
    return withTempIndex(t, async (tmp) => {
      const now = await buildTree(t, opts, tmp);
      return plan(t, target, now.tree, opts, true);
    });
  }
  await fs.promises.mkdir(t.tmpDir, { recursive: true });
  return withLock(path.join(t.tmpDir, 'rollback.lock'), async () => {
    const label = `before rollback to ${target.id}`;
    let safety = await takeSnapshotOf(t, { label, agent: opts.agent, tool: 'rollback', kind: 'safety' }, { ...opts, retention: false });
    // A file the snapshot has that exists now but the safety snapshot did not cover (ignored now,
    // or over a size cap) would be overwritten without a way back: include it and take it again.
    const uncovered: string[] = [];
    const pick = selected(t, opts.files);
    for (const c of await rawDiff(t, safety.tree, target.tree)) {
      if (c.status === 'A' && pick(c.path) && (await lstatOrUndefined(path.join(t.root, c.path)))) {
        uncovered.push(rel(t, c.path));
      }
    }
    if (uncovered.length > 0) {
      safety = await takeSnapshotOf(t, { label, agent: opts.agent, tool: 'rollback', kind: 'safety', forceInclude: uncovered }, { ...opts, retention: false });
    }
    const result = await plan(t, target, safety.tree, opts, false);
    return { ...result, safetySnapshotId: safety.id };
  });
}

/** The files a rollback would change, changing nothing. */
export function previewRollback(folder: string, id: string, opts: Omit<RollbackOptions, 'dryRun'> = {}): Promise<RollbackResult> {
  return rollbackToSnapshot(folder, id, { ...opts, dryRun: true });
}

async function plan(t: RepoTarget, target: SnapshotInfo, currentTree: string, opts: RollbackOptions, dryRun: boolean): Promise<RollbackResult> {
  const coverage = await readCoverage(t, target);
  const wasExcluded = coverage ? excludedAt(coverage.ignored, coverage.skipped) : () => true;
  const pick = selected(t, opts.files);
  const changes = (await rawDiff(t, currentTree, target.tree)).filter((c) => pick(c.path));
  const changed: string[] = [];
  const created: string[] = [];
  const deleted: string[] = [];
  const kept: KeptPath[] = [];
  const removals: RawChange[] = [];
  const writes: RawChange[] = [];
  for (const c of changes) {
    if (c.oldMode === '160000' || c.newMode === '160000') {
      kept.push({ path: rel(t, c.path), reason: 'submodule: roll it back in its own repository' });
    } else if (c.status === 'D') {
      if (wasExcluded(c.path)) {
        kept.push({ path: rel(t, c.path), reason: coverage ? 'existed when the snapshot was taken but was not in it (git-ignored or left out)' : 'the snapshot has no coverage record: not deleting' });
      } else {
        removals.push(c);
      }
    } else {
      writes.push(c);
    }
  }
  if (dryRun) {
    for (const c of removals) {
      deleted.push(rel(t, c.path));
    }
    for (const c of writes) {
      (c.status === 'A' && !(await lstatOrUndefined(path.join(t.root, c.path))) ? created : changed).push(rel(t, c.path));
    }
    return { id: target.id, folder: t.folder, dryRun, changed, created, deleted, kept };
  }
  // Folders the snapshot has are never removed as "empty".
  const keepDirs = new Set<string>();
  for (const c of writes) {
    for (let d = path.posix.dirname(c.path); d !== '.'; d = path.posix.dirname(d)) {
      keepDirs.add(d);
    }
  }
  removals.sort((a, b) => b.path.length - a.path.length);
  for (const c of removals) {
    const abs = path.join(t.root, c.path);
    const st = await lstatOrUndefined(abs);
    if (st && !st.isDirectory()) {
      await fs.promises.rm(abs, { force: true });
      deleted.push(rel(t, c.path));
      await removeEmptyParents(t.root, t.folder, c.path, keepDirs);
    }
  }
  await withTempIndex(t, async (tmpIndex) => {
    const staging = `${tmpIndex}.files`;
    try {
      await stageEntries(t, writes, tmpIndex, staging);
      for (const c of writes) {
        const existed = (await lstatOrUndefined(path.join(t.root, c.path))) !== undefined;
        const staged = path.join(staging, c.path);
        if (!(await lstatOrUndefined(staged))) {
          kept.push({ path: rel(t, c.path), reason: 'could not read it from the snapshot' });
          continue;
        }
        const problem = await writeEntry(t.root, c.path, c.newMode, staged);
        if (problem) {
          kept.push({ path: rel(t, c.path), reason: problem });
        } else {
          (existed ? changed : created).push(rel(t, c.path));
        }
      }
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true });
    }
  });
  return { id: target.id, folder: t.folder, dryRun, changed, created, deleted, kept };
}

const STATUS: Record<string, ChangeStatus> = { M: 'modified', A: 'added', D: 'deleted', T: 'typechange' };

/** What changed in the folder since snapshot `id`: file list and unified patch. */
export async function diffSinceSnapshot(folder: string, id: string, opts: SnapshotStoreOptions = {}): Promise<DiffResult> {
  const t = await resolveTarget(folder, opts.storageDir);
  const target = await findSnapshot(t, id);
  return withTempIndex(t, async (tmp) => {
    const now = await buildTree(t, opts, tmp);
    const call: GitCall = t.call;
    const [changes, patch, stat] = await Promise.all([
      rawDiff(t, target.tree, now.tree),
      git(['diff-tree', '-r', '-p', '--no-color', '--no-renames', '--no-ext-diff', '--no-textconv', target.tree, now.tree, '--', scopeSpec(t)], call),
      git(['diff-tree', '-r', '--stat', '--no-color', '--no-renames', target.tree, now.tree, '--', scopeSpec(t)], call),
    ]);
    const files = changes.map((c) => ({ path: rel(t, c.path), status: STATUS[c.status] ?? 'modified', oldMode: c.oldMode, newMode: c.newMode }));
    return { id: target.id, folder: t.folder, files, patch: patch.stdout.toString('utf8'), stat: stat.stdout.toString('utf8') };
  });
}
