/** Programs that change files: delete, copy, move, permissions, in-place edits, archives. */
import * as path from 'node:path';
import { has, parseArgs, value } from '../args';
import { finding, lit } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { locate } from '../paths';
import { add, deleteTarget, display, known, readOnly, readTarget, resolveWord, writeTarget } from './common';
import type { Handler } from './common';

const rm: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1));
  const recursive = has(p, 'r', 'R', 'recursive');
  if (p.operands.length === 0 && p.dynamic) {
    out.knowledge = 'unknown';
  }
  for (const w of p.operands) {
    deleteTarget(inv, out, w, recursive);
  }
};

const rmdir: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1)).operands) {
    deleteTarget(inv, out, w, false);
  }
};

const shred: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['n', 's', 'iterations', 'size', 'random-source']);
  for (const w of p.operands) {
    deleteTarget(inv, out, w, false, 'irrecoverably overwrites');
    const abs = resolveWord(inv, w);
    if (abs && locate(abs, inv.env.workspace, inv.env.home).startsWith('workspace')) {
      add(out, finding('file-destruction', 'destructive', 'fs.shred', `irrecoverably overwrites ${display(abs, inv)} (shred defeats snapshots of the working tree)`));
    }
  }
};

export function copyLike(inv: Invocation, out: Outcome, moves: boolean): void {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['t', 'target-directory', 'S', 'suffix', 'backup']);
  const target = value(p, 't', 'target-directory');
  const ops = [...p.operands];
  const dest = target !== undefined ? lit(target) : ops.pop();
  if (moves) {
    for (const s of ops) {
      const abs = resolveWord(inv, s);
      const loc = abs === undefined ? undefined : locate(abs, inv.env.workspace, inv.env.home);
      const destAbs = dest ? resolveWord(inv, dest) : undefined;
      const destLoc = destAbs === undefined ? undefined : locate(destAbs, inv.env.workspace, inv.env.home);
      const within = (l: string | undefined) => l === 'workspace' || l === 'workspace-regenerable';
      if (abs !== undefined && ((within(loc) && within(destLoc)) || (loc === 'temp' && destLoc !== undefined && destLoc !== 'null-device'))) {
        inv.env.effects.push({ path: abs, op: 'delete', via: inv.text });
      } else {
        deleteTarget(inv, out, s, true, 'moves away');
      }
    }
  }
  if (dest) {
    const abs = resolveWord(inv, dest);
    if (moves && abs && locate(abs, inv.env.workspace, inv.env.home) === 'null-device') {
      for (const s of ops) {
        deleteTarget(inv, out, s, true);
      }
      add(out, finding('file-destruction', 'destructive', 'fs.move-to-null', 'moves files to /dev/null, which deletes them'));
      return;
    }
    const how = moves ? 'mv' : 'cp';
    writeTarget(inv, out, dest, 'write', how);
    const recursive = has(p, 'r', 'R', 'recursive', 'a', 'archive');
    if (!moves) {
      for (const s of ops) {
        readTarget(inv, out, s, how, recursive);
      }
    }
    if (abs && (dest.value.endsWith('/') || inv.env.view.isDir(abs) || target !== undefined)) {
      copiesInto(inv, out, ops, abs, recursive || moves, how);
    }
  }
}

/**
 * Copying into a folder writes each source there under its own name; a folder copied whole
 * (`src/.` or `dir/` contents) writes names only the file system can tell: listed now when the
 * destination is the workspace root or holds Airlock's or an agent's configuration, else unknown.
 */
export function copiesInto(inv: Invocation, out: Outcome, sources: readonly Word[], destAbs: string, recursive: boolean, how: string): void {
  const sensitive = destAbs === inv.env.workspace || GUARDED.some((g) => inv.env.view.exists(path.join(destAbs, g)));
  for (const s of sources) {
    const src = resolveWord(inv, s);
    const contentsOnly = /\/\.?$/.test(s.value) && s.value !== '/';
    if (src === undefined) {
      if (sensitive) {
        out.unknownReason ??= `${how} copies ${s.value}, only known when the line runs, into ${display(destAbs, inv)}`;
      }
      continue;
    }
    if (!contentsOnly) {
      writeTarget(inv, out, lit(path.join(destAbs, path.basename(src))), 'write', how);
    }
    if (!recursive || !sensitive || (!contentsOnly && !inv.env.view.isDir(src))) {
      continue;
    }
    const names = inv.env.view.list(src);
    if (!names) {
      out.unknownReason ??= `${how} copies the contents of ${display(src, inv)} into ${display(destAbs, inv)}, and Airlock cannot list them`;
      continue;
    }
    for (const n of names) {
      writeTarget(inv, out, lit(path.join(contentsOnly ? destAbs : path.join(destAbs, path.basename(src)), n.name)), 'write', how);
    }
  }
}

/** Names whose presence makes a folder one where unknown files could land on Airlock's own. */
const GUARDED = ['.airlock', '.claude', '.git', '.github', '.cursor', '.gemini', '.codex', '.vscode', '.windsurf', '.clinerules', '.cline', '.opencode'];

