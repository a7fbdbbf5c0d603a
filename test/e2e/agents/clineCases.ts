/**
 * Cline CLI 3.0.65 for real: what its hook files and plugins do (stand-ins: the facts behind
 * Airlock's hook-plus-plugin design, src/agents/clinePlugin.ts), how Airlock's pair fails closed,
 * and which tool calls reach it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeMcpServer, MCP_SERVER_NAME, MCP_TOOL } from './mcpServer';
import { startOpenAIChatServer } from './openaiChatServer';
import { clineDataDir, clineDriver, clineProviders } from './pluginDrivers';
import type { AgentContext, Outcome, ScriptedRun } from './runs';
import { airlock, cli, describeRun, read, runScripted, saveFixture, saveToolsFixture, writeRecordingCli } from './runs';
import { makeStandInHook } from './standInHook';
import type { ModelServer, Turn } from './scriptedServer';

const CREATED = 'export const created = true;\n';

/** A plugin in `.cline/plugins/` whose beforeTool body is given; it logs each call to `log`. */
function standInPlugin(repo: string, log: string, body: string): void {
  const file = path.join(repo, '.cline', 'plugins', 'standin.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `import * as fs from "node:fs";
export default { name: "standin", manifest: { capabilities: ["hooks"] }, hooks: { beforeTool: async (ctx) => {
  fs.appendFileSync(${JSON.stringify(log)}, "plugin " + ctx.toolCall.toolName + "\\n");
  ${body}
} } };
`,
  );
}

/** A hook file that logs "hook" to `log`, saves its payload, and answers `answer`. */
function standInHookFile(ctx: AgentContext, log: string, answer: { stdout?: string; exitCode?: number; stderr?: string }) {
  const hook = makeStandInHook(path.join(ctx.sb.scratch, 'hook'), answer);
  const file = clineDriver.hookConfigFile(ctx.sb.repo);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\necho hook >> ${JSON.stringify(log)}\nexec ${hook.command}\n`, { mode: 0o755 });
  return hook;
}

/** What Cline reported for each tool call it ended (its NDJSON `content_end` events). */
function toolEnds(o: Outcome): { toolName: string; error?: string }[] {
  return o.result.stdout
    .split('\n')
    .flatMap((l) => {
      try {
        const e = (JSON.parse(l) as { event?: { type?: string; contentType?: string; toolName?: string; error?: string } }).event;
        return e?.type === 'content_end' && e.contentType === 'tool' ? [{ toolName: String(e.toolName), ...(e.error !== undefined ? { error: e.error } : {}) }] : [];
      } catch {
        return [];
      }
    });
}

const touch = (name: string): Turn => clineDriver.shell(`touch ${name}`);
const exists = (ctx: AgentContext, name: string) => fs.existsSync(path.join(ctx.sb.repo, name));
const results = (o: Outcome) => JSON.stringify(o.server.allToolResults());

/** Cline's non-yolo `--json` mode (all its tools; --data-dir keeps the hub daemon from starting). */
const notYolo = (o: Parameters<typeof clineDriver.run>[0]) => clineDriver.runWith(o, ['--json']);

