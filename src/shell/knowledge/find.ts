/** find: what it reads, deletes, writes and runs, worked out against the file system when the search is simple. */
import { globToRegExp } from '../expand';
import * as path from 'node:path';
import { lit, NO_STREAM } from '../model';
import type { Invocation, Word } from '../model';
import { locate } from '../paths';
import { deleteTarget, known, readOnly, resolveWord, writeTarget } from './common';
import type { Handler } from './common';
import { specOf } from './specs';

/** What find deletes: the root itself when nothing filters, else some files below it. */
function findScope(root: Word, filtered: boolean, name?: string): Word {
  if (!root.literal || !filtered) {
    return root;
  }
  return lit(path.join(root.value, name && !/[[\]]/.test(name) ? name : '(matching files)'));
}

const find: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  const roots: Word[] = [];
  let i = 0;
  while (i < args.length && !args[i].value.startsWith('-') && args[i].value !== '(' && args[i].value !== '!') {
    roots.push(args[i++]);
  }
  if (!roots.length) {
    roots.push(lit('.'));
  }
  const filtered = args.slice(i).some((w) => /^-(i?name|i?path|i?wholename|i?regex|type|mtime|mmin|atime|amin|ctime|cmin|newer|size|empty|user|group|perm|links|inum|samefile|maxdepth)$/.test(w.value));
  const unknown = findUnknownPredicates(args.slice(i));
  if (unknown.length) {
    out.unknownReason = `find ${unknown.join(' ')}: ${unknown.length > 1 ? 'expressions' : 'an expression'} Airlock does not know, and find can delete files and run programs`;
  }
  const listing = !args.slice(i).some((w) => /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls|printf|ls)$/.test(w.value));
  const matches = findMatches(inv, roots, args.slice(i), listing);
  if (listing) {
    // what it prints is the list of files it finds (for xargs): the names found now, or names Airlock could not list
    out.stdout = matches && matches.length <= MAX_LISTED ? { kind: 'literal', text: matches.join('\n') } : { kind: 'unknown', fileList: true };
  }
  const nameIdx = args.findIndex((w) => w.value === '-name');
  const onlyName = nameIdx >= 0 && args[nameIdx + 1]?.literal && !args.some((w) => /^-(o|or|not|path|wholename|regex)$|^!$/.test(w.value)) ? args[nameIdx + 1].value : undefined;
  for (; i < args.length; i++) {
    const a = args[i].value;
    if (['-exec', '-execdir', '-ok', '-okdir'].includes(a)) {
      const cmd: Word[] = [];
      let j = i + 1;
      for (; j < args.length && args[j].value !== ';' && args[j].value !== '+'; j++) {
        const w = args[j];
        // {} is each match: judged as the matches' scope when the search is filtered
        cmd.push(w.value === '{}' && filtered && roots.length === 1 && roots[0].literal ? findScope(roots[0], true, onlyName) : w.value.includes('{}') ? { value: w.value.replace('{}', '$(find match)'), literal: false } : w);
      }
      out.knowledge = 'known'; // the command it runs is judged (and snapshotted) on its own
      if (cmd.length && matches) {
        // each file the search finds now, as {}
        for (const m of matches.slice(0, 16)) {
          inv.env.runArgv(cmd.map((w, k) => (args[i + 1 + k]?.value.includes('{}') ? lit(args[i + 1 + k].value.split('{}').join(m)) : w)), inv.scope, NO_STREAM, inv.text);
        }
        if (matches.length > 16) {
          inv.env.runArgv(cmd, inv.scope, NO_STREAM, inv.text);
        }
      } else if (cmd.length) {
        inv.env.runArgv(cmd, inv.scope, NO_STREAM, inv.text);
        // deletions through find of everything: judge the roots as the affected tree
        const prog = path.basename(cmd[0].value);
        if (['rm', 'shred', 'unlink', 'rmdir'].includes(prog) && !filtered) {
          for (const r of roots) {
            deleteTarget(inv, out, r, true, 'deletes everything under');
          }
        }
      }
      i = j;
    } else if (a === '-delete' && matches) {
      known(out);
      for (const m of matches) {
        deleteTarget(inv, out, lit(m), inv.env.view.isDir(m), 'deletes', 'find -delete');
      }
    } else if (a === '-delete') {
      known(out);
      for (const r of roots) {
        deleteTarget(inv, out, findScope(r, filtered, onlyName), !filtered, filtered ? 'deletes files matching a filter under' : 'deletes everything under');
      }
    } else if (a === '-fprint' || a === '-fprint0' || a === '-fprintf' || a === '-fls') {
      known(out);
      if (args[i + 1]) {
        writeTarget(inv, out, args[i + 1]);
      }
    }
  }
};

