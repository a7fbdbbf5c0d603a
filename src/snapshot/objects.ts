/**
 * Git objects written and read by Airlock itself, without a git process: loose objects (zlib of
 * "<type> <size>\0<content>", named by their hash) in a store's object directory, and the commit
 * format of a snapshot record. Writes are atomic (a temporary file renamed into place), so a kill at
 * any moment leaves either no object or a whole one.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { readRegularFileSync } from '../util/regularFile';

export type ObjectFormat = 'sha1' | 'sha256';
export type ObjectType = 'blob' | 'tree' | 'commit';

/** Bytes in a raw object id of the format. */
export function hashSize(format: ObjectFormat): number {
  return format === 'sha256' ? 32 : 20;
}

/** The object id (hex) of content of the given type: what `git hash-object -t <type>` prints. */
export function hashObject(format: ObjectFormat, type: ObjectType, content: Buffer): string {
  return createHash(format).update(`${type} ${content.length}\0`).update(content).digest('hex');
}

function loosePath(objectsDir: string, oid: string): string {
  return path.join(objectsDir, oid.slice(0, 2), oid.slice(2));
}

/** Whether the object exists as a loose object in this directory (packed objects are not seen). */
export function hasLoose(objectsDir: string, oid: string): boolean {
  return fs.existsSync(loosePath(objectsDir, oid));
}

/** Writes a loose object unless it is there already; returns its id (`oid` when the caller hashed it). */
export function writeLoose(objectsDir: string, format: ObjectFormat, type: ObjectType, content: Buffer, oid: string = hashObject(format, type, content)): string {
  const file = loosePath(objectsDir, oid);
  if (fs.existsSync(file)) {
    return oid;
  }
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `tmp_obj_${process.pid}_${randomBytes(4).toString('hex')}`);
  const data = deflateSync(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]), { level: 1 });
  try {
    fs.writeFileSync(tmp, data, { mode: 0o444 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return oid;
}

/** Files up to this size are read and packed by Node; bigger ones git writes itself (streaming them). */
const PACKABLE_MAX = 4 * 1024 * 1024;

/** A file's bytes when it is small enough to pack from Node; undefined otherwise (or when it cannot be read). */
export function readPackable(abs: string): Buffer | undefined {
  // Never waits: a FIFO put where a file was (after it was looked at) is not read.
  return readRegularFileSync(abs, PACKABLE_MAX);
}

/** An object to write: its type, content and id. */
export interface NewObject {
  readonly type: ObjectType;
  readonly content: Buffer;
  readonly oid: string;
}

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

let crcTable: Uint32Array | undefined;

/** CRC-32 (what a pack index records per entry). */
function crc32(buf: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Writes objects as one pack (and its index, version 2) in the object directory: two files instead
 * of one per object. The pack is written first and the index renamed into place last, so git sees
 * the pack whole or not at all.
 */
export function writePack(objectsDir: string, format: ObjectFormat, objects: readonly NewObject[]): void {
  const unique = [...new Map(objects.map((o) => [o.oid, o])).values()];
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(unique.length, 8);
  parts.push(header);
  let offset = 12;
  const entries: { oid: Buffer; crc: number; offset: number }[] = [];
  for (const o of unique) {
    let len = o.content.length;
    const head: number[] = [(TYPE_CODES[o.type] << 4) | (len & 0x0f)];
    len >>>= 4;
    while (len > 0) {
      head[head.length - 1] |= 0x80;
      head.push(len & 0x7f);
      len >>>= 7;
    }
    const entry = Buffer.concat([Buffer.from(head), deflateSync(o.content, { level: 1 })]);
    entries.push({ oid: Buffer.from(o.oid, 'hex'), crc: crc32(entry), offset });
    parts.push(entry);
    offset += entry.length;
  }
  const body = Buffer.concat(parts);
  const packSum = createHash(format).update(body).digest();
  const pack = Buffer.concat([body, packSum]);
  entries.sort((a, b) => Buffer.compare(a.oid, b.oid));
  const fanout = Buffer.alloc(256 * 4);
  for (let b = 0, k = 0; b < 256; b++) {
    while (k < entries.length && entries[k].oid[0] <= b) {
      k++;
    }
    fanout.writeUInt32BE(k, b * 4);
  }
  const oids = Buffer.concat(entries.map((e) => e.oid));
  const crcs = Buffer.alloc(entries.length * 4);
  const offs = Buffer.alloc(entries.length * 4);
  entries.forEach((e, k) => {
    crcs.writeUInt32BE(e.crc, k * 4);
    offs.writeUInt32BE(e.offset, k * 4);
  });
  const idxBody = Buffer.concat([Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]), fanout, oids, crcs, offs, packSum]);
  const idx = Buffer.concat([idxBody, createHash(format).update(idxBody).digest()]);
  const dir = path.join(objectsDir, 'pack');
  const name = path.join(dir, `pack-${packSum.toString('hex')}`);
  if (fs.existsSync(`${name}.idx`)) {
    return; // the same pack, whole, is there already
  }
  const tmp = path.join(dir, `tmp_pack_${process.pid}_${randomBytes(4).toString('hex')}`);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  try {
    // Each file whole or not at all (renamed into place); git uses a pack only once its index is there.
    fs.writeFileSync(`${tmp}.pack`, pack, { mode: 0o444 });
    fs.renameSync(`${tmp}.pack`, `${name}.pack`);
    fs.writeFileSync(`${tmp}.idx`, idx, { mode: 0o444 });
    fs.renameSync(`${tmp}.idx`, `${name}.idx`);
  } catch (e) {
    fs.rmSync(`${tmp}.pack`, { force: true });
    fs.rmSync(`${tmp}.idx`, { force: true });
    throw e;
  }
}


/** Writes new objects: loose when they are one or two, else as one pack. */
export function writeObjects(objectsDir: string, format: ObjectFormat, objects: readonly NewObject[]): void {
  if (objects.length <= 2) {
    for (const o of objects) {
      writeLoose(objectsDir, format, o.type, o.content, o.oid);
    }
  } else {
    writePack(objectsDir, format, objects);
  }
}

/** One entry of a tree object. */
export interface TreeEntry {
  /** '100644', '100755', '120000', '160000' or '40000' (a subtree). */
  readonly mode: string;
  readonly name: string;
  /** Hex object id. */
  readonly oid: string;
}

/** Parses a tree object's content. */
export function parseTree(content: Buffer, format: ObjectFormat): TreeEntry[] {
  const size = hashSize(format);
  const out: TreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const sp = content.indexOf(0x20, at);
    const nul = content.indexOf(0, sp);
    out.push({ mode: content.toString('latin1', at, sp), name: content.toString('utf8', sp + 1, nul), oid: content.toString('hex', nul + 1, nul + 1 + size) });
    at = nul + 1 + size;
  }
  return out;
}

