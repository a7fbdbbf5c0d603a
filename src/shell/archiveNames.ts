/**
 * The names of the files in an archive (tar, tar.gz, zip), read at decision time, so extracting
 * it is judged by where its files land (an archive can carry `.airlock/policy.json` or a git hook).
 * Anything not understood, or too large, is undefined (unknown).
 */
import { zlib } from '../util/lazyBuiltin';

/** Archives larger than this (compressed) are not read. */
export const MAX_ARCHIVE_BYTES = 32 * 1024 * 1024;
/** Most names listed; an archive with more is unknown. */
const MAX_NAMES = 20000;

export function archiveNames(bytes: Buffer): string[] | undefined {
  try {
    if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
      return zipNames(bytes);
    }
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      return tarNames(zlib().gunzipSync(bytes, { maxOutputLength: 512 * 1024 * 1024 }));
    }
    if (bytes.length >= 512 && bytes.toString('latin1', 257, 262) === 'ustar') {
      return tarNames(bytes);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function cstr(b: Buffer, start: number, len: number): string {
  const end = b.indexOf(0, start);
  return b.toString('utf8', start, end >= 0 && end < start + len ? end : start + len);
}

function tarNames(b: Buffer): string[] | undefined {
  const names: string[] = [];
  let longName: string | undefined;
  for (let off = 0; off + 512 <= b.length; ) {
    if (b.subarray(off, off + 512).every((x) => x === 0)) {
      return names;
    }
    const size = parseInt(cstr(b, off + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(b[off + 156] || 48);
    const prefix = b.toString('latin1', off + 257, off + 262) === 'ustar' ? cstr(b, off + 345, 155) : '';
    const data = off + 512;
    if (!Number.isFinite(size) || size < 0) {
      return undefined;
    }
    if (type === 'L') {
      longName = cstr(b, data, size);
    } else if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(b.toString('utf8', data, data + size));
      longName = m?.[1] ?? longName;
    } else if (type !== 'g') {
      names.push(longName ?? (prefix ? `${prefix}/${cstr(b, off, 100)}` : cstr(b, off, 100)));
      longName = undefined;
      if (names.length > MAX_NAMES) {
        return undefined;
      }
    }
    off = data + Math.ceil(size / 512) * 512;
  }
  return names;
}

function zipNames(b: Buffer): string[] | undefined {
  const from = Math.max(0, b.length - 65557);
  let eocd = -1;
  for (let i = b.length - 22; i >= from; i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    return undefined;
  }
  const count = b.readUInt16LE(eocd + 10);
  let off = b.readUInt32LE(eocd + 16);
  if (count > MAX_NAMES) {
    return undefined;
  }
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (off + 46 > b.length || b.readUInt32LE(off) !== 0x02014b50) {
      return undefined;
    }
    const nameLen = b.readUInt16LE(off + 28);
    const extraLen = b.readUInt16LE(off + 30);
    const commentLen = b.readUInt16LE(off + 32);
    names.push(b.toString('utf8', off + 46, off + 46 + nameLen));
    off += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}
