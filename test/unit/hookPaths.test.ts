import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { AgentId } from '../../src/agents/adapter';
import { AGENT_IDS, ANSWERED_BY_HOOK, HOOK_WATCHDOG_MS } from '../../src/agents/adapter';
import { ADAPTERS } from '../../src/agents/adapters';
import { BridgeGate } from '../../src/agents/bridgeGate';
import { hookLogLine, runHook } from '../../src/agents/hookRunner';
import { hookHandler } from '../../src/agents/hookService';
import { LocalGate } from '../../src/agents/localGate';
import { appendAudit } from '../../src/audit/log';
import { newSocketPath, newToken, register } from '../../src/bridge/registry';
import { BridgeServer } from '../../src/bridge/server';
import { hookMain } from '../../src/cli/hook';
import type { HookCall } from './hookFixture';
import { corpusHookCalls, corpusProject, payloadDir, root, runWithInput } from './hookFixture';

const cli = path.join(root, 'dist', 'cli.js');

/** What a hook call left behind, with what may differ between two runs of it taken out. */
interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly log: unknown;
  readonly audit: unknown[];
}

function listJson(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listJson(path.join(dir, e.name)) : e.name.endsWith('.json') && e.name !== 'tools.json' ? [path.join(dir, e.name)] : []));
}

function withoutRunFacts(log: Record<string, unknown>): unknown {
  const { time: _t, ms: _m, snapshotId, ...rest } = log;
  return { ...rest, snapshot: snapshotId !== undefined };
}

/**
 * Issue 17: the fast paths must not change what is decided. Every line of the command corpus, every
 * recorded agent payload and a Read and a Bash call of every agent go through each path a hook call
 * can take, on a real repository, and come out as the full hook run in this process with the same
 * deciders in reach (answer, exit code, reasons, log line, snapshot, audit entries):
 * - `airlock hook`'s thin client (hookMain) sending whole calls to a warm decider over a real socket,
 *   against the full hook sending the parsed actions to the same decider (`decide` requests);
 * - the launcher's fast client (perl) sending them to a decider found by its registration (calls in
 *   other folders are declined and take the full path), against the full hook with that registry;
 * - the cold CLI, as a process (the launcher with no decider: node dist/cli.js, the code cache), on
 *   the agent payloads and a sample of the corpus, against the full hook with no decider.
 * The warm deciders here answer with the headless gate (as `airlock run`'s supervisor does); the
 * window's own gate is compared in test/integration/gate.test.ts.
 */
