/**
 * The window's change journal: the paths its file watcher reported changed since the last snapshot
 * of each folder. A snapshot then costs what the changed files cost: each is looked at (lstat),
 * hashed by a long-lived `git hash-object` (filters and line endings as git applies them), new ones
 * checked by a long-lived `git check-ignore`, and only the trees above them are rebuilt; no walk of
 * the folder. Anything the journal cannot judge alone (a new folder, .gitignore or .gitattributes
 * changed, a watcher that lost events, too many changes, other settings) makes that snapshot a full
 * pass; and a full pass re-verifies the model in the background (when the folder is quiet, every
 * `verifyEveryMs` while journal snapshots are taken), so a missed event cannot hide a change for long.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import { captureCalls } from './changes';
import type { ModelEntry, ModelSource } from './folderModel';
import { FolderModel } from './folderModel';
import { LongGit, quotePath } from './longGit';
import { git } from './git';
import type { NewObject } from './objects';
import { hashObject, readPackable } from './objects';
import type { Captured } from './snapshot';
import type { Target } from './target';
import type { SnapshotPolicy } from './types';
import { DEFAULT_PROTECTED_PATTERNS } from './types';

const MiB = 1024 * 1024;

/** A verification waits for this long without journal snapshots. */
const QUIET_MS = 2000;

export interface JournalOptions {
  /** A full pass re-verifies the model this long after the previous one, once journal snapshots were taken (default 30 s). */
  readonly verifyEveryMs?: number;
  /** More changed paths than this and the snapshot is a full pass (default 2000). */
  readonly maxChanges?: number;
}

/** Paths whose change alters what is ignored, filtered or nested: only a full pass can judge them. */
function needsFullPass(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  return base === '.gitignore' || base === '.gitattributes' || base === '.gitmodules' || rel === '.airlock/policy.json' || rel === '.airlock/policy.local.json';
}

interface Watched {
  readonly given: string;
  readonly real: string;
  dirty: Set<string>;
  /** Set when the watcher may have lost events: the next snapshot is a full pass. */
  lost: boolean;
  model?: FolderModel;
  hasher?: LongGit;
  ignorer?: LongGit;
  verifyTimer?: NodeJS.Timeout;
  lastVerify: number;
  /** While a verification runs: the paths snapshots consumed meanwhile. */
  verifying?: Set<string>;
}

export class ChangeJournal {
  private readonly folders = new Map<string, Watched>();
  /** How many background verifications found a change the journal had missed (for the log and tests). */
  missedChanges = 0;
  /** Snapshots taken from the journal, and full passes (for the log and tests). */
  readonly stats = { journal: 0, full: 0 };

  constructor(private readonly opts: JournalOptions = {}) {}

  private watched(folder: string): Watched {
    const key = path.resolve(folder);
    let w = this.folders.get(key);
    if (!w) {
      let real = key;
      try {
        real = fs.realpathSync(key);
      } catch {
        /* not there (yet) */
      }
      w = { given: key, real, dirty: new Set(), lost: true, lastVerify: 0 };
      this.folders.set(key, w);
      this.folders.set(real, w);
    }
    return w;
  }

  /** The watcher saw `absPath` (in `folder`) created, changed or deleted. */
  changed(folder: string, absPath: string): void {
    const w = this.watched(folder);
    const rel = path.relative(w.given, absPath).split(path.sep).join('/');
    if (rel === '' || rel.startsWith('..') || rel === '.git' || rel.startsWith('.git/')) {
      return;
    }
    if (w.dirty.size >= (this.opts.maxChanges ?? 2000)) {
      // Too many to look at one by one: the next snapshot is a full pass anyway.
      w.lost = true;
      w.dirty.clear();
      return;
    }
    w.dirty.add(rel);
  }

  /** The watcher may have missed events (started late, restarted, overflowed): trust it again after a full pass. */
  lost(folder: string): void {
    this.watched(folder).lost = true;
  }

  /** Stops watching a folder and its long-lived processes. */
  forget(folder: string): void {
    const w = this.folders.get(path.resolve(folder));
    if (w) {
      this.stopProcesses(w);
      clearTimeout(w.verifyTimer);
      this.folders.delete(w.given);
      this.folders.delete(w.real);
    }
  }

