/**
 * The hook CLI's end of the bridge: find the window that guards the cwd and ask it to decide.
 * Throws BridgeUnavailable when no window can be reached, so the caller falls back to deciding
 * alone (never to allowing).
 */
import * as net from 'node:net';
import type { GateResult, ProposedAction } from '../core/types';
import type { BridgeRequest, BridgeResponse, HookRequest, HookResponse, PongResponse } from './protocol';
import { gateResultOf, HOOK_DECLINED_CODES, PROTOCOL_VERSION } from './protocol';
import type { Registration } from './registry';
import { findRegistrations, windowsDir } from './registry';

export class BridgeUnavailable extends Error {}

let requests = 0;
/** A request id, unique in this process (it only pairs an answer with its request; no node:crypto on the hook's path). */
function requestId(): string {
  return `${process.pid}-${Date.now()}-${++requests}`;
}

export interface Endpoint {
  readonly socket: string;
  readonly token: string;
  /** The terminal's own window (env), or found through the registrations by folder. */
  readonly via?: 'env' | 'registry';
}

/** The endpoints to try for `cwd`: the terminal's own window first (env), then registrations. */
export function endpointsFor(cwd: string, env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  const out: Endpoint[] = [];
  if (env.AIRLOCK_SOCKET && env.AIRLOCK_TOKEN) {
    out.push({ socket: env.AIRLOCK_SOCKET, token: env.AIRLOCK_TOKEN, via: 'env' });
  }
  for (const r of findRegistrations(cwd, env) as Registration[]) {
    if (!out.some((e) => e.socket === r.socket && e.token === r.token)) {
      out.push({ socket: r.socket, token: r.token, via: 'registry' });
    }
  }
  return out;
}

/**
 * Connects to an endpoint: a socket path, or `tcp://127.x.x.x:port` (the supervisor of `airlock run`,
 * reached from inside its sandbox, where no Unix socket can be opened). Only loopback addresses.
 */
export function connectEndpoint(endpoint: string): net.Socket {
  const m = /^tcp:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(endpoint);
  return m ? net.createConnection({ host: m[1], port: Number(m[2]) }) : net.createConnection(endpoint);
}

function exchange(ep: Endpoint, req: BridgeRequest, connectMs: number, totalMs: number): Promise<BridgeResponse> {
  return new Promise((resolve, reject) => {
    const socket = connectEndpoint(ep.socket);
    let connected = false;
    let buf = '';
    const fail = (err: Error) => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      socket.destroy();
      reject(err);
    };
    const connectTimer = setTimeout(() => fail(new BridgeUnavailable(`no answer from ${ep.socket} within ${connectMs} ms`)), connectMs);
    const totalTimer = setTimeout(() => fail(new Error(`VS Code did not decide within ${Math.round(totalMs / 1000)} s`)), totalMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      socket.write(`${JSON.stringify(req)}\n`);
    });
    socket.on('data', (d: string) => {
      const from = buf.length;
      buf += d;
      const nl = buf.indexOf('\n', from);
      if (nl >= 0) {
        clearTimeout(totalTimer);
        // Closed at once, not half-closed: the hook must not wait for the decider to see our end.
        socket.destroy();
        try {
          resolve(JSON.parse(buf.slice(0, nl)) as BridgeResponse);
        } catch {
          reject(new Error('VS Code sent an unreadable answer'));
        }
      }
    });
    socket.on('error', (err) => fail(connected ? err : new BridgeUnavailable(err.message)));
    socket.on('close', () => fail(connected ? new Error('VS Code closed the connection before deciding') : new BridgeUnavailable('connection closed')));
  });
}

type Answer = Exclude<BridgeResponse, { ok: false }>;

/**
 * Sends `build(ep)` to each endpoint in turn until one answers and returns `accept(answer)`. An
 * endpoint that cannot be reached, or answers with one of the `declined` codes, is skipped; when every
 * one is, BridgeUnavailable (the caller decides without them). Any other error answer is thrown.
 */
