/**
 * Git snapshots of a workspace folder that never touch the user's HEAD, index, branches, stash or
 * working tree: a temporary index seeded from a copy of the real one (stat data kept, so only
 * changed files are hashed), `add -u` plus the untracked files (`update-index --add`), the
 * git-ignored files the policy protects (`.env` and the like, under a size cap), `write-tree`,
 * `commit-tree`, and one atomic `update-ref` transaction under `refs/airlock/`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import type { GitCall } from './git';
import { git, gitText, splitZ } from './git';
import { readIndexFlags } from './indexFile';
import type { RepoTarget } from './repo';
import { resolveTarget } from './repo';

/** Git-ignored files a snapshot still includes (globs relative to the folder; a pattern without '/' matches the base name anywhere). */
export const DEFAULT_PROTECTED_PATTERNS: readonly string[] = [
  '.env',
  '.env.*',
  '*.env',
  '.envrc',
  '.dev.vars',
  '.secrets',
  '.airlock/policy.local.json',
];

/** Names of regenerable dependency/build folders (used for shadow repositories, where everything starts untracked). */
const HEAVY_DIR_NAMES = new Set(['node_modules', 'bower_components', '.venv', 'venv', '__pycache__', '.tox', '.gradle', '.next', '.nuxt', '.cache', 'target', '.terraform', 'Pods']);

export interface SnapshotPolicy {
  /** Git-ignored files to include anyway (default DEFAULT_PROTECTED_PATTERNS). */
  readonly protectedPatterns?: readonly string[];
  /** Size cap for those protected ignored files (default 1 MiB). */
  readonly maxProtectedFileBytes?: number;
  /** Untracked files larger than this are left out, with a note (default 10 MiB). */
  readonly maxUntrackedFileBytes?: number;
  /** A never-tracked folder with at least this many files is left out, with a note (default 200). */
  readonly maxUntrackedDirFiles?: number;
  /** In a shadow repository (everything starts untracked) the folder limit for names other than node_modules & co. (default 5000). */
  readonly maxShadowDirFiles?: number;
}

export interface RetentionPolicy {
  /** Snapshots kept per folder (default 200). */
  readonly maxCount?: number;
  /** Snapshots older than this are pruned (default 14 days). */
  readonly maxAgeDays?: number;
  /** Shadow repositories only: when the private git dir grows past this, the oldest snapshots go and it is repacked (default 1 GiB). */
  readonly maxShadowBytes?: number;
}

export interface SnapshotStoreOptions extends SnapshotPolicy {
  /** Where shadow repositories of non-git folders live (extension globalStorage; CLI: $AIRLOCK_HOME or ~/.local/state/agent-airlock). */
  readonly storageDir?: string;
  /** Pruning after each new snapshot; false turns it off (default: the RetentionPolicy defaults). */
  readonly retention?: RetentionPolicy | false;
}

export interface TakeSnapshotInput {
  /** What is about to happen, e.g. "Edit src/app.ts" or "Bash: rm -rf build". */
  readonly label: string;
  readonly agent?: string;
  readonly tool?: string;
  /** 'safety' for the snapshot a rollback takes first. */
  readonly kind?: SnapshotKind;
  /** Work-tree-relative paths (to the folder) to include whatever the size caps and ignore rules say. */
  readonly forceInclude?: readonly string[];
}

export type SnapshotKind = 'snapshot' | 'safety';

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
  /** True when nothing changed since the previous snapshot of this folder: no new commit was made. */
  readonly unchanged: boolean;
  readonly folder: string;
  /** True when the folder is not in a git repository and a private shadow repository was used. */
  readonly shadow: boolean;
  /** ISO time of the snapshot. */
  readonly time: string;
  /** Files that differ from the previous snapshot of the folder (or from HEAD for the first one). */
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
  /** The folder the snapshot covers, relative to the repository root ('' for all of it). */
  readonly scope: string;
  /** @internal object id of the coverage record. */
  readonly meta?: string;
}

/** What a snapshot did not cover (kept as a blob under refs/airlock/meta/<id>). */
export interface CoverageRecord {
  readonly version: 1;
  /** Root-relative paths (folders end with '/') that existed but were git-ignored and not included. */
  readonly ignored: string[];
  /** Root-relative paths left out by the size and nesting rules. */
  readonly skipped: { path: string; reason: SkipReason }[];
}

