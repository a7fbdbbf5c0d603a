/** Shared helpers of the knowledge base: recording findings, write and delete effects, skipping options. */
import * as path from 'node:path';
import type { CommandFinding } from '../../core/types';
import { finding, lit } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { matchGlob } from '../expand';
import { hasGlob, isInside, locate, resolvePath } from '../paths';
import { isSecretPath, readTree } from './secrets';

export type Handler = (inv: Invocation, out: Outcome) => void;

/** The text of a command a wrapper runs (`sudo rm -rf x` -> `rm -rf x`), for rules and prompts. */
export function innerText(argv: readonly Word[]): string {
  return argv.map((w) => (!w.literal || /^[\w@%+=:,./~-]+$/.test(w.value) ? w.value : `'${w.value.replace(/'/g, "'\\''")}'`)).join(' ');
}

export function words(ws: readonly Word[]): string[] {
  return ws.map((w) => w.value);
}

export function add(out: Outcome, f: CommandFinding): void {
  if (!out.findings.some((x) => x.id === f.id && x.reason === f.reason)) {
    out.findings.push(f);
  }
}

/** Quiet and changes no file: no snapshot is needed before it. */
export function readOnly(out: Outcome): void {
  out.knowledge = 'harmless';
  out.writes = false;
}

export function known(out: Outcome): void {
  out.knowledge = 'known';
  out.writes = true;
}

export function resolveWord(inv: Invocation, w: Word): string | undefined {
  if (!w.literal || (!inv.scope.cwdKnown && !isAbsoluteLike(w.value)) || /^[A-Za-z][\w-]+:(?![\\/]{2})|^Registry::/i.test(w.value)) {
    // not literal, relative to an unknown folder, or a PowerShell provider path (HKLM:\, Env:, Cert:)
    return undefined;
  }
  return resolvePath(w.value, inv.scope.cwd, inv.env.home);
}

function isAbsoluteLike(p: string): boolean {
  return p.startsWith('/') || p === '~' || p.startsWith('~/') || /^[a-zA-Z]:[\\/]/.test(p);
}

export function display(full: string, inv: Invocation): string {
  const p = full.replace(/[\\/]\(matching files\)$/, '');
  const ws = inv.env.workspace;
  if (p === ws) {
    return full === p ? p : 'the workspace';
  }
  if (isInside(p, ws) && p !== ws) {
    return path.relative(ws, p) || p;
  }
  if (p === inv.env.home) {
    return '~ (your home folder)';
  }
  return p;
}

/** The paths a word names now: a glob is expanded against the file system (itself when nothing matches). */
export function pathsOf(inv: Invocation, abs: string): string[] {
  if (!hasGlob(abs)) {
    return [abs];
  }
  const m = matchGlob(inv.env.view, abs);
  return m.length ? m : [abs];
}

/** Records that a command writes or creates a path; findings for writes outside the workspace. */
export function writeTarget(inv: Invocation, out: Outcome, w: Word, op: 'write' | 'create' = 'write', how = who(inv)): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    add(out, finding('file-destruction', 'caution', 'write.dynamic-path', `${how} writes to a path that is only known when the command runs (${w.value})`));
    return;
  }
  for (const p of pathsOf(inv, abs)) {
    writeOne(inv, out, p, op, how);
  }
}

function writeOne(inv: Invocation, out: Outcome, abs: string, op: 'write' | 'create', how: string): void {
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (loc === 'null-device') {
    return;
  }
  if (/^\/dev\/(tcp|udp)\//.test(abs)) {
    add(out, finding('exfiltration', 'destructive', 'exfil.dev-tcp', `${how} connects to ${abs.slice(9)} over the network (bash /dev/tcp), a classic reverse shell or upload`));
    return;
  }
  inv.env.effects.push({ path: abs, op, via: inv.text });
  switch (loc) {
    case 'device':
      add(out, finding('system', 'catastrophic', 'system.write-device', `${how} writes straight to the device ${abs}, destroying what is stored on it`));
      break;
    case 'root':
    case 'system':
    case 'system-top':
      add(out, finding('system', 'destructive', 'system.write-system-file', `${how} changes the system file ${abs}, outside the workspace`));
      break;
    case 'home-config':
      add(out, finding('system', 'destructive', 'system.write-user-config', `${how} changes ${abs}, a file in your home folder that controls your shell, credentials or tools`));
      break;
    case 'home':
    case 'home-ancestor':
    case 'workspace-ancestor':
    case 'outside':
      add(out, finding('file-destruction', 'caution', 'write.outside-workspace', `${how} writes ${abs}, outside the workspace (Airlock's snapshots cannot restore it)`));
      break;
    default:
      break;
  }
}

/**
 * Records that a command reads a file (its content can reach the agent): a read effect, judged by
 * the policy like the Read tool. A glob reads what it matches now; `recursive` reads a folder with
 * everything below it. A name only known when the line runs may be a secret, so it is asked.
 */
