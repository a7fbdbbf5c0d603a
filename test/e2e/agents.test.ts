/**
 * End-to-end tests with the real agent CLIs (Claude Code, Gemini CLI, Codex, Copilot CLI) from
 * npm, each run headless in a fresh git repository with its own HOME against a scripted model
 * server on 127.0.0.1. The model asks for a tool call; the agent runs its pre-tool hook; the test
 * checks the files and what the agent sent back to the model.
 *
 * Part 1 (stand-in hooks) documents each agent's hook protocol: the payload it sends and which
 * answers it honours. Part 2 drives Airlock's real hook, installed with `airlock install-hooks`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DRIVERS } from './agents/drivers';
import { describeGuarded } from './agents/guarded';
import { describeRealAgent } from './agents/realAgent';
import type { ProvisionedAgent } from './agents/provision';
import { describeRun, PROMPT, read, runAgent, saveFixture, timings } from './agents/runs';
import type { Sandbox } from './agents/sandbox';
import type { Turn } from './agents/scriptedServer';
import type { StandInAnswer } from './agents/standInHook';
import { HOOK_FORMATS, makeStandInHook } from './agents/standInHook';

if (process.platform === 'win32') {
  describe('real agent CLIs', () => {
    it('run on Linux and macOS only (the hooks are sh scripts)', function () {
      process.stdout.write('      SKIPPED: the agent end-to-end tests need a POSIX sh\n');
      this.skip();
    });
  });
}

for (const driver of process.platform === 'win32' ? [] : DRIVERS) {
  // The stand-in hooks and Airlock's hook launcher are sh scripts: these tests run on Linux and macOS.
  const formats = HOOK_FORMATS[driver.agent];

  describeRealAgent(driver.agent, (ctx) => {
    let agent: ProvisionedAgent | undefined;
    let sb: Sandbox;
    beforeEach(() => {
      ({ agent, sb } = ctx());
    });

    describe('its hook protocol (stand-in hook scripts)', () => {
      const standIn = (answer: StandInAnswer) => {
        const hook = makeStandInHook(path.join(sb.scratch, 'hook'), answer);
        driver.installHook(sb.repo, sb.home, hook.command);
        return hook;
      };

      it('calls the hook before creating, editing and running, with its documented payload, and runs them when the hook allows', async () => {
        const hook = standIn({ stdout: formats.allow ?? '' });
        // Copilot CLI also runs Claude Code's hooks (.claude/settings.json), with a Claude-style payload.
        const claudeStyle = driver.agent === 'copilot-cli' ? makeStandInHook(path.join(sb.scratch, 'claude-hook'), {}) : undefined;
        if (claudeStyle) {
          DRIVERS.find((d) => d.agent === 'claude')?.installHook(sb.repo, sb.home, claudeStyle.command);
        }
        const created = path.join(sb.repo, 'src', 'created.js');
        const app = path.join(sb.repo, 'src', 'app.js');
        const script: Turn[] = [
          driver.create(created, 'export const created = true;\n'),
          ...driver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, world';"),
          driver.shell('echo ran > shell-marker.txt'),
        ];
        const o = await runAgent(driver, agent!, sb, script);
        assert.equal(read(created), 'export const created = true;\n', describeRun(o));
        assert.equal(read(app), "export const greeting = 'hello, world';\n", describeRun(o));
        assert.equal(read(path.join(sb.repo, 'shell-marker.txt'))?.trim(), 'ran', describeRun(o));

        const payloads = hook.payloads() as Record<string, unknown>[];
        const called = new Set(script.map((t) => ('tool' in t ? t.tool : '')));
        const seen = payloads.map((p) => String(p[formats.toolField]));
        for (const tool of called) {
          // Codex reports its shell tool as "Bash" to hooks.
          const expected = driver.agent === 'codex' && tool === 'exec_command' ? 'Bash' : tool;
          assert.ok(seen.includes(expected), `no hook call for ${expected}; saw ${seen.join(', ')}`);
        }
        const counts = new Map<string, number>();
        for (const p of payloads) {
          assert.ok(formats.inputField in p, `payload without ${formats.inputField}: ${JSON.stringify(p)}`);
          assert.ok('cwd' in p, `payload without cwd: ${JSON.stringify(p)}`);
          const tool = String(p[formats.toolField]).replace(/[^\w.-]/g, '_');
          const n = (counts.get(tool) ?? 0) + 1;
          counts.set(tool, n);
          saveFixture(driver.agent, n === 1 ? tool : `${tool}-${n}`, p);
        }
        // The tools the agent offers its model: every one must be in its adapter's table or left out on purpose (unit test).
        saveFixture(driver.agent, 'tools', { agent: driver.agent, version: agent!.version, tools: o.server.offeredTools() });
        if (claudeStyle) {
          const seenClaude = (claudeStyle.payloads() as Record<string, unknown>[]).map((p) => {
            assert.equal(p.hook_event_name, 'PreToolUse', JSON.stringify(p));
            saveFixture(driver.agent, `claude-style/${String(p.tool_name).replace(/[^\w.-]/g, '_')}`, p);
            return String(p.tool_name);
          });
          assert.deepEqual([...new Set(seenClaude)].sort(), ['Bash', 'Edit', 'Write'], 'Copilot CLI runs Claude\'s hooks with Claude\'s tool names');
        }
      });

      it('honours a deny in its own JSON format: the command does not run and the model gets the reason', async () => {
        standIn({ stdout: formats.deny('stand-in-deny-reason-json') });
        const o = await runAgent(driver, agent!, sb, [driver.shell('touch denied-marker.txt')]);
        assert.equal(fs.existsSync(path.join(sb.repo, 'denied-marker.txt')), false, describeRun(o));
        assert.ok(
          o.toolResults.some((r) => r.text.includes('stand-in-deny-reason-json')),
          `the model was not told the reason\n${describeRun(o)}`,
        );
      });

      it(`honours exit code 2 (the reason on stderr ${formats.exit2ReasonReachesModel ? 'reaches' : 'does NOT reach'} the model)`, async () => {
        standIn({ stderr: 'stand-in-deny-reason-exit2', exitCode: 2 });
        const o = await runAgent(driver, agent!, sb, [driver.shell('touch denied-marker.txt')]);
        assert.equal(fs.existsSync(path.join(sb.repo, 'denied-marker.txt')), false, describeRun(o));
        assert.equal(o.toolResults.length, 1, describeRun(o));
        assert.equal(o.toolResults[0].text.includes('stand-in-deny-reason-exit2'), formats.exit2ReasonReachesModel, describeRun(o));
      });

      it('blocks on its JSON deny on stdout together with exit 2 and the reason on stderr, and the reason reaches the model', async () => {
        standIn({ stdout: formats.deny('stand-in-deny-reason-both'), stderr: 'stand-in-deny-reason-both', exitCode: 2 });
        const o = await runAgent(driver, agent!, sb, [driver.shell('touch denied-marker.txt')]);
        assert.equal(fs.existsSync(path.join(sb.repo, 'denied-marker.txt')), false, describeRun(o));
        assert.equal(o.toolResults.length, 1, describeRun(o));
        assert.ok(o.toolResults[0].text.includes('stand-in-deny-reason-both'), describeRun(o));
      });

      it("ignores a deny in another agent's shape and runs the tool (so an adapter must speak this agent's format)", async () => {
        standIn({ stdout: formats.foreignDeny('foreign-deny-reason') });
        const o = await runAgent(driver, agent!, sb, [driver.shell('touch ran-marker.txt')]);
        assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), true, describeRun(o));
      });

      it(`${formats.askBehaviour === 'refuses' ? 'refuses' : formats.askBehaviour === 'runs' ? 'RUNS' : 'HANGS on'} the tool when the hook answers "ask" in a headless run`, async () => {
        standIn({ stdout: formats.ask });
        const server = await driver.startServer([driver.shell('touch ran-marker.txt')]);
        try {
          driver.prepareHome(sb.home, sb.repo, server);
          // A run that hangs is killed after 20 s (a normal run takes a few seconds).
          const r = await driver.run({ binary: agent!.binary, repo: sb.repo, home: sb.home, server, prompt: PROMPT, timeoutMs: 20_000 });
          const o = { result: r, server, toolResults: server.toolResults() };
          assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), formats.askBehaviour === 'runs', describeRun(o));
          assert.equal(r.code === null, formats.askBehaviour === 'hangs', `killed after 20 s? ${describeRun(o)}`);
        } finally {
          await server.close();
        }
      });

      it(`${formats.errorExitBlocks ? 'fails closed' : 'fails OPEN'} when the hook exits 1 (so Airlock must turn every failure into an explicit deny)`, async () => {
        standIn({ stderr: 'stand-in crashed', exitCode: 1 });
        const o = await runAgent(driver, agent!, sb, [driver.shell('touch ran-marker.txt')]);
        assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), !formats.errorExitBlocks, describeRun(o));
      });
    });

    if (driver.agent === 'codex') {
      it('silently skips hooks nobody has trusted yet (so users must trust Airlock\'s hook in Codex once)', async () => {
        const hook = makeStandInHook(path.join(sb.scratch, 'hook'), { stderr: 'stand-in-deny', exitCode: 2 });
        driver.installHook(sb.repo, sb.home, hook.command);
        const server = await driver.startServer([driver.shell('touch ran-marker.txt')]);
        try {
          driver.prepareHome(sb.home, sb.repo, server);
          const r = await driver.run({ binary: agent!.binary, repo: sb.repo, home: sb.home, server, prompt: PROMPT, trustHooks: false });
          const o = { result: r, server, toolResults: server.toolResults() };
          assert.equal(hook.payloads().length, 0, describeRun(o));
          assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), true, describeRun(o));
        } finally {
          await server.close();
        }
      });
    }

    describeGuarded(driver, ctx);
  });
}

after(() => {
  if (timings.length) {
    process.stdout.write(`\n  agent e2e figures:\n${timings.map((t) => `    ${t}`).join('\n')}\n`);
  }
});
