/**
 * A long-lived git process answering one record per request (`git hash-object --stdin-paths`,
 * `git check-ignore --stdin -z`), so the window's snapshots pay no process start-up. It is started
 * on first use, ended after a minute unused, and restarted after any failure.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { GitCall } from './git';
import { gitEnv, SAFE_CONFIG } from './git';

interface Waiter {
  readonly records: number;
  readonly resolve: (records: string[]) => void;
  readonly reject: (e: Error) => void;
}

export class LongGit {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer = '';
  private received: string[] = [];
  private readonly waiting: Waiter[] = [];
  private idle: NodeJS.Timeout | undefined;
  private stderr = '';

  /**
   * @param separator what ends an output record ('\n' or '\0')
   * @param perRequest output records per input record
   */
  constructor(
    private readonly args: readonly string[],
    private readonly call: GitCall,
    private readonly separator: '\n' | '\0',
    private readonly perRequest = 1,
    private readonly idleMs = 60_000,
  ) {}

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', [...SAFE_CONFIG, ...this.args], { cwd: this.call.cwd, env: gitEnv(this.call), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => this.onData(d));
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => {
      /* reported through 'close' */
    });
    const fail = (why: string) => {
      if (this.child === child) {
        this.child = undefined;
      }
      const e = new Error(`git ${this.args[0]} stopped: ${why}${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-2).join(' ')}` : ''}`);
      for (const w of this.waiting.splice(0)) {
        w.reject(e);
      }
      this.buffer = '';
      this.received = [];
    };
    child.on('error', (e) => fail(e.message));
    child.on('close', (code) => fail(`exit ${code}`));
    this.child = child;
    return child;
  }

  private onData(d: string): void {
    this.buffer += d;
    let at: number;
    while ((at = this.buffer.indexOf(this.separator)) >= 0) {
      this.received.push(this.buffer.slice(0, at));
      this.buffer = this.buffer.slice(at + 1);
    }
    while (this.waiting.length > 0 && this.received.length >= this.waiting[0].records) {
      const w = this.waiting.shift() as Waiter;
      w.resolve(this.received.splice(0, w.records));
    }
  }

  /** Sends input records (already terminated) and resolves with the output records for them. */
  request(input: string, count: number): Promise<string[]> {
    if (count === 0) {
      return Promise.resolve([]);
    }
    const child = this.child ?? this.start();
    if (this.idle) {
      clearTimeout(this.idle);
    }
    this.idle = setTimeout(() => this.stop(), this.idleMs);
    this.idle.unref();
    return new Promise<string[]>((resolve, reject) => {
      this.waiting.push({ records: count * this.perRequest, resolve, reject });
      child.stdin.write(input);
    });
  }

  /** Ends the process (a later request starts a new one). */
  stop(): void {
    const child = this.child;
    this.child = undefined;
    child?.stdin.end();
  }
}

/** C-style quoting of a path for `--stdin-paths` (only when git would misread it otherwise). */
export function quotePath(p: string): string {
  if (!p.includes('\n') && !p.startsWith('"')) {
    return p;
  }
  return `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
