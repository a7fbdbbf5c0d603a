/**
 * Where hook processes find the VS Code window that guards their workspace.
 *
 * Each window writes one registration file in a private directory (0700, owned by the user):
 * `<runtime dir>/agent-airlock/windows/<pid>-<random>.json` holding its socket path, token, pid and
 * workspace folders. A hook started anywhere (a plain terminal, the Claude Code extension, VS Code's
 * own hook runner) picks the live registration whose folder contains its cwd, the deepest first.
 * Integrated terminals also get AIRLOCK_SOCKET / AIRLOCK_TOKEN in their environment, which wins.
 * Registrations of dead processes or dead sockets are ignored and cleaned up.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Registration {
  readonly pid: number;
  readonly socket: string;
  readonly token: string;
  /** Real paths of the window's workspace folders. */
  readonly folders: readonly string[];
  readonly version: string;
  readonly createdAt: string;
}

/** The private directory all of Airlock's runtime files live in. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRLOCK_RUNTIME_DIR) {
    return env.AIRLOCK_RUNTIME_DIR;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username;
  const base = env.XDG_RUNTIME_DIR && fs.existsSync(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : os.tmpdir();
  return path.join(base, `agent-airlock-${uid}`);
}

/** Creates the directory with mode 0700 and refuses one that another user owns or others can write. */
export function ensurePrivateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) {
    throw new Error(`${dir} is not a directory`);
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new Error(`${dir} belongs to another user`);
  }
  if ((st.mode & 0o077) !== 0) {
    fs.chmodSync(dir, 0o700);
  }
  return dir;
}

/** Where windows register (and hooks look for them). */
export function windowsDir(env?: NodeJS.ProcessEnv): string {
  return path.join(runtimeDir(env), 'windows');
}

/** Random bytes in hex, from Web Crypto (loaded when a window registers; a hook that only reads registrations never loads it). */
function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

export function newToken(): string {
  return randomHex(32);
}

/** A socket path for a new window: short enough for the 104-byte limit of Unix socket paths. */
export function newSocketPath(env?: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') {
    return `\\\\.\\pipe\\agent-airlock-${randomHex(8)}`;
  }
  const dir = ensurePrivateDir(path.join(runtimeDir(env), 's'));
  return path.join(dir, `${process.pid}-${randomHex(4)}.sock`);
}

/** Writes (atomically) this window's registration; returns its file so it can be removed. */
export function register(reg: Registration, env?: NodeJS.ProcessEnv): string {
  const dir = ensurePrivateDir(windowsDir(env));
  ensurePrivateDir(runtimeDir(env));
  const file = path.join(dir, `${reg.pid}-${randomHex(4)}.json`);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(reg), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return file;
}

export function unregister(file: string): void {
  fs.rmSync(file, { force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRegistration(x: unknown): x is Registration {
  const r = x as Registration;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.pid === 'number' &&
    typeof r.socket === 'string' &&
    typeof r.token === 'string' &&
    Array.isArray(r.folders) &&
    r.folders.every((f) => typeof f === 'string')
  );
}

/** True when only this user can write `dir` (owned by us, not writable by group or others). */
function privateToUs(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || (st.mode & 0o022) !== 0) {
      return false;
    }
    return typeof process.getuid !== 'function' || st.uid === process.getuid();
  } catch {
    return false;
  }
}

/**
 * Live registrations, stale ones removed. Registrations are trusted only from directories that
 * only this user can write, and only for sockets inside Airlock's private socket directory.
 */
export function listRegistrations(env?: NodeJS.ProcessEnv): Registration[] {
  const dir = windowsDir(env);
  if (!privateToUs(runtimeDir(env)) || !privateToUs(dir)) {
    return [];
  }
  const socketDir = path.join(runtimeDir(env), 's') + path.sep;
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const live: Registration[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      const reg: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!isRegistration(reg) || (process.platform !== 'win32' && !reg.socket.startsWith(socketDir))) {
        continue;
      }
      if (!pidAlive(reg.pid) || (process.platform !== 'win32' && !fs.existsSync(reg.socket))) {
        fs.rmSync(file, { force: true });
        continue;
      }
      live.push(reg);
    } catch {
      // unreadable or half-written: skip it
    }
  }
  return live;
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function contains(folder: string, p: string): boolean {
  const rel = path.relative(folder, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The registrations of windows whose workspace contains `cwd`, best first: deepest folder, then
 * newest. Empty when no open window guards that directory.
 */
export function findRegistrations(cwd: string, env?: NodeJS.ProcessEnv): Registration[] {
  const real = realpathOr(cwd);
  const scored: { reg: Registration; depth: number }[] = [];
  for (const reg of listRegistrations(env)) {
    const best = reg.folders.filter((f) => contains(f, real)).reduce((d, f) => Math.max(d, f.length), -1);
    if (best >= 0) {
      scored.push({ reg, depth: best });
    }
  }
  return scored.sort((a, b) => b.depth - a.depth || b.reg.createdAt.localeCompare(a.reg.createdAt)).map((s) => s.reg);
}
