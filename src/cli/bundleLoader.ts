/**
 * Loads one of the CLI's other bundles (dist/hook.js, dist/shell.js) with V8's code cache, so that a
 * cold hook call does not compile the same JavaScript again on every call (Node 20 has no compile
 * cache of its own; Node 22's `module.enableCompileCache` does the same for require()).
 *
 * The cache is compiled code: a forged one could run anything in the hook. So it is read only from
 * Airlock's own state directory (`<state dir>/cache/`), created 0700 and trusted only while this user
 * owns it and nobody else can write it, which the built-in policy denies agents to write and
 * `airlock run`'s sandbox keeps read-only: a cache there is as safe as the audit log beside it, and
 * no easier to change than the bundle itself. Its name carries the bundle's path, size and mtime and
 * Node's version, and V8 rejects a cache made for another source or V8 (then it is rewritten). Any
 * failure of the cache only costs time: the bundle is then compiled as usual.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { stateDir } from '../util/stateDir';

const loaded = new Map<string, unknown>();

/**
 * V8 rejects a code cache made under other flags, and the shell parser switches WebAssembly's tiering
 * off while its grammars compile (src/shell/parser.ts), which leaves these two off for the rest of the
 * process. Setting them before the first bundle compiles keeps one flag state from load to exit, so
 * the cache written at exit fits the next process (otherwise every shell command's cache is rejected).
 */
const CACHE_FLAGS = ['--no-wasm-dynamic-tiering', '--no-wasm-tier-up'];
let flagsSet = false;

function setCacheFlags(): void {
  if (!flagsSet) {
    flagsSet = true;
    v8.setFlagsFromString(CACHE_FLAGS.join(' '));
  }
}

/** Old caches of a bundle beyond the newest few (other builds and installs) are removed when one is written. */
const KEEP_PER_BUNDLE = 6;

/** A 53-bit string hash (cyrb53), for cache file names (no node:crypto on the hook's path). */
function hash53(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
const toWrite: { file: string; script: vm.Script }[] = [];

/** Whether only this user can write `p` (owned by us, no group or other write bit). */
function ours(st: fs.Stats): boolean {
  return (st.mode & 0o022) === 0 && (typeof process.getuid !== 'function' || st.uid === process.getuid());
}

/** The cache directory, when it exists (or can be made) and only this user can write it. */
function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = path.join(stateDir(env), 'cache');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    return st.isDirectory() && ours(st) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readTrusted(file: string): Buffer | undefined {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    try {
      const st = fs.fstatSync(fd);
      return st.isFile() && ours(st) ? fs.readFileSync(fd) : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

function writeCaches(): void {
  for (const { file, script } of toWrite.splice(0)) {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
      prune(file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

function prune(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file).split('-')[0]}-`;
  const others = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.v8'))
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const o of others.slice(KEEP_PER_BUNDLE)) {
    fs.rmSync(path.join(dir, o.n), { force: true });
  }
}

/**
 * Requires `name` (a bundle in `dir`) through the code cache. The cache is written when the process
 * exits, after the answer: it then also holds the functions this call compiled lazily.
 */
export function loadBundle(dir: string, name: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const file = path.join(dir, name);
  if (loaded.has(file)) {
    return loaded.get(file);
  }
  const source = fs.readFileSync(file, 'utf8');
  const st = fs.statSync(file);
  const cache = env.AIRLOCK_NO_CODE_CACHE === '1' ? undefined : cacheDir(env);
  if (cache) {
    setCacheFlags();
  }
  // V8 checks its version, its flags and the source's length; the name adds which file, which build of it and which Node.
  const key = `${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}-${hash53(file)}`;
  const cacheFile = cache ? path.join(cache, `${path.basename(name, '.js')}-${key}.v8`) : undefined;
  const cachedData = cacheFile ? readTrusted(cacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source.replace(/^#!.*/, '')}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    if (toWrite.length === 0) {
      process.once('exit', writeCaches);
    }
    toWrite.push({ file: cacheFile, script });
  }
  const mod = { exports: {} as unknown };
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dir);
  loaded.set(file, mod.exports);
  return mod.exports;
}
