import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** The sha256 (hex) of a file's content, or null when there is no such file (or it is not a file). */
export async function sha256OfFile(file: string): Promise<string | null> {
  try {
    return crypto.createHash('sha256').update(await fs.promises.readFile(file)).digest('hex');
  } catch {
    return null;
  }
}

/** The sha256 of each file, for ChangeAttribution.noteContent. */
export async function fileContents(files: readonly string[]): Promise<{ path: string; sha256: string | null }[]> {
  return Promise.all(files.map(async (p) => ({ path: p, sha256: await sha256OfFile(p) })));
}
