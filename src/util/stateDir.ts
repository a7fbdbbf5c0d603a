import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sha256Hex } from './sha256';

/**
 * Airlock's per-user state (audit logs, the snapshot stores of the workspace folders, see
 * snapshot/store.ts snapshotStoreRoot): $AIRLOCK_HOME, else $XDG_STATE_HOME/agent-airlock, else ~/.local/state/agent-airlock.
 * Shared by the CLI and the extension so both see the same history.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRLOCK_HOME) {
    return env.AIRLOCK_HOME;
  }
  const base = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'agent-airlock');
}

/**
 * Where every snapshot store lives (one git object store per workspace folder, see
 * snapshot/store.ts): `<state dir>/snapshots`. The one place that says so: the sandbox makes this
 * folder unwritable for a sandboxed agent, and nothing of Airlock writes snapshots anywhere else.
 */
export function snapshotStoreRoot(env: NodeJS.ProcessEnv = process.env, base: string = stateDir(env)): string {
  return path.join(path.resolve(base), 'snapshots');
}

/** A short stable key for a folder (its real path), for per-folder files in the state dir. */
export function folderKey(folder: string): string {
  let real: string;
  try {
    real = fs.realpathSync.native(folder);
  } catch {
    real = path.resolve(folder);
  }
  const name = path.basename(real).replace(/[^\w.-]+/g, '_').slice(0, 40) || 'root';
  return `${name}-${sha256Hex(real).slice(0, 16)}`;
}
