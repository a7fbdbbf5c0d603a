/**
 * Reads git index files (versions 2 to 4) in Node, lazily: one pass finds where each entry starts
 * (its path, mode, object id and flags are read only when asked for), and the cache-tree extension
 * gives the tree id of every folder whose entries did not change since git last wrote a tree, so a
 * snapshot can skip those entries entirely. Returns undefined for anything unexpected (a split index,
 * a damaged file), and the caller then asks git.
 */
import { createHash } from 'node:crypto';
import type { ObjectFormat } from './objects';
import { hashSize } from './objects';

/** A folder of the cache-tree extension; `oid` only when the folder is valid. */
export interface CacheTreeNode {
  readonly name: string;
  /** Index entries under the folder, -1 when invalid. */
  readonly entryCount: number;
  readonly oid?: string;
  readonly children: Map<string, CacheTreeNode>;
}

/** The git tree mode of an index entry's mode field. */
const MODES = new Map<number, string>([
  [0o100644, '100644'],
  [0o100755, '100755'],
  [0o120000, '120000'],
  [0o160000, '160000'],
  [0o040000, '40000'],
]);

export class IndexView {
  /** Offset of each entry. */
  private readonly offsets: Uint32Array;
  /** Offset of each entry's name (v2/v3) and its length. */
  private readonly nameAt: Uint32Array;
  private readonly nameLen: Uint32Array;
  /** Decoded paths (all of them for v4, whose names depend on the previous one). */
  private readonly paths: (string | undefined)[];
  readonly cacheTree?: CacheTreeNode;
  /** A split index keeps entries in a shared file: callers fall back to git. */
  readonly split: boolean;
  /** The trailing checksum (hex): equal checksums, equal index. */
  readonly checksum: string;
  /** Offsets of the flags of entries marked assume-unchanged. */
  readonly assumeUnchangedAt: number[];
  private readonly size: number;

  private constructor(
    readonly buf: Buffer,
    readonly version: number,
    readonly count: number,
    format: ObjectFormat,
    parts: { offsets: Uint32Array; nameAt: Uint32Array; nameLen: Uint32Array; paths: (string | undefined)[]; cacheTree?: CacheTreeNode; split: boolean; assumeUnchangedAt: number[] },
  ) {
    this.size = hashSize(format);
    this.offsets = parts.offsets;
    this.nameAt = parts.nameAt;
    this.nameLen = parts.nameLen;
    this.paths = parts.paths;
    if (parts.cacheTree) {
      this.cacheTree = parts.cacheTree;
    }
    this.split = parts.split;
    this.assumeUnchangedAt = parts.assumeUnchangedAt;
    this.checksum = buf.toString('hex', buf.length - this.size);
  }

  /** Reads an index file; undefined when it is not one this reader understands. */
  static parse(buf: Buffer, format: ObjectFormat = 'sha1'): IndexView | undefined {
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
    const offsets = new Uint32Array(count);
    const nameAt = new Uint32Array(count);
    const nameLen = new Uint32Array(count);
    const paths: (string | undefined)[] = new Array(count);
    const assumeUnchangedAt: number[] = [];
    let off = 12;
    // v4: each name is the previous one cut short, plus a suffix; built up in one scratch buffer.
    let scratch = Buffer.alloc(version === 4 ? 4096 : 0);
    let prevLen = 0;
    for (let i = 0; i < count; i++) {
      if (off + fixed + 2 > end) {
        return undefined;
      }
      offsets[i] = off;
      const flags = buf.readUInt16BE(off + fixed);
      if (flags & 0x8000) {
        assumeUnchangedAt.push(off + fixed);
      }
      let nameStart = off + fixed + 2;
      if (flags & 0x4000) {
        if (version < 3) {
          return undefined;
        }
        nameStart += 2;
      }
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
        if (nul < 0 || nul >= end || strip > prevLen) {
          return undefined;
        }
        const len = prevLen - strip + (nul - p);
        if (len > scratch.length) {
          const bigger = Buffer.alloc(len * 2);
          scratch.copy(bigger, 0, 0, prevLen);
          scratch = bigger;
        }
        buf.copy(scratch, prevLen - strip, p, nul);
        prevLen = len;
        paths[i] = scratch.toString('utf8', 0, len);
        off = nul + 1;
      } else {
        let len = flags & 0xfff;
        if (len === 0xfff) {
          const nul = buf.indexOf(0, nameStart);
          if (nul < 0 || nul >= end) {
            return undefined;
          }
          len = nul - nameStart;
        }
        nameAt[i] = nameStart;
        nameLen[i] = len;
        off = off + ((nameStart - off + len + 8) & ~7);
      }
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
    return new IndexView(buf, version, count, format, { offsets, nameAt, nameLen, paths, ...(cacheTree ? { cacheTree } : {}), split, assumeUnchangedAt });
  }

