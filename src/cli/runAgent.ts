/**
 * `airlock run [--cwd DIR] [--agent NAME] [--no-sandbox] [--dry-run [--json]] -- <agent command...>`:
 * starts the agent (and everything it spawns, its hooks included) inside an OS sandbox built from
 * the workspace's policy, with Airlock's supervisor outside it (supervisor.ts). Exit status: the
 * agent's; 2 when the sandbox cannot start (with what to install) or the policy is broken.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensurePrivateDir, findRegistrations, newToken, runtimeDir } from '../bridge/registry';
import { isBroadRoot, loadPolicy, searchFolder } from '../policy/load';
import { sandboxPolicy } from '../policy/sandboxPolicy';
import type { SandboxAgent } from '../sandbox/agents';
import { AGENT_PROFILES, detectAgent, SANDBOX_AGENTS } from '../sandbox/agents';
import { diagnoseBwrap, NOT_ENFORCED } from '../sandbox/diagnose';
import { captureAgentJson, removePlaceholders, restoreAgentJson, topProtected } from '../sandbox/guards';
import { launch } from '../sandbox/launch';
import type { SandboxPlan } from '../sandbox/plan';
import { defaultHome, findBwrap, INSTALL_BWRAP, prepareSandbox, programDirs } from '../sandbox/prepare';
import { seccompFilter } from '../sandbox/seccomp';
import { stateDir } from '../util/stateDir';
import { ExitCode, registerCommand } from './run';
import type { CliIo } from './run';
import { Supervisor, supervisorEnv } from './supervisor';

interface RunArgs {
  cwd?: string;
  agent?: string;
  noSandbox: boolean;
  dryRun: boolean;
  json: boolean;
  command: string[];
}

class UsageError extends Error {}

/** Options come before the command; `--` (or the first word that is not an option) starts it. */
export function parseRunArgs(args: readonly string[]): RunArgs {
  const out: RunArgs = { noSandbox: false, dryRun: false, json: false, command: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.command = args.slice(i + 1);
      break;
    }
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') {
        throw new UsageError(`${name} needs a value`);
      }
      return v;
    };
    if (name === '--cwd') {
      out.cwd = value();
    } else if (name === '--agent') {
      out.agent = value();
    } else if (name === '--no-sandbox' && inline === undefined) {
      out.noSandbox = true;
    } else if (name === '--dry-run' && inline === undefined) {
      out.dryRun = true;
    } else if (name === '--json' && inline === undefined) {
      out.json = true;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      out.command = args.slice(i);
      break;
    }
  }
  if (out.command.length === 0) {
    throw new UsageError('no command to run: airlock run [--cwd DIR] -- <agent command...>');
  }
  if (out.agent !== undefined && out.agent !== 'none' && !SANDBOX_AGENTS.includes(out.agent as SandboxAgent)) {
    throw new UsageError(`--agent: expected one of ${[...SANDBOX_AGENTS, 'none'].join(', ')} (got '${out.agent}')`);
  }
  return out;
}

function describePlan(plan: SandboxPlan): string {
  const lines = [`Sandbox for ${plan.folder}${plan.agent ? ` (${AGENT_PROFILES[plan.agent].displayName})` : ''}:`, '  writable:'];
  lines.push(...plan.writable.map((w) => `    ${w.path}  (${w.why})`), '    /tmp, /var/tmp  (private to the sandbox, empty at start)');
  const ro = plan.findings.filter((f) => f.effect === 'readonly');
  const hidden = plan.findings.filter((f) => f.effect === 'hide');
  lines.push('  read-only inside them:', ...(ro.length ? ro.map((f) => `    ${f.path}  (${f.rule.what})`) : ['    (nothing found)']));
  lines.push('  unreadable:', ...(hidden.length ? hidden.map((f) => `    ${f.path}  (${f.rule.what})`) : ['    (nothing found)']));
  lines.push(
    '  network (through the proxy):',
    ...(plan.network.allow.length ? plan.network.allow.map((a) => `    ${a.value}  (${a.source})`) : ['    (none)']),
    `  loopback ports: ${plan.network.loopbackPorts.length ? plan.network.loopbackPorts.join(', ') : 'none'}`,
    `  Unix sockets: ${plan.unixSockets ? 'allowed' : 'refused'}`,
  );
  return `${lines.join('\n')}\n`;
}

