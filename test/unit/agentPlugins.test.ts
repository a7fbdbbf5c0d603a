/**
 * Cline and OpenCode, the agents Airlock guards through plugins: the Cline CLI's payloads and
 * answers, the pass from Airlock's Cline hook to its Cline plugin (the generated plugin itself,
 * run in Node against passes the hook code wrote), and Airlock's OpenCode plugin against a launcher
 * that answers every way a launcher can. The real agents run these in test/e2e/agentsPlugins.test.ts.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADAPTERS } from '../../src/agents/adapters';
import { CLINE_PLUGIN_FILE, clinePluginScript } from '../../src/agents/clinePlugin';
import { installHooks } from '../../src/agents/install';
import { LAUNCHER } from '../../src/agents/installSpec';
import { canonicalJson, PASS_DIR, passKey, writePass } from '../../src/agents/toolCallPass';
import type { Decision, GateResult } from '../../src/core/types';

const decision = (verdict: Decision['verdict'], reason = 'writing .env is not allowed'): GateResult => ({
  decision: { verdict, wouldBe: verdict, mode: 'enforce', reasons: [reason], rules: [] },
  decidedBy: 'policy',
});

/** A Cline CLI 3.0.65 PreToolUse payload (shape as recorded in test/fixtures/payloads/cline). */
function cliPayload(ws: string, name: string, input: unknown, id = 'call_1') {
  return {
    clineVersion: '',
    taskId: 'conv_1',
    workspaceRoots: [ws],
    hookName: 'tool_call',
    tool_call: { id, name, input },
    preToolUse: { toolName: name, parameters: Object.fromEntries(Object.entries(input as object).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) },
  };
}

describe('agents: Cline CLI payloads and answers', () => {
  let ws: string;
  let runtime: string;
  const saved = process.env.AIRLOCK_RUNTIME_DIR;
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-cline-')));
    runtime = path.join(ws, 'runtime');
    process.env.AIRLOCK_RUNTIME_DIR = runtime;
    fs.writeFileSync(path.join(ws, 'app.js'), 'a\nb\n');
  });
  afterEach(() => {
    if (saved === undefined) {
      delete process.env.AIRLOCK_RUNTIME_DIR;
    } else {
      process.env.AIRLOCK_RUNTIME_DIR = saved;
    }
    fs.rmSync(ws, { recursive: true, force: true });
  });
  const parse = (name: string, input: unknown) => ADAPTERS.cline.parse(cliPayload(ws, name, input));

  it('reads tool_call.input (not the stringified preToolUse.parameters): each command, each file, each editor form', () => {
    assert.deepEqual(parse('run_commands', { commands: ['ls', 'rm -rf src'] }).map((a) => a.command), ['ls', 'rm -rf src']);
    assert.deepEqual(parse('run_commands', { commands: 'make' }).map((a) => a.command), ['make'], 'Cline runs a lone string too');
    assert.deepEqual(parse('read_files', { files: [{ path: 'app.js' }, { path: '.env', start_line: 1 }] })[0].paths, [path.join(ws, 'app.js'), path.join(ws, '.env')]);
    const [replace] = parse('editor', { path: 'app.js', old_text: 'b', new_text: 'c' });
    assert.deepEqual([replace.kind, replace.content], ['edit', 'a\nc\n']);
    const [insert] = parse('editor', { path: 'app.js', new_text: 'x', insert_line: 2 });
    assert.deepEqual([insert.kind, insert.content], ['edit', 'a\nx\nb\n']);
    const [create] = parse('editor', { path: 'new.js', new_text: 'n' });
    assert.deepEqual([create.kind, create.content], ['create', 'n']);
    const [patch] = parse('apply_patch', { input: '*** Begin Patch\n*** Add File: p.txt\n+p\n*** End Patch' });
    assert.deepEqual([patch.kind, patch.paths], ['create', [path.join(ws, 'p.txt')]]);
    assert.deepEqual(parse('submit_and_exit', { summary: 'done', verified: true }), []);
    const mcp = parse('airlocktest__touch_marker', { path: 'm.txt' });
    assert.deepEqual([mcp[0].unknownTool, mcp[0].paths], [true, [path.join(ws, 'm.txt')]]);
  });

  it('refuses what is not a tool call it knows: bad commands, a bad tool_call, an unknown hook', () => {
    for (const bad of [
      cliPayload(ws, 'run_commands', { commands: [] }),
      cliPayload(ws, 'run_commands', { commands: [1] }),
      cliPayload(ws, 'editor', { path: 'a' }),
      { ...cliPayload(ws, 'editor', {}), tool_call: { id: 1, name: 'editor' } },
      { ...cliPayload(ws, 'read_files', {}), hookName: 'something_new' },
    ]) {
      assert.throws(() => ADAPTERS.cline.parse(bad), { name: 'PayloadError' }, JSON.stringify(bad));
    }
    assert.deepEqual(ADAPTERS.cline.parse({ ...cliPayload(ws, 'run_commands', { commands: ['x'] }), hookName: 'tool_result' }), []);
  });

  const answer = (r: GateResult, payload: unknown) => JSON.parse(ADAPTERS.cline.answer!(r, payload).stdout) as Record<string, unknown>;

  it('an allow leaves a pass for exactly that call in the private runtime directory', () => {
    const p = cliPayload(ws, 'run_commands', { commands: ['ls'] });
    assert.deepEqual(answer(decision('allow'), p), { cancel: false });
    const passes = fs.readdirSync(path.join(runtime, PASS_DIR));
    assert.deepEqual(passes, [passKey('call_1', 'run_commands', { commands: ['ls'] })]);
    assert.equal(fs.statSync(runtime).mode & 0o077, 0);
    assert.equal(fs.statSync(path.join(runtime, PASS_DIR, passes[0])).mode & 0o077, 0);
  });

  it('a deny puts the marker in place of the input (the plugin refuses with it); it cancels only when a tool might run with the marker', () => {
    const run = answer(decision('deny'), cliPayload(ws, 'run_commands', { commands: ['rm -rf src'] }));
    assert.match(String((run.overrideInput as Record<string, unknown>).airlock_denied), /^Agent Airlock denied this action: writing \.env is not allowed/);
    assert.equal(run.cancel, undefined, 'run_commands fails on the marker: the run goes on');
    const mcp = cliPayload(ws, 'airlocktest__touch_marker', { path: 'm' });
    assert.equal(answer(decision('deny'), mcp).cancel, true, 'no plugin here: an MCP tool might run with the marker');
    installHooks('cline', ws);
    assert.equal(answer(decision('deny'), mcp).cancel, undefined, 'with the plugin as Airlock wrote it, the plugin refuses it');
    fs.appendFileSync(path.join(ws, CLINE_PLUGIN_FILE), '\n// changed\n');
    assert.equal(answer(decision('deny'), mcp).cancel, true, 'a changed plugin may not load');
    const ask = answer(decision('ask'), cliPayload(ws, 'run_commands', { commands: ['git push'] }));
    assert.match(String(ask.context), /To approve it, open this workspace in VS Code/);
    assert.equal(fs.existsSync(path.join(runtime, PASS_DIR)), false, 'no pass for a deny or an ask');
  });

  it('Cline for VS Code (no tool_call) and an unreadable payload get cancel, the only block they know', () => {
    const ext = { hookName: 'PreToolUse', workspaceRoots: [ws], preToolUse: { toolName: 'execute_command', parameters: { command: 'rm -rf ~' } } };
    assert.equal(answer(decision('deny'), ext).cancel, true);
    assert.equal(answer(decision('deny'), undefined).cancel, true);
    assert.deepEqual(answer(decision('allow'), ext), { cancel: false });
  });

  it('when the pass cannot be written, the allow becomes a deny (the plugin would refuse the call anyway)', () => {
    fs.writeFileSync(runtime, 'not a directory');
    const a = answer(decision('allow'), cliPayload(ws, 'run_commands', { commands: ['ls'] }));
    assert.match(String((a.overrideInput as Record<string, unknown>).airlock_denied), /could not record its approval/);
  });
});

