import * as fs from 'node:fs';

/**
 * Opening a FIFO for reading waits for a writer, and reading a device may never end: an agent that
 * puts one where Airlock reads a file (a protected path, an edit's current content) could stop the
 * reader for good, and with it the VS Code window's guards. These open without waiting and read only
 * regular files.
 */
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** The bytes of a regular file of at most `maxBytes`; undefined for anything else (missing, larger, a FIFO, a device). */
export function readRegularFileSync(file: string, maxBytes = Number.MAX_SAFE_INTEGER): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) {
      return undefined;
    }
    // As large as it was: a file that keeps growing is not read without end.
    const buf = Buffer.alloc(st.size);
    let n = 0;
    for (let r = 1; n < buf.length && r > 0; n += r) {
      r = fs.readSync(fd, buf, n, buf.length - n, n);
    }
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The same, without blocking the event loop. */
export async function readRegularFile(file: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer | undefined> {
  let h: fs.promises.FileHandle;
  try {
    h = await fs.promises.open(file, fs.constants.O_RDONLY | NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = await h.stat();
    if (!st.isFile() || st.size > maxBytes) {
      return undefined;
    }
    const buf = Buffer.alloc(st.size);
    let n = 0;
    for (let r = 1; n < buf.length && r > 0; n += r) {
      r = (await h.read(buf, n, buf.length - n, n)).bytesRead;
    }
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    await h.close();
  }
}
