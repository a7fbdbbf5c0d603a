/**
 * The pieces of the sandbox that only the kernel can judge, run for real: the seccomp filter under
 * bubblewrap, and the proxy the sandbox's traffic goes through.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { forbiddenAddress, refusal, serveProxy } from '../../src/sandbox/network';
import { seccompFilter } from '../../src/sandbox/seccomp';

const hasBwrap = spawnSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).status === 0;
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

/** Runs a program under bubblewrap with the filter; returns its output. */
function underFilter(blockUnixSockets: boolean, argv: string[]): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-seccomp-'));
  try {
    const file = path.join(dir, 'filter.bpf');
    fs.writeFileSync(file, seccompFilter({ blockUnixSockets })!);
    const fd = fs.openSync(file, 'r');
    try {
      const r = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-all', '--unshare-user', '--die-with-parent', '--seccomp', '3', '--', ...argv], {
        stdio: ['ignore', 'pipe', 'pipe', fd],
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const NODE_SOCKETS = `
const net = require('net');
const unix = net.createServer().listen('/tmp/s.sock');
unix.on('listening', () => { console.log('unix: ok'); tcp(); });
unix.on('error', (e) => { console.log('unix: ' + e.code); tcp(); });
function tcp() {
  const t = net.createServer().listen(0, '127.0.0.1', () => {
    console.log('tcp: ok');
    const r = require('child_process').spawnSync('sh', ['-c', 'echo child: ok']);
    console.log(String(r.stdout).trim());
    process.exit(0);
  });
}
`;

describe('sandbox: the seccomp filter, under bubblewrap', function () {
  this.timeout(30_000);

  before(function () {
    if (!hasBwrap) {
      process.stdout.write('      SKIPPED: bubblewrap is not installed\n');
      this.skip();
    }
  });

  it('refuses Unix sockets (EPERM) while TCP and child processes (socketpair) still work', () => {
    const r = underFilter(true, [process.execPath, '-e', NODE_SOCKETS]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /unix: EPERM/);
    assert.match(r.out, /tcp: ok/);
    assert.match(r.out, /child: ok/);
  });

  it('lets Unix sockets through when the policy allows them', () => {
    const r = underFilter(false, [process.execPath, '-e', NODE_SOCKETS]);
    assert.match(r.out, /unix: ok/);
  });

  it('refuses TIOCSTI (typing into the terminal), io_uring and the kernel keyring', function () {
    if (!hasPython) {
      process.stdout.write('      SKIPPED: python3 is not installed\n');
      this.skip();
    }
    // TIOCSTI on the controlling terminal (a pty the child owns): without the filter the kernel allows it.
    const py = [
      'import ctypes, fcntl, os, pty, termios',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    try:',
      '        fcntl.ioctl(0, termios.TIOCSTI, b"x"); os.write(1, b"tiocsti: allowed\\n")',
      '    except OSError as e: os.write(1, ("tiocsti: %d\\n" % e.errno).encode())',
      '    os._exit(0)',
      'out = b""',
      'while True:',
      '    try: d = os.read(fd, 1024)',
      '    except OSError: break',
      '    if not d: break',
      '    out += d',
      'os.waitpid(pid, 0)',
      'print(out.decode().replace("\\r", ""))',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'def call(name, nr, *args):',
      '    r = libc.syscall(nr, *args); print(name + ":", ctypes.get_errno() if r < 0 else "allowed")',
      `call("io_uring_setup", 425, 1, ctypes.create_string_buffer(120))`,
      `call("keyctl", ${process.arch === 'arm64' ? 219 : 250}, 0, 0)`,
    ].join('\n');
    const r = underFilter(true, ['python3', '-c', py]);
    assert.match(r.out, /tiocsti: 1\b/, r.out);
    assert.match(r.out, /io_uring_setup: 1\b/, r.out);
    assert.match(r.out, /keyctl: 1\b/, r.out);
  });

  it('is a valid program for the architectures it knows, and none for others', () => {
    for (const arch of ['x64', 'arm64']) {
      const f = seccompFilter({ blockUnixSockets: true, arch })!;
      assert.equal(f.length % 8, 0);
      assert.ok(f.length / 8 < 64);
    }
    assert.equal(seccompFilter({ blockUnixSockets: true, arch: 'ia32' }), undefined);
  });
});

describe('sandbox: the proxy', () => {
  it('refuses loopback, this host, link-local (cloud metadata) and multicast addresses', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '0.0.0.0', '169.254.169.254', '::1', '::ffff:127.0.0.1', 'fe80::1', '224.0.0.1']) {
      assert.equal(forbiddenAddress(a), true, a);
    }
    assert.equal(forbiddenAddress('93.184.216.34'), false);
    assert.match(refusal([{ value: '*.example.com', source: 't' }], 'evil.test', 443) ?? '', /not in the sandbox's network allow-list/);
    assert.match(refusal([{ value: 'localhost', source: 't' }], 'localhost', 80) ?? '', /loopback/);
    assert.equal(refusal([{ value: '*.example.com', source: 't' }], 'api.example.com', 443), undefined);
  });

  it('answers 403 to a host that is not allowed, for CONNECT and plain requests, and reports it', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const blocked: string[] = [];
    serveProxy(server, { allow: [{ value: 'allowed.example', source: 't' }], onBlocked: (h, p) => blocked.push(`${h}:${p}`) });
    const port = (server.address() as net.AddressInfo).port;
    try {
      const connect = await new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write('CONNECT evil.example:443 HTTP/1.1\r\nhost: evil.example:443\r\n\r\n'));
        let text = '';
        s.on('data', (d) => (text += String(d)));
        s.on('close', () => resolve(text));
      });
      assert.match(connect, /^HTTP\/1\.1 403/);
      const plain = await new Promise<number>((resolve) => {
        http.get({ host: '127.0.0.1', port, path: 'http://169.254.169.254/latest/meta-data/', headers: { host: '169.254.169.254' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
      });
      assert.equal(plain, 403);
      const metadata = await new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write('CONNECT allowed.example.:443 HTTP/1.1\r\n\r\n'));
        let text = '';
        s.on('data', (d) => (text += String(d)));
        s.on('close', () => resolve(text));
      });
      // A trailing dot is the same host; it resolves nowhere here, so the refusal comes from the lookup.
      assert.match(metadata, /^HTTP\/1\.1 (403|502)/);
      assert.deepEqual(blocked.slice(0, 2), ['evil.example:443', '169.254.169.254:80']);
    } finally {
      server.close();
    }
  });
});

