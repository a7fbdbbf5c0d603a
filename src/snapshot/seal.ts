/**
 * Sealing: a snapshot in a git repository borrows objects from it (the blobs of tracked files that
 * did not change, found through its index), and the repository's owner, or an agent, can rewrite
 * history and `git gc --prune=now` them away. So every object the repository's index names is
 * copied into the store (one `git pack-objects` of just those) before a snapshot that uses them is
 * recorded. The store keeps a copy of the index it sealed: while the index does not change, nothing
 * new is borrowed and sealing costs one comparison of checksums; when it changes, only the entries
 * that differ are looked at.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './git';
import { IndexView } from './indexFile';
import { hasLoose } from './objects';
import type { Store } from './store';
import { writeAtomic } from './store';
import type { GitRepo } from './workspace';

const SEALED_INDEX = 'airlock-sealed-index';
const SEALED_SUM = 'airlock-sealed';

/** Above this many objects to copy, the loose-object check is skipped (pack-objects copes with duplicates). */
const CHECK_LIMIT = 5000;

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Object ids the new index names (in the folder) that the sealed one did not name at the same path. */
function newlyNamed(now: IndexView, before: IndexView | undefined, scope: string): { blobs: string[]; trees: string[] } {
  const blobs = new Set<string>();
  const trees = new Set<string>();
  let j = 0;
  const lo = scope === '' ? 0 : now.lowerBound(scope);
  const hi = scope === '' ? now.count : now.lowerBound(`${scope.slice(0, -1)}0`);
  for (let i = lo; i < hi; i++) {
    const mode = now.mode(i);
    if (mode === '160000' || now.intentToAdd(i)) {
      continue;
    }
    if (before) {
      // Both are sorted by path: walk them together. Equal object ids at equal positions skip the path compare.
      const p = now.path(i);
      while (j < before.count && before.path(j) < p) {
        j++;
      }
      if (j < before.count && before.path(j) === p && before.oidBytes(j).equals(now.oidBytes(i))) {
        continue;
      }
    }
    (mode === '40000' ? trees : blobs).add(now.oid(i));
  }
  return { blobs: [...blobs], trees: [...trees] };
}

/** Copies objects (and, for trees, everything below them) from the repository into a new pack in the store. */
async function packInto(store: Store, repo: GitRepo, blobs: readonly string[], trees: readonly string[]): Promise<void> {
  const call = { ...store.call, alternates: repo.objectsDir };
  const base = path.join(store.objectsDir, 'pack', 'pack');
  await fs.promises.mkdir(path.dirname(base), { recursive: true });
  const revs = trees.length > 0;
  const input = [...blobs, ...trees].join('\n') + '\n';
  try {
    await git(['pack-objects', '-q', ...(revs ? ['--revs'] : []), base], { ...call, input });
  } catch {
    // Some object is missing everywhere (a damaged repository): copy what exists.
    const check = await git(['cat-file', '--batch-check=%(objectname)'], { ...call, input });
    const present = check.stdout.toString('utf8').split('\n').filter((l) => /^[0-9a-f]+$/.test(l));
    if (present.length > 0) {
      await git(['pack-objects', '-q', ...(revs ? ['--revs'] : []), base], { ...call, input: present.join('\n') + '\n' });
    }
  }
}

/**
 * Makes sure every object the repository's index names (in the folder) is in the store. `index` is
 * the index as the snapshot read it; undefined when it could not be parsed (a split index): then
 * the tree itself is checked for objects the store lacks.
 */
export async function sealBorrowed(store: Store, repo: GitRepo, index: { buf: Buffer; view: IndexView } | undefined, tree: string): Promise<void> {
  if (!index) {
    if (!fs.existsSync(repo.indexFile)) {
      return; // no index: nothing is borrowed (every file was hashed into the store)
    }
    const r = await git(['rev-list', '--objects', '--missing=print', tree], store.call);
    const missing = r.stdout
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('?'))
      .map((l) => l.slice(1).trim());
    if (missing.length > 0) {
      await packInto(store, repo, missing, []);
    }
    return;
  }
  const sum = index.view.checksum;
  if (readText(path.join(store.dir, SEALED_SUM)) === sum) {
    return; // the index has not changed since it was sealed
  }
  let before: IndexView | undefined;
  try {
    before = IndexView.parse(fs.readFileSync(path.join(store.dir, SEALED_INDEX)), store.format);
  } catch {
    before = undefined;
  }
  const { blobs, trees } = newlyNamed(index.view, before, repo.scope);
  const toCopy = blobs.length > CHECK_LIMIT ? blobs : blobs.filter((oid) => !hasLoose(store.objectsDir, oid));
  if (toCopy.length > 0 || trees.length > 0) {
    await packInto(store, repo, toCopy, trees);
  }
  writeAtomic(path.join(store.dir, SEALED_INDEX), index.buf);
  writeAtomic(path.join(store.dir, SEALED_SUM), `${sum}\n`);
}
