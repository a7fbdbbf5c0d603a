/**
 * Native ask with the real CLIs in an interactive terminal (a pseudo-terminal, driven like a
 * person), VS Code closed, Airlock's hook installed with `airlock install-hooks`: an action the
 * policy asks about (`rm -rf src`) is put to the person at the terminal by the agent's own prompt,
 * also in the modes that otherwise run every tool without asking; approving runs it (after a
 * snapshot that rolls it back), refusing keeps the files. Headless runs get a deny instead
 * (test/e2e/agents.test.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeDriver, copilotCliDriver } from './agents/drivers';
import type { InteractiveAgent } from './agents/interactive';
import { claudeInteractive, copilotCliInteractive } from './agents/interactive';
import type { ProvisionedAgent } from './agents/provision';
import { provisionAllOnce } from './agents/provision';
import { PtySession, ptyAvailable } from './agents/pty';
import type { Sandbox } from './agents/sandbox';
import { APP_CONTENT, makeSandbox } from './agents/sandbox';
import { startAnthropicServer } from './agents/anthropicServer';
import type { Turn } from './agents/scriptedServer';

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(projectRoot, 'dist', 'cli.js');
const PROMPT = 'Carry out the scripted task.';
const timings: string[] = [];

interface HookLine {
  readonly verdict: string;
  readonly snapshotId?: string;
  readonly reasons: readonly string[];
  readonly actions: readonly { command?: string }[];
}

function airlock(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

const cases: readonly { readonly ia: InteractiveAgent; readonly shell: (c: string) => Turn }[] = [
  { ia: claudeInteractive, shell: claudeDriver.shell },
  { ia: copilotCliInteractive, shell: copilotCliDriver.shell },
];

for (const { ia, shell } of process.platform === 'linux' ? cases : []) {
  describe(`real ${ia.agent} CLI in an interactive terminal, VS Code closed: Airlock's ask goes to the person at the terminal`, function () {
    this.timeout(180_000);
    let agent: ProvisionedAgent | undefined;
    let why = '';
    let sb: Sandbox;
    let session: PtySession | undefined;

    before(async function () {
      this.timeout(15 * 60_000);
      if (!ptyAvailable()) {
        why = 'util-linux script (a pseudo-terminal) is not available';
        return;
      }
      try {
        agent = await provisionAllOnce(ia.agent);
      } catch (err) {
        why = `the ${ia.agent} CLI could not be installed from npm: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
      }
    });

    beforeEach(function () {
      if (!agent) {
        process.stdout.write(`      SKIPPED: ${why}\n`);
        if (this.currentTest) {
          this.currentTest.title += ` [SKIPPED: ${why}]`;
        }
        this.skip();
      }
      sb = makeSandbox(`${ia.agent}-ask`);
      // A team that asks before every delete (by default a delete the snapshot before it covers
      // runs without a question: issue 14).
      fs.mkdirSync(path.join(sb.repo, '.airlock'), { recursive: true });
      fs.writeFileSync(path.join(sb.repo, '.airlock', 'policy.json'), '{ "categories": { "file-destruction": "ask" } }\n');
      const r = airlock('install-hooks', ia.agent, '--dir', sb.repo);
      assert.equal(r.status, 0, `airlock install-hooks ${ia.agent} failed: ${r.stderr}${r.stdout}`);
    });

    afterEach(async function () {
      await session?.stop();
      session = undefined;
      if (this.currentTest?.state === 'failed' && process.env.AIRLOCK_KEEP_E2E === '1') {
        process.stdout.write(`      kept ${sb.root}\n`);
        return;
      }
      sb?.cleanup();
    });

    /** Starts the agent on `rm -rf src` and waits for its ask prompt showing Airlock's reason. */
    const untilAsked = async (flags: readonly string[]) => {
      const server = await startAnthropicServer([shell('rm -rf src')]);
      const log = path.join(sb.scratch, 'airlock-hook.log');
      ia.prepareHome(sb.home, sb.repo);
      const started = Date.now();
      session = PtySession.start(agent!.binary, ia.args(PROMPT, flags), { cwd: sb.repo, env: ia.env(sb.home, server, { AIRLOCK_CLI: cli, AIRLOCK_HOOK_LOG: log }) });
      try {
        await session.waitFor([...ia.askPrompt, 'Agent Airlock needs your approval', 'deletes src'], 90_000);
      } catch (err) {
        await server.close();
        throw new Error(`${err instanceof Error ? err.message : String(err)}\nairlock hook log:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '(none: the hook never ran)'}`, { cause: err });
      }
      timings.push(`${ia.agent} ${flags.join(' ') || '(default)'}: asked ${Date.now() - started} ms after start`);
      const lines = () => fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HookLine);
      return { server, lines };
    };
    const app = () => path.join(sb.repo, 'src', 'app.js');

    it('asks, and when the person approves the command runs, after a snapshot that rolls it back', async () => {
      const { server, lines } = await untilAsked([]);
      try {
        session!.send(ia.approve);
        await session!.waitUntil('src is deleted', () => !fs.existsSync(path.join(sb.repo, 'src')), 60_000);
        const asked = lines().filter((l) => l.actions.some((a) => a.command === 'rm -rf src'));
        assert.deepEqual(asked.map((l) => l.verdict), ['ask'], JSON.stringify(lines()));
        assert.ok(asked[0].snapshotId, `no snapshot before the ask: ${JSON.stringify(asked[0])}`);
        const r = airlock('rollback', asked[0].snapshotId, '--cwd', sb.repo);
        assert.equal(r.status, 0, `airlock rollback failed: ${r.stderr}${r.stdout}`);
        assert.equal(fs.readFileSync(app(), 'utf8'), APP_CONTENT);
      } finally {
        await server.close();
      }
    });

    it(`asks even with ${ia.noQuestionsFlag}, and when the person refuses the files stay`, async () => {
      const { server, lines } = await untilAsked([ia.noQuestionsFlag]);
      try {
        const shown = session!.screen().length;
        session!.send(ia.refuse);
        // The agent shows that the call did not run; it may then wait for the next instruction.
        await session!.waitUntil('the agent reacts to the refusal', () => session!.screen().length > shown + 20, 30_000);
        await new Promise((r) => setTimeout(r, 3000));
        assert.equal(fs.readFileSync(app(), 'utf8'), APP_CONTENT, session!.screen().slice(-2000));
        assert.deepEqual(lines().map((l) => l.verdict), ['ask']);
      } finally {
        await server.close();
      }
    });
  });
}

after(() => {
  if (timings.length) {
    process.stdout.write(`\n  interactive ask figures:\n${timings.map((t) => `    ${t}`).join('\n')}\n`);
  }
});
