/**
 * Reads just enough of a git index file (versions 2 to 4) to find entries marked assume-unchanged
 * (`git update-index --assume-unchanged`), which `git add` would not look at, and whether the index
 * is split (its entries partly live in a shared index). Returns undefined for anything unexpected,
 * and the caller then asks git itself.
 */

export interface IndexFlags {
  readonly entries: number;
  readonly assumeUnchanged: string[];
  readonly split: boolean;
}

export function readIndexFlags(buf: Buffer, hashSize = 20): IndexFlags | undefined {
  if (buf.length < 12 + hashSize || buf.toString('latin1', 0, 4) !== 'DIRC') {
    return undefined;
  }
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) {
    return undefined;
  }
  const count = buf.readUInt32BE(8);
  const fixed = 40 + hashSize; // stat data and mode (40 bytes) then the object id
  const end = buf.length - hashSize;
  let off = 12;
  let prev: Buffer = Buffer.alloc(0);
  const assumeUnchanged: string[] = [];
  for (let i = 0; i < count; i++) {
    if (off + fixed + 2 > end) {
      return undefined;
    }
    const flags = buf.readUInt16BE(off + fixed);
    let nameStart = off + fixed + 2;
    if (flags & 0x4000) {
      if (version < 3) {
        return undefined;
      }
      nameStart += 2;
    }
    let name: Buffer;
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
      name = Buffer.concat([prev.subarray(0, prev.length - strip), buf.subarray(p, nul)]);
      off = nul + 1;
    } else {
      const nul = buf.indexOf(0, nameStart);
      if (nul < 0 || nul >= end) {
        return undefined;
      }
      name = buf.subarray(nameStart, nul);
      off = off + ((nameStart - off + name.length + 8) & ~7);
    }
    if (flags & 0x8000) {
      assumeUnchanged.push(name.toString('utf8'));
    }
    prev = name;
  }
  let split = false;
  while (off + 8 <= end) {
    const sig = buf.toString('latin1', off, off + 4);
    const size = buf.readUInt32BE(off + 4);
    if (sig === 'link') {
      split = true;
    }
    off += 8 + size;
  }
  if (off !== end) {
    return undefined;
  }
  return { entries: count, assumeUnchanged, split };
}