describe('one hook call on every path: the same answer, reasons, snapshot and audit (fast client, thin client, cold CLI)', function () {
  this.timeout(20 * 60_000);
  let base: string;
  let home: string;
  let project: string;
  let runtime: string;
  const calls: HookCall[] = [];
  const servers: BridgeServer[] = [];
  const states: Record<'thin' | 'fast' | 'cold', string> = { thin: '', fast: '', cold: '' };
  let thinEndpoint: Awaited<ReturnType<typeof decider>>;
  let savedRuntime: string | undefined;
  let fastEndpoint: Awaited<ReturnType<typeof decider>>;

  /** A warm decider for `project` (the headless gate, auditing into `state`); `answered` counts the hook calls it answered. */
  async function decider(state: string): Promise<{ socket: string; token: string; answered: () => number }> {
    const gate = new LocalGate({ home, audit: (e) => appendAudit(e, { AIRLOCK_HOME: state }) });
    const socketPath = newSocketPath({ AIRLOCK_RUNTIME_DIR: runtime });
    const token = newToken();
    const decide = async (req: { actions: Parameters<LocalGate['decide']>[0]; installedFor?: string; deadlineMs: number }, signal: AbortSignal) => {
      const first = req.actions[0]!;
      return gate.decide(req.actions, { agent: first.agent, cwd: first.cwd, canAsk: false, signal, deadlineMs: req.deadlineMs, ...(req.installedFor ? { installedFor: req.installedFor } : {}) });
    };
    const onHook = hookHandler({ decide, socketPath: () => socketPath, env: { AIRLOCK_RUNTIME_DIR: runtime } });
    let answered = 0;
    const server = await BridgeServer.listen({
      socketPath,
      token,
      folders: () => [project],
      version: 'test',
      onDecide: decide,
      onHook: async (req, signal) => {
        const a = await onHook(req, signal);
        answered++;
        return a;
      },
    });
    servers.push(server);
    return { socket: socketPath, token, answered: () => answered };
  }

  before(async () => {
    ({ base, home, project } = corpusProject('airlock-hook-paths-'));
    runtime = path.join(base, 'run');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.mkdirSync(runtime, { mode: 0o700 });
    for (const k of Object.keys(states) as (keyof typeof states)[]) {
      states[k] = path.join(base, `state-${k}`);
    }
    const inst = spawnSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', project], { encoding: 'utf8', env: { ...process.env, HOME: home } });
    assert.equal(inst.status, 0, inst.stderr);

    calls.push(...corpusHookCalls(home));
    // The recorded payloads of the real agents, moved to this project.
    for (const file of listJson(payloadDir)) {
      const agent = path.relative(payloadDir, file).split(path.sep)[0] as AgentId;
      const text = fs.readFileSync(file, 'utf8');
      const o = JSON.parse(text) as { cwd?: string; directory?: string; workspaceRoots?: string[] };
      const recorded = o.cwd ?? o.directory ?? o.workspaceRoots?.[0];
      calls.push({ name: path.relative(payloadDir, file), agent, payload: recorded ? text.split(recorded).join(project) : text });
    }
    const perAgent = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'hookCalls.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const [agent, byTool] of Object.entries(perAgent).filter(([k]) => k !== '//')) {
      for (const [tool, payload] of Object.entries(byTool)) {
        calls.push({ name: `${agent} ${tool}`, agent: agent as AgentId, payload: JSON.stringify(payload).split('WS').join(project) });
      }
    }
    // An agent-made repository inside the project whose policy allows everything: the policy of the
    // folder the hook was installed for still applies (installedFor must reach every decider).
    const sub = path.join(project, 'vendor');
    fs.mkdirSync(path.join(sub, '.airlock'), { recursive: true });
    spawnSync('git', ['init', '-q'], { cwd: sub });
    fs.writeFileSync(path.join(sub, '.airlock', 'policy.json'), JSON.stringify({ paths: { '**': 'allow' }, defaults: { outsideWorkspace: 'allow' } }));
    const claudeIn = (cwd: string, tool: string, input: object) => JSON.stringify({ session_id: 's', cwd, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input });
    calls.push({ name: 'agent-made folder: write .env', agent: 'claude', payload: claudeIn(sub, 'Write', { file_path: path.join(sub, '.env'), content: 'K=1\n' }) });
    calls.push({ name: 'agent-made folder: rm -rf ../src', agent: 'claude', payload: claudeIn(sub, 'Bash', { command: 'rm -rf ../src' }) });
    // A payload that is not JSON: every path denies it the same way.
    calls.push({ name: 'truncated payload', agent: 'claude', payload: '{"tool_name": "Bash", "tool_input": {"comm' });

    fastEndpoint = await decider(states.fast);
    // The fast client finds its decider by folder (a registration); the thin client through the environment, as in a window's terminal.
    register({ pid: process.pid, socket: fastEndpoint.socket, token: fastEndpoint.token, folders: [project], version: 'test', createdAt: new Date().toISOString() }, { AIRLOCK_RUNTIME_DIR: runtime });
    thinEndpoint = await decider(states.thin);
    process.chdir(project);
    // Cline's pass, written by the hook process itself (here: this one), goes to a private runtime dir.
    savedRuntime = process.env.AIRLOCK_RUNTIME_DIR;
    process.env.AIRLOCK_RUNTIME_DIR = path.join(base, 'run-this');
  });

  after(async () => {
    process.chdir(root);
    if (savedRuntime === undefined) {
      delete process.env.AIRLOCK_RUNTIME_DIR;
    } else {
      process.env.AIRLOCK_RUNTIME_DIR = savedRuntime;
    }
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(base, { recursive: true, force: true });
  });

  /** New lines of a file since the last call (per file offsets), as parsed JSON. */
  const offsets = new Map<string, number>();
  function newLines(file: string): unknown[] {
    let text: string;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const from = offsets.get(file) ?? 0;
        const buf = Buffer.alloc(size - from);
        fs.readSync(fd, buf, 0, buf.length, from);
        offsets.set(file, size);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return [];
    }
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  }

  /** The audit entries a path wrote since its last call, in any folder's log, without time, chain and snapshot id. */
  function newAudit(state: string): unknown[] {
    const dir = path.join(state, 'audit');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    return files.flatMap((f) =>
      newLines(path.join(dir, f)).map((e) => {
        const { time: _t, prev: _p, snapshotId, ...rest } = e as Record<string, unknown>;
        return { ...rest, snapshot: snapshotId !== undefined };
      }),
    );
  }

  function logOf(file: string): unknown {
    const lines = newLines(file);
    return lines.length === 1 ? withoutRunFacts(lines[0] as Record<string, unknown>) : { lines: lines.length };
  }

  it('gives the same answer, log, snapshot and audit on the fast client, the thin client and the cold CLI as on the full hook', async () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AIRLOCK_')));
    const logs = { thin: path.join(base, 'thin.log'), fast: path.join(base, 'fast.log'), cold: path.join(base, 'cold.log') };
    const noWindows = path.join(base, 'run-empty');
    fs.mkdirSync(noWindows, { mode: 0o700 });
    const launcher = path.join(project, '.airlock', 'bin', 'airlock-hook');
    const childEnv = (state: string, log: string, runtimeDir: string) => ({ ...clean, HOME: home, AIRLOCK_HOME: state, AIRLOCK_HOOK_LOG: log, AIRLOCK_RUNTIME_DIR: runtimeDir, AIRLOCK_CLI: cli });
    // Each path's environment: the deciders it can reach (and where the headless gate audits without one).
    const envs = {
      thin: { AIRLOCK_SOCKET: thinEndpoint.socket, AIRLOCK_TOKEN: thinEndpoint.token, AIRLOCK_RUNTIME_DIR: noWindows },
      fast: { AIRLOCK_RUNTIME_DIR: runtime },
      cold: { AIRLOCK_RUNTIME_DIR: noWindows },
    };
    /** The full hook in this process with a path's environment: the parsed actions over `decide` requests, or the headless gate. */
    async function reference(c: HookCall, p: keyof typeof envs): Promise<Outcome> {
      const state = states[p];
      const gate = new BridgeGate(async (unreachable) => new LocalGate({ home, audit: (e) => appendAudit(e, { AIRLOCK_HOME: state }), ...(unreachable ? { unreachable } : {}) }), envs[p]);
      let log: unknown;
      const out = await runHook(ADAPTERS[c.agent], Readable.from([Buffer.from(c.payload)]), async () => gate, {
        installedFor: project,
        hook: { cwd: project, env: {}, hasTty: false },
        onDecision: (r, call) => (log = withoutRunFacts(JSON.parse(hookLogLine(r, call)) as Record<string, unknown>)),
      });
      return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr, log, audit: newAudit(state) };
    }
    const bad: string[] = [];
    const compare = (p: string, c: HookCall, got: Outcome, want: Outcome) => {
      try {
        assert.deepEqual(got, want);
      } catch (err) {
        bad.push(`${p}: ${c.agent} ${c.name}\n${err instanceof Error ? err.message : String(err)}`);
      }
    };
    let coldRuns = 0;
    for (const [i, c] of calls.entries()) {
      const thinWant = await reference(c, 'thin');
      const io = { stdout: '', stderr: '' };
      const code = await hookMain(
        c.agent,
        Readable.from([Buffer.from(c.payload)]),
        { stdout: (s) => (io.stdout += s), stderr: (s) => (io.stderr += s) },
        { ...envs.thin, AIRLOCK_WORKSPACE: project, AIRLOCK_HOOK_LOG: logs.thin },
      );
      compare('thin', c, { code, ...io, log: logOf(logs.thin), audit: newAudit(states.thin) }, thinWant);

      const fastWant = await reference(c, 'fast');
      const fast = await runWithInput('/bin/sh', [launcher, c.agent], c.payload, project, childEnv(states.fast, logs.fast, runtime));
      compare('fast', c, { ...fast, log: logOf(logs.fast), audit: newAudit(states.fast) }, fastWant);

      // The cold CLI as a process on every agent payload and on a sample of the corpus.
      if (c.corpus === undefined || i % 15 === 0) {
        coldRuns++;
        const coldWant = await reference(c, 'cold');
        const cold = await runWithInput('/bin/sh', [launcher, c.agent], c.payload, project, childEnv(states.cold, logs.cold, noWindows));
        compare('cold', c, { ...cold, log: logOf(logs.cold), audit: newAudit(states.cold) }, coldWant);
      }
    }
    assert.ok(coldRuns > 100, `the cold CLI ran ${coldRuns} calls`);
    assert.deepEqual(bad.slice(0, 5), []);
  });

  it('took the fast paths: the warm deciders answered the calls (all through the environment; by folder, those in its folder)', () => {
    // Agents whose answer the hook writes itself (Cline's pass) are declined and take the full path.
    const answered = calls.filter((c) => ADAPTERS[c.agent].answer === undefined);
    const cwdOf = (c: HookCall) => {
      try {
        return ADAPTERS[c.agent].parse(JSON.parse(c.payload), { cwd: project, env: {}, hasTty: false })[0]?.cwd ?? project;
      } catch {
        return project;
      }
    };
    assert.equal(thinEndpoint.answered(), answered.length);
    assert.equal(fastEndpoint.answered(), answered.filter((c) => cwdOf(c) === project || cwdOf(c).startsWith(`${project}/`)).length);
    assert.ok(answered.length < calls.length, 'some calls were declined to be answered locally');
  });

  it('denies a payload that never finishes arriving (watchdog) or is too large on the fast and thin paths as on the full path', async () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AIRLOCK_')));
    const noWindows = path.join(base, 'run-empty');
    const launcher = path.join(project, '.airlock', 'bin', 'airlock-hook');
    const common = { ...clean, HOME: home, AIRLOCK_CLI: cli, AIRLOCK_HOME: states.fast };
    const ways: Record<string, [string, string[], NodeJS.ProcessEnv]> = {
      fast: ['/bin/sh', [launcher, 'gemini'], { ...common, AIRLOCK_RUNTIME_DIR: runtime }],
      thin: [process.execPath, [cli, 'hook', 'gemini'], { ...common, AIRLOCK_RUNTIME_DIR: noWindows, AIRLOCK_SOCKET: thinEndpoint.socket, AIRLOCK_TOKEN: thinEndpoint.token }],
      full: [process.execPath, [cli, 'hook', 'gemini'], { ...common, AIRLOCK_RUNTIME_DIR: runtime, AIRLOCK_NO_FAST: '1' }],
    };
    /** Runs one way with `input`, leaving stdin open when `close` is false. */
    const go = ([cmd, args, env]: [string, string[], NodeJS.ProcessEnv], input: Buffer | string, close: boolean, extra: NodeJS.ProcessEnv = {}) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(cmd, args, { cwd: project, env: { ...env, ...extra } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.stdin.on('error', () => {});
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('close', (code) => {
          clearTimeout(killer);
          resolve({ code, stdout, stderr });
        });
        child.stdin.write(input);
        if (close) {
          child.stdin.end();
        }
      });
    const big = Buffer.alloc(20 * 1024 * 1024, 0x20);
    big.write(`{"cwd":${JSON.stringify(project)},"hook_event_name":"BeforeTool","tool_name":"read_file","tool_input":{"absolute_path":"`, 0);
    for (const [what, input, close, extra] of [
      ['never finishes', `{"cwd":${JSON.stringify(project)},"tool_name":`, false, { AIRLOCK_HOOK_WATCHDOG_MS: '800' }],
      ['too large', big, true, {}],
    ] as const) {
      const got: Record<string, unknown> = {};
      for (const [name, way] of Object.entries(ways)) {
        got[name] = await go(way, input, close, extra);
      }
      const full = got.full as { code: number; stdout: string; stderr: string };
      assert.equal(full.code, 2, what);
      assert.match(full.stderr, what === 'too large' ? /larger than 16 MiB/ : /did not reach a decision within/);
      assert.deepEqual(got.fast, full, `fast: ${what}`);
      assert.deepEqual(got.thin, full, `thin: ${what}`);
    }
  });

  it('reaches a decider on loopback TCP (the supervisor of airlock run, seen from inside its sandbox)', async () => {
    // A TCP port in front of the thin decider's socket: what the perl client connects to is TCP.
    const proxy = net.createServer((c) => c.pipe(net.createConnection(thinEndpoint.socket)).pipe(c));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const port = (proxy.address() as net.AddressInfo).port;
      const before = thinEndpoint.answered();
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AIRLOCK_')));
      const env = { ...clean, HOME: home, AIRLOCK_SOCKET: `tcp://127.0.0.1:${port}`, AIRLOCK_TOKEN: thinEndpoint.token, AIRLOCK_RUNTIME_DIR: path.join(base, 'run-empty'), AIRLOCK_CLI: path.join(base, 'no-cli.js') };
      const read = JSON.stringify({ session_id: 'tcp', cwd: project, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: path.join(project, 'README.md') } });
      const r = await runWithInput('/bin/sh', [path.join(project, '.airlock', 'bin', 'airlock-hook'), 'claude'], read, project, env);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
      assert.equal(thinEndpoint.answered(), before + 1);
    } finally {
      proxy.close();
    }
  });
});

describe('what a thin hook client knows without loading the adapters', () => {
  it('waits for each agent as long as its adapter\'s watchdog (HOOK_WATCHDOG_MS)', () => {
    for (const id of AGENT_IDS) {
      assert.equal(HOOK_WATCHDOG_MS[id], ADAPTERS[id].watchdogMs, id);
    }
  });

  it('leaves to the hook process the agents whose adapter writes its own answer (ANSWERED_BY_HOOK)', () => {
    assert.deepEqual([...ANSWERED_BY_HOOK].sort(), AGENT_IDS.filter((id) => ADAPTERS[id].answer !== undefined).sort());
  });
});
