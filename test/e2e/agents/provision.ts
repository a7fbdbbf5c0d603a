/**
 * Installs the real agent CLIs (pinned versions, from npm) into a cache directory on first use and
 * returns their binaries. They are not project dependencies: together they weigh over 1 GB.
 *
 * Layout: `<cache>/agents-<name>-<version>/` holds a private package.json and node_modules, plus a
 * `.complete` marker written last. `<cache>` is `AIRLOCK_AGENTS_CACHE` or
 * `~/.cache/agent-airlock`. A directory lock (`mkdir` is atomic) keeps parallel runs from installing
 * the same agent twice; a lock whose owner process is gone is taken over.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The agents whose hooks are shell commands in a config file. */
export type HookCommandAgent = 'claude' | 'gemini' | 'codex' | 'copilot-cli';
/** Every agent run for real in the tests (Cline and OpenCode are guarded through plugins too). */
export type AgentName = HookCommandAgent | 'cline' | 'opencode';

export interface AgentPackage {
  readonly agent: AgentName;
  /** npm package name. */
  readonly pkg: string;
  readonly version: string;
  /** The executable's name in node_modules/.bin. */
  readonly bin: string;
}

export const AGENT_PACKAGES: Readonly<Record<AgentName, AgentPackage>> = {
  claude: { agent: 'claude', pkg: '@anthropic-ai/claude-code', version: '2.1.330', bin: 'claude' },
  gemini: { agent: 'gemini', pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
  codex: { agent: 'codex', pkg: '@openai/codex', version: '0.169.0', bin: 'codex' },
  'copilot-cli': { agent: 'copilot-cli', pkg: '@github/copilot', version: '1.0.102', bin: 'copilot' },
  cline: { agent: 'cline', pkg: 'cline', version: '3.0.65', bin: 'cline' },
  opencode: { agent: 'opencode', pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
};

export interface ProvisionedAgent extends AgentPackage {
  /** Absolute path of the executable. */
  readonly binary: string;
  /** Whether this call installed it (false: found in the cache). */
  readonly installed: boolean;
  /** Time this call spent installing or waiting for another run's install. */
  readonly ms: number;
}

export function agentsCacheRoot(): string {
  return process.env.AIRLOCK_AGENTS_CACHE || path.join(os.homedir(), '.cache', 'agent-airlock');
}

/**
 * XDG_CACHE_HOME shared by every Copilot CLI run (it unpacks ~235 MB into a fresh cache on its
 * first start; sharing it makes later runs fast).
 */
export function sharedXdgCacheHome(): string {
  const dir = path.join(agentsCacheRoot(), 'agents-xdg-cache');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function installDir(p: AgentPackage): string {
  return path.join(agentsCacheRoot(), `agents-${p.pkg.replace(/^@[^/]+\//, '')}-${p.version}`);
}

function binaryOf(p: AgentPackage, dir: string): string {
  return path.join(dir, 'node_modules', '.bin', process.platform === 'win32' ? `${p.bin}.cmd` : p.bin);
}

function isComplete(dir: string): boolean {
  return fs.existsSync(path.join(dir, '.complete'));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `lockDir` (waiting while a live process holds it); returns a release function. */
async function acquireLock(lockDir: string, timeoutMs: number): Promise<() => void> {
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    } catch {
      /* the owner is between mkdir and writing its pid, or just released it */
    }
    const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if ((Number.isInteger(owner) && owner > 0 && !processAlive(owner)) || (Number.isNaN(owner) && age > 30_000)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${lockDir} (held by pid ${owner})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Returns the agent's binary, installing `pkg@version` from npm into the cache first if needed.
 * Throws with npm's output when the install fails (the caller decides whether that means skip).
 */
export async function provisionAgent(agent: AgentName, timeoutMs = 10 * 60_000): Promise<ProvisionedAgent> {
  const p = AGENT_PACKAGES[agent];
  const dir = installDir(p);
  const started = Date.now();
  if (isComplete(dir)) {
    return { ...p, binary: binaryOf(p, dir), installed: false, ms: 0 };
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, timeoutMs);
  try {
    if (isComplete(dir)) {
      return { ...p, binary: binaryOf(p, dir), installed: false, ms: Date.now() - started };
    }
    // Install into a scratch directory and rename it into place, so a crash never leaves a
    // half-installed directory that looks usable.
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: `airlock-e2e-${p.bin}`, private: true }, null, 2));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = await run(
      npm,
      ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', '--engine-strict=false', `${p.pkg}@${p.version}`],
      tmp,
      timeoutMs,
    );
    if (r.code !== 0 || !fs.existsSync(binaryOf(p, tmp))) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`npm install ${p.pkg}@${p.version} failed (exit ${r.code}):\n${r.output.slice(-4000)}`);
    }
    fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    fs.renameSync(tmp, dir);
    return { ...p, binary: binaryOf(p, dir), installed: true, ms: Date.now() - started };
  } finally {
    release();
  }
}

let all: Map<AgentName, Promise<ProvisionedAgent>> | undefined;

/**
 * Starts provisioning every agent at once (first call only; npm downloads run in parallel) and
 * returns the agent's own promise. A failed install rejects only that agent's promise.
 */
export function provisionAllOnce(agent: AgentName): Promise<ProvisionedAgent> {
  if (!all) {
    all = new Map();
    for (const name of Object.keys(AGENT_PACKAGES) as AgentName[]) {
      const p = provisionAgent(name);
      p.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
      all.set(name, p);
    }
  }
  return all.get(agent)!;
}
