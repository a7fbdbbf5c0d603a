/**
 * The sandbox's way out, served by the supervisor outside it: an HTTP proxy (plain requests and
 * CONNECT tunnels) that reaches only allowed hosts, and forwards of allowed ports of this machine's
 * loopback. The sandbox has no other network: its listening sockets live in its own namespace and
 * are accepted here (see launch.ts).
 */
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import type { Sourced } from '../policy/sandboxPolicy';
import { hostMatches } from '../policy/sandboxPolicy';
import { isLoopbackHost } from './agents';

export interface ProxyOptions {
  readonly allow: readonly Sourced<string>[];
  /** Called for every refused connection (for the audit log and the status). */
  readonly onBlocked?: (host: string, port: number, reason: string) => void;
  /** Resolves an allowed host to the address to dial (default: DNS, refusing local addresses). */
  readonly resolve?: (host: string) => Promise<string>;
}

/** Addresses a name must not resolve to: loopback, unspecified, link-local (cloud metadata), this host's own. */
export function forbiddenAddress(addr: string): boolean {
  const a = addr.toLowerCase().replace(/^::ffff:/, '');
  if (net.isIPv4(a)) {
    const [x, y] = a.split('.').map(Number);
    if (x === 127 || x === 0 || (x === 169 && y === 254) || x >= 224) {
      return true;
    }
  } else if (a === '::1' || a === '::' || a.startsWith('fe80:') || a.startsWith('ff')) {
    return true;
  }
  const own = Object.values(os.networkInterfaces())
    .flat()
    .map((i) => i?.address.toLowerCase());
  return own.includes(a);
}

/** The reason a connection is refused, or undefined when it may go ahead. */
export function refusal(allow: readonly Sourced<string>[], host: string, port: number): string | undefined {
  if (isLoopbackHost(host)) {
    return `this machine's loopback is reached directly, not through the proxy; the sandbox forwards only the ports in sandbox.network.loopbackPorts`;
  }
  if (!allow.some((a) => hostMatches(a.value, host, port))) {
    return `${host}:${port} is not in the sandbox's network allow-list (sandbox.network.allow in .airlock/policy.json)`;
  }
  return undefined;
}

function resolveSafe(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (net.isIP(host.replace(/^\[|\]$/g, ''))) {
      const ip = host.replace(/^\[|\]$/g, '');
      if (forbiddenAddress(ip)) {
        reject(new Error(`${host} is an address of this machine or its local network`));
      } else {
        resolve(ip);
      }
      return;
    }
    dns.lookup(host, { all: true }, (err, addrs) => {
      if (err) {
        reject(err);
        return;
      }
      const ok = addrs.find((a) => !forbiddenAddress(a.address));
      if (!ok) {
        reject(new Error(`${host} resolves to an address of this machine or its local network`));
      } else {
        resolve(ok.address);
      }
    });
  });
}

function splitHostPort(target: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(target);
  if (!m) {
    return undefined;
  }
  return { host: m[1].replace(/^\[|\]$/g, '').toLowerCase(), port: m[2] ? Number(m[2]) : defaultPort };
}

/** Serves the proxy on a listening server handed over from the sandbox. */
export function serveProxy(server: net.Server, opts: ProxyOptions): void {
  const resolve = opts.resolve ?? resolveSafe;
  const blocked = (res: { end(s: string): void }, host: string, port: number, reason: string, write: (head: string) => void) => {
    opts.onBlocked?.(host, port, reason);
    write(`HTTP/1.1 403 Forbidden by Airlock's sandbox\r\ncontent-type: text/plain\r\nx-airlock-blocked: 1\r\nconnection: close\r\n\r\n`);
    res.end(`Agent Airlock's sandbox refused ${host}:${port}: ${reason}\n`);
  };
  const proxy = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('Airlock proxy: expected an absolute http:// URL\n');
      return;
    }
    if (url.protocol !== 'http:') {
      res.writeHead(400).end('Airlock proxy: only http:// requests and CONNECT tunnels\n');
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = url.port ? Number(url.port) : 80;
    const why = refusal(opts.allow, host, port);
    if (why) {
      opts.onBlocked?.(host, port, why);
      res.writeHead(403, { 'content-type': 'text/plain', 'x-airlock-blocked': '1' }).end(`Agent Airlock's sandbox refused ${host}:${port}: ${why}\n`);
      return;
    }
    resolve(host).then(
      (address) => {
        const headers = { ...req.headers };
        delete headers['proxy-connection'];
        delete headers['proxy-authorization'];
        const up = http.request({ host: address, port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        });
        up.on('error', (e) => {
          if (!res.headersSent) {
            res.writeHead(502);
          }
          res.end(`Airlock proxy: ${e.message}\n`);
        });
        req.pipe(up);
      },
      (e: Error) => {
        opts.onBlocked?.(host, port, e.message);
        res.writeHead(403, { 'content-type': 'text/plain', 'x-airlock-blocked': '1' }).end(`Agent Airlock's sandbox refused ${host}:${port}: ${e.message}\n`);
      },
    );
  });
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    const target = splitHostPort(req.url ?? '', 443);
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const why = refusal(opts.allow, target.host, target.port);
    if (why) {
      blocked(client, target.host, target.port, why, (h) => client.write(h));
      return;
    }
    resolve(target.host).then(
      (address) => {
        const up = net.connect(target.port, address, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          if (head.length) {
            up.write(head);
          }
          up.pipe(client);
          client.pipe(up);
        });
        up.on('error', (e) => {
          if (!client.destroyed) {
            client.end(`HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\nAirlock proxy: ${e.message}\n`);
          }
        });
        client.on('close', () => up.destroy());
      },
      (e: Error) => blocked(client, target.host, target.port, e.message, (h) => client.write(h)),
    );
  });
  proxy.on('clientError', (_e, socket) => socket.destroy());
  server.on('connection', (socket: net.Socket) => proxy.emit('connection', socket));
}

/** Forwards every connection to a server handed over from the sandbox to `port` on this machine's loopback. */
export function serveLoopbackForward(server: net.Server, port: number): void {
  server.on('connection', (inside: net.Socket) => {
    const outside = net.connect(port, '127.0.0.1');
    inside.pipe(outside);
    outside.pipe(inside);
    const end = () => {
      inside.destroy();
      outside.destroy();
    };
    inside.on('error', end);
    outside.on('error', end);
    inside.on('close', end);
    outside.on('close', end);
  });
}