/** Runs Airlock's generated Cline plugin's beforeTool in Node (ESM), as Cline's plugin sandbox does. */
function clinePlugin(dir: string, ctx: unknown, env: NodeJS.ProcessEnv): unknown {
  const file = path.join(dir, 'airlock.mjs');
  fs.writeFileSync(file, clinePluginScript());
  const code = `import p from ${JSON.stringify(`file://${file}`)}; const r = await p.hooks.beforeTool(${JSON.stringify(ctx)}); process.stdout.write(JSON.stringify(r === undefined ? "ALLOW" : r));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe("agents: Airlock's Cline plugin lets a call run only with the hook's pass for it", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-cline-plugin-')));
    env = { AIRLOCK_RUNTIME_DIR: path.join(dir, 'runtime') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ctx = (input: unknown, id = 'call_7', tool = 'run_commands') => ({ toolCall: { toolCallId: id, toolName: tool, input }, input, snapshot: {} });
  const refused = (r: unknown) => typeof r === 'object' && r !== null && (r as { skip?: boolean }).skip === true;

  it('allows once with the pass (whatever the key order), then refuses; refuses another call or another input', () => {
    writePass(passKey('call_7', 'run_commands', { commands: ['ls'], extra: { b: 1, a: 2 } }), env);
    assert.ok(refused(clinePlugin(dir, ctx({ commands: ['ls -la'], extra: { a: 2, b: 1 } }), env)), 'another input');
    assert.ok(refused(clinePlugin(dir, ctx({ extra: { a: 2, b: 1 }, commands: ['ls'] }, 'call_8'), env)), 'another call id');
    assert.equal(clinePlugin(dir, ctx({ extra: { a: 2, b: 1 }, commands: ['ls'] }), env), 'ALLOW');
    const again = clinePlugin(dir, ctx({ commands: ['ls'], extra: { b: 1, a: 2 } }), env) as { reason: string };
    assert.match(again.reason, /its Cline hook .* did not approve it/);
  });

  it('refuses with the hook\'s reason when the hook denied (the marker)', () => {
    const r = clinePlugin(dir, ctx({ airlock_denied: 'Agent Airlock denied this action: no' }), env) as { skip: boolean; reason: string };
    assert.deepEqual(r, { skip: true, reason: 'Agent Airlock denied this action: no' });
  });

  it('ignores a pass that is stale, not a file, or in a directory others can write', () => {
    const key = passKey('call_7', 'run_commands', { commands: ['ls'] });
    writePass(key, env, Date.now());
    const file = path.join(dir, 'runtime', PASS_DIR, key);
    const old = new Date(Date.now() - 11 * 60_000);
    fs.utimesSync(file, old, old);
    assert.ok(refused(clinePlugin(dir, ctx({ commands: ['ls'] }), env)), 'stale');
    fs.rmSync(file);
    fs.mkdirSync(file);
    assert.ok(refused(clinePlugin(dir, ctx({ commands: ['ls'] }), env)), 'a directory');
    fs.rmdirSync(file);
    writePass(key, env);
    fs.chmodSync(path.join(dir, 'runtime', PASS_DIR), 0o777);
    assert.ok(refused(clinePlugin(dir, ctx({ commands: ['ls'] }), env)), 'world-writable');
  });

  it('canonical JSON: the same text for the same value, whatever the key order', () => {
    assert.equal(canonicalJson({ b: [1, { d: 1, c: undefined, a: null }], a: 'x' }), '{"a":"x","b":[1,{"a":null,"d":1}]}');
  });
});

