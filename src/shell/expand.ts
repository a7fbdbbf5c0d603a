/**
 * What the shell does to a word before a program sees it, as far as it can be known when the
 * command is decided: brace expansion (`{a,b}`, `{1..3}`) and pathname expansion against the real
 * file system, a glob in any segment (`.airlo?k/policy.json`, `.clau*` as a folder name, `*.json`).
 */
import * as path from 'node:path';
import type { WorkspaceView } from './workspaceView';

/** Most paths a glob is expanded to, and most folders looked into while expanding it. */
const MAX_MATCHES = 2000;
const MAX_DIRS = 400;

export function hasGlobChars(p: string): boolean {
  return /[*?[]/.test(p);
}

/** A bash glob (one path segment) as a regular expression; `[!x]`/`[^x]` negate. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end > i) {
        re += `[${glob.slice(i + 1, end).replace(/^[!^]/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      } else {
        re += '\\[';
      }
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/**
 * The existing paths an absolute glob matches now, like bash without dotglob: a `*` or `?` does
 * not match a leading dot, `.` and `..` are never matches. Sorted; at most MAX_MATCHES.
 */
export function matchGlob(view: WorkspaceView, absPattern: string): string[] {
  const parts = absPattern.split('/');
  let current: string[] = [parts[0] === '' ? '/' : parts[0]];
  let dirsLooked = 0;
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i];
    if (seg === '') {
      continue;
    }
    const last = i === parts.length - 1;
    const next: string[] = [];
    if (!hasGlobChars(seg)) {
      for (const c of current) {
        const p = path.posix.join(c, seg.replace(/\\(.)/g, '$1'));
        if (last ? view.exists(p) : view.isDir(p)) {
          next.push(p);
        }
      }
    } else {
      const re = globToRegExp(seg);
      const dots = seg.startsWith('.');
      for (const c of current) {
        if (++dirsLooked > MAX_DIRS) {
          break;
        }
        for (const e of view.list(c) ?? []) {
          if (e.name === '.' || e.name === '..' || (!dots && e.name.startsWith('.')) || !re.test(e.name) || (!last && !e.dir)) {
            continue;
          }
          next.push(path.posix.join(c, e.name));
          if (next.length >= MAX_MATCHES) {
            break;
          }
        }
      }
    }
    current = next;
    if (current.length === 0) {
      return [];
    }
  }
  return current.sort();
}

/**
 * Bash brace expansion of one word (`a{b,c}d` -> `abd acd`, `{1..3}`, nested); braces the caller
 * escaped with a backslash (quoted ones) stay. At most 256 results; no braces: the word itself.
 */
export function expandBraces(word: string): string[] {
  return expand(word, 0).slice(0, 256);
}

function expand(w: string, from: number): string[] {
  const open = findOpen(w, from);
  if (open < 0) {
    return [w];
  }
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < w.length; i++) {
    const c = w[i];
    if (c === '\\') {
      i++;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) {
      commas.push(i);
    }
  }
  if (close < 0) {
    return [w];
  }
  const pre = w.slice(0, open);
  const post = w.slice(close + 1);
  const body = w.slice(open + 1, close);
  const alternatives: string[] = [];
  if (commas.length) {
    let start = open + 1;
    for (const c of [...commas, close]) {
      alternatives.push(w.slice(start, c));
      start = c + 1;
    }
  } else {
    const seq = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body) ?? /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
    if (!seq) {
      // `{x}` is not expanded: keep it and look further on
      return expand(w, close + 1);
    }
    const num = /\d/.test(seq[1]);
    const a = num ? Number(seq[1]) : seq[1].charCodeAt(0);
    const b = num ? Number(seq[2]) : seq[2].charCodeAt(0);
    const step = Math.abs(Number(seq[3] ?? 1)) || 1;
    for (let v = a; (a <= b ? v <= b : v >= b) && alternatives.length < 256; v += a <= b ? step : -step) {
      alternatives.push(num ? String(v) : String.fromCharCode(v));
    }
  }
  const out: string[] = [];
  for (const alt of alternatives) {
    for (const e of expand(pre + alt + post, 0)) {
      out.push(e);
      if (out.length >= 256) {
        return out;
      }
    }
  }
  return out;
}

function findOpen(w: string, from: number): number {
  for (let i = from; i < w.length; i++) {
    if (w[i] === '\\') {
      i++;
    } else if (w[i] === '{' && w[i + 1] !== '}') {
      return i;
    }
  }
  return -1;
}
