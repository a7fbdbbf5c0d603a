/**
 * Live `airlock run` sessions, as each supervisor registers itself (one JSON file in a private
 * folder of Airlock's runtime directory, which the sandboxed agents cannot see): what VS Code's
 * Status view shows as confined.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SandboxSessionInfo {
  /** The supervisor's process. */
  readonly pid: number;
  /** bubblewrap's process. */
  readonly sandboxPid: number;
  readonly folder: string;
  /** The agent's id ('claude', ...), '' for another command. */
  readonly agent: string;
  readonly command: readonly string[];
  /** The session's id in the audit log. */
  readonly session: string;
  readonly startedAt: string;
}

export function sessionsDir(runtimeDir: string): string {
  return path.join(runtimeDir, 'sandboxes');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live sessions (files of dead supervisors are removed). */
export function listSandboxSessions(runtimeDir: string): SandboxSessionInfo[] {
  const dir = sessionsDir(runtimeDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: SandboxSessionInfo[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      const s = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxSessionInfo;
      if (typeof s.pid !== 'number' || typeof s.folder !== 'string' || !Array.isArray(s.command)) {
        continue;
      }
      if (!alive(s.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      out.push(s);
    } catch {
      // half-written or unreadable
    }
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
