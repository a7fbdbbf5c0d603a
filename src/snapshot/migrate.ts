/**
 * One-time migration of the snapshots earlier versions kept where an agent could reach them: refs
 * `refs/airlock/*` in the workspace's own repository, and shadow repositories of folders outside
 * git (`<state dir>/shadow/<key>`). Each snapshot becomes the same record in the store of the folder
 * it covered (its tree narrowed to that folder, its id kept as an alias, so the Timeline and the
 * audit log still find it), its objects are copied in, and then the old refs (or the shadow
 * repository) are removed. Migrated commits are deterministic, so two processes migrating at once
 * write the same objects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { folderKey, stateDir } from '../util/stateDir';
import type { GitCall } from './git';
import { git } from './git';
import type { ObjectFormat } from './objects';
import { formatCommit, parseTrailers, writeLoose } from './objects';
import type { Store } from './store';
import { openStore, SNAPSHOT_REF_PREFIX, writeRef } from './store';
import type { CoverageRecord, SkipReason } from './types';
import type { GitRepo, Workspace } from './workspace';

const MARKER = 'airlock-migrated';
const OLD_PREFIX = 'refs/airlock/';

interface OldSnapshot {
  readonly ref: string;
  readonly commit: string;
  readonly message: string;
  readonly trailers: Map<string, string>;
  /** Root-relative folder it covered ('' or 'sub/'). */
  readonly scope: string;
  readonly folder: string;
}

interface OldCoverage {
  readonly ignored?: string[];
  readonly skipped?: { path: string; reason: SkipReason }[];
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether the repository has refs under refs/airlock/ (loose or packed). */
function hasOldRefs(commonDir: string): boolean {
  return fs.existsSync(path.join(commonDir, 'refs', 'airlock')) || (readText(path.join(commonDir, 'packed-refs')) ?? '').includes(` ${OLD_PREFIX}`);
}

/** The work tree of a worktree of the repository ('main' or a linked worktree's id). */
function worktreeRoot(repo: GitRepo, id: string): string | undefined {
  if (id === 'main') {
    return path.basename(repo.commonDir) === '.git' ? path.dirname(repo.commonDir) : undefined;
  }
  const dotGit = readText(path.join(repo.commonDir, 'worktrees', id, 'gitdir'));
  return dotGit ? path.dirname(dotGit.trim()) : undefined;
}

/** Copies every snapshot listed into the store of its folder. */
async function migrateFrom(source: GitCall, snapshots: readonly OldSnapshot[], storageDir: string | undefined, format: ObjectFormat): Promise<void> {
  if (snapshots.length === 0) {
    return;
  }
  // The folder's tree of each snapshot, and its coverage record, in two git processes.
  const treeOut = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { ...source, input: snapshots.map((s) => `${s.commit}:${s.scope.replace(/\/$/, '')}\n`).join('') });
  const trees = treeOut.stdout.toString('utf8').split('\n');
  const metaIds = snapshots.map((s) => s.trailers.get('Airlock-Meta') ?? '');
  const metaOut = await git(['cat-file', '--batch'], { ...source, input: metaIds.map((m) => `${m || 'none'}\n`).join('') });
  const metas = splitBatch(metaOut.stdout, metaIds.length);
  const byStore = new Map<string, { store: Store; trees: Set<string>; commits: string[] }>();
  for (const [i, s] of snapshots.entries()) {
    const [tree, type] = (trees[i] ?? '').split(' ');
    if (type !== 'tree') {
      continue; // the folder is not in that snapshot (or its objects are gone): nothing to keep
    }
    let group = byStore.get(s.folder);
    if (!group) {
      group = { store: await openStore(storageDir, s.folder, format), trees: new Set(), commits: [] };
      byStore.set(s.folder, group);
    }
    group.trees.add(tree);
    const old = parseCoverage(metas[i]);
    const inFolder = (p: string) => p.startsWith(s.scope);
    const record: CoverageRecord = {
      version: 2,
      ignored: (old?.ignored ?? []).filter(inFolder).map((p) => p.slice(s.scope.length)),
      skipped: (old?.skipped ?? []).filter((k) => inFolder(k.path)).map((k) => ({ path: k.path.slice(s.scope.length), reason: k.reason })),
      ...(old ? {} : { unknown: true }),
    };
    const { store } = group;
    const tr = s.trailers;
    const time = tr.get('Airlock-Time') ?? new Date(0).toISOString();
    const message = [
      s.message.split('\n')[0],
      '',
      JSON.stringify(record),
      '',
      `Airlock-Kind: ${tr.get('Airlock-Kind') === 'safety' ? 'safety' : 'snapshot'}`,
      ...(tr.get('Airlock-Agent') ? [`Airlock-Agent: ${tr.get('Airlock-Agent')}`] : []),
      ...(tr.get('Airlock-Tool') ? [`Airlock-Tool: ${tr.get('Airlock-Tool')}`] : []),
      `Airlock-Time: ${time}`,
      `Airlock-Files-Changed: ${tr.get('Airlock-Files-Changed') ?? 0}`,
      `Airlock-Skipped: ${tr.get('Airlock-Skipped') ?? 0}`,
      `Airlock-Id: ${s.ref.slice(SNAPSHOT_REF_PREFIX.length).slice(0, 12)}`,
      `Airlock-Migrated-From: ${s.commit}`,
      '',
    ].join('\n');
    const commit = writeLoose(store.objectsDir, store.format, 'commit', formatCommit({ tree, time: Math.floor(Date.parse(time) / 1000) || 0, message }));
    group.commits.push(commit);
  }
  for (const { store, trees: list, commits } of byStore.values()) {
    await fs.promises.mkdir(path.join(store.objectsDir, 'pack'), { recursive: true });
    // Everything below those trees, copied out of the old repository into one pack of the store.
    await git(['pack-objects', '-q', '--revs', path.join(store.objectsDir, 'pack', 'pack')], { ...source, input: [...list].join('\n') + '\n' });
    for (const commit of commits) {
      writeRef(store, SNAPSHOT_REF_PREFIX + commit, commit); // listed only once its objects are in
    }
  }
}

