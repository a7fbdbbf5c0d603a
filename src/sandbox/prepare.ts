/**
 * Everything `airlock run` works out before it starts the sandbox: what bubblewrap needs and whether
 * it is there, the agent and its state, the scan of the workspace and the home folder, and the plan.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Policy } from '../policy/compile';
import type { SandboxPolicy, Sourced } from '../policy/sandboxPolicy';
import type { SandboxAgent } from './agents';
import { AGENT_PROFILES, hostOfUrl, isLoopbackHost } from './agents';
import type { Finding, SandboxPlan } from './plan';
import { buildPlan, isInsideOrSame } from './plan';
import { BUILTIN_RULES } from './protectedPaths';
import { createPlaceholders } from './guards';
import { gitCommonDir, scanSandbox } from './scan';
import { existsNoFollow, findOnPath } from '../util/fsProbe';

/** Where bubblewrap is: an executable `bwrap` on PATH. */
export function findBwrap(env: NodeJS.ProcessEnv): string | undefined {
  return findOnPath('bwrap', env);
}

/**
 * The folders a program needs to run (made visible again when they lie in a private folder such as
 * /tmp): the folder it is found in and that of its real file, and, for a program installed with npm,
 * the whole `node_modules` tree it lives in (its dependencies are in sibling packages: Codex's
 * platform binary, for one).
 */
export function programDirs(exe: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (!exe) {
    return [];
  }
  const candidates = exe.includes('/') ? [path.resolve(exe)] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, exe));
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    return [];
  }
  const files = [found, fs.realpathSync.native(found)];
  const treeOf = (file: string) => {
    const parts = file.split('/');
    const i = parts.indexOf('node_modules');
    return i > 0 ? [parts.slice(0, i + 1).join('/')] : [];
  };
  return [...new Set(files.flatMap((f) => [path.dirname(f), ...treeOf(f)]))];
}

export const INSTALL_BWRAP =
  'Install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch).';

export interface PrepareInput {
  readonly folder: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly agent?: SandboxAgent;
  readonly policy: Policy;
  readonly sandbox: SandboxPolicy;
  /** Airlock's state folder (hidden). */
  readonly airlockState: string;
  /** Files and folders of Airlock itself that must stay read-only (the CLI's own install folder). */
  readonly airlockReadOnly: readonly string[];
  /** Paths the sandbox must see although they lie in a private folder (the CLI, node). */
  readonly reexpose: readonly string[];
  /** Set in the sandbox (channel endpoint, token, proxy). */
  readonly sandboxEnv: Readonly<Record<string, string>>;
  /** Only work out the plan: create nothing (the agent's missing state, git's refs/airlock). */
  readonly dryRun?: boolean;
  /** Give missing protected folders at the top an empty read-only stand-in (see guards.ts). */
  readonly placeholders?: boolean;
}

export interface Prepared {
  readonly plan: SandboxPlan;
  /** Folders created as read-only stand-ins (removed again by removePlaceholders). */
  readonly placeholders: readonly string[];
  readonly scanMs: number;
  readonly entries: number;
}


/**
 * The running agent's state: existing paths, and its main folder created when missing (the agent
 * would create it, but the home folder is read-only in the sandbox). Its hook and settings files are
 * created empty when missing, so that they can be mounted read-only (the agent cannot plant hooks
 * there that would run outside the sandbox later).
 */
