/**
 * Builds the tree objects of a folder from sorted index entries, in Node (what `git write-tree`
 * does, byte for byte): a folder the cache-tree says is unchanged and whose tree the store already
 * has is reused without looking at its entries; every other folder's tree is hashed and written to
 * the store as a loose object. Counts the files that differ from the previous snapshot's trees.
 */
import type { CacheTreeNode } from './indexFile';
import type { ObjectFormat, TreeEntry } from './objects';
import { hashObject, parseTree, writeLoose } from './objects';

/** A file of a snapshot: its path relative to the folder, git mode and blob (or commit) id. */
export interface FileEntry {
  readonly path: string;
  readonly mode: string;
  readonly oid: string;
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

const EMPTY = Buffer.alloc(0);

/**
 * Builds the trees of `entries` (sorted as in an index, paths relative to the folder; a sparse folder
 * entry ends with '/' and has mode 40000). `cacheTree` is the cache-tree node of the folder itself.
 */
export function buildTrees(entries: readonly FileEntry[], store: TreeStore, cacheTree?: CacheTreeNode): BuiltTrees {
  const trees = new Map<string, string>();
  const reused = new Set<string>();
  const hasPrevious = store.known.size > 0;
  let changed = 0;

  /** Files under an old tree (for a folder that is gone or was a file). */
  const countOld = (oid: string): number => {
    const content = store.readTree?.(oid);
    if (!content) {
      return 1;
    }
    return parseTree(content, store.format).reduce((n, e) => n + (e.mode === '40000' ? countOld(e.oid) : 1), 0);
  };

  /** Counts the files of this folder that differ from its old tree; subfolders count for themselves. */
  const diffFiles = (dir: string, now: TreeEntry[]): void => {
    const old = store.known.get(dir);
    const content = old ? store.readTree?.(old) : undefined;
    if (!content) {
      changed += now.filter((e) => e.mode !== '40000').length;
      return;
    }
    const before = new Map(parseTree(content, store.format).map((e) => [e.name, e]));
    for (const e of now) {
      const b = before.get(e.name);
      before.delete(e.name);
      if (e.mode === '40000') {
        if (b && b.mode !== '40000') {
          changed++; // a file became a folder
        }
      } else if (!b || b.mode !== e.mode || b.oid !== e.oid) {
        changed += b?.mode === '40000' ? countOld(b.oid) + 1 : 1;
      }
    }
    for (const b of before.values()) {
      changed += b.mode === '40000' ? countOld(b.oid) : 1;
    }
  };

  const build = (dir: string, prefix: string, start: number, end: number, ct: CacheTreeNode | undefined): string => {
    const children: TreeEntry[] = [];
    let i = start;
    while (i < end) {
      const p = entries[i].path;
      const slash = p.indexOf('/', prefix.length);
      if (slash < 0 || slash === p.length - 1) {
        // a file (or a sparse folder entry "name/")
        const e = entries[i];
        children.push({ mode: e.mode, name: p.slice(prefix.length, slash < 0 ? undefined : slash), oid: e.oid });
        i++;
        continue;
      }
      const name = p.slice(prefix.length, slash);
      const sub = p.slice(0, slash + 1);
      let j = i + 1;
      while (j < end && entries[j].path.startsWith(sub)) {
        j++;
      }
      const subDir = dir === '' ? name : `${dir}/${name}`;
      const node = ct?.children.get(name);
      let oid: string;
      if (node && node.oid && node.entryCount === j - i && store.known.get(subDir) === node.oid) {
        oid = node.oid; // unchanged since the previous snapshot: reuse it and everything below
        reused.add(subDir);
      } else {
        oid = build(subDir, sub, i, j, node);
      }
      children.push({ mode: '40000', name, oid });
      i = j;
    }
    const parts: Buffer[] = [];
    for (const c of children) {
      parts.push(Buffer.from(`${c.mode} ${c.name}\0`, 'utf8'), Buffer.from(c.oid, 'hex'));
    }
    const content = parts.length ? Buffer.concat(parts) : EMPTY;
    const oid = hashObject(store.format, 'tree', content);
    if (store.known.get(dir) !== oid) {
      writeLoose(store.objectsDir, store.format, 'tree', content, oid);
      if (hasPrevious) {
        diffFiles(dir, children);
      }
    }
    trees.set(dir, oid);
    return oid;
  };

  const tree = build('', '', 0, entries.length, cacheTree);
  if (reused.size > 0) {
    // The folders below a reused tree are what the previous snapshot had there.
    for (const [dir, oid] of store.known) {
      for (let at = dir.lastIndexOf('/'); at > 0; at = dir.lastIndexOf('/', at - 1)) {
        if (reused.has(dir.slice(0, at))) {
          trees.set(dir, oid);
          break;
        }
      }
      if (reused.has(dir)) {
        trees.set(dir, oid);
      }
    }
  }
  return { tree, trees, ...(hasPrevious ? { filesChanged: changed } : {}) };
}