  dispose(): void {
    for (const w of new Set(this.folders.values())) {
      this.stopProcesses(w);
      clearTimeout(w.verifyTimer);
    }
    this.folders.clear();
  }

  private stopProcesses(w: Watched): void {
    w.hasher?.stop();
    w.ignorer?.stop();
    w.hasher = undefined;
    w.ignorer = undefined;
  }

  /** Takes the result of a full pass started at `startedAt` as the folder's model. */
  adopt(folder: string, src: ModelSource, policyKey: string, startedAt: number, storeId: string): void {
    const w = this.watched(folder);
    w.model = new FolderModel(src, policyKey, startedAt, storeId);
    w.model.recordDirTimes(w.real);
    this.stats.full++;
    w.lost = false;
    w.lastVerify = startedAt;
    // Events that arrived while the pass ran stay dirty (they may postdate what it saw); older ones are covered.
    this.stopProcesses(w); // settings and attributes are read afresh by the next ones
  }

  /** Starts a dirty set for a full pass: what arrives from now on is still to be looked at afterwards. */
  beginFullPass(folder: string): void {
    this.watched(folder).dirty = new Set();
  }

  /**
   * Schedules the background full pass `run` for when the folder has been quiet a moment, once
   * verifyEveryMs has passed since the previous one (a timer reset by each journal snapshot, unless
   * the check is already overdue).
   */
  scheduleVerify(folder: string, run: () => Promise<void>): void {
    const w = this.watched(folder);
    const every = this.opts.verifyEveryMs ?? 30_000;
    const now = Date.now();
    if (w.verifyTimer && now > w.lastVerify + 2 * every) {
      return; // overdue: let the pending one fire
    }
    clearTimeout(w.verifyTimer);
    w.verifyTimer = setTimeout(() => {
      w.verifyTimer = undefined;
      w.lastVerify = Date.now();
      void run();
    }, Math.max(QUIET_MS, w.lastVerify + every - now));
    w.verifyTimer.unref();
  }

  /** A verification starts: paths the journal consumes meanwhile are looked at again after it. */
  beginVerify(folder: string): void {
    this.watched(folder).verifying = new Set();
  }

  /** A verification ends: its pass becomes the model; what the journal consumed meanwhile is dirty again. */
  endVerify(folder: string, src: ModelSource, policyKey: string, startedAt: number, storeId: string): void {
    const w = this.watched(folder);
    const consumed = w.verifying ?? new Set<string>();
    w.verifying = undefined;
    this.adopt(folder, src, policyKey, startedAt, storeId);
    for (const p of consumed) {
      w.dirty.add(p);
    }
  }

  /** Compares a verification's tree with the model before adopting it (no events meanwhile). */
  noteVerified(modelTreeBefore: string | undefined, verifiedTree: string, quiet: boolean): void {
    if (quiet && modelTreeBefore !== undefined && modelTreeBefore !== verifiedTree) {
      this.missedChanges++;
    }
  }

  /** The model's tree now (to tell a verification whether anything was missed). */
  modelTree(folder: string): string | undefined {
    return this.folders.get(path.resolve(folder))?.model?.tree;
  }

  /** Whether any event (or one for `rel`, folder-relative) arrived for the folder that no snapshot has looked at yet. */
  hasPending(folder: string, rel?: string): boolean {
    const dirty = this.folders.get(path.resolve(folder))?.dirty;
    return rel === undefined ? (dirty?.size ?? 0) > 0 : (dirty?.has(rel) ?? false);
  }

  /**
   * The folder's state now from the model and the changed paths, or undefined when a full pass is
   * needed (see the module comment).
   */
  async capture(t: Target, policy: SnapshotPolicy, policyKey: string, forceInclude?: readonly string[]): Promise<Captured | undefined> {
    const w = this.watched(t.ws.folder);
    const m = w.model;
    const limit = this.opts.maxChanges ?? 2000;
    if (!m || w.lost || m.policyKey !== policyKey || m.storeId !== t.store.id || (forceInclude && forceInclude.length > 0) || w.dirty.size > limit || m.journalSnapshots >= 500) {
      return undefined;
    }
    const dirty = w.dirty;
    w.dirty = new Set();
    for (const p of dirty) {
      w.verifying?.add(p);
    }
    try {
      const c = await this.fromJournal(w, m, t, policy, dirty);
      if (!c) {
        for (const p of dirty) {
          w.dirty.add(p);
        }
      }
      return c;
    } catch (e) {
      for (const p of dirty) {
        w.dirty.add(p);
      }
      this.stopProcesses(w);
      throw e;
    }
  }

