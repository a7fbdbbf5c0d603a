/** The files a unified diff (or a git patch) changes, for `patch` and `git apply`. */

/**
 * Paths the patch writes, with `strip` leading folders removed (`-p1` drops `a/`); undefined
 * (strip) means patch's default without -p: the file's base name.
 */
export function patchTargets(text: string, strip: number | undefined): { writes: string[]; deletes: string[] } {
  const writes = new Set<string>();
  const deletes = new Set<string>();
  const clean = (p: string): string | undefined => {
    const name = p.replace(/\t.*$/, '').trim().replace(/^"(.*)"$/, '$1');
    if (!name || name === '/dev/null') {
      return undefined;
    }
    const parts = name.split('/').filter(Boolean);
    return strip === undefined ? parts[parts.length - 1] : parts.slice(strip).join('/') || undefined;
  };
  let minus: string | undefined;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^--- (.+)$/.exec(line))) {
      minus = clean(m[1]);
    } else if ((m = /^\+\+\+ (.+)$/.exec(line))) {
      const plus = clean(m[1]);
      if (plus) {
        writes.add(plus);
      } else if (minus) {
        deletes.add(minus);
      }
    } else if ((m = /^diff --git ("?a\/.+?"?) ("?b\/.+"?)$/.exec(line))) {
      const b = clean(m[2]);
      if (b) {
        writes.add(b);
      }
    } else if ((m = /^rename (?:from|to) (.+)$/.exec(line))) {
      writes.add(strip === undefined ? m[1].split('/').pop()! : m[1]);
    }
  }
  return { writes: [...writes], deletes: [...deletes] };
}