const chmodLike =
  (kind: 'chmod' | 'chown' | 'chgrp'): Handler =>
  (inv, out) => {
    known(out);
    const p = parseArgs(inv.argv.slice(1), ['reference']);
    const recursive = has(p, 'R', 'recursive');
    const ops = [...p.operands];
    const spec = value(p, 'reference') === undefined ? ops.shift() : undefined;
    for (const w of ops) {
      const abs = resolveWord(inv, w);
      if (abs === undefined) {
        add(out, finding('system', 'caution', `system.${kind}-dynamic`, `changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${w.value}, a path only known when the command runs`));
        continue;
      }
      inv.env.effects.push({ path: abs, op: 'write', via: inv.text });
      const loc = locate(abs, inv.env.workspace, inv.env.home);
      if (recursive && ['root', 'home', 'home-ancestor', 'system-top', 'workspace-ancestor'].includes(loc)) {
        add(out, finding('system', 'catastrophic', `system.${kind}-recursive-system`, `recursively changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${display(abs, inv)}, which can break the system or your account`));
      } else if (['root', 'system', 'system-top', 'device', 'home-config'].includes(loc)) {
        add(out, finding('system', 'destructive', `system.${kind}-system`, `changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${abs}, outside the workspace`));
      } else if (!loc.startsWith('workspace') && loc !== 'temp') {
        add(out, finding('system', 'caution', `system.${kind}-outside`, `changes ${kind === 'chmod' ? 'permissions' : 'ownership'} of ${abs}, outside the workspace`));
      }
    }
    if (kind === 'chmod' && spec && /777|a\+rwx|o\+w|a\+w|ugo\+rwx/.test(spec.value)) {
      add(out, finding('system', recursive ? 'destructive' : 'caution', 'system.chmod-world-writable', `makes files writable by every user on the machine (chmod ${spec.value}${recursive ? ' -R' : ''})`));
    } else if (kind === 'chmod' && spec && /[ug]\+s|^[2467]\d{3}$/.test(spec.value)) {
      add(out, finding('privilege', 'destructive', 'system.chmod-setuid', `sets the setuid/setgid bit (chmod ${spec.value}), letting a program run with its owner's rights`));
    } else if (kind !== 'chmod' && recursive) {
      add(out, finding('system', 'destructive', `system.${kind}-recursive`, `recursively changes the owner of ${ops.map((w) => w.value).join(' ')}`));
    }
  };

const tee: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1)).operands) {
    if (w.value !== '-') {
      writeTarget(inv, out, w);
    }
  }
  out.stdout = inv.stdin;
};


const truncate: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['s', 'size', 'r', 'reference']);
  for (const w of p.operands) {
    writeTarget(inv, out, w);
  }
};

const dd: Handler = (inv, out) => {
  known(out);
  for (const w of inv.argv.slice(1)) {
    if (w.value.startsWith('of=')) {
      const target = { value: w.value.slice(3), literal: w.literal };
      writeTarget(inv, out, target);
    }
  }
  if (!inv.argv.some((w) => w.value.startsWith('of='))) {
    readOnly(out);
  }
};

const touchLike: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1), ['d', 'date', 'r', 'reference', 't', 'm', 'mode', 'Z', 'context']).operands) {
    writeTarget(inv, out, w, 'create');
  }
};

const lnCmd: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['t', 'target-directory', 'S', 'suffix']);
  const t = value(p, 't', 'target-directory');
  const dest = t !== undefined ? lit(t) : p.operands.length >= 2 ? p.operands[p.operands.length - 1] : lit(path.basename(p.operands[0]?.value ?? '.'));
  writeTarget(inv, out, dest, has(p, 'f', 'force') ? 'write' : 'create');
  // a hard link shows its source under another name that no later read can trace back: reading the
  // link reads the source (a symbolic link is resolved when it is read, by its real path)
  const sources = t !== undefined || p.operands.length < 2 ? p.operands : p.operands.slice(0, -1);
  const destAbs = resolveWord(inv, dest);
  for (const src of sources) {
    if (!has(p, 's', 'symbolic')) {
      readTarget(inv, out, src, 'ln');
      continue;
    }
    // later in this line, reading the link reads what it points to (relative to the link's folder)
    const intoDir = destAbs !== undefined && (t !== undefined || p.operands.length < 2 || inv.env.view.isDir(destAbs));
    const link = destAbs === undefined ? undefined : intoDir ? path.join(destAbs, path.basename(src.value)) : destAbs;
    const to = link === undefined || !src.literal ? undefined : resolveWord({ ...inv, scope: { cwd: path.dirname(link), cwdKnown: inv.scope.cwdKnown } }, src);
    if (link !== undefined && to !== undefined && link !== to) {
      inv.env.links.set(link, to);
    }
  }
};

const installCmd: Handler = (inv, out) => {
  known(out);
  const p = parseArgs(inv.argv.slice(1), ['m', 'mode', 'o', 'owner', 'g', 'group', 't', 'target-directory', 'S', 'suffix']);
  const t = value(p, 't', 'target-directory');
  if (has(p, 'd', 'directory')) {
    for (const w of p.operands) {
      writeTarget(inv, out, w, 'create');
    }
    return;
  }
  const dest = t !== undefined ? lit(t) : p.operands[p.operands.length - 1];
  if (dest) {
    writeTarget(inv, out, dest);
  }
};


const rimraf: Handler = (inv, out) => {
  known(out);
  for (const w of parseArgs(inv.argv.slice(1)).operands) {
    deleteTarget(inv, out, w, true);
  }
};

export const FILES_HANDLERS: Record<string, Handler> = {
  rm,
  unlink: rmdir,
  rmdir,
  shred,
  srm: shred,
  rimraf,
  del: rm,
  trash: rmdir,
  'trash-put': rmdir,
  mv: (inv, out) => copyLike(inv, out, true),
  cp: (inv, out) => copyLike(inv, out, false),
  install: installCmd,
  ln: lnCmd,
  link: lnCmd,
  touch: touchLike,
  mkdir: touchLike,
  mkfifo: touchLike,
  mktemp: (_inv, out) => {
    out.knowledge = 'harmless';
  },
  chmod: chmodLike('chmod'),
  chown: chmodLike('chown'),
  chgrp: chmodLike('chgrp'),
  tee,
  truncate,
  dd,
};