export function readTarget(inv: Invocation, out: Outcome, w: Word, how = who(inv), recursive = false): void {
  if (!w.literal) {
    if (/^\$|\$\(|`/.test(w.value) && w.value !== '$(xargs input)') {
      add(out, finding('exfiltration', 'caution', 'secrets.read', `${how} reads ${w.value}, a file whose name is only known when the line runs: it may hold secrets (keys, tokens, passwords)`));
    }
    return;
  }
  const abs = resolveWord(inv, w);
  if (abs === undefined || /^\/dev\/(null|stdin|zero|u?random|tty|fd\/\d+)$/.test(abs)) {
    return;
  }
  for (const p of pathsOf(inv, abs)) {
    if (hasGlob(p)) {
      continue; // matches nothing: the program gets the pattern itself, which names no file
    }
    if (recursive && inv.env.view.isDir(p)) {
      readTree(inv, out, p, how);
    } else {
      inv.env.reads.push({ path: p, via: inv.text });
    }
    // through a symbolic link made earlier in the line (not on disk yet): what it points to is read
    for (const [link, to] of inv.env.links) {
      if ((p === link || p.startsWith(`${link}/`)) && linkDepth < 8) {
        linkDepth++;
        try {
          readTarget(inv, out, lit(to + p.slice(link.length)), how, recursive);
        } finally {
          linkDepth--;
        }
      }
    }
  }
}

/** How many symbolic links of the line a read is being followed through (links may point at each other). */
let linkDepth = 0;

/** Records that a command deletes a path; the severity depends on where it is. */
export function deleteTarget(inv: Invocation, out: Outcome, w: Word, recursive: boolean, verb = 'deletes', how = who(inv)): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    add(out, finding('file-destruction', recursive ? 'destructive' : 'caution', 'fs.delete-dynamic', `${how} ${verb} ${w.value}${recursive ? ' recursively' : ''}, a path only known when the command runs, so Airlock cannot check what it is`));
    return;
  }
  deleteOne(inv, out, abs, recursive, verb, how);
  const where = locate(abs, inv.env.workspace, inv.env.home);
  if (hasGlob(abs) && (where.startsWith('workspace') || where === 'temp')) {
    // what the pattern matches now is deleted too: judged one by one (`rm -rf .g*` reaches .git)
    for (const m of matchGlob(inv.env.view, abs)) {
      deleteOne(inv, out, m, recursive, verb, how);
    }
  }
}

function deleteOne(inv: Invocation, out: Outcome, abs: string, recursive: boolean, verb: string, how: string): void {
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (loc === 'null-device') {
    return;
  }
  // files matching a filter below a folder: the effect reaches that folder's contents
  inv.env.effects.push({ path: abs.replace(/[\\/]\(matching files\)$/, ''), op: 'delete', via: inv.text });
  const what = display(abs, inv);
  const r = recursive ? ' and everything in it' : '';
  const f = (category: CommandFinding['category'], severity: CommandFinding['severity'], id: string, reason: string) => add(out, finding(category, severity, id, `${how} ${reason}`));
  switch (loc) {
    case 'root':
      f('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-root', `${verb} the root of the file system${r}: the whole machine`);
      break;
    case 'home':
    case 'home-ancestor':
      f('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-home', `${verb} ${what}${r}: all your personal files`);
      break;
    case 'system-top':
      f('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-system', `${verb} the system folder ${abs}${r}`);
      break;
    case 'system':
    case 'device':
      f('file-destruction', 'destructive', 'fs.delete-system', `${verb} ${abs}, a system file outside the workspace`);
      break;
    case 'workspace-ancestor':
      f('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-workspace-parent', `${verb} ${abs}${r}, a folder that contains the whole workspace`);
      break;
    case 'workspace-root':
      f('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-workspace', `${verb} the whole workspace (${abs})${r}, including its git history and Airlock's snapshots`);
      break;
    case 'workspace-all':
      recoverableIf(inv, out, abs, finding('file-destruction', 'destructive', 'fs.delete-workspace-all', `${how} ${verb} everything in the workspace${r} (hidden files such as .git survive)`));
      break;
    case 'workspace-git':
      f('git-history', recursive ? 'catastrophic' : 'destructive', 'fs.delete-git-dir', `${verb} ${what} inside .git: the repository's history and Airlock's snapshots`);
      break;
    case 'home-config':
      f('file-destruction', 'destructive', 'fs.delete-user-config', `${verb} ${abs}${r}: configuration or credentials in your home folder`);
      break;
    case 'outside':
      f('file-destruction', 'destructive', 'fs.delete-outside', `${verb} ${abs}${r}, outside the workspace, where Airlock's snapshots cannot restore it`);
      break;
    case 'temp-root':
      f('file-destruction', 'destructive', 'fs.delete-temp-root', `${verb} everything in the shared temporary folder ${abs}`);
      break;
    case 'workspace':
      // One named file in the workspace is like an edit: the snapshot restores it and protected
      // paths are still checked through the effect. Folders, globs and data files are judged by
      // whether the snapshot taken before the command has everything they hold.
      if (recursive || hasGlob(abs) || verb !== 'deletes' || /\.(db|sqlite3?|mdb|accdb|realm|parquet|h5|pkl|bak|dump|sql)$/i.test(abs) || abs.endsWith('(matching files)')) {
        recoverableIf(inv, out, abs, finding('file-destruction', 'caution', 'fs.delete-in-workspace', `${how} ${verb} ${what}${r} in the workspace`));
      }
      break;
    default:
      // temp files and regenerable build output: routine
      break;
  }
}

/**
 * Adds a finding about a change inside the workspace, marked recoverable when the snapshot taken
 * before the command would have everything it touches (then the policy may let it run); otherwise
 * the reason says what the snapshot would not have.
 */
export function recoverableIf(inv: Invocation, out: Outcome, abs: string, f: CommandFinding): void {
  const lost = notCovered(inv, abs);
  if (lost === undefined) {
    add(out, { ...f, reason: `${f.reason}; Airlock cannot tell whether its snapshot would have all of it` });
  } else if (lost.length === 0) {
    add(out, { ...f, reason: `${f.reason} (the snapshot taken before it can restore it)`, recoverable: true });
  } else {
    add(out, { ...f, reason: `${f.reason}, including ${lost.slice(0, 3).map((p) => display(p.replace(/\/$/, ''), inv)).join(', ')}${lost.length > 3 ? ', ...' : ''}, which Airlock's snapshot does not have (ignored by git or too large)` });
  }
}

/**
 * What a snapshot taken now would not have below `abs`: ignored or oversized files, leaving out
 * rebuildable output (node_modules, dist, ...) and protected files the snapshot includes anyway.
 * undefined when it cannot be known (not a git repository).
 */
export function notCovered(inv: Invocation, abs: string): string[] | undefined {
  const target = abs.replace(/[\\/]\(matching files\)$/, '');
  const all = hasGlob(target) ? matchGlob(inv.env.view, target) : [target];
  const lost: string[] = [];
  for (const p of all.length ? all : [target]) {
    const u = inv.env.view.uncovered(p.replace(/\*.*$/, ''));
    if (u === undefined) {
      return undefined;
    }
    for (const x of u) {
      const loc = locate(x.replace(/\/$/, ''), inv.env.workspace, inv.env.home);
      if (loc !== 'workspace-regenerable' && !(isSecretPath(x) && (inv.env.view.size(x) ?? 0) <= 1024 * 1024)) {
        lost.push(x);
      }
    }
  }
  return [...new Set(lost)];
}

/** The name of the program, for reasons ("sort -o writes ..."). */
function who(inv: Invocation): string {
  return inv.program || 'the command';
}

/** Skips a wrapper's own options; returns the index of the wrapped command. */
export function skipOptions(args: readonly Word[], valueOpts: readonly string[], positional = 0): number {
  let i = 0;
  while (i < args.length && args[i].value.startsWith('-') && args[i].value.length > 1) {
    const a = args[i].value;
    if (a === '--') {
      return i + 1 + positional;
    }
    const long = a.startsWith('--') ? a.slice(2) : undefined;
    if (long !== undefined) {
      if (!long.includes('=') && valueOpts.includes(long)) {
        i++;
      }
    } else if (valueOpts.includes(a.slice(1, 2)) && a.length === 2) {
      i++;
    }
    i++;
  }
  return i + positional;
}

export function subcommandRules(rules: [RegExp, 'catastrophic' | 'destructive' | 'caution' | 'harmless' | 'known', string, string, 'infrastructure' | 'publishing' | 'database' | 'system' | 'exfiltration' | 'remote-code' | 'privilege' | 'file-destruction'][], fallback: 'harmless' | 'known' | 'unknown' | 'caution', fallbackReason = ''): Handler {
  return (inv, out) => {
    const line = words(inv.argv.slice(1)).join(' ');
    for (const [re, sev, id, reason, cat] of rules) {
      if (re.test(line)) {
        if (sev === 'harmless') {
          out.knowledge = 'harmless';
          return;
        }
        out.knowledge = 'known';
        if (sev !== 'known') {
          add(out, finding(cat, sev, id, reason.replace('$0', `${inv.program} ${line}`.slice(0, 80))));
        }
        return;
      }
    }
    if (fallback === 'caution') {
      out.knowledge = 'known';
      add(out, finding('infrastructure', 'caution', `${inv.program}.change`, fallbackReason.replace('$0', `${inv.program} ${line}`.slice(0, 80))));
    } else {
      out.knowledge = fallback;
    }
  };
}

/** A key in Env.written that says the line downloaded something (curl -o, wget, ...). */
export const DOWNLOADED = '\u0000downloaded';