/** What a snapshot commit says: its tree, its time, and the message (label and trailers). */
export interface CommitRecord {
  readonly tree: string;
  /** Seconds since the epoch. */
  readonly time: number;
  readonly message: string;
}

const IDENT = 'Agent Airlock <airlock@localhost>';

/** The content of a commit object with no parent (snapshots stand alone in the store). */
export function formatCommit(rec: CommitRecord): Buffer {
  return Buffer.from(`tree ${rec.tree}\nauthor ${IDENT} ${rec.time} +0000\ncommitter ${IDENT} ${rec.time} +0000\n\n${rec.message}`, 'utf8');
}

/** Parses a commit object's content (undefined when it is not one Airlock could have written). */
export function parseCommit(content: Buffer): (CommitRecord & { parents: string[] }) | undefined {
  const text = content.toString('utf8');
  const end = text.indexOf('\n\n');
  if (end < 0) {
    return undefined;
  }
  let tree: string | undefined;
  let time = 0;
  const parents: string[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'tree') {
      tree = value;
    } else if (key === 'parent') {
      parents.push(value);
    } else if (key === 'committer') {
      time = Number(/ (\d+) [+-]\d{4}$/.exec(value)?.[1] ?? 0);
    }
  }
  return tree ? { tree, time, message: text.slice(end + 2), parents } : undefined;
}

/** Airlock's trailers ("Airlock-Kind: safety", ...) of a commit message. */
export function parseTrailers(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of message.split('\n')) {
    const m = /^(Airlock-[A-Za-z-]+): (.*)$/.exec(line);
    if (m) {
      map.set(m[1], m[2]);
    }
  }
  return map;
}
