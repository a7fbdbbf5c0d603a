import * as crypto from 'node:crypto';
import { readRegularFile } from './regularFile';

/** The sha256 (hex) of a file's content, or null when there is no such file (or it is not a regular file: a FIFO is never waited on). */
export async function sha256OfFile(file: string): Promise<string | null> {
  const bytes = await readRegularFile(file);
  return bytes ? crypto.createHash('sha256').update(bytes).digest('hex') : null;
}

/** The sha256 of each file, for ChangeAttribution.noteContent. */
export async function fileContents(files: readonly string[]): Promise<{ path: string; sha256: string | null }[]> {
  return Promise.all(files.map(async (p) => ({ path: p, sha256: await sha256OfFile(p) })));
}
