/**
 * Decides, from one `git status --porcelain=v2 -z --ignored=matching` of the folder, what a snapshot
 * takes: changed tracked files, untracked files (leaving out big files, huge never-tracked folders
 * and nested repositories, with a note each), and git-ignored files the policy protects (`.env` and
 * the like, under a size cap); and what it leaves out (the coverage record). Paths are relative to
 * the work tree root here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import type { SkipReason, SnapshotPolicy } from './types';
import { DEFAULT_PROTECTED_PATTERNS, HEAVY_DIR_NAMES } from './types';

const MiB = 1024 * 1024;

export interface StatusRecords {
  /** Tracked files changed in the work tree (or unmerged). */
  readonly tracked: string[];
  /** Tracked files deleted from the work tree. */
  readonly deleted: string[];
  /** Untracked entries; never-tracked folders end with '/'. */
  readonly untracked: string[];
  /** Ignored entries; ignored folders end with '/'. */
  readonly ignored: string[];
}

/** Parses `git status --porcelain=v2 -z` records (paths may hold spaces and newlines). */
export function parseStatus(records: readonly string[]): StatusRecords {
  const out: StatusRecords = { tracked: [], deleted: [], untracked: [], ignored: [] };
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const kind = r[0];
    if (kind === '?') {
      out.untracked.push(r.slice(2));
    } else if (kind === '!') {
      out.ignored.push(r.slice(2));
    } else if (kind === '1' || kind === 'u') {
      // "1 XY sub mH mI mW hH hI path" / "u XY sub m1 m2 m3 mW h1 h2 h3 path"
      const fields = kind === '1' ? 8 : 10;
      let at = 0;
      for (let f = 0; f < fields; f++) {
        at = r.indexOf(' ', at) + 1;
      }
      if (kind === '1' && r[3] === 'D') {
        out.deleted.push(r.slice(at));
      } else if (kind === 'u' || r[3] !== '.') {
        out.tracked.push(r.slice(at));
      }
    } else if (kind === '2') {
      i++; // a rename record carries the original path too (not produced with --no-renames)
    }
  }
  return out;
}

export interface ClassifyContext {
  /** The work tree root (absolute). */
  readonly root: string;
  /** The folder relative to root ('' or 'sub/'). */
  readonly scope: string;
  /** Outside git: everything starts untracked, so folder limits are higher. */
  readonly storeOnly: boolean;
  readonly policy: SnapshotPolicy;
  /** Root-relative paths to include when they exist, whatever the ignore rules and caps say. */
  readonly force: ReadonlySet<string>;
  /** Lists the untracked files and the ignored entries inside small never-tracked folders (git ls-files). */
  readonly listUntracked: (dirs: readonly string[]) => Promise<{ files: string[]; ignored: string[] }>;
  /** Root-relative submodule paths in the folder (without the trailing '/'). */
  readonly submodules: readonly string[];
}

export interface Classified {
  /** Root-relative paths to hash into the snapshot (tracked changes, untracked and protected files). */
  readonly add: string[];
  /** Root-relative paths of the coverage record. */
  readonly ignored: string[];
  readonly skipped: { path: string; reason: SkipReason; detail: string }[];
}

async function lstatOrUndefined(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch {
    return undefined;
  }
}

/** Counts files under dir, stopping at limit; skips .git and (when asked) dependency folders such as node_modules. */
async function countFiles(dir: string, limit: number, skipHeavy: boolean): Promise<number> {
  let n = 0;
  const stack = [dir];
  while (stack.length > 0 && n < limit) {
    const d = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) {
        if (++n >= limit) {
          break;
        }
      } else if (e.name !== '.git' && !(skipHeavy && HEAVY_DIR_NAMES.has(e.name))) {
        stack.push(path.join(d, e.name));
      }
    }
  }
  return n;
}

function isProtected(p: string, patterns: readonly string[]): boolean {
  return patterns.some((pat) => minimatch(p, pat, { dot: true, matchBase: !pat.includes('/') }));
}

