/**
 * An interactive terminal session for an agent CLI, through util-linux `script` (a pseudo-terminal,
 * no native module): keystrokes go in on stdin, the screen comes out as text with the terminal's
 * escape sequences removed. Enough to see a prompt and answer it like a person would.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export const KEYS = { enter: '\r', escape: '\x1b', down: '\x1b[B', up: '\x1b[A' } as const;

/** Whether util-linux `script` is here (macOS's BSD `script` takes other arguments). */
export function ptyAvailable(): boolean {
  if (process.platform !== 'linux') {
    return false;
  }
  const r = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /util-linux/.test(`${r.stdout}${r.stderr}`);
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The terminal output as plain text: cursor moves to the right become spaces, other sequences go. */
/* eslint-disable no-control-regex -- terminal escape sequences are control characters */
export function plainText(raw: string): string {
  return raw
    .replace(/\x1b\[(\d*)C/g, (_, n: string) => ' '.repeat(Number(n || 1)))
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?<>=]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][0-9A-Za-z]/g, '')
    .replace(/\x1b[=>78cDEHM]/g, '')
    .replace(/\r/g, '');
}
/* eslint-enable no-control-regex */

/** Text without any whitespace, so that a phrase is found however the screen wrapped or spaced it. */
function squash(s: string): string {
  return s.replace(/\s+/g, '');
}

export class PtySession {
  private raw = '';
  private exited: number | null | undefined;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    child.stdout.on('data', (d: Buffer) => (this.raw += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.raw += d.toString()));
    child.on('exit', (code) => (this.exited = code));
    child.stdin.on('error', () => {
      /* the session ended while a key was being sent */
    });
  }

  /** Starts `binary args...` in a pseudo-terminal of cols x rows, in its own process group. */
  static start(binary: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; cols?: number; rows?: number }): PtySession {
    const line = `stty cols ${opts.cols ?? 200} rows ${opts.rows ?? 50} 2>/dev/null; exec ${[binary, ...args].map(shQuote).join(' ')}`;
    const child = spawn('script', ['-qfec', line, '/dev/null'], { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    return new PtySession(child);
  }

  /** Everything shown so far, as plain text. */
  screen(): string {
    return plainText(this.raw);
  }

  /** Whether the phrase was shown (spacing and line breaks ignored), counting from `from` characters of plain text. */
  shows(phrase: string, from = 0): boolean {
    return squash(this.screen().slice(from)).includes(squash(phrase));
  }

  /** Waits until every phrase has been shown; rejects with the screen after timeoutMs or when the session ends. */
  async waitFor(phrases: readonly string[], timeoutMs: number, from = 0): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!phrases.every((p) => this.shows(p, from))) {
      if (this.exited !== undefined || Date.now() > until) {
        throw new Error(`${this.exited !== undefined ? `the session ended (exit ${this.exited})` : `timed out after ${timeoutMs} ms`} waiting for ${JSON.stringify(phrases)}; the screen ends with:\n${this.screen().slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until check() holds (e.g. a file on disk); rejects with the screen after timeoutMs. */
  async waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) {
        throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}; the screen ends with:\n${this.screen().slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  send(keys: string): void {
    this.child.stdin.write(keys);
  }

  /**
   * Ends the session and everything in it: the agent runs as the leader of a session of its own
   * (script made it), so every process of that session is killed by id, then script's group.
   */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited !== undefined) {
        resolve();
        return;
      }
      this.child.once('exit', () => resolve());
      const pids = (args: string[]) =>
        spawnSync('ps', ['-o', 'pid=', ...args], { encoding: 'utf8' })
          .stdout.split('\n')
          .map((l) => Number(l.trim()))
          .filter((n) => Number.isInteger(n) && n > 0);
      for (const leader of pids(['--ppid', String(this.child.pid)])) {
        for (const pid of pids(['-s', String(leader)])) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }
      try {
        process.kill(-(this.child.pid ?? 0), 'SIGKILL');
      } catch {
        this.child.kill('SIGKILL');
      }
    });
  }
}