describe("agents: Airlock's OpenCode plugin throws unless Airlock explicitly allows", () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-opencode-plugin-')));
    installHooks('opencode', ws);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  /** Runs the installed plugin's tool.execute.before with a launcher that prints `out` and exits `code`. */
  const call = (launcher: string | undefined) => {
    if (launcher === undefined) {
      fs.rmSync(path.join(ws, LAUNCHER));
    } else {
      fs.writeFileSync(path.join(ws, LAUNCHER), launcher);
    }
    const plugin = path.join(ws, '.opencode', 'plugins', 'airlock.mjs');
    fs.copyFileSync(path.join(ws, '.opencode', 'plugins', 'airlock.js'), plugin);
    const code = `import { AgentAirlock } from ${JSON.stringify(`file://${plugin}`)}; const h = await AgentAirlock({ directory: ${JSON.stringify(ws)}, worktree: ${JSON.stringify(ws)} });
try { await h["tool.execute.before"]({ tool: "bash", sessionID: "s", callID: "c" }, { args: { command: "ls" } }); process.stdout.write("ALLOWED"); } catch (e) { process.stdout.write("THREW " + e.message); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: ws });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  it('allows on exit 0 with {"decision":"allow"}, and hands the launcher the payload Airlock parses', () => {
    const got = path.join(ws, 'payload.json');
    assert.equal(call(`cat > ${JSON.stringify(got)}\nprintf '{"decision":"allow"}\\n'\n`), 'ALLOWED');
    const actions = ADAPTERS.opencode.parse(JSON.parse(fs.readFileSync(got, 'utf8')));
    assert.deepEqual(actions.map((a) => [a.kind, a.command, a.cwd, a.session]), [['command', 'ls', ws, 's']]);
  });

  it('throws the deny\'s reason; throws on anything else: garbage, a crash, an allow with a failing exit, no launcher', () => {
    assert.equal(call(`cat >/dev/null\nprintf '{"decision":"deny","reason":"no .env"}\\n'\nexit 2\n`), 'THREW no .env');
    assert.match(call('cat >/dev/null\necho allow\n'), /^THREW Agent Airlock blocked this tool call: it could not check it/);
    assert.match(call('cat >/dev/null\nkill -9 $$\n'), /^THREW Agent Airlock blocked this tool call/);
    assert.match(call(`cat >/dev/null\nprintf '{"decision":"allow"}\\n'\nexit 1\n`), /^THREW/);
    assert.match(call(undefined), /^THREW Agent Airlock blocked this tool call: it could not check it/);
  });

  it('renders allow as {"decision":"allow"} (exit 0), and deny or ask as a deny with the reason (exit 2)', () => {
    assert.deepEqual(ADAPTERS.opencode.render(decision('allow').decision), { stdout: '{"decision":"allow"}\n', stderr: '', exitCode: 0 });
    for (const v of ['deny', 'ask'] as const) {
      const out = ADAPTERS.opencode.render(decision(v).decision);
      assert.equal(out.exitCode, 2);
      assert.equal((JSON.parse(out.stdout) as { decision: string }).decision, 'deny');
    }
    assert.match(ADAPTERS.opencode.render(decision('ask').decision).stdout, /To approve it, open this workspace in VS Code/);
  });
});
