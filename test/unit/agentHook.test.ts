import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentId } from '../../src/agents/adapter';
import { readAudit } from '../../src/audit/log';
import { AGENT_IDS } from '../../src/agents/adapter';
import { runtimeDir } from '../../src/bridge/registry';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
/** Airlock's per-user state (the audit log) for these tests. */
const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-hook-state-'));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Spawns `airlock hook <agent>` with the bytes on stdin (EPIPE from an early answer is expected). */
function hook(agent: string, input: Buffer | string | undefined, env: NodeJS.ProcessEnv = {}, closeStdin = true): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, 'hook', agent], { env: { ...process.env, AIRLOCK_HOME: stateHome, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {
      /* the hook stopped reading: that is the point of the size cap */
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    if (input !== undefined) {
      child.stdin.write(input);
    }
    if (closeStdin) {
      child.stdin.end();
    }
  });
}

/** True when the run is a deny that the agent honours (in its own format, or by exit 2). */
function isDeny(agent: AgentId, r: Run): boolean {
  if (agent === 'cline') {
    const o = JSON.parse(r.stdout) as { cancel?: boolean };
    return r.code === 0 && o.cancel === true;
  }
  if (agent === 'opencode') {
    // Airlock's OpenCode plugin throws unless the exit is 0 with {"decision":"allow"}.
    return r.code === 2 && (JSON.parse(r.stdout) as { decision?: string }).decision === 'deny';
  }
  return r.code === 2;
}