async function firstAnswer<T>(
  endpoints: readonly Endpoint[],
  build: (ep: Endpoint) => BridgeRequest,
  declined: ReadonlySet<string>,
  accept: (res: Answer) => T,
  timing: { readonly connectMs: number; readonly totalMs: number },
): Promise<T> {
  let last: Error = new BridgeUnavailable('unreachable');
  for (const ep of endpoints) {
    try {
      const res = await exchange(ep, build(ep), timing.connectMs, timing.totalMs);
      if (!res.ok) {
        if (declined.has(res.code)) {
          last = new BridgeUnavailable(res.error);
          continue;
        }
        throw new Error(res.error);
      }
      return accept(res);
    } catch (err) {
      if (err instanceof BridgeUnavailable) {
        last = err;
        continue;
      }
      throw err;
    }
  }
  throw last;
}

/**
 * Asks the first reachable window to decide. Throws BridgeUnavailable when none answers or every one
 * that answered is turned off or holds another token (the caller decides alone), or another Error
 * when a window was reached but failed (the caller denies).
 */
export async function requestDecision(
  actions: readonly ProposedAction[],
  opts: { cwd: string; deadlineMs: number; env?: NodeJS.ProcessEnv; connectMs?: number; installedFor?: string; canAsk?: boolean },
): Promise<GateResult> {
  const eps = endpointsFor(opts.cwd, opts.env);
  if (eps.length === 0) {
    // Say where: a window started with another XDG_RUNTIME_DIR, TMPDIR or AIRLOCK_RUNTIME_DIR registers elsewhere.
    throw new BridgeUnavailable(
      `Airlock looked for one in ${windowsDir(opts.env)} and found none with ${opts.cwd} open. If it is open, that window registered elsewhere: start the agent with AIRLOCK_RUNTIME_DIR set to the folder that window uses`,
    );
  }
  return firstAnswer(
    eps,
    (ep) => ({
      v: PROTOCOL_VERSION,
      type: 'decide',
      id: requestId(),
      token: ep.token,
      actions,
      deadlineMs: opts.deadlineMs,
      ...(opts.installedFor ? { installedFor: opts.installedFor } : {}),
      ...(opts.canAsk !== undefined ? { canAsk: opts.canAsk } : {}),
    }),
    new Set(['disabled', 'bad-token']),
    (res) => {
      if (!('decision' in res)) {
        throw new Error('VS Code answered without a decision');
      }
      return gateResultOf(res);
    },
    { connectMs: opts.connectMs ?? 1000, totalMs: opts.deadlineMs },
  );
}

/** A whole hook call for a thin client: everything of a `hook` request but its id, token and route. */
export type HookCallRequest = Omit<HookRequest, 'v' | 'type' | 'id' | 'token' | 'via'>;

const HOOK_DECLINED: ReadonlySet<string> = new Set(HOOK_DECLINED_CODES);

/**
 * Sends one whole hook call to the first of `endpoints` that takes it and returns its answer (what
 * to print and the exit code). Throws BridgeUnavailable when none could be reached or every one
 * declined (the caller takes the full path), another Error when one was reached but failed or did
 * not answer within `totalMs` (the caller denies).
 */
export async function requestHook(endpoints: readonly Endpoint[], call: HookCallRequest, opts: { totalMs: number; connectMs?: number }): Promise<HookResponse> {
  return firstAnswer(
    endpoints,
    (ep) => ({ v: PROTOCOL_VERSION, type: 'hook', id: requestId(), token: ep.token, via: ep.via ?? 'registry', ...call }),
    HOOK_DECLINED,
    (res) => {
      if (!('exitCode' in res) || typeof res.stdoutHex !== 'string' || typeof res.stderrHex !== 'string') {
        throw new Error('the decider answered without a hook answer');
      }
      return res;
    },
    { connectMs: opts.connectMs ?? 1000, totalMs: opts.totalMs },
  );
}

/** Checks that a window answers (used by `airlock status`). */
export async function ping(ep: Endpoint, timeoutMs = 1000): Promise<PongResponse['pong']> {
  const res = await exchange(ep, { v: PROTOCOL_VERSION, type: 'ping', id: requestId(), token: ep.token }, timeoutMs, timeoutMs);
  if (!res.ok || !('pong' in res)) {
    throw new Error(res.ok ? 'unexpected answer' : res.error);
  }
  return res.pong;
}