export class UnknownSnapshotError extends Error {
  constructor(readonly id: string) {
    super(`unknown snapshot '${id}' (run 'airlock snapshots' to list them)`);
    this.name = 'UnknownSnapshotError';
  }
}

export const SNAPSHOT_REF_PREFIX = 'refs/airlock/snapshots/';
export const META_REF_PREFIX = 'refs/airlock/meta/';

const MiB = 1024 * 1024;

/** @internal The tree of the folder's current state, built in a temporary index. */
export interface BuiltTree {
  readonly tree: string;
  readonly skipped: { path: string; reason: SkipReason; detail: string }[];
  readonly ignored: string[];
  /** The coverage record's blob, when asked for. */
  readonly meta?: string;
  /** What `alongside` returned (run in parallel with write-tree). */
  readonly filesChanged?: number;
}

/** Root-relative pathspec for the target's folder. */
export function scopeSpec(t: RepoTarget): string {
  return t.scope === '' ? ':/' : `:(top,literal)${t.scope.replace(/\/$/, '')}`;
}

function literal(p: string): string {
  return `:(top,literal)${p.replace(/\/$/, '')}`;
}

function relToFolder(t: RepoTarget, rootRel: string): string {
  return t.scope !== '' && rootRel.startsWith(t.scope) ? rootRel.slice(t.scope.length) : rootRel;
}

/**
 * Every entry under dir that is not a folder (depth first), descending only into folders whose name
 * `descend` accepts; folders that cannot be read are passed over.
 */
async function* walkFiles(dir: string, descend: (name: string) => boolean = () => true): AsyncGenerator<string> {
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (!e.isDirectory()) {
        yield p;
      } else if (descend(e.name)) {
        stack.push(p);
      }
    }
  }
}

/** Counts files under dir, stopping at limit; skips .git and (when asked) dependency folders such as node_modules. */
async function countFiles(dir: string, limit: number, skipHeavy: boolean): Promise<number> {
  let n = 0;
  if (limit <= 0) {
    return n;
  }
  for await (const _file of walkFiles(dir, (name) => name !== '.git' && !(skipHeavy && HEAVY_DIR_NAMES.has(name)))) {
    if (++n >= limit) {
      break;
    }
  }
  return n;
}

function isProtected(p: string, patterns: readonly string[]): boolean {
  return patterns.some((pat) => minimatch(p, pat, { dot: true, matchBase: !pat.includes('/') }));
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch {
    return undefined;
  }
}

/** Copies the index with its original mtime (rounded down, so git's racy-entry check stays safe). */
async function seedIndex(t: RepoTarget, tmpIndex: string, call: GitCall): Promise<void> {
  let buf: Buffer;
  let st: fs.Stats;
  try {
    [buf, st] = await Promise.all([fs.promises.readFile(t.indexFile), fs.promises.stat(t.indexFile)]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return; // no index yet: git starts from an empty one
    }
    throw e;
  }
  await fs.promises.writeFile(tmpIndex, buf);
  const secs = Math.floor(st.mtimeMs / 1000);
  await fs.promises.utimes(tmpIndex, secs, secs);
  const flags = readIndexFlags(buf) ?? readIndexFlags(buf, 32);
  let assumeUnchanged: string[];
  if (flags && !flags.split) {
    assumeUnchanged = flags.assumeUnchanged;
  } else {
    // split index or an unexpected format: ask git (lower-case tags mark assume-unchanged entries)
    const out = splitZ((await git(['ls-files', '-z', '-v'], call)).stdout);
    assumeUnchanged = out.filter((l) => /^[a-z] /.test(l)).map((l) => l.slice(2));
  }
  if (assumeUnchanged.length > 0) {
    await git(['update-index', '--no-assume-unchanged', '-z', '--stdin'], { ...call, input: assumeUnchanged.join('\0') + '\0' });
  }
}