describe('sandbox: the proxy, to an allowed host', () => {
  it('tunnels CONNECT and forwards plain requests to an allowed host (its name resolved here, never in the sandbox)', async () => {
    const upstream = http.createServer((req, res) => res.end(`upstream saw ${req.method} ${req.url} host=${req.headers.host}`));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const up = (upstream.address() as net.AddressInfo).port;
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const resolved: string[] = [];
    serveProxy(server, {
      allow: [{ value: `model.example:${up}`, source: 't' }],
      resolve: async (host) => {
        resolved.push(host);
        return '127.0.0.1';
      },
    });
    const port = (server.address() as net.AddressInfo).port;
    try {
      const plain = await new Promise<string>((resolve) => {
        http.get({ host: '127.0.0.1', port, path: `http://model.example:${up}/v1/messages?x=1`, headers: { host: `model.example:${up}` } }, (res) => {
          let b = '';
          res.on('data', (d) => (b += String(d)));
          res.on('end', () => resolve(b));
        });
      });
      assert.equal(plain, `upstream saw GET /v1/messages?x=1 host=model.example:${up}`);
      const tunnelled = await new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(`CONNECT model.example:${up} HTTP/1.1\r\n\r\n`));
        let text = '';
        s.on('data', (d) => {
          text += String(d);
          if (text.includes('200 Connection Established\r\n\r\n') && !text.includes('upstream saw')) {
            s.write(`GET /through HTTP/1.1\r\nhost: model.example\r\nconnection: close\r\n\r\n`);
          }
        });
        s.on('close', () => resolve(text));
      });
      assert.match(tunnelled, /^HTTP\/1\.1 200 Connection Established/);
      assert.match(tunnelled, /upstream saw GET \/through/);
      assert.deepEqual(resolved, ['model.example', 'model.example']);
    } finally {
      server.close();
      upstream.close();
    }
  });
});
