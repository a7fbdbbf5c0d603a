/**
 * Codex's `apply_patch` format (also VS Code's `apply_patch` tool):
 *
 *   *** Begin Patch
 *   *** Add File: a.txt          (then lines starting with '+')
 *   *** Delete File: b.txt
 *   *** Update File: c.txt
 *   *** Move to: d.txt           (optional, right after Update)
 *   @@ optional context line
 *    context / -removed / +added lines
 *   *** End of File              (optional)
 *   *** End Patch
 *
 * Parsed into one operation per file; the new content of an update is computed against the
 * current file when the hunks apply, and left undefined when they do not.
 */

export type PatchOp =
  | { readonly type: 'add'; readonly path: string; readonly content: string; readonly text: string }
  | { readonly type: 'delete'; readonly path: string; readonly text: string }
  | { readonly type: 'update'; readonly path: string; readonly moveTo?: string; readonly hunks: readonly Hunk[]; readonly text: string };

export interface Hunk {
  /** The text after `@@ `, used to find where the hunk starts; '' when none. */
  readonly anchor: string;
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
  readonly endOfFile: boolean;
}

export class PatchSyntaxError extends Error {
  override readonly name = 'PatchSyntaxError';
}

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';

/** Finds the patch text inside a string that may hold a heredoc around it (`apply_patch <<'EOF'`). */
export function extractPatch(s: string): string | undefined {
  const i = s.indexOf(BEGIN);
  if (i < 0) {
    return undefined;
  }
  if (s.indexOf(BEGIN, i + BEGIN.length) >= 0) {
    // A second patch would be applied by the agent but hidden from a reader of the first.
    throw new PatchSyntaxError(`more than one '${BEGIN}' in one call`);
  }
  // Everything after the start goes to the parser, which refuses text after the end marker.
  return s.slice(i);
}

/**
 * The patch when `command` is nothing but one `apply_patch` heredoc (how Codex runs it through a
 * shell); undefined when anything else is on the line, which must then be judged as a command too.
 */
