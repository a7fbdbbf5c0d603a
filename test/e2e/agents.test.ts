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
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDriver, AgentRunResult } from './agents/drivers';
import { DRIVERS } from './agents/drivers';
import type { ProvisionedAgent } from './agents/provision';
import { provisionAllOnce } from './agents/provision';
import type { Sandbox } from './agents/sandbox';
import { APP_CONTENT, ENV_CONTENT, makeSandbox, UTIL_CONTENT } from './agents/sandbox';
import type { ModelServer, ToolResult, Turn } from './agents/scriptedServer';
import type { StandInAnswer } from './agents/standInHook';
import { HOOK_FORMATS, makeStandInHook } from './agents/standInHook';

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(projectRoot, 'dist', 'cli.js');
const fixturesDir = path.join(projectRoot, 'test', 'fixtures', 'payloads');
const PROMPT = 'Carry out the scripted task.';

/** Figures printed at the end (never asserted). */
const timings: string[] = [];

interface Outcome {
  readonly result: AgentRunResult;
  readonly server: ModelServer;
  /** Tool results in the last model request that carried any. */
  readonly toolResults: ToolResult[];
}

async function runAgent(
  driver: AgentDriver,
  agent: ProvisionedAgent,
  sb: Sandbox,
  script: readonly Turn[],
  env?: Record<string, string>,
): Promise<Outcome> {
  const server = await driver.startServer(script);
  try {
    driver.prepareHome(sb.home, sb.repo, server);
    const result = await driver.run({ binary: agent.binary, repo: sb.repo, home: sb.home, server, prompt: PROMPT, env });
    timings.push(`${driver.agent}: one run ${result.ms} ms (${server.requests.length} model requests)`);
    return { result, server, toolResults: server.toolResults() };
  } finally {
    await server.close();
  }
}

