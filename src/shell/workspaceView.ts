/**
 * The file system and the repository as they are when a command is decided: what a glob matches,
 * what a script contains, whether the agent changed a file (against HEAD), and what a snapshot
 * taken now would not have. Every answer is remembered for the life of the view: make one per
 * decision (or per batch of decisions, which is one moment in time), never one per process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childProcess } from '../util/lazyBuiltin';

export interface DirEntry {
  readonly name: string;
  readonly dir: boolean;
}

/** Files larger than this are not read for their content (scripts, package.json, patches). */
export const MAX_READ_BYTES = 256 * 1024;

export interface WorkspaceView {
  /** The entries of a folder; undefined when it cannot be read. */
  list(dir: string): readonly DirEntry[] | undefined;
  exists(p: string): boolean;
  isDir(p: string): boolean;
  /** Text of a small file (at most MAX_READ_BYTES); undefined when missing, too large or a folder. */
  read(p: string): string | undefined;
  size(p: string): number | undefined;
  /** The bytes of a file of at most `max` bytes; undefined when missing, larger or a folder. */
  bytes(p: string, max: number): Buffer | undefined;
  /**
   * Whether the file differs from the repository's HEAD or is not tracked (the agent may have
   * written it); false for a committed, unchanged file; undefined outside a git repository.
   */
  changed(p: string): boolean | undefined;
  /**
   * What under `p` a snapshot taken now would not have: git-ignored entries (folders end with '/'),
   * untracked files over the size cap, untracked folders too big to snapshot. undefined when that
   * cannot be known (not a git repository, git failed).
   */
  uncovered(p: string): readonly string[] | undefined;
  /** Untracked, not ignored files under `p` (absolute); undefined outside a git repository. */
  untracked(p: string): readonly string[] | undefined;
}

interface StatusEntry {
  readonly kind: 'changed' | 'untracked' | 'ignored';
  /** Absolute; folders end with '/'. */
  readonly path: string;
}

/** An untracked file over this size is left out of snapshots (the policy default, snapshots.maxFileSizeMB). */
const MAX_UNTRACKED_BYTES = 10 * 1024 * 1024;
/** An untracked folder with this many files is left out of snapshots. */
const MAX_UNTRACKED_DIR_FILES = 200;

/** The real file system, remembered per view. `workspace` is the folder whose repository is asked. */
export function createWorkspaceView(workspace: string): WorkspaceView {
  const lists = new Map<string, readonly DirEntry[] | undefined>();
  const stats = new Map<string, fs.Stats | undefined>();
  const texts = new Map<string, string | undefined>();
  let repo: { top: string; entries: StatusEntry[] } | null | undefined;

  const stat = (p: string): fs.Stats | undefined => {
    if (!stats.has(p)) {
      let s: fs.Stats | undefined;
      try {
        s = fs.statSync(p);
      } catch {
        s = undefined;
      }
      stats.set(p, s);
    }
    return stats.get(p);
  };

  /** One `git status` of the whole workspace, the first time something needs it. */
  const status = (): { top: string; entries: StatusEntry[] } | null => {
    if (repo !== undefined) {
      return repo;
    }
    repo = null;
    if (!stat(path.join(workspace, '.git'))) {
      return repo;
    }
    const r = childProcess().spawnSync('git', ['-C', workspace, 'status', '--porcelain=v1', '-z', '--ignored=matching', '--untracked-files=all', '--no-renames', '--ignore-submodules=all'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10_000,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    });
    if (r.status !== 0 || typeof r.stdout !== 'string') {
      return repo;
    }
    const entries: StatusEntry[] = [];
    for (const rec of r.stdout.split('\0')) {
      if (rec.length < 4) {
        continue;
      }
      const code = rec.slice(0, 2);
      const rel = rec.slice(3);
      const abs = path.join(workspace, rel.replace(/\/$/, '')) + (rel.endsWith('/') ? '/' : '');
      entries.push({ kind: code === '!!' ? 'ignored' : code === '??' ? 'untracked' : 'changed', path: abs });
    }
    repo = { top: workspace, entries };
    return repo;
  };

  const under = (p: string, e: StatusEntry) => {
    const base = p.endsWith('/') ? p : `${p}/`;
    return e.path === p || e.path === base || e.path.startsWith(base) || (e.path.endsWith('/') && (p + '/').startsWith(e.path));
  };

  return {
    list(dir) {
      if (!lists.has(dir)) {
        let entries: DirEntry[] | undefined;
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() || (d.isSymbolicLink() && !!stat(path.join(dir, d.name))?.isDirectory()) }));
        } catch {
          entries = undefined;
        }
        lists.set(dir, entries);
      }
      return lists.get(dir);
    },
    exists: (p) => stat(p) !== undefined,
    isDir: (p) => stat(p)?.isDirectory() ?? false,
    size: (p) => stat(p)?.size,
    bytes(p, max) {
      const s = stat(p);
      if (!s?.isFile() || s.size > max) {
        return undefined;
      }
      try {
        return fs.readFileSync(p);
      } catch {
        return undefined;
      }
    },
    read(p) {
      if (!texts.has(p)) {
        const s = stat(p);
        let text: string | undefined;
        if (s?.isFile() && s.size <= MAX_READ_BYTES) {
          try {
            text = fs.readFileSync(p, 'utf8');
          } catch {
            text = undefined;
          }
        }
        texts.set(p, text);
      }
      return texts.get(p);
    },
    changed(p) {
      const st = status();
      if (!st || !insideOf(p, workspace)) {
        return undefined;
      }
      return st.entries.some((e) => e.kind !== 'ignored' && under(p, e));
    },
    untracked(p) {
      const st = status();
      if (!st || !insideOf(p, workspace)) {
        return undefined;
      }
      return st.entries.filter((e) => e.kind === 'untracked' && under(p, e)).map((e) => e.path);
    },
    uncovered(p) {
      const st = status();
      if (!st || !insideOf(p, workspace)) {
        return undefined;
      }
      const out: string[] = [];
      const perDir = new Map<string, number>();
      for (const e of st.entries) {
        if (!under(p, e)) {
          continue;
        }
        if (e.kind === 'ignored') {
          out.push(e.path);
        } else if (e.kind === 'untracked') {
          if ((stat(e.path)?.size ?? 0) > MAX_UNTRACKED_BYTES) {
            out.push(e.path);
          }
          const dir = path.dirname(e.path);
          perDir.set(dir, (perDir.get(dir) ?? 0) + 1);
        }
      }
      for (const [dir, n] of perDir) {
        if (n >= MAX_UNTRACKED_DIR_FILES) {
          out.push(`${dir}/`);
        }
      }
      return out;
    },
  };
}

function insideOf(p: string, folder: string): boolean {
  return p === folder || p.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

/** A view that knows nothing (every answer: missing / unknown), for analysis without a file system. */
export const EMPTY_VIEW: WorkspaceView = {
  list: () => undefined,
  exists: () => false,
  isDir: () => false,
  read: () => undefined,
  size: () => undefined,
  bytes: () => undefined,
  changed: () => undefined,
  uncovered: () => undefined,
  untracked: () => undefined,
};
