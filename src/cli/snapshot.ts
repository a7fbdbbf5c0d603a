/**
 * `airlock snapshot`, `airlock snapshots`, `airlock rollback`, `airlock diff`: the snapshot service
 * from the command line (the stores live under $AIRLOCK_HOME/snapshots or
 * ~/.local/state/agent-airlock/snapshots), with each folder's policy settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Verification } from '../snapshot/service';
import { SnapshotService } from '../snapshot/service';
import type { SnapshotInfo } from '../snapshot/types';
import { UnknownSnapshotError } from '../snapshot/types';
import type { CliIo } from './run';
import { ExitCode, registerCommand } from './run';

class UsageError extends Error {}

/** The one snapshot service, with the policy settings of each folder's workspace read from its files. */
const service = new SnapshotService();

interface Parsed {
  readonly positional: string[];
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[]): Parsed {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.includes(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) {
          throw new UsageError(`--${name} needs a value`);
        }
        values.set(name, v);
      } else if (flags.includes(name) && eq < 0) {
        set.add(name);
      } else {
        throw new UsageError(`unknown option ${a}`);
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, values, flags: set };
}

function folderOf(p: Parsed): string {
  const dir = path.resolve(p.values.get('cwd') ?? process.cwd());
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UsageError(`--cwd: no such folder: ${dir}`);
  }
  if (!st.isDirectory()) {
    throw new UsageError(`--cwd: not a folder: ${dir}`);
  }
  return dir;
}

async function guarded(name: string, usage: string, io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`airlock ${name}: ${e.message}\nUsage: ${usage}\n`);
      return ExitCode.usage;
    }
    if (e instanceof UnknownSnapshotError) {
      io.stderr(`airlock ${name}: ${e.message}\n`);
      return ExitCode.usage;
    }
    io.stderr(`airlock ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return ExitCode.refused;
  }
}

const snapshotUsage = 'airlock snapshot [--cwd DIR] [--label TEXT] [--json]';
registerCommand({
  name: 'snapshot',
  summary: 'Take a git snapshot of the folder now (HEAD and index untouched)',
  usage: snapshotUsage,
  run: (args, io) =>
    guarded('snapshot', snapshotUsage, io, async () => {
      const p = parseArgs(args, ['cwd', 'label', 'agent', 'tool'], ['json']);
      if (p.positional.length > 0) {
        throw new UsageError(`unexpected argument '${p.positional[0]}'`);
      }
      const tool = p.values.get('tool');
      const r = await service.takeNow(folderOf(p), { label: p.values.get('label') ?? 'manual snapshot', agent: p.values.get('agent') ?? 'cli', ...(tool !== undefined ? { tool } : {}) });
      if (p.flags.has('json')) {
        io.stdout(`${JSON.stringify(r)}\n`);
      } else {
        io.stdout(`${r.id}\n`);
        for (const n of r.notes) {
          io.stderr(`note: ${n}\n`);
        }
        if (r.unchanged) {
          io.stderr('note: nothing changed since that snapshot\n');
        }
      }
      return ExitCode.ok;
    }),
});

const listUsage = 'airlock snapshots [--cwd DIR] [--json] [--verify]';
registerCommand({
  name: 'snapshots',
  summary: "List the folder's snapshots, newest first",
  usage: listUsage,
  run: (args, io) =>
    guarded('snapshots', listUsage, io, async () => {
      const p = parseArgs(args, ['cwd'], ['json', 'verify']);
      if (p.positional.length > 0) {
        throw new UsageError(`unexpected argument '${p.positional[0]}'`);
      }
      const folder = folderOf(p);
      // --verify: each record checked, and everything it needs found in the store (what a rollback checks first).
      const list: (SnapshotInfo & { verified?: Verification })[] = p.flags.has('verify') ? await service.verifyAll(folder) : await service.list(folder);
      const bad = list.filter((s) => s.verified && !s.verified.ok).length;
      if (p.flags.has('json')) {
        io.stdout(`${JSON.stringify(list)}\n`);
      } else if (list.length === 0) {
        io.stderr('no snapshots yet\n');
      } else {
        for (const s of list) {
          const who = [s.agent, s.tool].filter(Boolean).join('/');
          const check = s.verified ? (s.verified.ok ? 'ok  ' : `DOES NOT VERIFY (${s.verified.problem})  `) : '';
          io.stdout(`${s.id}  ${s.time}  ${s.kind === 'safety' ? 'safety  ' : 'snapshot'}  ${String(s.filesChanged).padStart(5)} files  ${check}${who ? `${who}  ` : ''}${s.label}\n`);
        }
      }
      return bad > 0 ? ExitCode.refused : ExitCode.ok;
    }),
});

const rollbackUsage = 'airlock rollback <id> [--cwd DIR] [--files a,b] [--dry-run] [--json]';
registerCommand({
  name: 'rollback',
  summary: 'Restore the folder (or some files) to a snapshot; prints the undo snapshot',
  usage: rollbackUsage,
  run: (args, io) =>
    guarded('rollback', rollbackUsage, io, async () => {
      const p = parseArgs(args, ['cwd', 'files'], ['json', 'dry-run']);
      if (p.positional.length !== 1) {
        throw new UsageError(p.positional.length === 0 ? 'which snapshot? give its id' : `unexpected argument '${p.positional[1]}'`);
      }
      const files = p.values.get('files')?.split(',').map((f) => f.trim()).filter(Boolean);
      const folder = folderOf(p);
      const id = p.positional[0];
      const r = p.flags.has('dry-run') ? await service.preview(folder, id, files ? { files } : {}) : await service.rollback(folder, id, { ...(files ? { files } : {}), agent: 'cli' });
      if (p.flags.has('json')) {
        io.stdout(`${JSON.stringify(r)}\n`);
        return ExitCode.ok;
      }
      const verb = r.dryRun ? 'would ' : '';
      for (const f of r.changed) io.stdout(`${verb}restore  ${f}\n`);
      for (const f of r.created) io.stdout(`${verb}recreate ${f}\n`);
      for (const f of r.deleted) io.stdout(`${verb}delete   ${f}\n`);
      for (const k of r.kept) io.stdout(`keep     ${k.path}  (${k.reason})\n`);
      if (r.changed.length + r.created.length + r.deleted.length === 0) {
        io.stdout(`nothing to ${r.dryRun ? 'change' : 'restore'}: the folder matches snapshot ${r.id}\n`);
      }
      if (r.safetySnapshotId) {
        io.stdout(`safety snapshot: ${r.safetySnapshotId} (undo with: airlock rollback ${r.safetySnapshotId})\n`);
      }
      return ExitCode.ok;
    }),
});

const diffUsage = 'airlock diff <id> [--cwd DIR] [--json] [--stat]';
registerCommand({
  name: 'diff',
  summary: 'Show what changed in the folder since a snapshot',
  usage: diffUsage,
  run: (args, io) =>
    guarded('diff', diffUsage, io, async () => {
      const p = parseArgs(args, ['cwd'], ['json', 'stat']);
      if (p.positional.length !== 1) {
        throw new UsageError(p.positional.length === 0 ? 'which snapshot? give its id' : `unexpected argument '${p.positional[1]}'`);
      }
      const r = await service.diff(folderOf(p), p.positional[0]);
      if (p.flags.has('json')) {
        io.stdout(`${JSON.stringify(p.flags.has('stat') ? { id: r.id, folder: r.folder, files: r.files } : r)}\n`);
      } else {
        io.stdout(p.flags.has('stat') ? r.stat : r.patch);
      }
      return ExitCode.ok;
    }),
});
