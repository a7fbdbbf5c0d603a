/**
 * What the window knows of a folder between full passes: every file of the last snapshot (path,
 * mode, blob), its folders' trees, which files the repository tracks, and what was left out. The
 * change journal edits it path by path and rebuilds only the trees above the changed paths.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NewObject, ObjectFormat } from './objects';
import { hashObject } from './objects';
import type { FileEntry } from './tree';
import type { SkipReason } from './types';

export interface ModelEntry {
  readonly mode: string;
  readonly oid: string;
}

export interface ModelSource {
  readonly tree: string;
  readonly trees: ReadonlyMap<string, string>;
  readonly entries: readonly FileEntry[];
  readonly ignored: readonly string[];
  readonly skipped: readonly { path: string; reason: SkipReason; detail: string }[];
  readonly tracked?: ReadonlySet<string>;
}

function parentOf(p: string): string {
  const at = p.lastIndexOf('/');
  return at < 0 ? '' : p.slice(0, at);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Git's tree order: by name, a folder compared as if its name ended with '/'. */
function treeOrder(a: [string, ModelEntry], b: [string, ModelEntry]): number {
  const ka = Buffer.from(a[1].mode === '40000' ? `${a[0]}/` : a[0], 'utf8');
  const kb = Buffer.from(b[1].mode === '40000' ? `${b[0]}/` : b[0], 'utf8');
  return Buffer.compare(ka, kb);
}

export class FolderModel {
  readonly files = new Map<string, ModelEntry>();
  /** Folder ('' for the root) -> its children (files and subfolders, by name). */
  readonly dirs = new Map<string, Map<string, ModelEntry>>();
  readonly trees: Map<string, string>;
  tree: string;
  readonly tracked: ReadonlySet<string>;
  readonly ignored: string[];
  readonly skipped: { path: string; reason: SkipReason; detail: string }[];
  private readonly excluded: Set<string>;
  /** Snapshots taken from the journal since the last full pass. */
  journalSnapshots = 0;

  constructor(
    src: ModelSource,
    /** The policy options the full pass used (a change means a new full pass). */
    readonly policyKey: string,
    /** When the full pass started. */
    readonly fullAt: number,
    /** The store whose objects the model's trees and blobs are. */
    readonly storeId: string,
  ) {
    this.tree = src.tree;
    this.trees = new Map(src.trees);
    this.tracked = src.tracked ?? new Set();
    this.ignored = [...src.ignored];
    this.skipped = [...src.skipped];
    this.excluded = new Set([...this.ignored, ...this.skipped.map((k) => k.path)]);
    this.dirs.set('', new Map());
    for (const dir of this.trees.keys()) {
      this.dir(dir);
    }
    for (const e of src.entries) {
      if (e.path.endsWith('/')) {
        // a sparse folder: known only as its tree
        this.dir(parentOf(e.path.slice(0, -1))).set(baseOf(e.path.slice(0, -1)), { mode: e.mode, oid: e.oid });
        continue;
      }
      this.files.set(e.path, { mode: e.mode, oid: e.oid });
      this.dir(parentOf(e.path)).set(baseOf(e.path), { mode: e.mode, oid: e.oid });
    }
  }

  private dir(d: string): Map<string, ModelEntry> {
    let m = this.dirs.get(d);
    if (!m) {
      m = new Map();
      this.dirs.set(d, m);
      if (d !== '') {
        const parent = this.dir(parentOf(d));
        if (!parent.has(baseOf(d))) {
          parent.set(baseOf(d), { mode: '40000', oid: this.trees.get(d) ?? '' }); // a new folder: its tree comes with apply()
        }
      }
    }
    return m;
  }

