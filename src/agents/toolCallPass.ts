/**
 * A pass for one tool call: how Airlock's decision in Cline's hook file reaches Airlock's Cline
 * plugin, which Cline runs right after the hook for the same call. The hook (`airlock hook cline`)
 * writes a pass for a call it allows; the plugin lets the call run only if it finds the pass for
 * exactly that call (id, tool and input) and removes it. A call the hook did not allow (it did not
 * run, crashed, timed out, or denied) has no pass, so the plugin blocks it: Cline's hook files fail
 * open, the plugin does not.
 *
 * Passes live in Airlock's private runtime directory (src/bridge/registry.ts), where the approval
 * channel's registrations live too and which the built-in policy denies agents to write: an agent
 * that could forge a pass could as well register a fake window that approves everything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensurePrivateDir, runtimeDir } from '../bridge/registry';
import { sha256Hex } from '../util/sha256';

/** How long a pass stays valid (the plugin runs within milliseconds of the hook). */
export const PASS_TTL_MS = 10 * 60_000;

/** The folder of the passes, inside the runtime directory. */
export const PASS_DIR = 'cline-passes';

/** JSON with object keys sorted at every level: the same text for the same value, whoever serialised it. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * SHA-256 in hex: node:crypto's, loaded only when a pass is made (every other hook call would pay
 * for loading it at start), or the same digest in JavaScript on a Node without getBuiltinModule.
 */
function sha256(text: string): string {
  const crypto = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:crypto') : undefined;
  return crypto ? crypto.createHash('sha256').update(text).digest('hex') : sha256Hex(text);
}

/** The pass's file name for one tool call. */
export function passKey(callId: string, tool: string, input: unknown): string {
  return sha256(`${JSON.stringify([callId, tool])}\n${canonicalJson(input)}`);
}

/** Writes the pass for a tool call Airlock allowed (and removes expired ones). Throws when it cannot. */
export function writePass(key: string, env: NodeJS.ProcessEnv = process.env, now = Date.now()): void {
  const dir = ensurePrivateDir(path.join(ensurePrivateDir(runtimeDir(env)), PASS_DIR));
  for (const name of fs.readdirSync(dir)) {
    try {
      if (now - fs.lstatSync(path.join(dir, name)).mtimeMs > PASS_TTL_MS) {
        fs.rmSync(path.join(dir, name), { force: true });
      }
    } catch {
      /* taken meanwhile */
    }
  }
  const tmp = path.join(dir, `.${key}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${new Date(now).toISOString()}\n`, { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, key));
}

/**
 * The same functions in the plugin's JavaScript (plain Node, no imports but node: modules). A unit
 * test runs the generated plugin against passes written above, so the two cannot drift apart.
 */
export const PASS_PLUGIN_JS = `const PASS_TTL_MS = ${PASS_TTL_MS};
const uid = typeof process.getuid === "function" ? process.getuid() : -1;

// Airlock's private runtime directory (src/bridge/registry.ts runtimeDir).
function runtimeDir() {
  if (process.env.AIRLOCK_RUNTIME_DIR) return process.env.AIRLOCK_RUNTIME_DIR;
  const x = process.env.XDG_RUNTIME_DIR;
  const base = x && fs.existsSync(x) ? x : os.tmpdir();
  return path.join(base, "agent-airlock-" + (uid >= 0 ? uid : os.userInfo().username));
}

function canonicalJson(v) {
  if (Array.isArray(v)) return "[" + v.map((x) => (x === undefined ? "null" : canonicalJson(x))).join(",") + "]";
  if (typeof v === "object" && v !== null) {
    return "{" + Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => JSON.stringify(k) + ":" + canonicalJson(v[k])).join(",") + "}";
  }
  const s = JSON.stringify(v);
  return s === undefined ? "null" : s;
}

function passKey(callId, tool, input) {
  return crypto.createHash("sha256").update(JSON.stringify([callId, tool]) + "\\n" + canonicalJson(input)).digest("hex");
}

// Only a directory of this user that nobody else can write counts.
function privateDir(dir) {
  const st = fs.lstatSync(dir);
  return st.isDirectory() && (uid < 0 || st.uid === uid) && (st.mode & 0o022) === 0;
}

// Takes (removes) the pass for this call; false when there is none, or it is not Airlock's.
function takePass(key) {
  const rt = runtimeDir();
  const dir = path.join(rt, "${PASS_DIR}");
  if (!privateDir(rt) || !privateDir(dir)) return false;
  const file = path.join(dir, key);
  let st;
  try {
    st = fs.lstatSync(file);
  } catch {
    return false;
  }
  if (!st.isFile() || (uid >= 0 && st.uid !== uid) || Date.now() - st.mtimeMs > PASS_TTL_MS) return false;
  fs.unlinkSync(file);
  return true;
}
`;