export function describeClineProtocol(ctx: () => AgentContext): void {
  describe('its interception (stand-in hook files and plugins)', () => {
    const run = (r: ScriptedRun) => runScripted(clineDriver, ctx().agent, ctx().sb, r);

    it('runs the hook file and then the plugins before every tool call, with the payload Airlock parses', async () => {
      const c = ctx();
      const log = path.join(c.sb.scratch, 'order.log');
      const hook = standInHookFile(c, log, { stdout: '{}' });
      standInPlugin(c.sb.repo, log, 'return undefined;');
      const app = path.join(c.sb.repo, 'src', 'app.js');
      const script: Turn[] = [
        clineDriver.create(path.join(c.sb.repo, 'src', 'created.js'), CREATED),
        ...clineDriver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, world';"),
        clineDriver.shell('echo ran > shell-marker.txt'),
        { tool: 'read_files', input: { files: [{ path: app }] } },
      ];
      const o = await run({ script });
      assert.equal(read(path.join(c.sb.repo, 'src', 'created.js')), CREATED, describeRun(o));
      assert.equal(read(app), "export const greeting = 'hello, world';\n", describeRun(o));
      const order = (read(log) ?? '').trim().split('\n');
      const tools = ['editor', 'editor', 'run_commands', 'read_files', 'submit_and_exit'];
      assert.deepEqual(order, tools.flatMap((t) => ['hook', `plugin ${t}`]), 'the hook file first, then the plugin, for every call');
      const payloads = hook.payloads() as { tool_call: { name: string; input: unknown }; preToolUse: { toolName: string } }[];
      assert.deepEqual(payloads.map((p) => p.tool_call.name), tools);
      const seen = new Map<string, number>();
      for (const p of payloads) {
        const n = (seen.get(p.tool_call.name) ?? 0) + 1;
        seen.set(p.tool_call.name, n);
        saveFixture('cline', n === 1 ? p.tool_call.name : `${p.tool_call.name}-${n}`, p);
      }
      saveToolsFixture('cline', c.agent.version, o.server.offeredTools());
    });

    it("a plugin's {skip: true, reason} refuses one call: the model gets the reason and the run goes on", async () => {
      const c = ctx();
      standInPlugin(c.sb.repo, path.join(c.sb.scratch, 'order.log'), 'if (ctx.toolCall.toolName === "run_commands") return { skip: true, reason: "stand-in-skip-reason" };');
      const o = await run({ script: [touch('denied-marker.txt'), touch('after-marker.txt')] });
      assert.equal(exists(c, 'denied-marker.txt'), false, describeRun(o));
      assert.match(results(o), /stand-in-skip-reason/);
    });

    for (const [what, answer] of [
      ['exits 1 without JSON', { stderr: 'stand-in crashed', exitCode: 1 }],
      ['prints no valid JSON', { stdout: 'not json' }],
    ] as const) {
      it(`a hook file that ${what} lets the tool run: hook files fail OPEN (why Airlock adds its plugin)`, async () => {
        const c = ctx();
        standInHookFile(c, path.join(c.sb.scratch, 'order.log'), answer);
        const o = await run({ script: [touch('ran-marker.txt')] });
        assert.equal(exists(c, 'ran-marker.txt'), true, describeRun(o));
      });
    }

    it("a hook file's {cancel: true} stops the tool and aborts the whole run (the model hears nothing more)", async () => {
      const c = ctx();
      standInHookFile(c, path.join(c.sb.scratch, 'order.log'), { stdout: JSON.stringify({ cancel: true, errorMessage: 'stand-in-cancel' }) });
      const o = await run({ script: [touch('denied-marker.txt'), touch('after-marker.txt')] });
      assert.equal(exists(c, 'denied-marker.txt'), false, describeRun(o));
      assert.equal(o.server.allToolResults().length, 0, describeRun(o));
      assert.match(o.result.stdout, /"finishReason":"aborted"|run_aborted/);
    });

    for (const [what, body] of [
      ['throws', 'throw new Error("stand-in plugin crashed");'],
      ['takes longer than 3 s', 'await new Promise((r) => setTimeout(r, 4500));'],
    ] as const) {
      it(`a plugin that ${what} stops the run, and the tool does not run`, async () => {
        const c = ctx();
        standInPlugin(c.sb.repo, path.join(c.sb.scratch, 'order.log'), body);
        const o = await run({ script: [touch('denied-marker.txt'), touch('after-marker.txt')] });
        assert.equal(exists(c, 'denied-marker.txt'), false, describeRun(o));
        assert.equal(exists(c, 'after-marker.txt'), false, describeRun(o));
      });
    }

    it("Airlock's deny marker as the tool's input makes each tool it is used for fail, even without the plugin", async () => {
      const c = ctx();
      standInHookFile(c, path.join(c.sb.scratch, 'order.log'), { stdout: JSON.stringify({ overrideInput: { airlock_denied: 'stand-in-deny' } }) });
      const gpt = (server: ModelServer) => fs.writeFileSync(path.join(clineDataDir(c.sb.home), 'settings', 'providers.json'), JSON.stringify(clineProviders(server, 'gpt-5.1')));
      const patch = '*** Begin Patch\n*** Add File: patched.txt\n+x\n*** End Patch';
      // At most three failed calls a run: then Cline gives up.
      const runs = [
        await run({ script: [touch('denied-marker.txt'), clineDriver.create(path.join(c.sb.repo, 'created.txt'), 'x')] }),
        await run({ script: [{ tool: 'apply_patch', input: { input: patch } }, { tool: 'spawn_agent', input: { systemPrompt: 'helper', task: 'SUB: touch' } }, { tool: 'search_codebase', input: { queries: ['x'] } }], run: notYolo, prepare: gpt }),
        await run({ script: [{ tool: 'fetch_web_content', input: { requests: [{ url: 'http://127.0.0.1:9/', prompt: 'summarise' }] } }, { tool: 'ask_question', input: { question: 'Which?', options: ['a', 'b'] } }, { tool: 'read_files', input: { files: [{ path: path.join(c.sb.repo, 'README.md') }] } }], run: notYolo }),
      ];
      const ends = runs.flatMap(toolEnds);
      const checked = ['run_commands', 'editor', 'submit_and_exit', 'apply_patch', 'spawn_agent', 'search_codebase', 'fetch_web_content', 'ask_question', 'read_files'];
      assert.deepEqual(ends.map((e) => e.toolName).sort(), [...checked].sort(), runs.map(describeRun).join('\n'));
      for (const e of ends) {
        // A schema error, or (spawn_agent, which does not check its input) its own error on the missing task.
        assert.match(e.error ?? '', /Invalid input|undefined is not an object/, JSON.stringify(e));
      }
      assert.equal(['denied-marker.txt', 'created.txt', 'patched.txt'].some((f) => exists(c, f)), false);
    });
  });
}