describe('agents: airlock hook (the built dist/cli.js, spawned)', () => {
  let ws: string;
  after(() => fs.rmSync(stateHome, { recursive: true, force: true }));
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-hook-')));
    fs.mkdirSync(path.join(ws, '.git'));
    fs.writeFileSync(path.join(ws, 'README.md'), '# demo\n');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('allows a harmless Read silently (exit 0, no output) and denies a write to .env with the reason and how to approve', async () => {
    const read = await hook('claude', JSON.stringify({ session_id: 's', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: path.join(ws, 'README.md') } }));
    assert.deepEqual([read.code, read.stdout, read.stderr], [0, '', '']);
    const env = await hook('claude', JSON.stringify({ session_id: 's', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: path.join(ws, '.env'), content: 'K=1' } }));
    assert.equal(env.code, 2);
    const out = JSON.parse(env.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
    assert.equal(out.hookSpecificOutput.permissionDecision, 'deny');
    assert.match(out.hookSpecificOutput.permissionDecisionReason, /\.env/);
    assert.match(env.stderr, /open this workspace in VS Code with the Agent Airlock extension/);
    // Where it looked for a window, so a user whose window is open elsewhere can point the agent at it.
    assert.ok(env.stderr.includes(`looked for one in ${path.join(runtimeDir(), 'windows')} and found none with ${ws} open`), env.stderr);
    const entries = readAudit(ws, { AIRLOCK_HOME: stateHome }).entries.filter((e) => e.folder === ws);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.verdict, e.via, e.agent]),
      [
        ['read', 'allow', 'cli', 'claude'],
        ['create', 'deny', 'cli', 'claude'],
      ],
    );
  });

  it('takes a snapshot before an allowed write, listed by `airlock snapshots`, and logs its id', async () => {
    const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-hook-repo-')));
    try {
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
      git('init', '-q');
      fs.writeFileSync(path.join(repo, 'a.txt'), 'a\n');
      git('add', '.');
      git('commit', '-qm', 'init');
      const log = path.join(repo, '..', `${path.basename(repo)}.log`);
      const r = await hook('codex', JSON.stringify({ cwd: repo, hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** Update File: a.txt\n-a\n+b\n*** End Patch' } }), { AIRLOCK_HOOK_LOG: log });
      assert.deepEqual([r.code, r.stdout], [0, '']);
      const entry = JSON.parse(fs.readFileSync(log, 'utf8')) as { snapshotId?: string; verdict: string };
      fs.rmSync(log);
      assert.equal(entry.verdict, 'allow');
      assert.match(entry.snapshotId ?? '', /^[0-9a-f]{7,}$/);
      const list = spawnSync(process.execPath, [cli, 'snapshots', '--cwd', repo, '--json'], { encoding: 'utf8', env: { ...process.env, AIRLOCK_HOME: stateHome } });
      const snaps = JSON.parse(list.stdout) as { id: string; agent: string; tool: string }[];
      assert.deepEqual(snaps.map((x) => [x.id, x.agent, x.tool]), [[entry.snapshotId, 'codex', 'apply_patch']]);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('denies a destructive command in each agent\'s own format', async () => {
    const payloads: Record<AgentId, unknown> = {
      claude: { cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'rm -rf ~' } },
      copilot: { cwd: ws, hookEventName: 'PreToolUse', tool_name: 'run_in_terminal', tool_input: { command: 'rm -rf ~' } },
      'copilot-cli': { cwd: ws, toolName: 'bash', toolArgs: '{"command":"rm -rf ~"}' },
      cursor: { hook_event_name: 'beforeShellExecution', command: 'rm -rf ~', cwd: ws, workspace_roots: [ws] },
      gemini: { cwd: ws, hook_event_name: 'BeforeTool', tool_name: 'run_shell_command', tool_input: { command: 'rm -rf ~' } },
      codex: { cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'rm -rf ~' } },
      windsurf: { agent_action_name: 'pre_run_command', tool_info: { command_line: 'rm -rf ~', cwd: ws } },
      cline: { hookName: 'PreToolUse', workspaceRoots: [ws], preToolUse: { toolName: 'execute_command', parameters: { command: 'rm -rf ~' } } },
      opencode: { hook: 'tool.execute.before', input: { tool: 'bash', sessionID: 's', callID: 'c' }, output: { args: { command: 'rm -rf ~' } }, directory: ws },
    };
    const runs = await Promise.all(AGENT_IDS.map((a) => hook(a, JSON.stringify(payloads[a]))));
    AGENT_IDS.forEach((a, i) => assert.ok(isDeny(a, runs[i]), `${a}: ${JSON.stringify(runs[i])}`));
    const byAgent = Object.fromEntries(AGENT_IDS.map((a, i) => [a, runs[i]])) as Record<AgentId, Run>;
    assert.equal((JSON.parse(byAgent['copilot-cli'].stdout) as { permissionDecision: string }).permissionDecision, 'deny');
    assert.equal((JSON.parse(byAgent.gemini.stdout) as { decision: string }).decision, 'deny');
    assert.equal((JSON.parse(byAgent.cursor.stdout) as { permission: string }).permission, 'deny');
    assert.match(byAgent.windsurf.stderr, /rm -rf ~/);
  });

  const badInputs: [string, Buffer | string][] = [
    ['malformed JSON', '{"tool_name": "Bash", tool_input: }'],
    ['truncated JSON', '{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/x","content":"ab'],
    ['a wrongly typed field', '{"hook_event_name":"PreToolUse","tool_name":["Bash"],"tool_input":{"command":"ls"}}'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"Bash"'],
    ['binary data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x00])],
    ['JSON with a NUL byte', Buffer.concat([Buffer.from('{"tool_name":"Read"'), Buffer.from([0]), Buffer.from('}')])],
    ['an empty payload', ''],
    ['deeply nested JSON', `${'['.repeat(200000)}${']'.repeat(200000)}`],
  ];
  for (const [what, input] of badInputs) {
    it(`denies ${what} with a clear reason, for every agent`, async () => {
      const runs = await Promise.all(AGENT_IDS.map((a) => hook(a, input)));
      AGENT_IDS.forEach((a, i) => {
        assert.ok(isDeny(a, runs[i]), `${a} did not deny ${what}: ${JSON.stringify(runs[i])}`);
        assert.match(runs[i].stdout + runs[i].stderr, /invalid .* hook payload: |payload/, a);
        assert.doesNotMatch(runs[i].stderr, /at .*cli\.js|TypeError|ReferenceError/, `${a} crashed`);
      });
    });
  }

  it('denies a 50 MB payload quickly without reading it all', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    big.write('{"tool_name":"Read","tool_input":{"file_path":"', 0);
    const r = await hook('claude', big);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /larger than 16 MiB/);
    const c = await hook('cline', big);
    assert.equal((JSON.parse(c.stdout) as { cancel: boolean }).cancel, true);
  });

  it('answers deny from the watchdog when the payload never finishes arriving', async () => {
    const r = await hook('gemini', '{"tool_name":', { AIRLOCK_HOOK_WATCHDOG_MS: '500' }, false);
    assert.equal(r.code, 2);
    assert.equal((JSON.parse(r.stdout) as { decision: string }).decision, 'deny');
    assert.match(r.stderr, /did not reach a decision within/);
  });

  it('exits 2 for a missing or unknown agent name', async () => {
    const r = await hook('vim', '{}');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /expected one agent: claude, copilot/);
  });

  it('answers 20 concurrent calls, each correctly', async () => {
    const calls = Array.from({ length: 20 }, (_, i) => {
      const denyIt = i % 2 === 1;
      const file = path.join(ws, denyIt ? `.env.${i}` : `f${i}.txt`);
      return { denyIt, payload: JSON.stringify({ cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: file, content: String(i) } }) };
    });
    const runs = await Promise.all(calls.map((c) => hook('claude', c.payload)));
    runs.forEach((r, i) => {
      assert.equal(r.code, calls[i].denyIt ? 2 : 0, `call ${i}: ${JSON.stringify(r)}`);
      if (calls[i].denyIt) {
        assert.match(r.stderr, new RegExp(`\\.env\\.${i}\\b`));
      } else {
        assert.equal(r.stdout, '');
      }
    });
  });
});