export function soleApplyPatchHeredoc(command: string): string | undefined {
  const m = /^\s*apply_patch\s*<<-?\s*(['"]?)([A-Za-z_][\w-]*)\1[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*\2[ \t]*\s*$/.exec(command);
  return m ? m[3] : undefined;
}

export function parsePatch(patch: string): PatchOp[] {
  const lines = patch.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') {
    i++;
  }
  if (lines[i]?.trim() !== BEGIN) {
    throw new PatchSyntaxError(`a patch must start with '${BEGIN}'`);
  }
  i++;
  const ops: PatchOp[] = [];
  let ended = false;
  while (i < lines.length) {
    const line = lines[i];
    const start = i;
    if (line.trim() === END) {
      ended = true;
      if (lines.slice(i + 1).some((l) => l.trim() !== '')) {
        throw new PatchSyntaxError(`line ${i + 2}: text after '${END}'`);
      }
      break;
    }
    if (line.startsWith('*** Add File: ')) {
      const path = line.slice('*** Add File: '.length).trim();
      i++;
      const body: string[] = [];
      while (i < lines.length && !lines[i].startsWith('*** ')) {
        if (!lines[i].startsWith('+') && lines[i] !== '') {
          throw new PatchSyntaxError(`line ${i + 1}: a line of an added file must start with '+'`);
        }
        body.push(lines[i].slice(1));
        i++;
      }
      // A trailing empty line before the next header is the patch's own line break, not content.
      if (body.length > 0 && body[body.length - 1] === '' && lines[i - 1] === '') {
        body.pop();
      }
      ops.push({ type: 'add', path, content: body.length ? `${body.join('\n')}\n` : '', text: lines.slice(start, i).join('\n') });
      continue;
    }
    if (line.startsWith('*** Delete File: ')) {
      ops.push({ type: 'delete', path: line.slice('*** Delete File: '.length).trim(), text: line });
      i++;
      continue;
    }
    if (line.startsWith('*** Update File: ')) {
      const path = line.slice('*** Update File: '.length).trim();
      i++;
      let moveTo: string | undefined;
      if (lines[i]?.startsWith('*** Move to: ')) {
        moveTo = lines[i].slice('*** Move to: '.length).trim();
        i++;
      }
      const hunks: Hunk[] = [];
      let cur: { anchor: string; oldLines: string[]; newLines: string[]; endOfFile: boolean } | undefined;
      while (i < lines.length && !(lines[i].startsWith('*** ') && lines[i] !== '*** End of File')) {
        const l = lines[i];
        if (l.startsWith('@@')) {
          cur = { anchor: l.slice(2).trim(), oldLines: [], newLines: [], endOfFile: false };
          hunks.push(cur);
        } else if (l === '*** End of File') {
          if (cur) {
            cur.endOfFile = true;
          }
        } else {
          if (!cur) {
            cur = { anchor: '', oldLines: [], newLines: [], endOfFile: false };
            hunks.push(cur);
          }
          const tag = l[0];
          const rest = l.slice(1);
          if (tag === ' ' || l === '') {
            cur.oldLines.push(rest);
            cur.newLines.push(rest);
          } else if (tag === '-') {
            cur.oldLines.push(rest);
          } else if (tag === '+') {
            cur.newLines.push(rest);
          } else {
            throw new PatchSyntaxError(`line ${i + 1}: unexpected line in an update hunk: ${JSON.stringify(l.slice(0, 80))}`);
          }
        }
        i++;
      }
      ops.push({ type: 'update', path, ...(moveTo !== undefined ? { moveTo } : {}), hunks, text: lines.slice(start, i).join('\n') });
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    throw new PatchSyntaxError(`line ${i + 1}: unexpected line: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (!ended) {
    throw new PatchSyntaxError(`the patch does not end with '${END}' (truncated?)`);
  }
  for (const op of ops) {
    if (op.path === '' || (op.type === 'update' && op.moveTo === '')) {
      throw new PatchSyntaxError('a file header without a path');
    }
  }
  return ops;
}

/** Applies an update's hunks to the current content; undefined when a hunk does not match. */
export function applyHunks(current: string, hunks: readonly Hunk[]): string | undefined {
  const hadFinalNewline = current.endsWith('\n');
  const lines = current.replace(/\r\n/g, '\n').split('\n');
  if (hadFinalNewline) {
    lines.pop();
  }
  let pos = 0;
  for (const h of hunks) {
    if (h.anchor !== '') {
      const a = findSeq(lines, [h.anchor], pos);
      if (a >= 0) {
        pos = a + 1;
      }
    }
    let at: number;
    if (h.oldLines.length === 0) {
      at = h.endOfFile ? lines.length : pos;
    } else {
      at = h.endOfFile ? findSeq(lines, h.oldLines, Math.max(pos, lines.length - h.oldLines.length)) : -1;
      if (at < 0) {
        at = findSeq(lines, h.oldLines, pos);
      }
    }
    if (at < 0) {
      return undefined;
    }
    lines.splice(at, h.oldLines.length, ...h.newLines);
    pos = at + h.newLines.length;
  }
  return lines.join('\n') + (hadFinalNewline || current === '' ? '\n' : '');
}

/** Index of `seq` in `lines` at or after `from`: exact, then ignoring trailing, then all blanks. */
function findSeq(lines: readonly string[], seq: readonly string[], from: number): number {
  const norms: ((s: string) => string)[] = [(s) => s, (s) => s.trimEnd(), (s) => s.trim()];
  for (const n of norms) {
    for (let i = from; i + seq.length <= lines.length; i++) {
      let ok = true;
      for (let k = 0; k < seq.length; k++) {
        if (n(lines[i + k]) !== n(seq[k])) {
          ok = false;
          break;
        }
      }
      if (ok) {
        return i;
      }
    }
  }
  return -1;
}