export function describeClineFailClosed(ctx: () => AgentContext): void {
  describe("Airlock's hook and plugin fail closed", () => {
    beforeEach(() => {
      const r = airlock('install-hooks', 'cline', '--dir', ctx().sb.repo);
      assert.equal(r.status, 0, r.stderr);
    });
    const run = (script: readonly Turn[], env: Record<string, string> = { AIRLOCK_CLI: cli }) => runScripted(clineDriver, ctx().agent, ctx().sb, { script, env });

    it('with Airlock missing on the machine, no tool runs', async () => {
      const o = await run([touch('ran-marker.txt')], { AIRLOCK_CLI: '/nonexistent/cli.js' });
      assert.equal(exists(ctx(), 'ran-marker.txt'), false, describeRun(o));
    });

    for (const [what, hookText] of [
      ['is removed (or Cline runs no hooks)', undefined],
      ['crashes without an answer (Cline would run the tool)', '#!/bin/sh\ncat >/dev/null\nexit 1\n'],
    ] as const) {
      it(`when its hook file ${what}, Airlock's plugin refuses every call and the model reads why`, async () => {
        const hook = path.join(ctx().sb.repo, '.clinerules', 'hooks', 'PreToolUse');
        if (hookText === undefined) {
          fs.rmSync(hook);
        } else {
          fs.writeFileSync(hook, hookText);
        }
        const o = await run([touch('ran-marker.txt'), clineDriver.create(path.join(ctx().sb.repo, 'created.txt'), 'x')]);
        assert.equal(exists(ctx(), 'ran-marker.txt') || exists(ctx(), 'created.txt'), false, describeRun(o));
        assert.match(results(o), /Agent Airlock blocked this tool call: its Cline hook .* did not approve it/);
      });
    }
  });
}