  /** Root-relative, '/'-separated; a sparse folder entry ends with '/'. */
  path(i: number): string {
    let p = this.paths[i];
    if (p === undefined) {
      p = this.buf.toString('utf8', this.nameAt[i], this.nameAt[i] + this.nameLen[i]);
      this.paths[i] = p;
    }
    return p;
  }

  /** The mode as git writes it in a tree ('100644', '100755', '120000', '160000', '40000'). */
  mode(i: number): string {
    const m = this.buf.readUInt32BE(this.offsets[i] + 24);
    return MODES.get(m) ?? m.toString(8);
  }

  /** The object id (hex). */
  oid(i: number): string {
    const at = this.offsets[i] + 40;
    return this.buf.toString('hex', at, at + this.size);
  }

  /** The object id's raw bytes (a view into the file, not a copy). */
  oidBytes(i: number): Buffer {
    const at = this.offsets[i] + 40;
    return this.buf.subarray(at, at + this.size);
  }

  private flags(i: number): number {
    return this.buf.readUInt16BE(this.offsets[i] + 40 + this.size);
  }

  private ext(i: number): number {
    return this.flags(i) & 0x4000 ? this.buf.readUInt16BE(this.offsets[i] + 42 + this.size) : 0;
  }

  /** 0 normally; 1-3 for the sides of a merge conflict. */
  stage(i: number): number {
    return (this.flags(i) >> 12) & 3;
  }

  /** `git add -N`: recorded but empty, never part of a tree. */
  intentToAdd(i: number): boolean {
    return (this.ext(i) & 0x2000) !== 0;
  }

  /** The first entry whose path is not before `p` (entries are sorted by path, as bytes). */
  lowerBound(p: string): number {
    const key = Buffer.from(p, 'utf8');
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(Buffer.from(this.path(mid), 'utf8'), key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Whether an entry has exactly this path. */
  has(p: string): boolean {
    const i = this.lowerBound(p);
    return i < this.count && this.path(i) === p;
  }

  /** Entry paths marked assume-unchanged. */
  get assumeUnchanged(): string[] {
    return this.assumeUnchangedAt.map((at) => {
      const i = this.offsets.indexOf(at - 40 - this.size);
      return this.path(i);
    });
  }
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

/**
 * A copy of the index with every assume-unchanged flag cleared (so git looks at those files again),
 * its checksum recomputed; the buffer itself when no entry has the flag.
 */
export function clearAssumeUnchanged(buf: Buffer, view: IndexView, format: ObjectFormat = 'sha1'): Buffer {
  if (view.assumeUnchangedAt.length === 0) {
    return buf;
  }
  const copy = Buffer.from(buf);
  for (const at of view.assumeUnchangedAt) {
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
  const v = IndexView.parse(buf, hashBytes === 32 ? 'sha256' : 'sha1');
  return v ? { entries: v.count, assumeUnchanged: v.assumeUnchanged, split: v.split } : undefined;
}
