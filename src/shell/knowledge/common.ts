/** Shared helpers of the knowledge base: recording findings, write and delete effects, skipping options. */
import * as path from 'node:path';
import type { CommandFinding } from '../../core/types';
import { finding } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { hasGlob, isInside, locate, resolvePath } from '../paths';

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
  if (!w.literal || (!inv.scope.cwdKnown && !isAbsoluteLike(w.value))) {
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

/** Records that a command writes or creates a path; findings for writes outside the workspace. */
export function writeTarget(inv: Invocation, out: Outcome, w: Word, op: 'write' | 'create' = 'write'): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    add(out, finding('file-destruction', 'caution', 'write.dynamic-path', `writes to a path that is only known when the command runs (${w.value})`));
    return;
  }
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (loc === 'null-device') {
    return;
  }
  if (/^\/dev\/(tcp|udp)\//.test(abs)) {
    add(out, finding('exfiltration', 'destructive', 'exfil.dev-tcp', `connects to ${abs.slice(9)} over the network (bash /dev/tcp), a classic reverse shell or upload`));
    return;
  }
  inv.env.effects.push({ path: abs, op, via: inv.text });
  switch (loc) {
    case 'device':
      add(out, finding('system', 'catastrophic', 'system.write-device', `writes straight to the device ${abs}, destroying what is stored on it`));
      break;
    case 'root':
    case 'system':
    case 'system-top':
      add(out, finding('system', 'destructive', 'system.write-system-file', `changes the system file ${abs}, outside the workspace`));
      break;
    case 'home-config':
      add(out, finding('system', 'destructive', 'system.write-user-config', `changes ${abs}, a file in your home folder that controls your shell, credentials or tools`));
      break;
    case 'home':
    case 'home-ancestor':
    case 'workspace-ancestor':
    case 'outside':
      add(out, finding('file-destruction', 'caution', 'write.outside-workspace', `writes ${abs}, outside the workspace (Airlock's snapshots cannot restore it)`));
      break;
    default:
      break;
  }
}

/** Records that a command deletes a path; the severity depends on where it is. */
export function deleteTarget(inv: Invocation, out: Outcome, w: Word, recursive: boolean, verb = 'deletes'): void {
  const abs = resolveWord(inv, w);
  if (abs === undefined) {
    add(
      out,
      finding('file-destruction', recursive ? 'destructive' : 'caution', 'fs.delete-dynamic', `${verb} ${w.value}${recursive ? ' recursively' : ''}, a path only known when the command runs, so Airlock cannot check what it is`),
    );
    return;
  }
  const loc = locate(abs, inv.env.workspace, inv.env.home);
  if (loc === 'null-device') {
    return;
  }
  inv.env.effects.push({ path: abs, op: 'delete', via: inv.text });
  const what = display(abs, inv);
  const r = recursive ? ' and everything in it' : '';
  switch (loc) {
    case 'root':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-root', `${verb} the root of the file system${r}: the whole machine`));
      break;
    case 'home':
    case 'home-ancestor':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-home', `${verb} ${what}${r}: all your personal files`));
      break;
    case 'system-top':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-system', `${verb} the system folder ${abs}${r}`));
      break;
    case 'system':
    case 'device':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-system', `${verb} ${abs}, a system file outside the workspace`));
      break;
    case 'workspace-ancestor':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-workspace-parent', `${verb} ${abs}${r}, a folder that contains the whole workspace`));
      break;
    case 'workspace-root':
      add(out, finding('file-destruction', recursive ? 'catastrophic' : 'destructive', 'fs.delete-workspace', `${verb} the whole workspace (${abs})${r}, including its git history and Airlock's snapshots`));
      break;
    case 'workspace-all':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-workspace-all', `${verb} everything in the workspace${r} (hidden files such as .git survive)`));
      break;
    case 'workspace-git':
      add(out, finding('git-history', recursive ? 'catastrophic' : 'destructive', 'fs.delete-git-dir', `${verb} ${what} inside .git: the repository's history and Airlock's snapshots`));
      break;
    case 'home-config':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-user-config', `${verb} ${abs}${r}: configuration or credentials in your home folder`));
      break;
    case 'outside':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-outside', `${verb} ${abs}${r}, outside the workspace, where Airlock's snapshots cannot restore it`));
      break;
    case 'temp-root':
      add(out, finding('file-destruction', 'destructive', 'fs.delete-temp-root', `${verb} everything in the shared temporary folder ${abs}`));
      break;
    case 'workspace':
      // One named file in the workspace is like an edit: the snapshot restores it and protected
      // paths are still checked through the effect. Folders, globs and data files ask.
      if (recursive || hasGlob(abs) || verb !== 'deletes' || /\.(db|sqlite3?|mdb|accdb|realm|parquet|h5|pkl|bak|dump|sql)$/i.test(abs) || abs.endsWith('(matching files)')) {
        add(out, finding('file-destruction', 'caution', 'fs.delete-in-workspace', `${verb} ${what}${r} in the workspace (Airlock's snapshot can restore it)`));
      }
      break;
    default:
      // temp files and regenerable build output: routine
      break;
  }
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
