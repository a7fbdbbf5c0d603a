/**
 * Reads git index files (versions 2 to 4) in Node: every entry (path, mode, object id, stage, flags)
 * and the cache-tree extension (the tree id of every folder whose entries did not change since git
 * last wrote a tree), so a snapshot can build its trees without a `git write-tree` process. Returns
 * undefined for anything unexpected (a split index, a damaged file), and the caller then asks git.
 */
import { createHash } from 'node:crypto';
import type { ObjectFormat } from './objects';
import { hashSize } from './objects';

export interface IndexEntry {
  /** Root-relative, '/'-separated; a sparse folder entry ends with '/'. */
  readonly path: string;
  /** The mode as git writes it in a tree ('100644', '100755', '120000', '160000', '40000'). */
  readonly mode: string;
  readonly oid: string;
  /** 0 normally; 1-3 for the sides of a merge conflict. */
  readonly stage: number;
  /** `git add -N`: recorded but empty, never part of a tree. */
  readonly intentToAdd: boolean;
  readonly skipWorktree: boolean;
}

/** A folder of the cache-tree extension; `oid` only when the folder is valid. */
export interface CacheTreeNode {
  readonly name: string;
  /** Index entries under the folder, -1 when invalid. */
  readonly entryCount: number;
  readonly oid?: string;
  readonly children: Map<string, CacheTreeNode>;
}

export interface ParsedIndex {
  readonly version: number;
  readonly entries: IndexEntry[];
  readonly cacheTree?: CacheTreeNode;
  /** Offsets of the flags of entries marked assume-unchanged (`update-index --assume-unchanged`). */
  readonly assumeUnchangedAt: number[];
  readonly assumeUnchanged: string[];
  /** A split index keeps entries in a shared file: callers fall back to git. */
  readonly split: boolean;
  /** The trailing checksum (hex): equal checksums, equal index. */
  readonly checksum: string;
}

function parseCacheTree(buf: Buffer, start: number, end: number, size: number): CacheTreeNode | undefined {
  let at = start;
  const node = (): CacheTreeNode | undefined => {
    const nul = buf.indexOf(0, at);
    const nl = buf.indexOf(0x0a, nul);
    if (nul < 0 || nl < 0 || nl >= end) {
      return undefined;
    }
    const name = buf.toString('utf8', at, nul);
    const [countText, subText] = buf.toString('latin1', nul + 1, nl).split(' ');
    const entryCount = Number(countText);
    const subtrees = Number(subText);
    at = nl + 1;
    let oid: string | undefined;
    if (entryCount >= 0) {
      oid = buf.toString('hex', at, at + size);
      at += size;
    }
    const children = new Map<string, CacheTreeNode>();
    for (let i = 0; i < subtrees; i++) {
      const c = node();
      if (!c) {
        return undefined;
      }
      children.set(c.name, c);
    }
    return { name, entryCount, ...(oid ? { oid } : {}), children };
  };
  return node();
}

/** Parses an index file; undefined when it is not one this reader understands. */
export function parseIndex(buf: Buffer, format: ObjectFormat = 'sha1'): ParsedIndex | undefined {
  const size = hashSize(format);
  if (buf.length < 12 + size || buf.toString('latin1', 0, 4) !== 'DIRC') {
    return undefined;
  }
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) {
    return undefined;
  }
  const count = buf.readUInt32BE(8);
  const fixed = 40 + size; // stat data and mode (40 bytes) then the object id
  const end = buf.length - size;
  const entries: IndexEntry[] = new Array(count);
  const assumeUnchangedAt: number[] = [];
  const assumeUnchanged: string[] = [];
  let off = 12;
  let prev: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    if (off + fixed + 2 > end) {
      return undefined;
    }
    const mode = buf.readUInt32BE(off + 24);
    const oid = buf.toString('hex', off + 40, off + 40 + size);
    const flags = buf.readUInt16BE(off + fixed);
    let nameStart = off + fixed + 2;
    let ext = 0;
    if (flags & 0x4000) {
      if (version < 3) {
        return undefined;
      }
      ext = buf.readUInt16BE(nameStart);
      nameStart += 2;
    }
    let name: Buffer;
    const entryAt = off;
    if (version === 4) {
      // varint: bytes to strip from the previous name, then the NUL-terminated rest
      let p = nameStart;
      let c = buf[p++];
      let strip = c & 0x7f;
      while (c & 0x80) {
        strip += 1;
        c = buf[p++];
        strip = (strip << 7) + (c & 0x7f);
      }
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul >= end || strip > prev.length) {
        return undefined;
      }
      name = strip === 0 ? Buffer.concat([prev, buf.subarray(p, nul)]) : Buffer.concat([prev.subarray(0, prev.length - strip), buf.subarray(p, nul)]);
      off = nul + 1;
    } else {
      const nul = buf.indexOf(0, nameStart);
      if (nul < 0 || nul >= end) {
        return undefined;
      }
      name = buf.subarray(nameStart, nul);
      off = off + ((nameStart - off + name.length + 8) & ~7);
    }
    const p = name.toString('utf8');
    if (flags & 0x8000) {
      assumeUnchangedAt.push(entryAt + fixed);
      assumeUnchanged.push(p);
    }
    entries[i] = { path: p, mode: mode.toString(8), oid, stage: (flags >> 12) & 3, intentToAdd: (ext & 0x2000) !== 0, skipWorktree: (ext & 0x4000) !== 0 };
    prev = name;
  }
  let split = false;
  let cacheTree: CacheTreeNode | undefined;
  while (off + 8 <= end) {
    const sig = buf.toString('latin1', off, off + 4);
    const len = buf.readUInt32BE(off + 4);
    if (sig === 'link') {
      split = true;
    } else if (sig === 'TREE') {
      cacheTree = parseCacheTree(buf, off + 8, off + 8 + len, size);
    }
    off += 8 + len;
  }
  if (off !== end) {
    return undefined;
  }
  return { version, entries, ...(cacheTree ? { cacheTree } : {}), assumeUnchangedAt, assumeUnchanged, split, checksum: buf.toString('hex', end) };
}

/**
 * A copy of the index with every assume-unchanged flag cleared (so git looks at those files again),
 * its checksum recomputed; the buffer itself when no entry has the flag.
 */
export function clearAssumeUnchanged(buf: Buffer, parsed: ParsedIndex, format: ObjectFormat = 'sha1'): Buffer {
  if (parsed.assumeUnchangedAt.length === 0) {
    return buf;
  }
  const copy = Buffer.from(buf);
  for (const at of parsed.assumeUnchangedAt) {
    copy.writeUInt16BE(copy.readUInt16BE(at) & 0x7fff, at);
  }
  const end = copy.length - hashSize(format);
  createHash(format).update(copy.subarray(0, end)).digest().copy(copy, end);
  return copy;
}

export interface IndexFlags {
  readonly entries: number;
  readonly assumeUnchanged: string[];
  readonly split: boolean;
}

/** The entry count, assume-unchanged entries and whether the index is split. */
export function readIndexFlags(buf: Buffer, hashBytes = 20): IndexFlags | undefined {
  const p = parseIndex(buf, hashBytes === 32 ? 'sha256' : 'sha1');
  return p ? { entries: p.entries.length, assumeUnchanged: p.assumeUnchanged, split: p.split } : undefined;
}