/** At most this many names found are passed on as the search's output (more: names Airlock did not list). */
const MAX_LISTED = 2000;

export const FIND_HANDLERS: Record<string, Handler> = { find };

/** find's tests and actions that Airlock does not know (expressions inside -exec ... ; are the command's). */
function findUnknownPredicates(expr: readonly Word[]): string[] {
  const spec = specOf('find')!;
  const out: string[] = [];
  for (let k = 0; k < expr.length; k++) {
    const a = expr[k].value;
    if (['-exec', '-execdir', '-ok', '-okdir'].includes(a)) {
      while (k < expr.length && expr[k].value !== ';' && expr[k].value !== '+') {
        k++;
      }
      continue;
    }
    const o = a.startsWith('-') && a.length > 1 && expr[k].literal ? spec.long.get(a.slice(1)) : undefined;
    if (a.startsWith('-') && a.length > 1 && !o && !/^-\d/.test(a)) {
      out.push(a);
    }
    if (o?.value) {
      k++;
    }
  }
  return out;
}

/** Most entries find looks at when Airlock works out what it would match now. */
const MAX_FIND_ENTRIES = 5000;

/**
 * What a simple search (-name, -iname, -path, -type, -maxdepth, -mindepth) matches now, walking the
 * file system like find does (`listing`: a search with no action lists everything when it has no
 * test); undefined when the expression is not simple or the tree too large.
 */
function findMatches(inv: Invocation, roots: readonly Word[], expr: readonly Word[], listing = false): string[] | undefined {
  const tests: ((p: string, name: string, dir: boolean, depth: number) => boolean)[] = [];
  let maxDepth = Infinity;
  let minDepth = 0;
  for (let k = 0; k < expr.length; k++) {
    const a = expr[k].value;
    const v = expr[k + 1];
    if (['-exec', '-execdir', '-ok', '-okdir'].includes(a)) {
      while (k < expr.length && expr[k].value !== ';' && expr[k].value !== '+') {
        k++;
      }
    } else if (['-delete', '-print', '-print0', '-ls', '-prune', '-quit', '-depth', '-xdev', '-mount', '-follow', '-noleaf'].includes(a)) {
      continue;
    } else if (v?.literal && ['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename'].includes(a)) {
      const re = new RegExp(globToRegExp(v.value).source.replace(/\[\^\/\]\*/g, a.includes('path') || a.includes('wholename') ? '.*' : '[^/]*'), a.startsWith('-i') ? 'i' : '');
      tests.push(a.includes('name') && !a.includes('whole') ? (_p, name) => re.test(name) : (p) => re.test(p));
      k++;
    } else if (v?.literal && a === '-type' && /^[fd]$/.test(v.value)) {
      tests.push((_p, _n, dir) => dir === (v.value === 'd'));
      k++;
    } else if (v?.literal && (a === '-maxdepth' || a === '-mindepth') && /^\d+$/.test(v.value)) {
      if (a === '-maxdepth') {
        maxDepth = Number(v.value);
      } else {
        minDepth = Number(v.value);
      }
      k++;
    } else {
      return undefined;
    }
  }
  if (!tests.length && (!listing || expr.some((w) => !['-print', '-print0', '-depth', '-xdev', '-mount', '-noleaf'].includes(w.value)))) {
    return undefined;
  }
  const found: string[] = [];
  let seen = 0;
  for (const r of roots) {
    const root = resolveWord(inv, r);
    const where = root === undefined ? undefined : locate(root, inv.env.workspace, inv.env.home);
    if (root === undefined || !where || !(where === 'workspace' || where === 'workspace-root' || where === 'workspace-regenerable' || where === 'temp')) {
      return undefined; // a search of the home folder or the system: too large to walk, judged by its roots
    }
    if (!inv.env.view.isDir(root)) {
      return undefined; // nothing to search (find fails) or not known here
    }
    const stack: [string, string, number][] = [[root, r.value.replace(/\/+$/, '') || r.value, 0]];
    while (stack.length) {
      const [dir, shown, depth] = stack.pop()!;
      if (depth >= maxDepth) {
        continue;
      }
      for (const e of inv.env.view.list(dir) ?? []) {
        if (++seen > MAX_FIND_ENTRIES) {
          return undefined;
        }
        const abs = path.join(dir, e.name);
        const rel = `${shown}/${e.name}`;
        if (depth + 1 >= minDepth && tests.every((t) => t(rel, e.name, e.dir, depth + 1))) {
          found.push(abs);
        }
        if (e.dir) {
          stack.push([abs, rel, depth + 1]);
        }
      }
    }
  }
  return found.sort();
}
