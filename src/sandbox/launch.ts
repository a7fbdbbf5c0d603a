/**
 * Starts the agent inside bubblewrap and keeps the supervisor's side of it: the sandbox's listening
 * sockets arrive from its helper over the IPC channel and are served here (outside the sandbox),
 * signals are passed on, and the agent's exit status comes back. Everything the sandbox needs is
 * handed over through descriptors: its options (`--args`), the seccomp filter.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { bwrapArgs, HELPER_SCRIPT, initScript } from './bwrap';
import type { SandboxPlan } from './plan';

/** One listening socket inside the sandbox's network namespace, served outside by `serve`. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  readonly serve: (server: net.Server) => void;
}

export interface LaunchOptions {
  readonly bwrap: string;
  readonly plan: SandboxPlan;
  readonly command: readonly string[];
  readonly cwd: string;
  /** The sandbox's complete environment. */
  readonly env: NodeJS.ProcessEnv;
  readonly listeners: readonly Listener[];
  readonly emptyFile: string;
  readonly seccomp: Buffer;
  /** The node binary for the helper (this process's). */
  readonly node: string;
  /** How long the helper may take to hand over the sockets (default 15 s). */
  readonly helperTimeoutMs?: number;
}

export interface SandboxExit {
  /** The agent's exit code (128 + signal number when a signal ended it). */
  readonly code: number;
  /** Set when the sandbox failed before the agent ran (bubblewrap refused, the helper failed). */
  readonly startError?: string;
  /** The failure was the helper's (it said why on stderr), not bubblewrap's. */
  readonly helperFailed?: boolean;
}

export interface RunningSandbox {
  readonly pid: number;
  /** Resolves when the sockets are served (the agent starts right after). */
  readonly ready: Promise<void>;
  readonly exit: Promise<SandboxExit>;
  /** Passes a signal to the agent's processes (bubblewrap itself would kill them without it). */
  signal(sig: NodeJS.Signals): void;
  /** Ends the sandbox at once (everything in it dies with bubblewrap). */
  kill(): void;
}

const SIGNAL_NUMBERS: Partial<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/** The processes below `pid` (children first found through /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

export function launch(o: LaunchOptions): RunningSandbox {
  const ARGS_FD = 4;
  const SECCOMP_FD = 5;
  const args = bwrapArgs(o.plan, { emptyFile: o.emptyFile, seccompFd: SECCOMP_FD, cwd: o.cwd });
  const shell = fs.existsSync('/bin/bash') ? 'bash' : 'sh';
  const child = spawn(o.bwrap, ['--args', String(ARGS_FD), '--', `/bin/${shell}`, '-c', initScript(shell), 'airlock-sandbox', o.node, ...o.command], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc', 'pipe', 'pipe'],
    env: {
      ...o.env,
      AIRLOCK_SANDBOX_HELPER: HELPER_SCRIPT,
      AIRLOCK_SANDBOX_LISTEN: JSON.stringify(o.listeners.map((l) => ({ host: l.host, port: l.port }))),
    },
  });
  const stdio = child.stdio as unknown as (net.Socket | null)[];
  const argsPipe = stdio[ARGS_FD]!;
  const seccompPipe = stdio[SECCOMP_FD]!;
  // bubblewrap may have failed before reading them: a broken pipe is not our error.
  argsPipe.on('error', () => undefined);
  seccompPipe.on('error', () => undefined);
  argsPipe.end(Buffer.from(args.map((a) => `${a}\0`).join('')));
  seccompPipe.end(o.seccomp);

  let served = 0;
  let resolveReady: () => void = () => undefined;
  let rejectReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);
  const timer = setTimeout(() => rejectReady(new Error('the sandbox did not hand over its sockets in time')), o.helperTimeoutMs ?? 15_000);
  const onMessage = (msg: unknown, handle: unknown) => {
    const i = (msg as { airlockListen?: unknown } | null)?.airlockListen;
    const l = typeof i === 'number' ? o.listeners[i] : undefined;
    if (!l || !handle) {
      return;
    }
    l.serve(handle as net.Server);
    if (++served === o.listeners.length) {
      clearTimeout(timer);
      // Nothing more comes over this channel: close it, so nothing inside can use it later.
      child.off('message', onMessage);
      if (child.connected) {
        child.disconnect();
      }
      resolveReady();
    }
  };
  child.on('message', onMessage);
  if (o.listeners.length === 0) {
    clearTimeout(timer);
    resolveReady();
  }

  const exit = new Promise<SandboxExit>((resolve) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      rejectReady(err);
      resolve({ code: 2, startError: `cannot start bubblewrap (${o.bwrap}): ${err.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const started = served === o.listeners.length;
      if (!started) {
        rejectReady(new Error('the sandbox ended before it started'));
      }
      const c = code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 1);
      const helperFailed = !started && code === 125;
      resolve({
        code: c,
        ...(!started ? { startError: helperFailed ? "the sandbox's network helper failed (see above)" : `the sandbox did not start (bubblewrap exited with ${code ?? signal})` } : {}),
        ...(helperFailed ? { helperFailed } : {}),
      });
    });
  });

  return {
    pid: child.pid ?? -1,
    ready,
    exit,
    kill() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    },
    signal(sig) {
      const pid = child.pid;
      if (pid === undefined || child.exitCode !== null) {
        return;
      }
      // The sandbox's init is bubblewrap's first child; the agent and its processes are below it.
      const below = descendants(pid);
      const agents = below.slice(1);
      for (const p of agents.length ? agents : [pid]) {
        try {
          process.kill(p, sig);
        } catch {
          // already gone
        }
      }
    },
  };
}