  /** Whether a folder-relative path lies in something the snapshot left out (an ignored or skipped entry). */
  isExcluded(p: string): boolean {
    if (this.excluded.has(p)) {
      return true;
    }
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
      if (this.excluded.has(p.slice(0, i + 1))) {
        return true;
      }
    }
    return false;
  }

  /** Records a path the journal found ignored or left out (for the coverage record). */
  exclude(p: string, skip?: { reason: SkipReason; detail: string }): void {
    if (!this.excluded.has(p)) {
      this.excluded.add(p);
      if (skip) {
        this.skipped.push({ path: p, ...skip });
      } else {
        this.ignored.push(p);
      }
    }
  }

  /** Takes a path out of the coverage record (it is in the snapshot now). */
  include(p: string): void {
    if (this.excluded.delete(p)) {
      const i = this.ignored.indexOf(p);
      if (i >= 0) {
        this.ignored.splice(i, 1);
      }
      const k = this.skipped.findIndex((s) => s.path === p);
      if (k >= 0) {
        this.skipped.splice(k, 1);
      }
    }
  }

  /** Files under a folder of the model (for a folder that was deleted). */
  filesUnder(dir: string): string[] {
    const prefix = `${dir}/`;
    return [...this.files.keys()].filter((f) => f.startsWith(prefix));
  }

  hasDir(d: string): boolean {
    return this.dirs.has(d);
  }

  /** Folder -> its modification time when last looked at (a file made, removed or renamed in it changes it). */
  private readonly dirTimes = new Map<string, number>();

  /** Records the folders' modification times now (after a full pass), under the folder `root`. */
  recordDirTimes(root: string, only?: Iterable<string>): void {
    for (const d of only ?? this.dirs.keys()) {
      try {
        this.dirTimes.set(d, fs.lstatSync(d === '' ? root : path.join(root, d)).mtimeMs);
      } catch {
        this.dirTimes.delete(d);
      }
    }
  }

  /**
   * Paths to look at in folders whose modification time moved since it was recorded (a file made,
   * removed or renamed there, whether or not the watcher said so): every entry there, before and
   * now. Returns the folders too, to record again once the snapshot is made.
   */
  movedDirs(root: string): { paths: Set<string>; dirs: string[] } {
    const paths = new Set<string>();
    const dirs: string[] = [];
    for (const [d, then] of this.dirTimes) {
      const abs = d === '' ? root : path.join(root, d);
      let now: number | undefined;
      try {
        now = fs.lstatSync(abs).mtimeMs;
      } catch {
        now = undefined;
      }
      if (now === then) {
        continue;
      }
      dirs.push(d);
      const prefix = d === '' ? '' : `${d}/`;
      for (const name of this.dirs.get(d)?.keys() ?? []) {
        paths.add(prefix + name);
      }
      if (now === undefined) {
        paths.add(d);
        continue;
      }
      try {
        for (const name of fs.readdirSync(abs)) {
          if (!(d === '' && name === '.git')) {
            paths.add(prefix + name);
          }
        }
      } catch {
        /* gone meanwhile: its entries are looked at as deleted */
      }
    }
    return { paths, dirs };
  }

  /**
   * Applies file changes (undefined: removed) and rebuilds the trees above them; returns the number
   * of files that changed and the new trees (for the caller to write with the snapshot).
   */
  apply(changes: ReadonlyMap<string, ModelEntry | undefined>, format: ObjectFormat): { changed: number; objects: NewObject[] } {
    let changed = 0;
    const touched = new Set<string>();
    for (const [p, e] of changes) {
      const before = this.files.get(p);
      if (e === undefined) {
        if (before) {
          this.files.delete(p);
          this.dirs.get(parentOf(p))?.delete(baseOf(p));
          changed++;
        }
      } else if (!before || before.mode !== e.mode || before.oid !== e.oid) {
        this.files.set(p, e);
        this.dir(parentOf(p)).set(baseOf(p), e);
        changed++;
      }
      for (let d = parentOf(p); ; d = parentOf(d)) {
        touched.add(d);
        if (d === '') {
          break;
        }
      }
    }
    const objects: NewObject[] = [];
    // Deepest folders first, so a parent sees its children's new trees.
    const order = [...touched].sort((a, b) => (b === '' ? -1 : a === '' ? 1 : b.split('/').length - a.split('/').length));
    for (const d of order) {
      const children = this.dirs.get(d);
      if (!children) {
        continue;
      }
      if (children.size === 0 && d !== '') {
        this.dirs.delete(d);
        this.trees.delete(d);
        this.dirs.get(parentOf(d))?.delete(baseOf(d));
        continue;
      }
      const parts: Buffer[] = [];
      for (const [name, e] of [...children].sort(treeOrder)) {
        parts.push(Buffer.from(`${e.mode} ${name}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
      }
      const content = Buffer.concat(parts);
      const oid = hashObject(format, 'tree', content);
      if (this.trees.get(d) !== oid) {
        objects.push({ type: 'tree', content, oid });
        this.trees.set(d, oid);
      }
      if (d === '') {
        this.tree = oid;
      } else {
        this.dir(parentOf(d)).set(baseOf(d), { mode: '40000', oid });
      }
    }
    return { changed, objects };
  }
}