/** @internal Builds the tree of the folder as it is now, in the given temporary index. */
export async function buildTree(
  t: RepoTarget,
  policy: SnapshotPolicy,
  tmpIndex: string,
  forceInclude: readonly string[] = [],
  writeMeta = false,
  alongside?: (indexCall: GitCall) => Promise<number>,
): Promise<BuiltTree> {
  const call: GitCall = { ...t.call, indexFile: tmpIndex };
  const spec = scopeSpec(t);
  const maxFile = policy.maxUntrackedFileBytes ?? 10 * MiB;
  const maxDir = policy.maxUntrackedDirFiles ?? 200;
  const maxShadowDir = policy.maxShadowDirFiles ?? 5000;
  const maxProtected = policy.maxProtectedFileBytes ?? 1 * MiB;
  const patterns = policy.protectedPatterns ?? DEFAULT_PROTECTED_PATTERNS;

  await seedIndex(t, tmpIndex, call);
  // One pass over the work tree (what `git status` costs): tracked changes, untracked entries
  // (never-tracked folders collapsed) and ignored entries (ignored folders collapsed).
  const status = await git(['status', '--porcelain=v2', '-z', '--ignored=matching', '--untracked-files=normal', '--no-renames', '--ignore-submodules=all', '--', spec], {
    ...call,
    // Only the shadow keeps its index; for a user repository the refreshed copy is thrown away.
    env: t.shadow ? undefined : { GIT_OPTIONAL_LOCKS: '0' },
  });
  const tracked: string[] = [];
  const deletedTracked: string[] = [];
  const untrackedEntries: string[] = [];
  const ignoredEntries: string[] = [];
  const records = splitZ(status.stdout);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const kind = r[0];
    if (kind === '?') {
      untrackedEntries.push(r.slice(2));
    } else if (kind === '!') {
      ignoredEntries.push(r.slice(2));
    } else if (kind === '1' || kind === 'u') {
      // "1 XY sub mH mI mW hH hI path" / "u XY sub m1 m2 m3 mW h1 h2 h3 path": the path may hold spaces
      const fields = kind === '1' ? 8 : 10;
      let at = 0;
      for (let f = 0; f < fields; f++) {
        at = r.indexOf(' ', at) + 1;
      }
      if (kind === '1' && r[3] === 'D') {
        deletedTracked.push(r.slice(at));
      } else if (kind === 'u' || r[3] !== '.') {
        tracked.push(r.slice(at));
      }
    } else if (kind === '2') {
      i++; // a rename record carries the original path too (not produced with --no-renames)
    }
  }

  const skipped: BuiltTree['skipped'] = [];
  const files: string[] = [];
  const smallDirs: string[] = [];
  const limitFor = (dir: string) => (t.shadow && !HEAVY_DIR_NAMES.has(path.basename(dir)) ? maxShadowDir : maxDir);
  const huge = (entry: string, n: string) => skipped.push({ path: entry, reason: 'huge-folder', detail: `${entry} has ${n} untracked files: left out` });
  await Promise.all(
    untrackedEntries.map(async (entry) => {
      if (!entry.endsWith('/')) {
        files.push(entry);
        return;
      }
      const abs = path.join(t.root, entry);
      if (await lstatOrUndefined(path.join(abs, '.git'))) {
        skipped.push({ path: entry, reason: 'nested-repo', detail: `${entry} is a separate git repository: not included (snapshot it on its own)` });
        return;
      }
      const limit = limitFor(entry);
      if (HEAVY_DIR_NAMES.has(path.basename(entry))) {
        if ((await countFiles(abs, limit, false)) >= limit) {
          huge(entry, `${limit} or more`);
          return;
        }
      } else if ((await countFiles(abs, limit * 10, true)) >= limit * 10) {
        huge(entry, `${limit * 10} or more`); // far too many to be worth listing
        return;
      }
      smallDirs.push(entry); // git lists its untracked files below (ignored subfolders are not walked)
    }),
  );
  for (let i = 0; i < smallDirs.length; i += 200) {
    const dirs = smallDirs.slice(i, i + 200);
    const chunk = dirs.map(literal);
    const [out, ign] = await Promise.all([
      git(['ls-files', '-z', '-o', '--exclude-standard', '--', ...chunk], call),
      git(['ls-files', '-z', '-o', '-i', '--exclude-standard', '--directory', '--', ...chunk], call),
    ]);
    const byDir = new Map<string, string[]>(dirs.map((d) => [d, []]));
    for (const entry of splitZ(out.stdout)) {
      if (entry.endsWith('/')) {
        skipped.push({ path: entry, reason: 'nested-repo', detail: `${entry} is a separate git repository: not included (snapshot it on its own)` });
        continue;
      }
      for (let at = entry.indexOf('/'); at >= 0; at = entry.indexOf('/', at + 1)) {
        const list = byDir.get(entry.slice(0, at + 1));
        if (list) {
          list.push(entry);
          break;
        }
      }
    }
    for (const [dir, list] of byDir) {
      const limit = limitFor(dir);
      if (list.length < limit) {
        files.push(...list);
        continue;
      }
      // Too many: leave out dependency folders inside it first (a new project's node_modules), then the rest if still too many.
      const heavyGroups = new Map<string, string[]>();
      const rest: string[] = [];
      for (const f of list) {
        const parts = f.slice(dir.length).split('/');
        const k = parts.slice(0, -1).findIndex((c) => HEAVY_DIR_NAMES.has(c));
        if (k < 0) {
          rest.push(f);
        } else {
          const key = dir + parts.slice(0, k + 1).join('/') + '/';
          const g = heavyGroups.get(key);
          if (g) {
            g.push(f);
          } else {
            heavyGroups.set(key, [f]);
          }
        }
      }
      for (const [key, group] of heavyGroups) {
        if (group.length >= maxDir) {
          huge(key, String(group.length));
        } else {
          rest.push(...group);
        }
      }
      if (rest.length >= limit) {
        huge(dir, String(rest.length));
      } else {
        files.push(...rest);
      }
    }
    ignoredEntries.push(...splitZ(ign.stdout));
  }

  // Submodules are recorded as their commit (a gitlink); their own files are theirs to snapshot.
  for (const sub of await submodulePaths(t)) {
    skipped.push({ path: `${sub}/`, reason: 'submodule', detail: `${sub}/ is a submodule: only its commit is recorded (snapshot it on its own)` });
  }

  const force = new Set(forceInclude.map((p) => t.scope + p));
  const toAdd: string[] = [];
  await Promise.all(
    files.map(async (f) => {
      const st = await lstatOrUndefined(path.join(t.root, f));
      if (st && st.isFile() && st.size > maxFile && !force.has(f)) {
        skipped.push({ path: f, reason: 'large-file', detail: `${f} is ${(st.size / MiB).toFixed(1)} MiB (over ${(maxFile / MiB).toFixed(0)} MiB): left out` });
      } else {
        toAdd.push(f);
      }
    }),
  );
  const ignored: string[] = [];
  await Promise.all(
    ignoredEntries.map(async (entry) => {
      if (entry.endsWith('/') || !isProtected(relToFolder(t, entry), patterns)) {
        if (!force.has(entry)) {
          ignored.push(entry);
        }
        return;
      }
      const st = await lstatOrUndefined(path.join(t.root, entry));
      if (st && st.isFile() && st.size > maxProtected && !force.has(entry)) {
        ignored.push(entry);
        skipped.push({ path: entry, reason: 'protected-too-large', detail: `${entry} is protected but ${(st.size / MiB).toFixed(1)} MiB (over the ${(maxProtected / MiB).toFixed(0)} MiB cap): left out` });
      } else if (st && (st.isFile() || st.isSymbolicLink())) {
        toAdd.push(entry);
      }
    }),
  );
  for (const f of force) {
    if (!toAdd.includes(f)) {
      const st = await lstatOrUndefined(path.join(t.root, f));
      if (st && (st.isFile() || st.isSymbolicLink())) {
        toAdd.push(f);
      }
    }
  }
  if (deletedTracked.length > 0) {
    // (--force-remove: a deleted path may now lie beyond a symbolic link, which --remove refuses)
    await git(['update-index', '--force-remove', '-z', '--stdin'], { ...call, input: deletedTracked.join('\0') + '\0' });
  }
  const changed = [...tracked, ...toAdd];
  if (changed.length > 0) {
    // update-index hashes exactly these paths (clean filters and eol conversion apply); --remove
    // drops deleted files (and tolerates one that vanished since the walk).
    await git(['update-index', '--add', '--remove', '-z', '--stdin'], { ...call, input: changed.join('\0') + '\0' });
  }
  const forcedOut = new Set(toAdd);
  const finalSkipped = skipped.filter((s) => !forcedOut.has(s.path));
  finalSkipped.sort((a, b) => (a.path < b.path ? -1 : 1));
  ignored.sort();
  const record: CoverageRecord = { version: 1, ignored, skipped: finalSkipped.map((s) => ({ path: s.path, reason: s.reason })) };
  const [tree, meta, filesChanged] = await Promise.all([
    gitText(['write-tree'], call),
    writeMeta ? gitText(['hash-object', '-w', '--stdin'], { ...t.call, input: JSON.stringify(record) }) : Promise.resolve(undefined),
    alongside ? alongside(call) : Promise.resolve(undefined),
  ]);
  return { tree, skipped: finalSkipped, ignored, meta, filesChanged };
}

