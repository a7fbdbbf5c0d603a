/**
 * The last step of a rollback: moving staged files into the folder and removing files created since
 * the snapshot. Never follows a symbolic link out of the folder (a parent that became a link is
 * reported, not written through), keeps a file's own permissions (a private 0600 file stays
 * private) with the snapshot's executable bit, and removes folders only when they became empty.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Applied {
  readonly changed: string[];
  readonly created: string[];
  readonly deleted: string[];
  readonly kept: { path: string; reason: string }[];
}

interface Change {
  readonly path: string;
  readonly newMode: string;
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Makes sure every parent of root/p is a real directory inside root (never follows a symlink out). */
function ensureParents(root: string, p: string, known: Set<string>): string | undefined {
  const parts = p.split('/').slice(0, -1);
  let rel = '';
  for (const part of parts) {
    rel = rel ? `${rel}/${part}` : part;
    if (known.has(rel)) {
      continue;
    }
    const cur = path.join(root, rel);
    const st = lstatOrUndefined(cur);
    if (!st) {
      fs.mkdirSync(cur);
    } else if (!st.isDirectory()) {
      return `${rel} is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not a folder`;
    }
    known.add(rel);
  }
  return undefined;
}

function moveInto(staged: string, dst: string): void {
  try {
    fs.renameSync(staged, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw e;
    }
    // The store may live on another file system: copy beside the target, then rename.
    const tmp = path.join(path.dirname(dst), `.airlock-restore-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      const st = fs.lstatSync(staged);
      if (st.isSymbolicLink()) {
        fs.symlinkSync(fs.readlinkSync(staged), tmp);
      } else {
        fs.copyFileSync(staged, tmp);
        fs.chmodSync(tmp, st.mode & 0o777);
      }
      fs.renameSync(tmp, dst);
    } catch (e2) {
      fs.rmSync(tmp, { force: true });
      throw e2;
    }
  }
}

/** Removes now-empty parent folders of a deleted file (not the folder itself, not folders the snapshot has). */
function removeEmptyParents(root: string, p: string, keepDirs: Set<string>): void {
  let dir = path.posix.dirname(p);
  while (dir !== '.' && dir !== '' && !keepDirs.has(dir)) {
    try {
      fs.rmdirSync(path.join(root, dir));
    } catch {
      return;
    }
    dir = path.posix.dirname(dir);
  }
}

/** Removes `removals` and moves the staged `writes` (staged under stagingRoot at the same paths) into root. */
export function applyChanges(root: string, stagingRoot: string, removals: readonly Change[], writes: readonly Change[]): Applied {
  const out: Applied = { changed: [], created: [], deleted: [], kept: [] };
  // Folders the snapshot has are never removed as "empty".
  const keepDirs = new Set<string>();
  for (const c of writes) {
    for (let d = path.posix.dirname(c.path); d !== '.'; d = path.posix.dirname(d)) {
      keepDirs.add(d);
    }
  }
  for (const c of [...removals].sort((a, b) => b.path.length - a.path.length)) {
    const abs = path.join(root, c.path);
    const st = lstatOrUndefined(abs);
    if (st && !st.isDirectory()) {
      fs.rmSync(abs, { force: true });
      out.deleted.push(c.path);
      removeEmptyParents(root, c.path, keepDirs);
    }
  }
  const dirs = new Set<string>();
  for (const c of writes) {
    const dst = path.join(root, c.path);
    const problem = ensureParents(root, c.path, dirs);
    if (problem) {
      out.kept.push({ path: c.path, reason: problem });
      continue;
    }
    const existing = lstatOrUndefined(dst);
    if (existing?.isDirectory()) {
      try {
        fs.rmdirSync(dst);
      } catch {
        out.kept.push({ path: c.path, reason: `${c.path} is now a folder with other files in it` });
        continue;
      }
    }
    const staged = path.join(stagingRoot, c.path);
    if (c.newMode !== '120000' && existing && existing.isFile()) {
      // Keep the file's own permissions, with the snapshot's executable bit.
      const perm = existing.mode & 0o777;
      fs.chmodSync(staged, c.newMode === '100755' ? perm | ((perm & 0o444) >> 2) : perm & ~0o111);
    }
    moveInto(staged, dst);
    (existing ? out.changed : out.created).push(c.path);
  }
  return out;
}
