/** A bounded walk of a folder tree (the policy's own small I/O: nested policy files, read searches). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders walks do not enter: git's store and rebuildable output. */
export const WALK_SKIP: ReadonlySet<string> = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', 'dist', 'build', 'out', 'target', 'coverage', '.next', '.cache', 'vendor']);

/**
 * Every entry below `root` (folders in WALK_SKIP are listed, not entered); undefined once more than
 * `max` entries were seen. `enter` may keep a folder out of the walk.
 */
export function walkEntries(root: string, max: number, enter: (dir: string, name: string) => boolean = () => true): { dir: string; entry: fs.Dirent }[] | undefined {
  const out: { dir: string; entry: fs.Dirent }[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      out.push({ dir, entry });
      if (out.length > max) {
        return undefined;
      }
      if (entry.isDirectory() && !WALK_SKIP.has(entry.name) && enter(dir, entry.name)) {
        stack.push(path.join(dir, entry.name));
      }
    }
  }
  return out;
}
