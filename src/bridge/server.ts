/**
 * The extension's end of the bridge: a Unix socket (named pipe on Windows) that accepts decide and
 * ping requests carrying the window's token. A request whose client disconnects (the agent killed
 * the hook) is aborted so a pending approval can be withdrawn.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { GateResult } from '../core/types';
import type { BridgeResponse, DecideRequest, ErrorResponse, HookRequest } from './protocol';
import { BridgeError, gateResultOf, MAX_REQUEST_BYTES, parseRequest } from './protocol';

/** Decides one request; throw a BridgeError to answer with its code (anything else is 'internal'). */
export type DecideHandler = (req: DecideRequest, signal: AbortSignal) => Promise<GateResult>;

/** What a hook process writes and how it exits (the answer to a `hook` request). */
export interface HookAnswer {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The hook log line, when the request asked for one. */
  readonly log?: string;
}

/** Answers one whole hook call (src/agents/hookService.ts); throw a BridgeError to answer with its code. */
export type HookHandler = (req: HookRequest, signal: AbortSignal) => Promise<HookAnswer>;

export interface BridgeServerOptions {
  readonly socketPath: string;
  readonly token: string;
  readonly folders: () => readonly string[];
  readonly version: string;
  readonly onDecide: DecideHandler;
  /** Answers `hook` requests (thin clients); without it they get 'bad-request' and take the full path. */
  readonly onHook?: HookHandler;
  readonly onError?: (message: string) => void;
}

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export class BridgeServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly opts: BridgeServerOptions,
    server?: net.Server,
  ) {
    this.server = server ?? net.createServer();
    this.server.on('connection', (socket: net.Socket) => this.accept(socket));
  }

  /** Serves a server that already listens (the sandbox's channel, handed over by `airlock run`). */
  static attach(server: net.Server, opts: Omit<BridgeServerOptions, 'socketPath'>): BridgeServer {
    return new BridgeServer({ ...opts, socketPath: '' }, server);
  }

  static async listen(opts: BridgeServerOptions): Promise<BridgeServer> {
    const s = new BridgeServer(opts);
    if (process.platform !== 'win32') {
      fs.rmSync(opts.socketPath, { force: true });
    }
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(opts.socketPath, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    if (process.platform !== 'win32') {
      fs.chmodSync(opts.socketPath, 0o600);
    }
    return s;
  }

  get socketPath(): string {
    return this.opts.socketPath;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const abort = new AbortController();
    // The current line's chunks: a big request (a Write's content) arrives in many, and only the
    // newest one is searched for the end of the line.
    let pending: string[] = [];
    let size = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        this.send(socket, { id: '', ok: false, code: 'too-large', error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
        socket.end();
        return;
      }
      let rest = chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = pending.join('') + rest.slice(0, nl);
        pending = [];
        rest = rest.slice(nl + 1);
        if (line.trim()) {
          void this.handle(socket, line, abort.signal);
        }
      }
      if (rest) {
        pending.push(rest);
      }
    });
    socket.on('close', () => {
      abort.abort();
      this.sockets.delete(socket);
    });
    socket.on('error', () => abort.abort());
  }

  private async handle(socket: net.Socket, line: string, signal: AbortSignal): Promise<void> {
    const req = parseRequest(line);
    if ('error' in req) {
      this.send(socket, { id: req.id, ok: false, code: req.code, error: req.error });
      return;
    }
    if (!tokenMatches(this.opts.token, req.token)) {
      this.send(socket, { id: req.id, ok: false, code: 'bad-token', error: 'bad token' });
      return;
    }
    if (req.type === 'ping') {
      this.send(socket, { id: req.id, ok: true, pong: { pid: process.pid, folders: this.opts.folders(), version: this.opts.version } });
      return;
    }
    try {
      if (req.type === 'hook') {
        if (!this.opts.onHook) {
          throw new BridgeError('bad-request', 'this decider does not answer hook requests');
        }
        const a = await this.opts.onHook(req, signal);
        const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
        this.send(socket, { id: req.id, ok: true, exitCode: a.exitCode, stdoutHex: hex(a.stdout), stderrHex: hex(a.stderr), ...(a.log !== undefined ? { logHex: hex(a.log) } : {}) });
        return;
      }
      const r = await this.opts.onDecide(req, signal);
      this.send(socket, { id: req.id, ok: true, ...gateResultOf(r) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof BridgeError) {
        this.send(socket, { id: req.id, ok: false, code: err.code, error: message });
        return;
      }
      this.opts.onError?.(`decide failed: ${message}`);
      const e: ErrorResponse = { id: req.id, ok: false, code: 'internal', error: `Airlock could not decide: ${message}` };
      this.send(socket, e);
    }
  }

  private send(socket: net.Socket, msg: BridgeResponse): void {
    if (!socket.destroyed) {
      socket.write(`${JSON.stringify(msg)}\n`);
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) {
      s.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (process.platform !== 'win32' && this.opts.socketPath) {
      fs.rmSync(this.opts.socketPath, { force: true });
    }
  }
}