/** Splits a huge never-tracked folder's files: dependency folders inside it go first, then the rest if still too many. */
function splitHuge(dir: string, list: readonly string[], limit: number, maxDir: number, huge: (entry: string, n: string) => void): string[] {
  const heavyGroups = new Map<string, string[]>();
  const rest: string[] = [];
  for (const f of list) {
    const parts = f.slice(dir.length).split('/');
    const k = parts.slice(0, -1).findIndex((c) => HEAVY_DIR_NAMES.has(c));
    if (k < 0) {
      rest.push(f);
    } else {
      const key = dir + parts.slice(0, k + 1).join('/') + '/';
      heavyGroups.set(key, [...(heavyGroups.get(key) ?? []), f]);
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
    return [];
  }
  return rest;
}

/** See the module comment. */
export async function classify(status: StatusRecords, ctx: ClassifyContext): Promise<Classified> {
  const { policy, force } = ctx;
  const maxFile = policy.maxUntrackedFileBytes ?? 10 * MiB;
  const maxDir = policy.maxUntrackedDirFiles ?? 200;
  const maxShadowDir = policy.maxShadowDirFiles ?? 5000;
  const maxProtected = policy.maxProtectedFileBytes ?? 1 * MiB;
  const patterns = policy.protectedPatterns ?? DEFAULT_PROTECTED_PATTERNS;
  const skipped: Classified['skipped'] = [];
  const files: string[] = [];
  const smallDirs: string[] = [];
  const ignoredEntries = [...status.ignored];
  const limitFor = (dir: string) => (ctx.storeOnly && !HEAVY_DIR_NAMES.has(path.basename(dir)) ? maxShadowDir : maxDir);
  const huge = (entry: string, n: string) => skipped.push({ path: entry, reason: 'huge-folder', detail: `${entry} has ${n} untracked files: left out` });
  const nested = (entry: string) => skipped.push({ path: entry, reason: 'nested-repo', detail: `${entry} is a separate git repository: not included (snapshot it on its own)` });
  await Promise.all(
    status.untracked.map(async (entry) => {
      if (!entry.endsWith('/')) {
        files.push(entry);
        return;
      }
      const abs = path.join(ctx.root, entry);
      if (await lstatOrUndefined(path.join(abs, '.git'))) {
        nested(entry);
        return;
      }
      const limit = limitFor(entry);
      const heavy = HEAVY_DIR_NAMES.has(path.basename(entry));
      const cap = heavy ? limit : limit * 10;
      if ((await countFiles(abs, cap, !heavy)) >= cap) {
        huge(entry, `${cap} or more`); // far too many to be worth listing
        return;
      }
      smallDirs.push(entry); // git lists its untracked files below (ignored subfolders are not walked)
    }),
  );
  for (let i = 0; i < smallDirs.length; i += 200) {
    const dirs = smallDirs.slice(i, i + 200);
    const listed = await ctx.listUntracked(dirs);
    const byDir = new Map<string, string[]>(dirs.map((d) => [d, []]));
    for (const entry of listed.files) {
      if (entry.endsWith('/')) {
        nested(entry);
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
      files.push(...(list.length < limit ? list : splitHuge(dir, list, limit, maxDir, huge)));
    }
    ignoredEntries.push(...listed.ignored);
  }

  // Submodules are recorded as their commit (a gitlink); their own files are theirs to snapshot.
  for (const sub of ctx.submodules) {
    skipped.push({ path: `${sub}/`, reason: 'submodule', detail: `${sub}/ is a submodule: only its commit is recorded (snapshot it on its own)` });
  }

  const add: string[] = [...status.tracked];
  await Promise.all(
    files.map(async (f) => {
      const st = await lstatOrUndefined(path.join(ctx.root, f));
      if (st && st.isFile() && st.size > maxFile && !force.has(f)) {
        skipped.push({ path: f, reason: 'large-file', detail: `${f} is ${(st.size / MiB).toFixed(1)} MiB (over ${(maxFile / MiB).toFixed(0)} MiB): left out` });
      } else {
        add.push(f);
      }
    }),
  );
  const ignored: string[] = [];
  await Promise.all(
    ignoredEntries.map(async (entry) => {
      const rel = ctx.scope !== '' && entry.startsWith(ctx.scope) ? entry.slice(ctx.scope.length) : entry;
      if (entry.endsWith('/') || !isProtected(rel, patterns)) {
        if (!force.has(entry)) {
          ignored.push(entry);
        }
        return;
      }
      const st = await lstatOrUndefined(path.join(ctx.root, entry));
      if (st && st.isFile() && st.size > maxProtected && !force.has(entry)) {
        ignored.push(entry);
        skipped.push({ path: entry, reason: 'protected-too-large', detail: `${entry} is protected but ${(st.size / MiB).toFixed(1)} MiB (over the ${(maxProtected / MiB).toFixed(0)} MiB cap): left out` });
      } else if (st && (st.isFile() || st.isSymbolicLink())) {
        add.push(entry);
      }
    }),
  );
  const forcedIn = new Set(add);
  return { add, ignored, skipped: skipped.filter((s) => !forcedIn.has(s.path)) };
}
