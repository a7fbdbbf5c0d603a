/**
 * The hook CLI's end of the bridge: find the window that guards the cwd and ask it to decide.
 * Throws BridgeUnavailable when no window can be reached, so the caller falls back to deciding
 * alone (never to allowing).
 */
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import type { GateResult, ProposedAction } from '../core/types';
import type { BridgeRequest, BridgeResponse, PongResponse } from './protocol';
import { gateResultOf, PROTOCOL_VERSION } from './protocol';
import type { Registration } from './registry';
import { findRegistrations, windowsDir } from './registry';

export class BridgeUnavailable extends Error {}

export interface Endpoint {
  readonly socket: string;
  readonly token: string;
}

/** The endpoints to try for `cwd`: the terminal's own window first (env), then registrations. */
export function endpointsFor(cwd: string, env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  const out: Endpoint[] = [];
  if (env.AIRLOCK_SOCKET && env.AIRLOCK_TOKEN) {
    out.push({ socket: env.AIRLOCK_SOCKET, token: env.AIRLOCK_TOKEN });
  }
  for (const r of findRegistrations(cwd, env) as Registration[]) {
    if (!out.some((e) => e.socket === r.socket && e.token === r.token)) {
      out.push({ socket: r.socket, token: r.token });
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
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(totalTimer);
        socket.end();
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
  let last: Error = new BridgeUnavailable('unreachable');
  for (const ep of eps) {
    const id = crypto.randomUUID();
    try {
      const req: BridgeRequest = {
        v: PROTOCOL_VERSION,
        type: 'decide',
        id,
        token: ep.token,
        actions,
        deadlineMs: opts.deadlineMs,
        ...(opts.installedFor ? { installedFor: opts.installedFor } : {}),
        ...(opts.canAsk !== undefined ? { canAsk: opts.canAsk } : {}),
      };
      const res = await exchange(ep, req, opts.connectMs ?? 1000, opts.deadlineMs);
      if (!res.ok) {
        if (res.code === 'disabled' || res.code === 'bad-token') {
          last = new BridgeUnavailable(res.error);
          continue;
        }
        throw new Error(res.error);
      }
      if (!('decision' in res)) {
        throw new Error('VS Code answered without a decision');
      }
      return gateResultOf(res);
    } catch (err) {
      if (err instanceof BridgeUnavailable) {
        last = err;
        continue;
      }
      throw err;
    }
  }
  throw new BridgeUnavailable(`Airlock found ${eps.length === 1 ? 'a window' : `${eps.length} windows`} for ${opts.cwd} but none answered (${last.message})`);
}

/** Checks that a window answers (used by `airlock status`). */
export async function ping(ep: Endpoint, timeoutMs = 1000): Promise<PongResponse['pong']> {
  const res = await exchange(ep, { v: PROTOCOL_VERSION, type: 'ping', id: crypto.randomUUID(), token: ep.token }, timeoutMs, timeoutMs);
  if (!res.ok || !('pong' in res)) {
    throw new Error(res.ok ? 'unexpected answer' : res.error);
  }
  return res.pong;
}