  private async fromJournal(w: Watched, m: FolderModel, t: Target, policy: SnapshotPolicy, dirty: ReadonlySet<string>): Promise<Captured | undefined> {
    const root = t.ws.folder;
    const scope = t.ws.repo?.scope ?? '';
    const changes = new Map<string, ModelEntry | undefined>();
    const objects: NewObject[] = [];
    /** A symbolic link's blob is its target. */
    const linkBlob = (abs: string): string => {
      const content = Buffer.from(fs.readlinkSync(abs));
      const oid = hashObject(t.store.format, 'blob', content);
      objects.push({ type: 'blob', content, oid });
      return oid;
    };
    const toHash: string[] = [];
    const newFiles: { rel: string; size: number; link: boolean }[] = [];
    // Folders whose time moved: a file made, removed or renamed there, reported yet or not.
    const moved = m.movedDirs(root);
    /** Ignore and attribute files found only through a moved folder: a full pass only if they changed. */
    const sensitive: string[] = [];
    for (const rel of new Set([...dirty, ...moved.paths])) {
      if (needsFullPass(rel)) {
        if (dirty.has(rel)) {
          return undefined;
        }
        sensitive.push(rel);
      }
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(path.join(root, rel));
      } catch {
        st = undefined;
      }
      if (!st) {
        if (m.files.has(rel)) {
          changes.set(rel, undefined);
        } else if (m.hasDir(rel)) {
          m.filesUnder(rel).forEach((f) => changes.set(f, undefined));
        }
        continue;
      }
      if (st.isDirectory()) {
        if (!m.hasDir(rel) && !m.isExcluded(`${rel}/`)) {
          return undefined; // a new folder: its contents need the ignore and size rules of a full pass
        }
        continue;
      }
      const known = m.files.has(rel) || m.tracked.has(rel);
      if (!known && !st.isFile() && !st.isSymbolicLink()) {
        continue; // a new FIFO, socket or device: git leaves it out, and reading a FIFO would wait for a writer
      }
      if (!known) {
        if (m.isExcluded(rel)) {
          continue; // inside something left out (an ignored folder, a huge one): stays out
        }
        const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        if (!m.hasDir(parent)) {
          return undefined;
        }
        newFiles.push({ rel, size: st.size, link: st.isSymbolicLink() });
        continue;
      }
      if (st.isSymbolicLink()) {
        changes.set(rel, { mode: '120000', oid: linkBlob(path.join(root, rel)) });
      } else if (st.isFile()) {
        toHash.push(rel);
        changes.set(rel, { mode: st.mode & 0o100 ? '100755' : '100644', oid: '' });
      } else {
        return undefined; // a socket, a fifo: let the full pass decide
      }
    }
    if (newFiles.length > 0) {
      const decided = await this.judgeNew(w, t, m, policy, newFiles);
      if (!decided) {
        return undefined;
      }
      for (const f of decided) {
        if (f.link) {
          changes.set(f.rel, { mode: '120000', oid: linkBlob(path.join(root, f.rel)) });
        } else {
          toHash.push(f.rel);
          const st = fs.lstatSync(path.join(root, f.rel));
          changes.set(f.rel, { mode: st.mode & 0o100 ? '100755' : '100644', oid: '' });
        }
        m.include(f.rel);
      }
    }
    if (toHash.length > 0) {
      // git says what each blob is (filters, line endings); a file whose bytes are its blob goes into
      // the snapshot's pack from here, any other git writes itself.
      w.hasher ??= new LongGit(['hash-object', '--stdin-paths'], captureCalls(t.ws, t.store, '').read, '\n');
      const oids = await w.hasher.request(toHash.map((p) => `${quotePath(scope + p)}\n`).join(''), toHash.length);
      const byGit: string[] = [];
      toHash.forEach((p, i) => {
        const content = readPackable(path.join(root, p));
        if (content && hashObject(t.store.format, 'blob', content) === oids[i]) {
          objects.push({ type: 'blob', content, oid: oids[i] });
          changes.set(p, { mode: (changes.get(p) as ModelEntry).mode, oid: oids[i] });
        } else {
          byGit.push(p);
        }
      });
      if (byGit.length > 0) {
        const written = (await git(['hash-object', '-w', '--stdin-paths'], { ...captureCalls(t.ws, t.store, '').write, input: byGit.map((p) => `${quotePath(scope + p)}\n`).join('') })).stdout.toString('latin1').split('\n');
        byGit.forEach((p, i) => changes.set(p, { mode: (changes.get(p) as ModelEntry).mode, oid: written[i] }));
      }
    }
    for (const rel of sensitive) {
      const before = m.files.get(rel);
      const now = changes.has(rel) ? changes.get(rel) : before;
      if (before?.oid !== now?.oid || (before === undefined) !== (now === undefined)) {
        return undefined; // a .gitignore (or the like) changed: only a full pass can judge its effect
      }
    }
    const { changed: filesChanged, objects: trees } = m.apply(changes, t.store.format);
    objects.push(...trees);
    m.recordDirTimes(root, moved.dirs);
    m.journalSnapshots++;
    this.stats.journal++;
    return { tree: m.tree, trees: m.trees, ignored: [...m.ignored].sort(), skipped: [...m.skipped].sort((a, b) => (a.path < b.path ? -1 : 1)), filesChanged, sealed: true, fromJournal: true, objects };
  }

  /** Decides new files by the ignore rules, the protected patterns and the size caps; undefined to fall back. */
  private async judgeNew(w: Watched, t: Target, m: FolderModel, policy: SnapshotPolicy, files: readonly { rel: string; size: number; link: boolean }[]): Promise<{ rel: string; link: boolean }[] | undefined> {
    const scope = t.ws.repo?.scope ?? '';
    const calls = captureCalls(t.ws, t.store, t.ws.repo ? t.ws.repo.indexFile : path.join(t.store.dir, 'index'));
    w.ignorer ??= new LongGit(['check-ignore', '--stdin', '-z', '-n', '-v'], { ...calls.read, indexFile: calls.read.indexFile as string }, '\0', 4);
    const out = await w.ignorer.request(files.map((f) => `${scope}${f.rel}\0`).join(''), files.length);
    const patterns = policy.protectedPatterns ?? DEFAULT_PROTECTED_PATTERNS;
    const maxFile = policy.maxUntrackedFileBytes ?? 10 * MiB;
    const maxProtected = policy.maxProtectedFileBytes ?? 1 * MiB;
    const take: { rel: string; link: boolean }[] = [];
    for (const [i, f] of files.entries()) {
      const pattern = out[i * 4 + 2];
      const ignored = pattern !== '' && !pattern.startsWith('!');
      if (ignored) {
        const prot = patterns.some((pat) => minimatch(f.rel, pat, { dot: true, matchBase: !pat.includes('/') }));
        if (prot && f.size > maxProtected) {
          m.exclude(f.rel, { reason: 'protected-too-large', detail: `${f.rel} is protected but ${(f.size / MiB).toFixed(1)} MiB (over the ${(maxProtected / MiB).toFixed(0)} MiB cap): left out` });
        } else if (prot) {
          take.push(f);
        } else {
          m.exclude(f.rel);
        }
      } else if (!f.link && f.size > maxFile) {
        m.exclude(f.rel, { reason: 'large-file', detail: `${f.rel} is ${(f.size / MiB).toFixed(1)} MiB (over ${(maxFile / MiB).toFixed(0)} MiB): left out` });
      } else {
        take.push(f);
      }
    }
    return take;
  }
}

/** A key for the snapshot settings a model was made under. */
export function policyKeyOf(policy: SnapshotPolicy): string {
  return JSON.stringify([policy.protectedPatterns ?? null, policy.maxProtectedFileBytes ?? null, policy.maxUntrackedFileBytes ?? null, policy.maxUntrackedDirFiles ?? null, policy.maxShadowDirFiles ?? null]);
}