function parseCoverage(raw: Buffer | undefined): OldCoverage | undefined {
  if (!raw) {
    return undefined;
  }
  try {
    const v = JSON.parse(raw.toString('utf8')) as OldCoverage & { version?: number };
    return v.version === 1 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Splits `git cat-file --batch` output into the content of each object (undefined when missing). */
function splitBatch(out: Buffer, n: number): (Buffer | undefined)[] {
  const res: (Buffer | undefined)[] = [];
  let at = 0;
  for (let i = 0; i < n && at < out.length; i++) {
    const nl = out.indexOf(0x0a, at);
    const header = out.toString('utf8', at, nl).split(' ');
    at = nl + 1;
    if (header[1] === 'missing' || header.length < 3) {
      res.push(undefined);
      continue;
    }
    const size = Number(header[2]);
    res.push(out.subarray(at, at + size));
    at += size + 1;
  }
  return res;
}

async function listOld(source: GitCall, folderOf: (worktree: string, scope: string) => string | undefined): Promise<{ snapshots: OldSnapshot[]; refs: { ref: string; oid: string }[] }> {
  const out = await git(['for-each-ref', `--format=%(objectname) %(refname)%00%(contents)%00`, OLD_PREFIX], source);
  const parts = out.stdout.toString('utf8').split('\0');
  const snapshots: OldSnapshot[] = [];
  const refs: { ref: string; oid: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [oid, ref] = parts[i].replace(/^\n/, '').split(' ');
    refs.push({ ref, oid });
    if (!ref.startsWith(SNAPSHOT_REF_PREFIX)) {
      continue;
    }
    const trailers = parseTrailers(parts[i + 1]);
    const scopeText = trailers.get('Airlock-Scope') ?? '.';
    const scope = scopeText === '.' ? '' : scopeText;
    const folder = folderOf(trailers.get('Airlock-Worktree') ?? 'main', scope);
    if (folder) {
      snapshots.push({ ref, commit: oid, message: parts[i + 1], trailers, scope, folder });
    }
  }
  return { snapshots, refs };
}

/** Migrates what earlier versions left for this folder (see the module comment), once per store. */
export async function migrateOnce(ws: Workspace, store: Store, storageDir: string | undefined): Promise<void> {
  const marker = path.join(store.dir, MARKER);
  if (fs.existsSync(marker)) {
    return;
  }
  const shadow = path.join(path.resolve(storageDir ?? stateDir()), 'shadow', folderKey(ws.folder));
  if (fs.existsSync(path.join(shadow, 'HEAD'))) {
    const source: GitCall = { cwd: store.dir, gitDir: shadow };
    const { snapshots } = await listOld(source, () => ws.folder);
    await migrateFrom(source, snapshots, storageDir, store.format);
    await fs.promises.rm(shadow, { recursive: true, force: true });
  }
  const repo = ws.repo;
  if (repo && hasOldRefs(repo.commonDir)) {
    const source: GitCall = { cwd: repo.root };
    const { snapshots, refs } = await listOld(source, (wt, scope) => {
      const root = worktreeRoot(repo, wt);
      return root ? path.join(root, scope) : undefined;
    });
    await migrateFrom(source, snapshots, storageDir, repo.format);
    // Removed from the workspace: every ref under refs/airlock/ that was listed (one transaction; a
    // second process migrating at the same moment finds them gone, which is fine).
    await git(['update-ref', '--stdin'], { ...source, input: refs.map((r) => `delete ${r.ref} ${r.oid}\n`).join('') }).catch(() => undefined);
    await fs.promises.rm(path.join(repo.gitDir, 'airlock'), { recursive: true, force: true });
  }
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
}
