/**
 * Builds the tree objects of a folder from sorted index entries, in Node (what `git write-tree`
 * does, byte for byte): a folder the cache-tree says is unchanged and whose tree the store already
 * has is reused without reading its entries; every other folder's tree is hashed and written to
 * the store as a loose object. Counts the files that differ from the previous snapshot's trees.
 */
import type { CacheTreeNode } from './indexFile';
import type { ObjectFormat } from './objects';
import { hashObject, parseTree, writeLoose } from './objects';

/** A file of a snapshot: its path relative to the folder, git mode and blob (or commit) id. */
export interface FileEntry {
  readonly path: string;
  readonly mode: string;
  readonly oid: string;
}

/** Sorted entries (an index, or a list): paths relative to the work tree root. */
export interface EntrySource {
  path(i: number): string;
  mode(i: number): string;
  oidBytes(i: number): Buffer;
}

export interface TreeStore {
  readonly objectsDir: string;
  readonly format: ObjectFormat;
  /** Folder ('' for the root, 'a/b') -> tree id of the previous snapshot; those trees are in the store. */
  readonly known: ReadonlyMap<string, string>;
  /** The content of a tree the store has (undefined when it cannot be read cheaply). */
  readonly readTree?: (oid: string) => Buffer | undefined;
}

export interface BuiltTrees {
  readonly tree: string;
  /** Folder -> tree id, for every folder of this snapshot (the next snapshot's `known`). */
  readonly trees: Map<string, string>;
  /** Files added, changed or removed since the trees in `known` (undefined when there were none). */
  readonly filesChanged?: number;
}

export interface TreeInput {
  readonly src: EntrySource;
  /** The entries of the folder: [lo, hi), their paths starting with `prefix` (the folder, '' or 'sub/'). */
  readonly lo: number;
  readonly hi: number;
  readonly prefix: string;
  /** Entries to leave out (intent-to-add, deleted beyond a symbolic link). */
  readonly skip?: (i: number) => boolean;
  /** Folders ('a/b/', root-relative) whose cache-tree entry is not to be trusted (they hold skipped entries). */
  readonly untrusted?: ReadonlySet<string>;
  /** The cache-tree node of the folder itself. */
  readonly cacheTree?: CacheTreeNode;
}

/** A list of folder-relative entries as an EntrySource (for tests and the window's model). */
export function listSource(entries: readonly FileEntry[]): EntrySource {
  return { path: (i) => entries[i].path, mode: (i) => entries[i].mode, oidBytes: (i) => Buffer.from(entries[i].oid, 'hex') };
}

/** Builds the trees of the folder's entries (see the module comment). */
export function buildTrees(input: TreeInput, store: TreeStore): BuiltTrees {
  const { src, skip } = input;
  const trees = new Map<string, string>();
  const reused = new Set<string>();

  const build = (dir: string, prefix: string, start: number, end: number, ct: CacheTreeNode | undefined): string => {
    const parts: Buffer[] = [];
    let i = start;
    while (i < end) {
      if (skip?.(i)) {
        i++;
        continue;
      }
      const p = src.path(i);
      const slash = p.indexOf('/', prefix.length);
      if (slash < 0 || slash === p.length - 1) {
        // a file (or a sparse folder entry "name/")
        const name = p.slice(prefix.length, slash < 0 ? undefined : slash);
        const mode = src.mode(i);
        const raw = src.oidBytes(i);
        parts.push(Buffer.from(`${mode} ${name}\0`, 'utf8'), raw);
        i++;
        continue;
      }
      const name = p.slice(prefix.length, slash);
      const sub = p.slice(0, slash + 1);
      const subDir = dir === '' ? name : `${dir}/${name}`;
      const node = ct?.children.get(name);
      let j: number;
      let oid: string;
      if (node?.oid && node.entryCount > 0 && !input.untrusted?.has(sub) && i + node.entryCount <= end && store.known.get(subDir) === node.oid && src.path(i + node.entryCount - 1).startsWith(sub) && (i + node.entryCount === end || !src.path(i + node.entryCount).startsWith(sub))) {
        // Unchanged since the previous snapshot: reuse it and everything below, unread.
        j = i + node.entryCount;
        oid = node.oid;
        reused.add(subDir);
      } else {
        j = i + 1;
        while (j < end && src.path(j).startsWith(sub)) {
          j++;
        }
        oid = build(subDir, sub, i, j, node);
      }
      if (oid !== '') {
        parts.push(Buffer.from(`40000 ${name}\0`, 'utf8'), Buffer.from(oid, 'hex'));
      }
      i = j;
    }
    if (parts.length === 0 && dir !== '') {
      return ''; // every entry left out: no folder (git has no empty trees)
    }
    const content = Buffer.concat(parts);
    const oid = hashObject(store.format, 'tree', content);
    if (store.known.get(dir) !== oid) {
      writeLoose(store.objectsDir, store.format, 'tree', content, oid);
    }
    trees.set(dir, oid);
    return oid;
  };

  const tree = build('', input.prefix, input.lo, input.hi, input.cacheTree);
  if (reused.size > 0) {
    // The folders below a reused tree are what the previous snapshot had there.
    for (const [dir, oid] of store.known) {
      for (let at = dir.length; at > 0; at = dir.lastIndexOf('/', at - 1)) {
        if (reused.has(dir.slice(0, at))) {
          trees.set(dir, oid);
          break;
        }
      }
    }
  }
  return { tree, trees, ...(store.known.size > 0 ? { filesChanged: countChanges(store, trees) } : {}) };
}

/** Folder -> tree id of every valid folder below a cache-tree node (folders relative to it). */
export function treesOfCacheTree(node: CacheTreeNode): Map<string, string> {
  const trees = new Map<string, string>();
  const walk = (n: CacheTreeNode, dir: string) => {
    if (n.oid) {
      trees.set(dir, n.oid);
    }
    for (const [name, c] of n.children) {
      walk(c, dir === '' ? name : `${dir}/${name}`);
    }
  };
  walk(node, '');
  return trees;
}

/** Files added, changed or removed between the trees in `store.known` and `trees` (read from the store). */
export function countChanges(store: TreeStore, trees: ReadonlyMap<string, string>): number {
  let changed = 0;
  const read = (oid: string | undefined) => {
    const c = oid ? store.readTree?.(oid) : undefined;
    return c ? parseTree(c, store.format) : undefined;
  };
  /** Files under an old tree (for a folder that is gone or became a file). */
  const countOld = (oid: string): number => read(oid)?.reduce((n, e) => n + (e.mode === '40000' ? countOld(e.oid) : 1), 0) ?? 1;
  for (const [dir, oid] of trees) {
    const old = store.known.get(dir);
    if (old === oid) {
      continue;
    }
    const now = read(oid);
    if (!now) {
      continue; // not readable cheaply (packed): not counted
    }
    const before = new Map((read(old) ?? []).map((e) => [e.name, e]));
    for (const e of now) {
      const b = before.get(e.name);
      before.delete(e.name);
      if (e.mode === '40000') {
        changed += b && b.mode !== '40000' ? 1 : 0; // a file became a folder; the folder counts for itself
      } else if (!b || b.mode !== e.mode || b.oid !== e.oid) {
        changed += b?.mode === '40000' ? countOld(b.oid) + 1 : 1;
      }
    }
    for (const b of before.values()) {
      changed += b.mode === '40000' ? countOld(b.oid) : 1;
    }
  }
  return changed;
}
