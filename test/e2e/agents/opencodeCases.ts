/**
 * OpenCode 1.18.33 for real: what its plugins can do (stand-ins), how Airlock's plugin fails
 * closed, and which tool calls reach it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MCP_SERVER_NAME, MCP_TOOL, writeMcpServer } from './mcpServer';
import { startOpenAIChatServer } from './openaiChatServer';
import { opencodeConfig, opencodeDriver, seedOpencodeConfigDir } from './pluginDrivers';
import type { AgentContext, Outcome } from './runs';
import { airlock, cli, describeRun, read, runScripted, saveFixture, saveToolsFixture, writeRecordingCli } from './runs';
import type { ModelServer, Turn } from './scriptedServer';

const CREATED = 'export const created = true;\n';
const EDITED = "export const greeting = 'hello, world';\n";

/** A stand-in plugin in `.opencode/plugins/` whose tool.execute.before body is given; it logs each call. */
function standInPlugin(ctx: AgentContext, body: string, file = 'standin.js'): string {
  const log = path.join(ctx.sb.scratch, 'plugin.log');
  const dir = path.join(ctx.sb.repo, '.opencode');
  fs.mkdirSync(path.join(dir, 'plugins'), { recursive: true });
  seedOpencodeConfigDir(dir);
  fs.writeFileSync(
    path.join(dir, 'plugins', file),
    `import * as fs from "node:fs";
export const StandIn = async () => ({ "tool.execute.before": async (input, output) => {
  fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ input, output }) + "\\n");
  ${body}
} });
`,
  );
  return log;
}

const touch = (name: string): Turn => opencodeDriver.shell(`touch ${name}`);
const exists = (ctx: AgentContext, name: string) => fs.existsSync(path.join(ctx.sb.repo, name));
const results = (o: Outcome) => JSON.stringify(o.server.allToolResults());
const lines = (file: string) => (read(file) ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { input: { tool: string; sessionID: string; callID: string }; output: { args: unknown } });

/** A run with this model id and, optionally, the MCP test server configured. */
function setup(ctx: AgentContext, model: string, mcp?: string) {
  return (server: ModelServer) => {
    const config = opencodeConfig(server, model) as Record<string, unknown>;
    if (mcp !== undefined) {
      config.mcp = { [MCP_SERVER_NAME]: { type: 'local', command: [process.execPath, mcp], enabled: true } };
    }
    fs.writeFileSync(path.join(ctx.sb.home, '.config', 'opencode', 'opencode.json'), JSON.stringify(config));
  };
}

export function describeOpencodeProtocol(ctx: () => AgentContext): void {
  describe('its interception (stand-in plugins)', () => {
    const run = (script: readonly Turn[]) => runScripted(opencodeDriver, ctx().agent, ctx().sb, { script });

    it('calls tool.execute.before before every tool call, with {tool, sessionID, callID} and the arguments in output.args', async () => {
      const c = ctx();
      const log = standInPlugin(c, 'return;');
      const app = path.join(c.sb.repo, 'src', 'app.js');
      const o = await run([
        opencodeDriver.create(path.join(c.sb.repo, 'src', 'created.js'), CREATED),
        ...opencodeDriver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, world';"),
        opencodeDriver.shell('echo ran > shell-marker.txt'),
        { tool: 'read', input: { filePath: app } },
      ]);
      assert.equal(read(app), EDITED, describeRun(o));
      const calls = lines(log);
      assert.deepEqual(calls.map((l) => l.input.tool), ['write', 'edit', 'bash', 'read']);
      assert.ok(calls.every((l) => /^ses_/.test(l.input.sessionID) && l.input.callID !== '' && typeof l.output.args === 'object'), JSON.stringify(calls));
    });

    it('a throw blocks the call: the model gets exactly its message and the run goes on', async () => {
      const c = ctx();
      standInPlugin(c, 'if (input.tool === "bash" && output.args.command.includes("denied")) throw new Error("stand-in-deny-reason");');
      const o = await run([touch('denied-marker.txt'), touch('after-marker.txt')]);
      assert.equal(exists(c, 'denied-marker.txt'), false, describeRun(o));
      assert.equal(exists(c, 'after-marker.txt'), true, describeRun(o));
      assert.match(results(o), /stand-in-deny-reason/);
    });

    it('a plugin that fails to load is skipped and every tool runs: it fails OPEN (so Airlock\'s plugin is a guarded file)', async () => {
      const c = ctx();
      standInPlugin(c, 'throw new Error("never loaded");');
      fs.appendFileSync(path.join(c.sb.repo, '.opencode', 'plugins', 'standin.js'), '\nthis is not JavaScript (\n');
      const o = await run([touch('ran-marker.txt')]);
      assert.equal(exists(c, 'ran-marker.txt'), true, describeRun(o));
    });

    it('waits for a plugin as long as it takes (here 8 s; Cline gives plugins 3 s), so an ask can wait for the developer', async () => {
      const c = ctx();
      standInPlugin(c, 'await new Promise((r) => setTimeout(r, 8000));');
      const o = await run([touch('ran-marker.txt')]);
      assert.equal(exists(c, 'ran-marker.txt'), true, describeRun(o));
    });
  });
}