function describeRun(o: Outcome): string {
  return `exit ${o.result.code}\nstdout: ${o.result.stdout.slice(-3000)}\nstderr: ${o.result.stderr.slice(-3000)}\nrequests: ${o.server.requests
    .map((r) => `${r.method} ${r.url}`)
    .join(', ')}\ntool results: ${JSON.stringify(o.toolResults).slice(0, 3000)}`;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Saves a real payload as a fixture (only when AIRLOCK_WRITE_FIXTURES=1). */
function saveFixture(agent: string, name: string, payload: unknown): void {
  if (process.env.AIRLOCK_WRITE_FIXTURES !== '1') {
    return;
  }
  const file = path.join(fixturesDir, agent, `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
}

function airlock(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** Commands dist/cli.js does not offer (from its --help), so a stale build fails with a clear message. */
let helpText: string | undefined;
function missingCliCommands(names: readonly string[]): string[] {
  if (helpText === undefined) {
    const help = airlock('--help');
    helpText = `${help.stdout}${help.stderr}`;
  }
  const text = helpText;
  return names.filter((n) => !text.split('\n').some((line) => line.trimStart().startsWith(`airlock ${n} `) || line.trim() === `airlock ${n}`));
}

interface SnapshotEntry {
  readonly id: string;
  readonly commit: string;
  readonly label?: string;
  readonly agent?: string;
  readonly tool?: string;
  readonly kind?: string;
}

function listSnapshots(repo: string): SnapshotEntry[] {
  const r = airlock('snapshots', '--cwd', repo, '--json');
  assert.equal(r.status, 0, `airlock snapshots failed: ${r.stderr}`);
  const list = JSON.parse(r.stdout) as unknown;
  assert.ok(Array.isArray(list), `airlock snapshots --json did not print an array: ${r.stdout}`);
  return list as SnapshotEntry[];
}

/** A file's content in a snapshot commit (undefined when absent). */
function gitShow(repo: string, commit: string, file: string): string | undefined {
  const r = spawnSync('git', ['show', `${commit}:${file}`], { cwd: repo, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/** Every file under the repository (outside .git) with its content. */
function treeState(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(repo, abs).split(path.sep).join('/');
      if (rel === '.git') {
        continue;
      }
      if (e.isDirectory()) {
        walk(abs);
      } else {
        out[rel] = fs.readFileSync(abs).toString('base64');
      }
    }
  };
  walk(repo);
  return out;
}

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

  describe(`real ${driver.agent} CLI`, function () {
    this.timeout(180_000);
    let agent: ProvisionedAgent | undefined;
    let installError = '';
    let sb: Sandbox;

    before(async function () {
      this.timeout(15 * 60_000);
      try {
        agent = await provisionAllOnce(driver.agent);
        timings.push(`${driver.agent}: provisioned ${agent.pkg}@${agent.version} in ${agent.ms} ms${agent.installed ? ' (installed now)' : ' (cached)'}`);
      } catch (err) {
        installError = err instanceof Error ? err.message : String(err);
      }
    });

    beforeEach(function () {
      if (!agent) {
        const why = `SKIPPED: the ${driver.agent} CLI could not be installed from npm: ${installError.split('\n')[0]}`;
        process.stdout.write(`      ${why}\n`);
        if (this.currentTest) {
          this.currentTest.title += ` [${why}]`;
        }
        this.skip();
      }
      sb = makeSandbox(driver.agent);
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && process.env.AIRLOCK_KEEP_E2E === '1') {
        process.stdout.write(`      kept ${sb.root}\n`);
        return;
      }
      sb?.cleanup();
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

    describe('guarded by Airlock with VS Code closed (airlock install-hooks + airlock hook)', () => {
      let hookLog: string;

      beforeEach(() => {
        const missing = missingCliCommands(['hook', 'install-hooks', 'snapshots', 'rollback']);
        assert.deepEqual(missing, [], `dist/cli.js lacks ${missing.map((m) => `'airlock ${m}'`).join(', ')} (run npm run build)`);
        const r = airlock('install-hooks', driver.agent, '--dir', sb.repo);
        assert.equal(r.status, 0, `airlock install-hooks ${driver.agent} failed: ${r.stderr}${r.stdout}`);
        assert.ok(fs.existsSync(driver.hookConfigFile(sb.repo)), `install-hooks wrote no ${driver.hookConfigFile(sb.repo)}`);
        hookLog = path.join(sb.scratch, 'airlock-hook.log');
      });

      /** Runs the agent with Airlock's launcher able to find this build's CLI. */
      const guarded = (script: readonly Turn[]) => runAgent(driver, agent!, sb, script, { AIRLOCK_CLI: cli, AIRLOCK_HOOK_LOG: hookLog });
      const withLog = (o: Outcome) => `${describeRun(o)}\nairlock hook log:\n${read(hookLog) ?? '(none: the hook never ran)'}`;
      const toldAirlockDenied = (o: Outcome) =>
        assert.ok(
          o.toolResults.some((r) => /airlock/i.test(r.text)),
          `the agent did not report Airlock's denial to the model\n${withLog(o)}`,
        );

      it('denies a write to .env: the file is unchanged and the agent reports the denial', async () => {
        const env = path.join(sb.repo, '.env');
        const o = await guarded(driver.overwrite(env, ENV_CONTENT, 'API_KEY=stolen\n'));
        assert.equal(read(env), ENV_CONTENT, withLog(o));
        toldAirlockDenied(o);
      });

      const editApp = async () => {
        const app = path.join(sb.repo, 'src', 'app.js');
        const before = treeState(sb.repo);
        const snapshotsBefore = listSnapshots(sb.repo).map((s) => s.id);
        const o = await guarded(driver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, airlock';"));
        assert.equal(read(app), "export const greeting = 'hello, airlock';\n", withLog(o));
        const fresh = listSnapshots(sb.repo).filter((s) => !snapshotsBefore.includes(s.id));
        return { o, before, fresh };
      };

      it('allows an ordinary edit of a source file, and `airlock snapshots` lists a snapshot of the tree before it', async () => {
        const { o, fresh } = await editApp();
        assert.ok(fresh.length >= 1, `no new snapshot listed by 'airlock snapshots'\n${withLog(o)}`);
        // The snapshot holds the file as it was before the edit.
        const contents = fresh.map((s) => gitShow(sb.repo, s.commit, 'src/app.js'));
        assert.ok(contents.includes(APP_CONTENT), `no new snapshot holds src/app.js before the edit: ${JSON.stringify(fresh)}\n${withLog(o)}`);
      });

      it('rolling back that snapshot restores the tree as it was before the edit', async () => {
        const { o, before, fresh } = await editApp();
        const snap = fresh.find((s) => gitShow(sb.repo, s.commit, 'src/app.js') === APP_CONTENT);
        assert.ok(snap, `no snapshot to roll back to\n${withLog(o)}`);
        const r = airlock('rollback', snap.id, '--cwd', sb.repo);
        assert.equal(r.status, 0, `airlock rollback failed: ${r.stderr}${r.stdout}`);
        assert.deepEqual(treeState(sb.repo), before);
      });

      it('stops a destructive shell command (rm -rf src): the files still exist', async () => {
        const o = await guarded([driver.shell('rm -rf src')]);
        assert.equal(read(path.join(sb.repo, 'src', 'app.js')), APP_CONTENT, withLog(o));
        assert.equal(read(path.join(sb.repo, 'src', 'util.js')), UTIL_CONTENT, withLog(o));
        toldAirlockDenied(o);
      });

      it('stops `git reset --hard` (uncommitted work survives)', async () => {
        fs.writeFileSync(path.join(sb.repo, 'src', 'util.js'), 'export const answer = 43; // uncommitted\n');
        const o = await guarded([driver.shell('git reset --hard')]);
        assert.equal(read(path.join(sb.repo, 'src', 'util.js')), 'export const answer = 43; // uncommitted\n', withLog(o));
        toldAirlockDenied(o);
      });

      it('stops a command that rewrites its hook configuration', async () => {
        const config = driver.hookConfigFile(sb.repo);
        const original = read(config);
        const rel = path.relative(sb.repo, config);
        const o = await guarded([driver.shell(`echo {} > ${rel}`)]);
        assert.equal(read(config), original, withLog(o));
        toldAirlockDenied(o);
      });
    });
  });
}

after(() => {
  if (timings.length) {
    process.stdout.write(`\n  agent e2e figures:\n${timings.map((t) => `    ${t}`).join('\n')}\n`);
  }
});
