/**
 * Builds the tree objects of a folder from sorted index entries, in Node (what `git write-tree`
 * does, byte for byte): a folder the cache-tree says is unchanged and whose tree the store already
 * has is reused without reading its entries; every other folder's tree is hashed, and the new ones
 * are returned for the caller to write into the store in one go.
 */
import type { CacheTreeNode } from './indexFile';
import type { NewObject, ObjectFormat } from './objects';
import { hashObject } from './objects';

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
}

export interface BuiltTrees {
  readonly tree: string;
  /** Folder -> tree id, for every folder of this snapshot (the next snapshot's `known`). */
  readonly trees: Map<string, string>;
  /** The trees the store does not have yet (the caller writes them, with writeObjects). */
  readonly objects: NewObject[];
}

export interface TreeInput {
  readonly src: EntrySource;
  /** The entries of the folder: [lo, hi), their paths starting with `prefix` (the folder, '' or 'sub/'). */
  readonly lo: number;
  readonly hi: number;
  readonly prefix: string;
  /** Entries to leave out (intent-to-add, deleted beyond a symbolic link). */
  readonly skip?: (i: number) => boolean;
  /** Folders ('a/b/', root-relative) whose cache-tree entry is not to be trusted (they hold changed entries). */
  readonly untrusted?: ReadonlySet<string>;
  /** New mode and object of entries that changed in the work tree (by entry number). */
  readonly override?: ReadonlyMap<number, { readonly mode: string; readonly oid: Buffer }>;
  /** Files not in the entries (untracked ones being added), sorted as an index is, paths like the entries'. */
  readonly extra?: readonly { readonly path: string; readonly mode: string; readonly oid: Buffer }[];
  /** The cache-tree node of the folder itself. */
  readonly cacheTree?: CacheTreeNode;
}

/** Compares paths as git sorts them: by their UTF-8 bytes. */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const ca = a.charCodeAt(k);
    const cb = b.charCodeAt(k);
    if (ca !== cb) {
      return ca < 0x80 && cb < 0x80 ? ca - cb : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    }
  }
  return a.length - b.length;
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
  const objects: NewObject[] = [];

  const extra = input.extra ?? [];
  const override = input.override;

  /** Builds the folder `dir` (entries [start, end) and extra files [xs, xe), all under `prefix`). */
  const build = (dir: string, prefix: string, start: number, end: number, xs: number, xe: number, ct: CacheTreeNode | undefined): string => {
    const parts: Buffer[] = [];
    let i = start;
    let x = xs;
    while (i < end || x < xe) {
      if (i < end && skip?.(i)) {
        i++;
        continue;
      }
      const fromExtra = i >= end || (x < xe && comparePaths(extra[x].path, src.path(i)) < 0);
      const p = fromExtra ? extra[x].path : src.path(i);
      const slash = p.indexOf('/', prefix.length);
      if (slash < 0 || slash === p.length - 1) {
        // a file (or a sparse folder entry "name/")
        const name = p.slice(prefix.length, slash < 0 ? undefined : slash);
        const e = fromExtra ? extra[x++] : override?.get(i);
        parts.push(Buffer.from(`${e ? e.mode : src.mode(i)} ${name}\0`, 'utf8'), e ? e.oid : src.oidBytes(i));
        if (!fromExtra) {
          i++;
        }
        continue;
      }
      const name = p.slice(prefix.length, slash);
      const sub = p.slice(0, slash + 1);
      const subDir = dir === '' ? name : `${dir}/${name}`;
      const node = ct?.children.get(name);
      let y = x;
      while (y < xe && extra[y].path.startsWith(sub)) {
        y++;
      }
      let j: number;
      let oid: string;
      if (y === x && node?.oid && node.entryCount > 0 && !input.untrusted?.has(sub) && i + node.entryCount <= end && store.known.get(subDir) === node.oid && src.path(i + node.entryCount - 1).startsWith(sub) && (i + node.entryCount === end || !src.path(i + node.entryCount).startsWith(sub))) {
        // Unchanged since the previous snapshot: reuse it and everything below, unread.
        j = i + node.entryCount;
        oid = node.oid;
        reused.add(subDir);
      } else {
        j = i;
        while (j < end && src.path(j).startsWith(sub)) {
          j++;
        }
        oid = build(subDir, sub, i, j, x, y, node);
      }
      if (oid !== '') {
        parts.push(Buffer.from(`40000 ${name}\0`, 'utf8'), Buffer.from(oid, 'hex'));
      }
      i = j;
      x = y;
    }
    if (parts.length === 0 && dir !== '') {
      return ''; // every entry left out: no folder (git has no empty trees)
    }
    const content = Buffer.concat(parts);
    const oid = hashObject(store.format, 'tree', content);
    if (store.known.get(dir) !== oid) {
      objects.push({ type: 'tree', content, oid });
    }
    trees.set(dir, oid);
    return oid;
  };

  const tree = build('', input.prefix, input.lo, input.hi, 0, extra.length, input.cacheTree);
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
  return { tree, trees, objects };
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