export function describeOpencodeFailClosed(ctx: () => AgentContext): void {
  describe("Airlock's plugin fails closed", () => {
    beforeEach(() => {
      const c = ctx();
      assert.equal(airlock('install-hooks', 'opencode', '--dir', c.sb.repo).status, 0);
      opencodeDriver.prepareRepo?.(c.sb.repo);
    });
    const run = (env: Record<string, string>) => runScripted(opencodeDriver, ctx().agent, ctx().sb, { script: [touch('ran-marker.txt'), touch('after-marker.txt')], env });
    const blocked = (o: Outcome, reason: RegExp) => {
      assert.equal(exists(ctx(), 'ran-marker.txt') || exists(ctx(), 'after-marker.txt'), false, describeRun(o));
      assert.match(results(o), reason, describeRun(o));
    };

    it('with Airlock missing on the machine, every call is blocked and the model reads why', async () => {
      blocked(await run({ AIRLOCK_CLI: '/nonexistent/cli.js' }), /Agent Airlock is not installed on this machine/);
    });

    it('when Airlock answers with something that is not an allow (garbage, exit 0), the call is blocked', async () => {
      const fake = path.join(ctx().sb.scratch, 'garbage-cli.js');
      fs.writeFileSync(fake, 'process.stdout.write("allow\\n"); process.exit(0);\n');
      blocked(await run({ AIRLOCK_CLI: fake }), /Agent Airlock blocked this tool call: it could not check it/);
    });

    it('when the launcher is gone, the call is blocked', async () => {
      fs.rmSync(path.join(ctx().sb.repo, '.airlock', 'bin', 'airlock-hook'));
      blocked(await run({ AIRLOCK_CLI: cli }), /Agent Airlock blocked this tool call: it could not check it/);
    });
  });
}

export function describeOpencodeCoverage(ctx: () => AgentContext): void {
  describe('which tool calls reach Airlock (edits, patches, shell, reads, glob/grep, webfetch, sub-agents, MCP)', () => {
    it('every tool call, the sub-agent\'s too, reaches Airlock\'s plugin, and the recorded payloads are what the adapter parses', async () => {
      const c = ctx();
      assert.equal(airlock('install-hooks', 'opencode', '--dir', c.sb.repo).status, 0);
      opencodeDriver.prepareRepo?.(c.sb.repo);
      const recorder = writeRecordingCli(path.join(c.sb.scratch, 'recorder'));
      const mcp = writeMcpServer(path.join(c.sb.scratch, 'mcp'));
      const app = path.join(c.sb.repo, 'src', 'app.js');
      const edits: Turn[] = [
        opencodeDriver.create(path.join(c.sb.repo, 'src', 'created.js'), CREATED),
        ...opencodeDriver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, world';"),
        opencodeDriver.shell('echo ran > shell-marker.txt'),
        { tool: 'read', input: { filePath: app } },
        { tool: 'glob', input: { pattern: '**/*.js' } },
        { tool: 'grep', input: { pattern: 'greeting' } },
        { tool: 'todowrite', input: { todos: [{ content: 'check', status: 'pending', priority: 'high', id: '1' }] } },
      ];
      const env = { AIRLOCK_CLI: recorder.cli };
      const first = await runScripted(opencodeDriver, c.agent, c.sb, { script: edits, env });
      const patch = '*** Begin Patch\n*** Add File: patched.txt\n+patched\n*** End Patch';
      const rest: Turn[] = [
        { tool: 'apply_patch', input: { patchText: patch } },
        { tool: 'webfetch', input: { url: 'http://127.0.0.1:9/', format: 'text' } },
        { tool: `${MCP_SERVER_NAME}_${MCP_TOOL}`, input: { path: path.join(c.sb.repo, 'mcp-marker.txt') } },
        { tool: 'task', input: { description: 'helper', prompt: 'SUBAGENT-TASK: write the marker', subagent_type: 'general' } },
      ];
      const second = await runScripted(opencodeDriver, c.agent, c.sb, {
        script: rest,
        env,
        startServer: (s) => startOpenAIChatServer(s, { 'SUBAGENT-TASK': [opencodeDriver.shell('echo sub > sub-marker.txt')] }),
        // A model id with "gpt-" gets apply_patch instead of edit and write.
        prepare: setup(c, 'gpt-5.1', mcp),
      });
      const payloads = recorder.payloads() as { input: { tool: string } }[];
      const seen = payloads.map((p) => p.input.tool);
      for (const t of [...edits, ...rest].map((x) => ('tool' in x ? x.tool : '')).concat(['bash'])) {
        assert.ok(seen.includes(t), `${t} did not reach Airlock's plugin: ${seen.join(', ')}\n${describeRun(first)}\n${describeRun(second)}`);
      }
      assert.equal(seen.filter((t) => t === 'bash').length, 2, 'the sub-agent\'s bash reached it too');
      assert.equal(read(app), EDITED, describeRun(first));
      assert.equal(read(path.join(c.sb.repo, 'patched.txt')), 'patched\n', describeRun(second));
      assert.equal(read(path.join(c.sb.repo, 'sub-marker.txt'))?.trim(), 'sub', describeRun(second));
      // The MCP tool and the fetch are unknown to the policy: asked, so refused here.
      assert.equal(exists(c, 'mcp-marker.txt'), false, describeRun(second));
      const n = new Map<string, number>();
      for (const p of payloads) {
        const t = p.input.tool;
        if (['webfetch', `${MCP_SERVER_NAME}_${MCP_TOOL}`].includes(t)) {
          continue;
        }
        n.set(t, (n.get(t) ?? 0) + 1);
        saveFixture('opencode', n.get(t) === 1 ? t : `${t}-${n.get(t)}`, p);
      }
      saveToolsFixture('opencode', c.agent.version, [...first.server.offeredTools(), ...second.server.offeredTools()].filter((t) => !t.startsWith(`${MCP_SERVER_NAME}_`)));
    });
  });
}