export function describeClineCoverage(ctx: () => AgentContext): void {
  describe('which tool calls reach Airlock (all modes, sub-agents, MCP)', () => {
    it('apply_patch, search_codebase, fetch_web_content, spawn_agent and the sub-agent\'s own calls, an MCP tool: each reaches the hook and the plugin', async () => {
      const c = ctx();
      assert.equal(airlock('install-hooks', 'cline', '--dir', c.sb.repo).status, 0);
      const recorder = writeRecordingCli(path.join(c.sb.scratch, 'recorder'));
      const mcp = writeMcpServer(path.join(c.sb.scratch, 'mcp'));
      const patch = '*** Begin Patch\n*** Add File: patched.txt\n+patched\n*** End Patch';
      const runtime = path.join(c.sb.scratch, 'runtime');
      const main: Turn[] = [
        { tool: 'apply_patch', input: { input: patch } },
        { tool: 'search_codebase', input: { queries: ['greeting'] } },
        { tool: 'fetch_web_content', input: { requests: [{ url: 'http://127.0.0.1:9/', prompt: 'summarise it' }] } },
        { tool: `${MCP_SERVER_NAME}__${MCP_TOOL}`, input: { path: path.join(c.sb.repo, 'mcp-marker.txt') } },
        { tool: 'spawn_agent', input: { systemPrompt: 'You are a helper.', task: 'SUBAGENT-TASK: write the marker' } },
      ];
      const sub: Turn[] = [clineDriver.shell('echo sub > sub-marker.txt')];
      const o = await runScripted(clineDriver, c.agent, c.sb, {
        script: main,
        startServer: (s) => startOpenAIChatServer(s, { 'SUBAGENT-TASK': sub }),
        // A runtime directory of this test's own, to see the passes the hook wrote (and the plugin took).
        env: { AIRLOCK_CLI: recorder.cli, AIRLOCK_RUNTIME_DIR: runtime },
        run: (opts) => notYolo(opts),
        prepare: (server) => {
          const settings = path.join(clineDataDir(c.sb.home), 'settings');
          fs.writeFileSync(path.join(settings, 'providers.json'), JSON.stringify(clineProviders(server, 'gpt-5.1')));
          fs.writeFileSync(path.join(settings, 'cline_mcp_settings.json'), JSON.stringify({ mcpServers: { [MCP_SERVER_NAME]: { command: process.execPath, args: [mcp] } } }));
        },
      });
      const calls = (recorder.payloads() as { tool_call?: { name: string } }[]).map((p) => p.tool_call?.name);
      for (const t of [...main.map((x) => ('tool' in x ? x.tool : '')), 'run_commands']) {
        assert.ok(calls.includes(t), `${t} did not reach Airlock's hook: ${calls.join(', ')}\n${describeRun(o)}`);
      }
      // Allowed calls ran (the plugin found their pass); the MCP tool and the fetch were asked, so refused.
      // Cline writes an added file without its last newline.
      assert.equal(read(path.join(c.sb.repo, 'patched.txt'))?.trimEnd(), 'patched', describeRun(o));
      assert.equal(read(path.join(c.sb.repo, 'sub-marker.txt'))?.trim(), 'sub', describeRun(o));
      assert.equal(exists(c, 'mcp-marker.txt'), false, describeRun(o));
      assert.match(results(o), /Agent Airlock/);
      // Every pass the hook wrote for an allowed call, the sub-agent's included, was taken by the plugin.
      assert.ok(fs.existsSync(path.join(runtime, 'cline-passes')), 'the hook wrote no pass');
      assert.deepEqual(fs.readdirSync(path.join(runtime, 'cline-passes')), [], 'passes the plugin never took');
      for (const p of recorder.payloads() as { tool_call?: { name: string } }[]) {
        if (p.tool_call && ['apply_patch', 'search_codebase', 'spawn_agent'].includes(p.tool_call.name)) {
          saveFixture('cline', p.tool_call.name, p);
        }
      }
      saveToolsFixture('cline', c.agent.version, o.server.offeredTools().filter((t) => !t.startsWith(`${MCP_SERVER_NAME}__`)));
    });
  });
}
