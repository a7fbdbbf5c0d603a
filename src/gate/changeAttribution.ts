/**
 * Who changed a file: the protected-path watcher asks this before it warns. A change is explained
 * when, shortly before it, the gate allowed an action on that path, the developer typed in or saved
 * that file in an editor (or used the explorer), or Airlock itself wrote it (a settings sync, a
 * rollback, a revert). Anything else changed a protected file behind everyone's back.
 * Pure: no vscode; time comes in through `now`.
 */
import * as path from 'node:path';
import type { GateResult, ProposedAction } from '../core/types';

export type ChangeCause = 'gate' | 'editor' | 'airlock';

/**
 * The file a temporary file stands in for, when its name says it is one: `.env.tmp.4242.9f1c` and
 * `.env.tmp` (an agent's write-then-rename), `settings.json.airlock-77.tmp` (Airlock's own),
 * `notes.txt~` and `.notes.txt.swp` (editors). Undefined for any other name.
 */
export function tempFileOriginal(p: string): string | undefined {
  const dir = path.dirname(p);
  const base = path.basename(p);
  const m = /^(.+?)\.[\w-]*\.tmp$/i.exec(base) ?? /^(.+?)\.(?:tmp|temp)(?:[.\-_].*)?$/i.exec(base) ?? /^(.+)~$/.exec(base) ?? /^\.(.+)\.sw[a-p]$/.exec(base);
  return m && m[1] ? path.join(dir, m[1]) : undefined;
}

/**
 * How long after a note a change still counts as explained (ms): an agent writes a while after the
 * gate allowed it; an editor save and Airlock's own writes reach the file watcher at once, so a
 * short window keeps a later foreign write from hiding behind them.
 */
export const DEFAULT_ATTRIBUTION_WINDOWS: Readonly<Record<ChangeCause, number>> = { gate: 10_000, editor: 3_000, airlock: 2_000 };

/** How many files' written contents are remembered (the oldest are forgotten first). */
const MAX_CONTENT_NOTES = 2000;

/**
 * What a gate decision that allowed `actions` explains, for a while: `tree` paths explain changes to
 * themselves and to everything below them, `exact` paths only changes to themselves. A folder
 * explains what is inside it only when that was judged: a delete (the policy judges the protected
 * files inside a deleted folder) or an action a person approved. A folder-wide write the policy let
 * through by itself (`black .`, `prettier --write .`) judged the folder, not the protected files in
 * it, so it explains no change to them: a write to `.env` right after it still warns.
 */
export function gateNotes(actions: readonly ProposedAction[], result: Pick<GateResult, 'decision' | 'decidedBy'>): { tree: string[]; exact: string[] } {
  const tree: string[] = [];
  const exact: string[] = [];
  if (result.decision.verdict !== 'allow') {
    return { tree, exact };
  }
  const byPerson = result.decidedBy === 'human' || result.decidedBy === 'session-rule';
  // Only what may change files explains a change: an allowed read of the folder (a Glob, an LS)
  // would otherwise explain every change under it for a while.
  for (const a of actions.filter((x) => x.kind !== 'read')) {
    (byPerson || a.kind === 'delete' ? tree : exact).push(...a.paths.map((p) => path.resolve(a.cwd, p)));
  }
  for (const e of result.decision.analysis?.effects ?? []) {
    (byPerson || e.op === 'delete' ? tree : exact).push(e.path);
  }
  return { tree, exact };
}

export class ChangeAttribution {
  /** Notes that explain a change to the path itself. */
  private readonly notes = new Map<string, { cause: ChangeCause; at: number }>();
  /** Notes that also explain changes below the path (a folder deleted, renamed, restored). */
  private readonly treeNotes = new Map<string, { cause: ChangeCause; at: number }>();
  /** The content (sha256, or null for "deleted") each file was left with by a known cause. */
  private readonly contents = new Map<string, { cause: ChangeCause; sha256: string | null }>();
  /** Folders Airlock is writing into right now (a rollback runs), with a count for nesting. */
  private readonly busy = new Map<string, number>();