function workspaceOf(cwd: string): string {
  const real = fs.realpathSync.native(cwd);
  return fs.realpathSync.native(searchFolder(real));
}

/** Runs the command without a sandbox (`--no-sandbox`), after saying what is then not enforced. */
async function runUnsandboxed(command: readonly string[], cwd: string, io: CliIo): Promise<number> {
  io.stderr(`airlock run: --no-sandbox: the agent runs without the OS sandbox. Not enforced then:\n${NOT_ENFORCED.map((l) => `  - ${l}`).join('\n')}\nThe agent's hooks still ask and snapshot where it calls them.\n`);
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd, stdio: 'inherit' });
    child.on('error', (e) => {
      io.stderr(`airlock run: cannot start ${command[0]}: ${e.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1)));
  });
}

async function runSandboxed(args: RunArgs, io: CliIo): Promise<number> {
  const env = process.env;
  const home = defaultHome(env);
  const cwd = path.resolve(args.cwd ?? process.cwd());
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
    throw new UsageError(`--cwd: no such folder: ${cwd}`);
  }
  const folder = workspaceOf(cwd);
  if (isBroadRoot(folder, home) || path.basename(folder) === '.airlock-no-workspace') {
    throw new UsageError(`${cwd} is not a project folder (the home folder and / are never a workspace): run airlock run from your project, or give --cwd`);
  }
  const loaded = loadPolicy(folder, { home });
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    io.stderr(
      `airlock run: the policy has errors, so the sandbox does not start (it never runs looser than the policy):\n${errors
        .map((p) => `  ${p.file}:${p.line}:${p.column}: ${p.message}`)
        .join('\n')}\nFix them (airlock policy validate --dir ${folder}) and run again.\n`,
    );
    return ExitCode.usage;
  }
  const sandbox = sandboxPolicy(loaded.policy, home);
  for (const w of sandbox.ignored) {
    io.stderr(`airlock run: warning: ${w}\n`);
  }
  const agent = args.agent === 'none' ? undefined : ((args.agent as SandboxAgent | undefined) ?? detectAgent(args.command));
  const cli = fs.realpathSync.native(process.argv[1] ?? __filename);
  const token = newToken();
  const { plan, placeholders } = prepareSandbox({
    folder,
    home,
    env,
    ...(agent ? { agent } : {}),
    policy: loaded.policy,
    sandbox,
    airlockState: stateDir(env),
    airlockReadOnly: [path.dirname(path.dirname(cli))],
    reexpose: [path.dirname(cli), path.dirname(process.execPath), cwd, ...programDirs(args.command[0], env)],
    sandboxEnv: { ...supervisorEnv(token, folder), AIRLOCK_CLI: cli },
    dryRun: args.dryRun,
    // With a window on the folder its watcher warns about what appears there; else stand-ins.
    placeholders: findRegistrations(folder, env).length === 0,
  });
  const topBefore = topProtected(folder);
  if (args.dryRun) {
    io.stdout(args.json ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan));
    return ExitCode.ok;
  }
  try {
    return await supervise(args, io, { folder, cwd, home, env, plan, token, unixSockets: sandbox.unixSockets.value, topBefore, placeholders });
  } finally {
    removePlaceholders(placeholders);
  }
}

interface Prepared {
  readonly folder: string;
  readonly cwd: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly plan: SandboxPlan;
  readonly token: string;
  readonly unixSockets: boolean;
  /** Protected paths at the workspace's top before the session, and the stand-ins made for it. */
  readonly topBefore: ReadonlySet<string>;
  readonly placeholders: readonly string[];
}

/** Starts the sandbox with its supervisor and waits for the agent. */
async function supervise(args: RunArgs, io: CliIo, p: Prepared): Promise<number> {
  const { folder, cwd, home, env, plan, token } = p;
  if (process.platform !== 'linux') {
    io.stderr(`airlock run: the sandbox needs Linux (bubblewrap); this is ${process.platform}. Run the agent with --no-sandbox to go without it.\n`);
    return ExitCode.usage;
  }
  const seccomp = seccompFilter({ blockUnixSockets: !p.unixSockets });
  if (!seccomp) {
    io.stderr(`airlock run: the sandbox does not support the ${process.arch} architecture (x64 and arm64 only). Run with --no-sandbox to go without it.\n`);
    return ExitCode.usage;
  }
  const bwrap = findBwrap(env);
  if (!bwrap) {
    io.stderr(`airlock run: bubblewrap (bwrap) is not installed, so the sandbox cannot start.\n${INSTALL_BWRAP}\nOr run without the sandbox: airlock run --no-sandbox -- ${args.command.join(' ')}\n`);
    return ExitCode.usage;
  }
  const supervisor = new Supervisor({
    token,
    folder,
    plan,
    command: args.command,
    env,
    headless: async () => {
      const { LocalGate } = await import('../agents/localGate.js');
      return new LocalGate();
    },
    commandEffects: async (command, commandCwd) => {
      const { analyzeCommandAsync } = await import('../shell/analyze.js');
      const a = await analyzeCommandAsync(command, { cwd: commandCwd, home, workspace: folder });
      return a.effects.map((e) => ({ path: e.path, op: 'write' as const }));
    },
  });
  const agentJson = captureAgentJson(plan.agent, home, env);
  const emptyDir = fs.mkdtempSync(path.join(ensurePrivateDir(runtimeDir(env)), 'sandbox-'));
  const emptyFile = path.join(emptyDir, 'hidden');
  fs.writeFileSync(emptyFile, '', { mode: 0o000 });
  const sandboxEnv: NodeJS.ProcessEnv = { ...env };
  for (const k of plan.unsetEnv) {
    delete sandboxEnv[k];
  }
  Object.assign(sandboxEnv, plan.env);
  const running = launch({ bwrap: bwrap!, plan, command: args.command, cwd, env: sandboxEnv, listeners: supervisor.listeners(), emptyFile, seccomp, node: process.execPath });
  const forward = (sig: NodeJS.Signals) => () => {
    // Ctrl-C at a terminal already reached the agent (same process group): do not send it twice.
    if (sig === 'SIGINT' && process.stdin.isTTY) {
      return;
    }
    running.signal(sig);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) {
    process.on(s, h);
  }
  try {
    await running.ready.then(
      () => supervisor.start(running.pid),
      // Not started in time (or not at all): nothing may keep running without the supervisor's sockets.
      () => running.kill(),
    );
    const exit = await running.exit;
    if (exit.startError) {
      io.stderr(`airlock run: ${exit.startError}\n${exit.helperFailed ? '' : `${await diagnoseBwrap(bwrap!)}\n`}`);
      return ExitCode.usage;
    }
    for (const line of restoreAgentJson(agentJson)) {
      io.stderr(`airlock run: the agent added or changed MCP servers, which would start outside the sandbox later: ${line}\n`);
      supervisor.note(line);
    }
    removePlaceholders(p.placeholders);
    const appeared = [...topProtected(folder)].filter((x) => !p.topBefore.has(x));
    if (appeared.length) {
      const line = `created during the sandboxed session (tools outside the sandbox read these; review them before you run them): ${appeared.join(', ')}`;
      io.stderr(`airlock run: ${line}\n`);
      supervisor.note(line);
    }
    await supervisor.stop(exit.code);
    if (supervisor.stats.blocked || supervisor.stats.networkBlocked) {
      io.stderr(`airlock run: the sandbox refused or undid ${supervisor.stats.blocked} thing(s) and refused ${supervisor.stats.networkBlocked} connection(s); see \`airlock audit\` or the Timeline in VS Code.\n`);
    }
    return exit.code;
  } finally {
    for (const [s, h] of handlers) {
      process.off(s, h);
    }
    await supervisor.close();
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }
}

registerCommand({
  name: 'run',
  summary: "run an agent inside the OS sandbox built from the workspace's policy (Linux: bubblewrap)",
  usage: 'airlock run [--cwd DIR] [--agent claude|gemini|codex|copilot-cli|none] [--no-sandbox] [--dry-run [--json]] -- <agent command...>',
  async run(argv, io) {
    let args: RunArgs;
    try {
      args = parseRunArgs(argv);
      if (args.noSandbox) {
        return await runUnsandboxed(args.command, path.resolve(args.cwd ?? process.cwd()), io);
      }
      return await runSandboxed(args, io);
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr(`airlock run: ${err.message}\n`);
        return ExitCode.usage;
      }
      throw err;
    }
  },
});