/** Paths of the submodules declared in .gitmodules that lie in the folder. */
async function submodulePaths(t: RepoTarget): Promise<string[]> {
  if (t.shadow) {
    return [];
  }
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(t.root, '.gitmodules'), 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map((m) => m[1].replace(/^"(.*)"$/, '$1')).filter((p) => p.startsWith(t.scope));
}

/** Removes temporary index files a killed process left behind (older than an hour). */
async function cleanStaleTemp(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  const cutoff = Date.now() - 3600_000;
  await Promise.all(
    names
      .filter((n) => n.startsWith('index-'))
      .map(async (n) => {
        const p = path.join(dir, n);
        const st = await lstatOrUndefined(p);
        if (st && st.mtimeMs < cutoff) {
          await fs.promises.rm(p, { recursive: true, force: true });
        }
      }),
  );
}

/** @internal Runs fn with a unique temporary index path under the git dir, removed afterwards. */
export async function withTempIndex<T>(t: RepoTarget, fn: (tmpIndex: string) => Promise<T>): Promise<T> {
  await fs.promises.mkdir(t.tmpDir, { recursive: true });
  if (Math.random() < 0.05) {
    await cleanStaleTemp(t.tmpDir);
  }
  const tmpIndex = path.join(t.tmpDir, `index-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    return await fn(tmpIndex);
  } finally {
    await fs.promises.rm(tmpIndex, { force: true });
    await fs.promises.rm(`${tmpIndex}.lock`, { force: true });
  }
}

function oneLine(s: string, max = 300): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function parseTrailers(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of message.split('\n')) {
    const m = /^(Airlock-[A-Za-z-]+): (.*)$/.exec(line);
    if (m) {
      map.set(m[1], m[2]);
    }
  }
  return map;
}

/** @internal Every snapshot in the repository that covers the target's folder, newest first. */
export async function listFor(t: RepoTarget): Promise<SnapshotInfo[]> {
  const out = await git(['for-each-ref', `--format=%(objectname) %(tree) %(committerdate:unix) %(refname)%00%(contents)%00`, SNAPSHOT_REF_PREFIX], t.call);
  const parts = out.stdout.toString('utf8').split('\0');
  const list: SnapshotInfo[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [commit, tree, unix, ref] = parts[i].replace(/^\n/, '').split(' ');
    const message = parts[i + 1];
    const tr = parseTrailers(message);
    const scope = tr.get('Airlock-Scope') ?? '.';
    const scopePath = scope === '.' ? '' : scope;
    if ((tr.get('Airlock-Worktree') ?? 'main') !== t.worktreeId || !t.scope.startsWith(scopePath)) {
      continue;
    }
    const time = tr.get('Airlock-Time') ?? new Date(Number(unix) * 1000).toISOString();
    list.push({
      id: ref.slice(SNAPSHOT_REF_PREFIX.length),
      commit,
      tree,
      time,
      label: message.split('\n')[0],
      agent: tr.get('Airlock-Agent'),
      tool: tr.get('Airlock-Tool'),
      kind: tr.get('Airlock-Kind') === 'safety' ? 'safety' : 'snapshot',
      filesChanged: Number(tr.get('Airlock-Files-Changed') ?? 0),
      skippedCount: Number(tr.get('Airlock-Skipped') ?? 0),
      scope: scopePath,
      meta: tr.get('Airlock-Meta'),
    });
  }
  list.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return list;
}

/** Files in the temporary index that differ from `from` (a tree), or all of them when there is none. */
async function countChanges(t: RepoTarget, indexCall: GitCall, from: string | undefined): Promise<number> {
  const out = from === undefined
    ? await git(['ls-files', '-z', '--', scopeSpec(t)], indexCall)
    : await git(['diff-index', '--cached', '-z', '--name-only', '--no-renames', from, '--', scopeSpec(t)], indexCall);
  return splitZ(out.stdout).length;
}

/** Takes a snapshot of the folder (see the module comment). */
export async function takeSnapshot(folder: string, input: TakeSnapshotInput, opts: SnapshotStoreOptions = {}): Promise<SnapshotResult> {
  const t = await resolveTarget(folder, opts.storageDir);
  return takeSnapshotOf(t, input, opts);
}

/** @internal takeSnapshot for a resolved target. */
export async function takeSnapshotOf(t: RepoTarget, input: TakeSnapshotInput, opts: SnapshotStoreOptions): Promise<SnapshotResult> {
  const started = Date.now();
  return withTempIndex(t, async (tmpIndex) => {
    const context = Promise.all([
      t.shadow ? Promise.resolve('') : git(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { ...t.call, okCodes: [1, 128] }).then((r) => (r.code === 0 ? r.stdout.toString('utf8').trim() : '')),
      listFor(t),
    ]);
    context.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
    const built = await buildTree(t, opts, tmpIndex, input.forceInclude, true, async (indexCall) => {
      const [h, list] = await context;
      const p = list.find((s) => s.scope === t.scope);
      return countChanges(t, indexCall, p ? p.tree : h ? `${h}^{tree}` : undefined);
    });
    const [head, previous] = await context;
    const prev = previous.find((s) => s.scope === t.scope);
    const skippedRel: SkippedPath[] = built.skipped.map((s) => ({ path: relToFolder(t, s.path), reason: s.reason, detail: s.detail }));
    const notes = skippedRel.map((s) => s.detail);
    if (prev && prev.tree === built.tree && (input.kind ?? 'snapshot') === 'snapshot') {
      if (t.shadow) {
        await fs.promises.rename(tmpIndex, t.indexFile).catch(() => undefined);
      }
      return { id: prev.id, commit: prev.commit, tree: prev.tree, unchanged: true, folder: t.folder, shadow: t.shadow, time: prev.time, filesChanged: 0, skipped: skippedRel, notes, durationMs: Date.now() - started };
    }
    const meta = built.meta as string;
    const filesChanged = built.filesChanged ?? 0;
    const time = new Date().toISOString();
    const kind = input.kind ?? 'snapshot';
    const message = [
      oneLine(input.label || '(no label)'),
      '',
      `Airlock-Kind: ${kind}`,
      ...(input.agent ? [`Airlock-Agent: ${oneLine(input.agent, 100)}`] : []),
      ...(input.tool ? [`Airlock-Tool: ${oneLine(input.tool, 100)}`] : []),
      `Airlock-Time: ${time}`,
      `Airlock-Worktree: ${t.worktreeId}`,
      `Airlock-Scope: ${t.scope === '' ? '.' : t.scope}`,
      `Airlock-Files-Changed: ${filesChanged}`,
      `Airlock-Skipped: ${built.skipped.length}`,
      `Airlock-Meta: ${meta}`,
      '',
    ].join('\n');
    const commit = await gitText(['commit-tree', '--no-gpg-sign', built.tree, ...(head ? ['-p', head] : []), '-F', '-'], { ...t.call, input: message });
    const id = commit.slice(0, 12);
    // One transaction: both refs or neither.
    await git(['update-ref', '--stdin'], { ...t.call, input: `update ${SNAPSHOT_REF_PREFIX}${id} ${commit}\nupdate ${META_REF_PREFIX}${id} ${meta}\n` });
    if (t.shadow) {
      // The shadow's own index keeps the fresh stat data for next time (atomic rename).
      await fs.promises.rename(tmpIndex, t.indexFile).catch(() => undefined);
    }
    if (opts.retention !== false) {
      const all = [{ id, commit, tree: built.tree, time, label: '', kind, filesChanged, skippedCount: 0, scope: t.scope } as SnapshotInfo, ...previous];
      await pruneList(t, all, opts.retention ?? {}).catch(() => undefined);
    }
    return { id, commit, tree: built.tree, unchanged: false, folder: t.folder, shadow: t.shadow, time, filesChanged, skipped: skippedRel, notes, durationMs: Date.now() - started };
  });
}

/** Snapshots that cover the folder, newest first. */
export async function listSnapshots(folder: string, opts: Pick<SnapshotStoreOptions, 'storageDir'> = {}): Promise<SnapshotInfo[]> {
  const t = await resolveTarget(folder, opts.storageDir);
  return (await listFor(t)).map(({ meta: _meta, ...rest }) => rest);
}

/** @internal Finds a snapshot by id (or a unique prefix of at least 7 hex digits). */
export async function findSnapshot(t: RepoTarget, id: string): Promise<SnapshotInfo> {
  const want = id.trim().toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(want)) {
    throw new UnknownSnapshotError(id);
  }
  const list = await listFor(t);
  const hits = list.filter((s) => s.id.startsWith(want) || (want.length > 12 && s.commit.startsWith(want)));
  if (hits.length !== 1) {
    throw new UnknownSnapshotError(id);
  }
  return hits[0];
}

/** @internal Reads a snapshot's coverage record; undefined when it cannot be read. */
export async function readCoverage(t: RepoTarget, s: SnapshotInfo): Promise<CoverageRecord | undefined> {
  if (!s.meta) {
    return undefined;
  }
  try {
    const r = await git(['cat-file', 'blob', s.meta], t.call);
    const rec = JSON.parse(r.stdout.toString('utf8')) as CoverageRecord;
    return rec.version === 1 && Array.isArray(rec.ignored) && Array.isArray(rec.skipped) ? rec : undefined;
  } catch {
    return undefined;
  }
}

export interface PruneResult {
  readonly deleted: string[];
  readonly kept: number;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for await (const p of walkFiles(dir)) {
    total += (await lstatOrUndefined(p))?.size ?? 0;
  }
  return total;
}

async function pruneList(t: RepoTarget, listAll: readonly SnapshotInfo[], policy: RetentionPolicy): Promise<PruneResult> {
  const maxCount = policy.maxCount ?? 200;
  const maxAgeMs = (policy.maxAgeDays ?? 14) * 86400_000;
  const list = listAll.filter((s) => s.scope === t.scope); // newest first
  if (list.length === 0) {
    return { deleted: [], kept: 0 };
  }
  const protectedIds = new Set<string>([list[0].id]);
  const newestSafety = list.find((s) => s.kind === 'safety');
  if (newestSafety) {
    protectedIds.add(newestSafety.id); // what "undo rollback" needs
  }
  const now = Date.now();
  const doomed = new Set<string>();
  list.forEach((s, i) => {
    if (!protectedIds.has(s.id) && (i >= maxCount || now - Date.parse(s.time) > maxAgeMs)) {
      doomed.add(s.id);
    }
  });
  const deleteRefs = async (ids: string[]) => {
    if (ids.length === 0) {
      return;
    }
    const lines = ids.map((id) => `delete ${SNAPSHOT_REF_PREFIX}${id}\ndelete ${META_REF_PREFIX}${id}\n`).join('');
    await git(['update-ref', '--stdin'], { ...t.call, input: lines });
  };
  await deleteRefs([...doomed]);
  if (t.shadow) {
    const maxBytes = policy.maxShadowBytes ?? 1024 * MiB;
    if ((await dirSize(path.join(t.gitDir, 'objects'))) > maxBytes) {
      // Drop the oldest half of what is left, then repack the private repository for real.
      const rest = list.filter((s) => !doomed.has(s.id) && !protectedIds.has(s.id));
      const drop = rest.slice(Math.floor(rest.length / 2)).map((s) => s.id);
      drop.forEach((id) => doomed.add(id));
      await deleteRefs(drop);
      await git(['-c', 'gc.auto=0', 'gc', '--prune=now', '--quiet'], t.call);
    }
  }
  return { deleted: [...doomed], kept: list.length - doomed.size };
}

/** Applies the retention policy to the folder's snapshots now. */
export async function pruneSnapshots(folder: string, opts: SnapshotStoreOptions = {}): Promise<PruneResult> {
  const t = await resolveTarget(folder, opts.storageDir);
  return pruneList(t, await listFor(t), opts.retention === false ? {} : opts.retention ?? {});
}