  constructor(
    private readonly windows: Readonly<Record<ChangeCause, number>> = DEFAULT_ATTRIBUTION_WINDOWS,
    private readonly now: () => number = Date.now,
    private readonly caseInsensitive = process.platform === 'win32' || process.platform === 'darwin',
  ) {}

  private key(p: string): string {
    const k = path.resolve(p).replace(/[\\/]+$/, '');
    return this.caseInsensitive ? k.toLowerCase() : k;
  }

  /**
   * Records that `cause` is about to change (or just changed) these absolute paths; with
   * `scope: 'exact'` a folder among them explains changes to itself only, not to what is inside it.
   */
  note(cause: ChangeCause, paths: readonly string[], scope: 'tree' | 'exact' = 'tree'): void {
    const at = this.now();
    const notes = scope === 'tree' ? this.treeNotes : this.notes;
    for (const p of paths) {
      notes.set(this.key(p), { cause, at });
    }
    if (notes.size > 5000) {
      this.prune(notes);
    }
  }

  /**
   * Records what `cause` left in these files (the sha256 of their content; null: it deleted them).
   * A change whose result is exactly that content is explained however late its event comes; any
   * other content is not.
   */
  noteContent(cause: ChangeCause, files: readonly { readonly path: string; readonly sha256: string | null }[]): void {
    for (const f of files) {
      const k = this.key(f.path);
      this.contents.delete(k);
      this.contents.set(k, { cause, sha256: f.sha256 });
    }
    for (const k of this.contents.keys()) {
      if (this.contents.size <= MAX_CONTENT_NOTES) {
        break;
      }
      this.contents.delete(k);
    }
  }

  /** Who left the file at `p` with this content (its sha256, or null when it is gone), if it was noted. */
  explainContent(p: string, sha256: string | null): ChangeCause | undefined {
    const n = this.contents.get(this.key(p));
    return n && n.sha256 === sha256 ? n.cause : undefined;
  }

  /** Runs `fn` while every change under `folder` counts as Airlock's own, then notes `paths(result)` too. */
  async during<T>(folder: string, fn: () => Promise<T>, paths?: (result: T) => readonly string[]): Promise<T> {
    const k = this.key(folder);
    this.busy.set(k, (this.busy.get(k) ?? 0) + 1);
    try {
      const result = await fn();
      if (paths) {
        this.note('airlock', paths(result).map((p) => path.resolve(folder, p)));
      }
      return result;
    } finally {
      const n = (this.busy.get(k) ?? 1) - 1;
      if (n <= 0) {
        this.busy.delete(k);
      } else {
        this.busy.set(k, n);
      }
    }
  }

  /**
   * Why the file at `p` (absolute) changed, or undefined when nobody announced it. A temporary file
   * (see tempFileOriginal) is explained by what explains the file it stands in for.
   */
  explain(p: string): ChangeCause | undefined {
    const own = this.explainPath(p);
    const original = own ? undefined : tempFileOriginal(p);
    return own ?? (original ? this.explainPath(original) : undefined);
  }

  private explainPath(p: string): ChangeCause | undefined {
    const k = this.key(p);
    for (const [folder] of this.busy) {
      if (k === folder || k.startsWith(`${folder}${path.sep}`) || k.startsWith(`${folder}/`)) {
        return 'airlock';
      }
    }
    const now = this.now();
    const fresh = (n: { cause: ChangeCause; at: number } | undefined) => (n && now - n.at <= this.windows[n.cause] ? n.cause : undefined);
    const own = fresh(this.notes.get(k));
    if (own) {
      return own;
    }
    // A tree note on the path itself, or on a folder above it (a gate-approved delete of a folder).
    for (let cur = k; ; ) {
      const cause = fresh(this.treeNotes.get(cur));
      if (cause) {
        return cause;
      }
      const up = path.dirname(cur);
      if (up === cur) {
        return undefined;
      }
      cur = up;
    }
  }

  private prune(notes: Map<string, { cause: ChangeCause; at: number }>): void {
    const now = this.now();
    for (const [k, n] of notes) {
      if (now - n.at > this.windows[n.cause]) {
        notes.delete(k);
      }
    }
  }
}
