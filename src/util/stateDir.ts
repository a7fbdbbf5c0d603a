import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sha256Hex } from './sha256';

/**
 * Airlock's per-user state (audit logs, shadow repositories for folders that are not git
 * repositories): $AIRLOCK_HOME, else $XDG_STATE_HOME/agent-airlock, else ~/.local/state/agent-airlock.
 * Shared by the CLI and the extension so both see the same history.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRLOCK_HOME) {
    return env.AIRLOCK_HOME;
  }
  const base = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'agent-airlock');
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