function agentState(agent: SandboxAgent | undefined, home: string, env: NodeJS.ProcessEnv, create: boolean): { state: string[]; protectedConfig: Finding[] } {
  if (!agent) {
    return { state: [], protectedConfig: [] };
  }
  const p = AGENT_PROFILES[agent];
  const e = { home, env };
  const state = p.state(e);
  for (const dir of p.createAllState ? state : state.slice(0, 1)) {
    if (create && !existsNoFollow(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
  }
  const protectedConfig: Finding[] = [];
  for (const c of p.protectedConfig(e)) {
    if (!existsNoFollow(c)) {
      if (!create) {
        continue;
      }
      try {
        if (path.extname(c) === '') {
          fs.mkdirSync(c, { recursive: true, mode: 0o700 });
        } else {
          fs.writeFileSync(c, path.extname(c) === '.json' ? '{}\n' : '', { flag: 'wx', mode: 0o600 });
        }
      } catch {
        continue;
      }
    }
    const st = fs.statSync(c);
    protectedConfig.push({ path: c, type: st.isDirectory() ? 'dir' : 'file', effect: 'readonly', rule: BUILTIN_RULES.agentConfig });
  }
  return { state: state.filter(existsNoFollow), protectedConfig };
}

/** The agent's API hosts: its own list plus the hosts of the base URLs it is configured with. */
function agentNetwork(agent: SandboxAgent | undefined, home: string, env: NodeJS.ProcessEnv): { hosts: string[]; loopbackPorts: number[] } {
  if (!agent) {
    return { hosts: [], loopbackPorts: [] };
  }
  const p = AGENT_PROFILES[agent];
  const urls = p.baseUrlEnv.map((k) => env[k]).filter((u): u is string => !!u);
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined; // no config
    }
  };
  urls.push(...(p.configuredBaseUrls?.({ home, env }, read) ?? []));
  const hosts = [...p.hosts];
  const loopbackPorts: number[] = [];
  for (const u of urls) {
    const h = hostOfUrl(u);
    if (!h) {
      continue;
    }
    if (isLoopbackHost(h.host)) {
      loopbackPorts.push(h.port);
    } else {
      hosts.push(`${h.host}:${h.port}`);
    }
  }
  return { hosts, loopbackPorts };
}

export function prepareSandbox(input: PrepareInput): Prepared {
  const { folder, home, env } = input;
  const scan = scanSandbox({
    folder,
    home,
    env,
    ...(input.agent ? { agent: input.agent } : {}),
    policy: input.policy,
    allowRead: input.sandbox.allowRead.map((a) => a.value),
    airlockState: input.airlockState,
    createMissing: !input.dryRun,
  });
  const gitDirsOutside = [...new Set(scan.gitDirs.flatMap((g) => [g, gitCommonDir(g)]))].filter((g) => !isInsideOrSame(folder, g));
  const { state, protectedConfig } = agentState(input.agent, home, env, !input.dryRun);
  const net = agentNetwork(input.agent, home, env);
  const stand = input.dryRun || !input.placeholders ? { findings: [], created: [] } : createPlaceholders(folder);
  const runtime = [env.XDG_RUNTIME_DIR, env.AIRLOCK_RUNTIME_DIR].filter((d): d is string => !!d && path.isAbsolute(d) && existsNoFollow(d));
  const agentHosts: Sourced<string>[] = net.hosts.map((h) => ({ value: h, source: `${input.agent ? AGENT_PROFILES[input.agent].displayName : 'agent'} API` }));
  const plan = buildPlan({
    folder,
    home,
    env,
    ...(input.agent ? { agent: input.agent } : {}),
    findings: [...scan.findings, ...protectedConfig, ...stand.findings],
    gitDirsOutside,
    allowWrite: input.sandbox.allowWrite.filter((w) => existsNoFollow(w.value)),
    agentState: state,
    reexpose: [home, ...input.reexpose],
    airlockReadOnly: input.airlockReadOnly,
    network: { allow: [...agentHosts, ...input.sandbox.networkAllow], loopbackPorts: [...net.loopbackPorts, ...input.sandbox.loopbackPorts.map((p) => p.value)] },
    unixSockets: input.sandbox.unixSockets.value,
    sandboxEnv: input.sandboxEnv,
    extraPrivate: runtime,
  });
  return { plan, placeholders: stand.created, scanMs: scan.ms, entries: scan.entries };
}

export function defaultHome(env: NodeJS.ProcessEnv): string {
  return env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}
