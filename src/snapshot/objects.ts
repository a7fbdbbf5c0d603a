/**
 * Git objects written and read by Airlock itself, without a git process: loose objects (zlib of
 * "<type> <size>\0<content>", named by their hash) in a store's object directory, and the commit
 * format of a snapshot record. Writes are atomic (a temporary file renamed into place), so a kill at
 * any moment leaves either no object or a whole one.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

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

/** Reads a loose object (type and content), or undefined when it is not loose here or is unreadable. */
export function readLoose(objectsDir: string, oid: string): { type: string; content: Buffer } | undefined {
  let raw: Buffer;
  try {
    raw = inflateSync(fs.readFileSync(loosePath(objectsDir, oid)));
  } catch {
    return undefined;
  }
  const nul = raw.indexOf(0);
  const header = raw.toString('latin1', 0, nul);
  const sp = header.indexOf(' ');
  return { type: header.slice(0, sp), content: raw.subarray(nul + 1) };
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
