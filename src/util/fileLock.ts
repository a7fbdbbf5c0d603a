import * as fs from 'node:fs';

/**
 * A cross-process lock file created with O_EXCL. Waits up to `waitMs` (busy-waiting in short sleeps,
 * so it works in synchronous code), and takes over a lock older than `staleMs` (its holder crashed).
 * Returns a release function, or undefined when the lock could not be had in time.
 */
export function lockSync(lockPath: string, waitMs = 3000, staleMs = 15_000): (() => void) | undefined {
  const deadline = Date.now() + waitMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        return undefined;
      }
      const st = fs.statSync(lockPath, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > staleMs) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        return undefined;
      }
      Atomics.wait(sleeper, 0, 0, 5);
    }
  }
}
