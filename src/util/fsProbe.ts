import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether anything (a dangling symlink too) is at `p`, without following a last symlink. */
export function existsNoFollow(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The first executable regular file called `name` in the directories of `env.PATH`. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) {
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}
