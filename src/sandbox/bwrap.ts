/**
 * A sandbox plan as bubblewrap's arguments, and the small sh script that starts the agent inside it
 * (after the helper has handed the sandbox's listening sockets to the supervisor). Pure: no I/O.
 */
import type { Mount, SandboxPlan } from './plan';

export interface BwrapOptions {
  /** An empty file nobody may read (mode 000), bound over hidden files. */
  readonly emptyFile: string;
  /** The descriptor bubblewrap reads the seccomp filter from. */
  readonly seccompFd: number;
  /** The working directory inside the sandbox. */
  readonly cwd: string;
}

function mountArgs(m: Mount, emptyFile: string): string[] {
  switch (m.kind) {
    case 'tmpfs':
      return ['--tmpfs', m.path];
    case 'bind':
      return [m.writable ? '--bind' : '--ro-bind', m.path, m.path];
    case 'hide-dir':
      return ['--tmpfs', m.path, '--remount-ro', m.path];
    case 'hide-file':
      return ['--ro-bind', emptyFile, m.path];
  }
}

/** Options for bubblewrap (given through `--args FD`, so their number has no limit). */
export function bwrapArgs(plan: SandboxPlan, opts: BwrapOptions): string[] {
  return [
    '--die-with-parent',
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...plan.mounts.flatMap((m) => mountArgs(m, opts.emptyFile)),
    '--seccomp',
    String(opts.seccompFd),
    '--chdir',
    opts.cwd,
  ];
}

/**
 * What runs first inside the sandbox: the helper (node, given in $1) creates the sandbox's listening
 * sockets and hands them to the supervisor over the IPC channel, then every descriptor but the
 * standard ones is closed (the IPC channel, and whatever the caller leaked), and the agent replaces
 * the shell. Exit 125 when the helper fails (the agent never starts then). bash closes descriptors
 * of any number; a POSIX sh (dash) only 3 to 9.
 */
export function initScript(shell: 'bash' | 'sh'): string {
  return [
    'node="$1"; shift',
    'ELECTRON_RUN_AS_NODE=1 "$node" -e "$AIRLOCK_SANDBOX_HELPER" || { echo "airlock run: the sandbox could not start its network helper" >&2; exit 125; }',
    'unset AIRLOCK_SANDBOX_HELPER AIRLOCK_SANDBOX_LISTEN NODE_CHANNEL_FD NODE_CHANNEL_SERIALIZATION_MODE',
    `for fd in $(ls /proc/self/fd); do case "$fd" in 0|1|2) ;; ${shell === 'bash' ? '*' : '[3-9]'}) eval "exec $fd>&-" 2>/dev/null ;; esac; done`,
    'exec "$@"',
  ].join('\n');
}

/**
 * The helper run by initScript (JavaScript for `node -e`): listens on each address of
 * AIRLOCK_SANDBOX_LISTEN inside the sandbox's network namespace and sends each server to the
 * supervisor, which then accepts the connections outside the sandbox.
 */
export const HELPER_SCRIPT = `
const net = require('net');
const specs = JSON.parse(process.env.AIRLOCK_SANDBOX_LISTEN || '[]');
let left = specs.length;
if (!left || typeof process.send !== 'function') process.exit(left ? 1 : 0);
specs.forEach((s, i) => {
  const srv = net.createServer();
  srv.on('error', (e) => { console.error('airlock run: cannot listen on ' + s.host + ':' + s.port + ' in the sandbox: ' + e.message); process.exit(1); });
  srv.listen({ host: s.host, port: s.port, exclusive: true }, () => process.send({ airlockListen: i }, srv, () => { srv.close(); if (--left === 0) process.disconnect(); }));
});
`;
