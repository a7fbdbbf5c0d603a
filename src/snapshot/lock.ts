/**
 * A lock file with stale-lock detection: created with O_EXCL, holds `pid hostname time`; a lock
 * whose process is gone (same host) or that is older than `staleMs` is taken over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface LockOptions {
  readonly timeoutMs?: number;
  readonly staleMs?: number;
}

function isStale(file: string, staleMs: number): boolean {
  let text: string;
  let mtime: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtime = fs.statSync(file).mtimeMs;
  } catch {
    return true; // vanished: try again
  }
  if (Date.now() - mtime > staleMs) {
    return true;
  }
  const [pidText, host] = text.split(' ');
  const pid = Number(pidText);
  if (host === os.hostname() && Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return false;
}

/** Runs fn while holding the lock file; waits (polling) up to timeoutMs for it. */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid} ${os.hostname()} ${new Date().toISOString()}\n`);
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
      if (isStale(file, staleMs)) {
        // Take over by renaming the stale file away first: only one contender wins the rename.
        const aside = `${file}.stale-${process.pid}-${Date.now()}`;
        try {
          fs.renameSync(file, aside);
          fs.rmSync(aside, { force: true });
        } catch {
          /* someone else took it over */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`another Airlock operation holds ${file}; try again in a moment`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
