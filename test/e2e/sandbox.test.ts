/**
 * `airlock run`: the OS sandbox, end to end. Fail-closed starts; the attack list run straight under
 * the sandbox (no agent, no hook: the OS alone); hooks inside answered by the supervisor through the
 * launcher's fast client; and six real agent CLIs under `airlock run` (Claude Code, Gemini CLI, Codex,
 * Copilot CLI, Cline CLI, OpenCode; offline, scripted models, VS Code closed): ordinary work succeeds
 * with snapshots taken, and every attack fails on disk while no secret reaches the model.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDriver, AgentRunResult } from './agents/drivers';
import { DRIVERS } from './agents/drivers';
import type { AgentName, ProvisionedAgent } from './agents/provision';
import { clineDriver, opencodeDriver } from './agents/pluginDrivers';
import { provisionAllOnce } from './agents/provision';
import type { Sandbox } from './agents/sandbox';
import { APP_CONTENT, ENV_CONTENT, git, makeSandbox } from './agents/sandbox';
import type { ModelServer, Turn } from './agents/scriptedServer';
import type { AttackContext, Step } from './sandboxAttacks';
import { ATTACKS, attackScript, SECRETS } from './sandboxAttacks';
import { folderKey, snapshotStoreRoot } from '../../src/util/stateDir';

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(projectRoot, 'dist', 'cli.js');
const PROMPT = 'Carry out the scripted task.';
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
const hasBwrap = has('bwrap');

/** The attack list runs make and python3: without them an attack would fail for want of a program, not because of the sandbox. */
function attackToolsPresent(): void {
  assert.ok(has('make') && has('python3'), 'the attack list needs make and python3 (npm test installs them as root)');
}
const figures: string[] = [];

function airlock(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 60_000, cwd: opts.cwd, env: opts.env ?? process.env });
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** An isolated state dir, so the audit log and snapshots of a test are its own. */
function stateEnv(sb: Sandbox, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, AIRLOCK_HOME: path.join(sb.root, 'state'), AIRLOCK_RUNTIME_DIR: path.join(sb.root, 'runtime'), ...extra };
}

interface AuditLine {
  readonly kind: string;
  readonly verdict: string;
  readonly decidedBy: string;
  readonly reasons: string[];
  readonly paths?: string[];
  readonly command?: string;
}

function auditLines(sb: Sandbox): AuditLine[] {
  const dir = path.join(sb.root, 'state', 'audit');
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as AuditLine);
}

/** One step of an attack as the agent's tool call. */
function turn(driver: AgentDriver, s: Step): Turn[] {
  return 'shell' in s ? [driver.shell(s.shell)] : [driver.create(s.create.file, s.create.content)];
}

function attackContext(driver: AgentDriver, sb: Sandbox): AttackContext {
  return {
    repo: sb.repo,
    home: sb.home,
    hookConfig: driver.hookConfigFile(sb.repo),
    otherCredentials: driver.agent === 'codex' ? path.join(sb.home, '.claude', '.credentials.json') : path.join(sb.home, '.codex', 'auth.json'),
    mcpConfig: MCP_CONFIG[driver.agent](sb.home),
    state: path.join(sb.root, 'state'),
    runtime: path.join(sb.root, 'runtime'),
  };
}

/** Where each agent reads MCP servers from in its home (a planted one would run outside the sandbox later). */
const MCP_CONFIG: Record<AgentName, (home: string) => AttackContext['mcpConfig']> = {
  claude: (home) => ({ file: path.join(home, '.claude.json'), format: 'json' }),
  gemini: (home) => ({ file: path.join(home, '.gemini', 'extensions', 'pwned', 'gemini-extension.json'), format: 'json' }),
  codex: (home) => ({ file: path.join(home, '.codex', 'config.toml'), format: 'toml' }),
  cline: (home) => ({ file: path.join(home, '.cline', 'data', 'settings', 'cline_mcp_settings.json'), format: 'json' }),
  opencode: (home) => ({ file: path.join(home, '.config', 'opencode', 'opencode.json'), format: 'json' }),
  'copilot-cli': (home) => ({ file: path.join(home, '.copilot', 'mcp-config.json'), format: 'json' }),
};

async function runSandboxed(
  driver: AgentDriver,
  agent: ProvisionedAgent,
  sb: Sandbox,
  script: readonly Turn[],
  afterPrepare?: () => void,
): Promise<{ result: AgentRunResult; server: ModelServer; received: string }> {
  const server = await driver.startServer(script);
  try {
    driver.prepareHome(sb.home, sb.repo, server);
    afterPrepare?.();
    const env = { AIRLOCK_HOME: path.join(sb.root, 'state'), AIRLOCK_RUNTIME_DIR: path.join(sb.root, 'runtime'), AIRLOCK_NO_BRIDGE: '' };
    const result = await driver.run({ binary: agent.binary, repo: sb.repo, home: sb.home, server, prompt: PROMPT, env, prefix: [process.execPath, cli, 'run', '--'] });
    figures.push(`${driver.agent}: ${script.length} tool calls under airlock run in ${result.ms} ms`);
    return { result, server, received: JSON.stringify(server.requests.map((r) => r.body)) };
  } finally {
    await server.close();
  }
}

function describeRun(o: { result: AgentRunResult; server: ModelServer }, sb: Sandbox): string {
  return `exit ${o.result.code}\nstdout: ${o.result.stdout.slice(-2500)}\nstderr: ${o.result.stderr.slice(-2500)}\nrequests: ${o.server.requests.length}\ntool results: ${JSON.stringify(
    o.server.toolResults(),
  ).slice(0, 4000)}\naudit: ${JSON.stringify(auditLines(sb)).slice(0, 3000)}`;
}

/** Edits in src/, npm test and git commit through the agent under airlock run: all done, and snapshots taken outside. */
async function ordinaryWork(driver: AgentDriver, agent: ProvisionedAgent, sb: Sandbox): Promise<void> {
  fs.writeFileSync(path.join(sb.repo, 'package.json'), JSON.stringify({ name: 'demo', private: true, scripts: { test: 'node test.js' } }, null, 2));
  fs.writeFileSync(path.join(sb.repo, 'test.js'), "require('fs').writeFileSync('test-ran.txt', 'ok');\n");
  git(sb.repo, 'add', '-A');
  git(sb.repo, '-c', 'user.email=e2e@example.invalid', '-c', 'user.name=e2e', 'commit', '-q', '-m', 'test script');
  const app = path.join(sb.repo, 'src', 'app.js');
  const script: Turn[] = [
    ...driver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, sandbox';"),
    driver.create(path.join(sb.repo, 'src', 'added.js'), 'export const added = true;\n'),
    driver.shell('npm test'),
    driver.shell('git add -A && git -c user.email=agent@example.invalid -c user.name=agent commit -q -m "agent work"'),
  ];
  const o = await runSandboxed(driver, agent, sb, script);
  const why = describeRun(o, sb);
  assert.equal(read(app), "export const greeting = 'hello, sandbox';\n", why);
  assert.equal(read(path.join(sb.repo, 'src', 'added.js')), 'export const added = true;\n', why);
  assert.equal(read(path.join(sb.repo, 'test-ran.txt')), 'ok', why);
  assert.match(git(sb.repo, 'log', '-1', '--format=%s'), /agent work/, why);
  const snaps = airlock(['snapshots', '--cwd', sb.repo, '--json'], { env: stateEnv(sb) });
  assert.equal(snaps.status, 0, snaps.stderr);
  const list = JSON.parse(snaps.stdout) as { commit: string }[];
  assert.ok(list.length >= 1, `no snapshot was taken\n${why}`);
  assert.ok(
    list.some((s) => spawnSync('git', ['--git-dir', path.join(snapshotStoreRoot({}, path.join(sb.root, 'state')), folderKey(sb.repo)), 'show', `${s.commit}:src/app.js`], { encoding: 'utf8' }).stdout === APP_CONTENT),
    `no snapshot holds src/app.js as it was before the edit\n${why}`,
  );
}

/** Every attack of the list through the agent under airlock run, its hooks in audit mode: each must fail on disk. */
async function attackList(driver: AgentDriver, agent: ProvisionedAgent, sb: Sandbox): Promise<void> {
  fs.mkdirSync(path.join(sb.repo, '.airlock'), { recursive: true });
  fs.writeFileSync(path.join(sb.repo, '.airlock', 'policy.json'), '{ "mode": "audit" }\n');
  attackToolsPresent();
  const c = attackContext(driver, sb);
  for (const a of ATTACKS) {
    a.setup(c);
  }
  const hookBefore = read(c.hookConfig);
  const script = ATTACKS.flatMap((a) => a.steps(c).flatMap((s) => turn(driver, s)));
  // OpenCode asks before touching a folder outside the workspace (and ends a headless run when it
  // may not): allowed here, so that every attack reaches the sandbox.
  const allowOutside = () => {
    const file = path.join(sb.home, '.config', 'opencode', 'opencode.json');
    if (driver.agent === 'opencode') {
      const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { permission: Record<string, string> };
      config.permission.external_directory = 'allow';
      fs.writeFileSync(file, JSON.stringify(config));
    }
  };
  const o = await runSandboxed(driver, agent, sb, script, allowOutside);
  const why = describeRun(o, sb);
  const failures = ATTACKS.map((a) => [a.id, a.check(c, o.received)] as const).filter(([, f]) => f !== undefined);
  const refusedBySupervisor = ATTACKS.filter((a) => auditLines(sb).some((l) => l.decidedBy === 'sandbox' && l.kind !== 'sandbox' && a.steps(c).some((st) => 'shell' in st && l.command === st.shell)));
  figures.push(`${driver.agent}: ${ATTACKS.length - failures.length} of ${ATTACKS.length} attacks stopped (${refusedBySupervisor.length} of them refused first by the supervisor's sandbox check: ${refusedBySupervisor.map((x) => x.id).join(', ') || 'none'})`);
  if (process.env.AIRLOCK_SANDBOX_REPORT) {
    fs.appendFileSync(process.env.AIRLOCK_SANDBOX_REPORT, `${JSON.stringify({ agent: driver.agent, results: o.server.toolResults(), audit: auditLines(sb) })}\n`);
  }
  assert.deepEqual(failures, [], why);
  assert.equal(read(c.hookConfig), hookBefore, why);
  assert.equal(read(path.join(sb.repo, '.env')), ENV_CONTENT, why);
  assert.ok(!o.received.includes(SECRETS.env), why);
  // The agent got through its script (its tool results came back to the model).
  assert.ok(o.server.toolResults().length >= script.length - 1, why);
}

describe('airlock run: the OS sandbox', function () {
  this.timeout(180_000);
  let sb: Sandbox;

  beforeEach(function () {
    if (process.platform !== 'linux') {
      process.stdout.write('      SKIPPED: the sandbox is Linux-only\n');
      this.skip();
    }
    sb = makeSandbox('sandbox');
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && process.env.AIRLOCK_KEEP_E2E === '1') {
      process.stdout.write(`      kept ${sb.root}\n`);
      return;
    }
    sb?.cleanup();
  });

  describe('fails closed', () => {
    it('refuses to start without bubblewrap (exit 2, says what to install) and runs nothing', () => {
      const bin = path.join(sb.scratch, 'bin');
      fs.mkdirSync(bin);
      for (const tool of ['sh', 'touch', 'git']) {
        fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
      }
      const r = airlock(['run', '--', 'touch', 'ran-marker.txt'], { cwd: sb.repo, env: stateEnv(sb, { PATH: bin }) });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /bubblewrap \(bwrap\) is not installed/);
      assert.match(r.stderr, /apt-get install bubblewrap/);
      assert.match(r.stderr, /--no-sandbox/);
      assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), false);
    });

    it('refuses to start where user namespaces cannot be created (exit 2, says why) and runs nothing', function () {
      if (!hasBwrap) {
        this.skip();
      }
      // An outer sandbox that forbids user namespaces: the inner one cannot start.
      const r = spawnSync(
        'bwrap',
        ['--dev-bind', '/', '/', '--unshare-user', '--disable-userns', '--die-with-parent', '--', process.execPath, cli, 'run', '--', 'touch', 'ran-marker.txt'],
        { cwd: sb.repo, encoding: 'utf8', env: stateEnv(sb), timeout: 60_000 },
      );
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /user namespaces/i);
      assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), false);
    });

    it('refuses a malformed sandbox section with the file, line and column, and runs nothing', () => {
      fs.mkdirSync(path.join(sb.repo, '.airlock'));
      fs.writeFileSync(path.join(sb.repo, '.airlock', 'policy.json'), '{\n  "sandbox": {\n    "network": { "allow": ["https://evil.example/path"] },\n    "filesystem": { "allowWrite": ["~"] }\n  }\n}\n');
      const r = airlock(['run', '--', 'touch', 'ran-marker.txt'], { cwd: sb.repo, env: stateEnv(sb) });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /policy\.json:3:\d+: sandbox\.network\.allow\[0\]/);
      assert.match(r.stderr, /policy\.json:4:\d+: sandbox\.filesystem\.allowWrite\[0\]/);
      assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), false);
    });

    it('lets a personal file only narrow the sandbox: what it adds is ignored, with a warning', () => {
      fs.mkdirSync(path.join(sb.repo, '.airlock'));
      fs.writeFileSync(path.join(sb.repo, '.airlock', 'policy.json'), JSON.stringify({ sandbox: { network: { allow: ['*.github.com'] } } }));
      fs.writeFileSync(path.join(sb.repo, '.airlock', 'policy.local.json'), JSON.stringify({ sandbox: { network: { allow: ['api.github.com', 'evil.example'] }, unixSockets: true } }));
      const r = airlock(['run', '--dry-run', '--json', '--', 'true'], { cwd: sb.repo, env: stateEnv(sb) });
      assert.equal(r.status, 0, r.stderr);
      const plan = JSON.parse(r.stdout) as { network: { allow: { value: string }[] }; unixSockets: boolean };
      assert.deepEqual(
        plan.network.allow.map((a) => a.value),
        ['api.github.com'],
      );
      assert.equal(plan.unixSockets, false);
      assert.match(r.stderr, /"evil\.example" is ignored/);
      assert.match(r.stderr, /unixSockets true is ignored/);
    });

    it('--no-sandbox runs the command and first says what is then not enforced', () => {
      const r = airlock(['run', '--no-sandbox', '--', 'touch', 'ran-marker.txt'], { cwd: sb.repo, env: stateEnv(sb) });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /Not enforced then:/);
      assert.match(r.stderr, /writes outside the workspace/);
      assert.equal(fs.existsSync(path.join(sb.repo, 'ran-marker.txt')), true);
    });
  });

  describe('the attacks straight under the sandbox (no agent, no hook: the OS alone)', () => {
    it('every attack fails on disk and no secret is printed', function () {
      if (!hasBwrap) {
        this.skip();
      }
      attackToolsPresent();
      const installed = airlock(['install-hooks', 'claude', '--dir', sb.repo]);
      assert.equal(installed.status, 0, installed.stderr);
      const c: AttackContext = {
        repo: sb.repo,
        home: sb.home,
        hookConfig: path.join(sb.repo, '.claude', 'settings.json'),
        otherCredentials: path.join(sb.home, '.codex', 'auth.json'),
        mcpConfig: MCP_CONFIG.claude(sb.home),
        state: path.join(sb.root, 'state'),
        runtime: path.join(sb.root, 'runtime'),
      };
      for (const a of ATTACKS) {
        a.setup(c);
      }
      fs.writeFileSync(path.join(sb.repo, 'attack.sh'), attackScript(c));
      fs.writeFileSync(path.join(sb.home, '.claude.json'), '{}\n');
      const r = airlock(['run', '--agent', 'claude', '--', 'sh', 'attack.sh'], { cwd: sb.repo, env: stateEnv(sb, { HOME: sb.home }) });
      assert.equal(r.status, 0, r.stderr);
      const out = `${r.stdout}${r.stderr}`;
      const failures = ATTACKS.map((a) => [a.id, a.check(c, out)] as const).filter(([, f]) => f !== undefined);
      assert.deepEqual(failures, [], out);
      // Every attack ran (its marker line is there), and ordinary work in the workspace still happened.
      for (const a of ATTACKS) {
        assert.ok(r.stdout.includes(`=== ${a.id}`), out);
      }
      assert.ok(fs.existsSync(path.join(sb.repo, 'Makefile')), out);
    });
  });

  describe("the agent's hooks reach the supervisor", () => {
    it("the launcher's fast client (perl, no Node) is answered by the supervisor, outside, with no CLI to fall back on", function () {
      if (!hasBwrap) {
        this.skip();
      }
      const installed = airlock(['install-hooks', 'claude', '--dir', sb.repo]);
      assert.equal(installed.status, 0, installed.stderr);
      const payload = (tool: string, input: Record<string, string>) =>
        JSON.stringify({ session_id: 'fast', cwd: sb.repo, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input });
      const calls = [
        payload('Read', { file_path: path.join(sb.repo, 'src', 'app.js') }),
        payload('Read', { file_path: path.join(sb.repo, '.env') }),
        payload('Bash', { command: 'ls -la src' }),
      ];
      calls.forEach((c, i) => fs.writeFileSync(path.join(sb.repo, `call${i}.json`), c));
      // AIRLOCK_CLI names nothing and no airlock is on PATH: only the fast client can get an allow.
      const script = calls.map((_c, i) => `AIRLOCK_CLI=/nonexistent/cli.js /bin/sh .airlock/bin/airlock-hook claude < call${i}.json; echo "=== rc $?"`).join('\n');
      fs.writeFileSync(path.join(sb.repo, 'hooks.sh'), `${script}\n`);
      const r = airlock(['run', '--', 'sh', 'hooks.sh'], { cwd: sb.repo, env: stateEnv(sb, { HOME: sb.home }) });
      const out = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.status, 0, out);
      const rcs = [...r.stdout.matchAll(/=== rc (\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(rcs, [0, 2, 0], out);
      // The .env read is refused by the supervisor's sandbox check, in Claude Code's deny format, naming the rule.
      assert.match(r.stdout, /"permissionDecision":"deny".*sandbox\.filesystem\.allowRead/, out);
      assert.doesNotMatch(out, /not installed on this machine/, out);
      // Decided outside: the supervisor's audit log (unreadable inside) has the three calls.
      const audit = auditLines(sb).filter((l) => l.kind !== 'sandbox');
      assert.ok(audit.some((l) => l.kind === 'read' && l.verdict === 'allow' && (l.paths ?? []).some((p) => p.endsWith('src/app.js'))), JSON.stringify(audit));
      assert.ok(audit.some((l) => l.kind === 'read' && l.verdict === 'deny' && l.decidedBy === 'sandbox'), JSON.stringify(audit));
      assert.ok(audit.some((l) => l.kind === 'command' && l.verdict === 'allow' && l.command === 'ls -la src'), JSON.stringify(audit));
    });
  });

  // Cline (hook file plus plugin) and OpenCode (plugin): their hook reaches the supervisor from inside.
  for (const driver of [clineDriver, opencodeDriver] as AgentDriver[]) {
    describe(`real ${driver.agent} CLI under airlock run`, function () {
      let agent: ProvisionedAgent | undefined;
      let installError = '';

      before(async function () {
        this.timeout(15 * 60_000);
        try {
          agent = await provisionAllOnce(driver.agent);
        } catch (err) {
          installError = err instanceof Error ? err.message : String(err);
        }
      });

      beforeEach(function () {
        if (!agent || !hasBwrap) {
          process.stdout.write(`      SKIPPED: ${!hasBwrap ? 'bubblewrap is not installed' : `the ${driver.agent} CLI could not be installed: ${installError.split('\n')[0]}`}\n`);
          this.skip();
        }
        const r = airlock(['install-hooks', driver.agent, '--dir', sb.repo]);
        assert.equal(r.status, 0, r.stderr);
        driver.prepareRepo?.(sb.repo);
      });

      it('does ordinary work: edits in src/, npm test, git commit; snapshots are taken outside the sandbox', () => ordinaryWork(driver, agent!, sb));

      it('every attack of the list fails on disk and no secret reaches the model (hooks in audit mode: the sandbox alone holds)', () => attackList(driver, agent!, sb));

      it('its hook reaches the supervisor, which stops rm -rf src .git and a .env write (audited outside); the OS keeps its hook configuration', async () => {
        const hookConfig = driver.hookConfigFile(sb.repo);
        const hookBefore = read(hookConfig);
        const script: Turn[] = [
          // A plain `rm -rf src` is allowed now (a snapshot has every file); with .git it is denied.
          driver.shell('rm -rf src .git'),
          ...driver.overwrite(path.join(sb.repo, '.env'), ENV_CONTENT, 'API_KEY=stolen\n'),
          driver.shell(`node -e "require('fs').writeFileSync('${path.relative(sb.repo, hookConfig)}', '')"`),
        ];
        const o = await runSandboxed(driver, agent!, sb, script);
        const why = describeRun(o, sb);
        assert.equal(read(path.join(sb.repo, 'src', 'app.js')), APP_CONTENT, why);
        assert.equal(read(path.join(sb.repo, '.env')), ENV_CONTENT, why);
        assert.equal(read(hookConfig), hookBefore, why);
        // Decided by the supervisor, outside: its audit log (unreadable inside) has the denied command.
        assert.ok(
          auditLines(sb).some((l) => l.kind === 'command' && l.verdict === 'deny' && l.command === 'rm -rf src .git'),
          why,
        );
      });
    });
  }

  for (const driver of DRIVERS) {
    describe(`real ${driver.agent} CLI under airlock run`, function () {
      let agent: ProvisionedAgent | undefined;
      let installError = '';

      before(async function () {
        this.timeout(15 * 60_000);
        try {
          agent = await provisionAllOnce(driver.agent);
        } catch (err) {
          installError = err instanceof Error ? err.message : String(err);
        }
      });

      beforeEach(function () {
        if (!agent || !hasBwrap) {
          process.stdout.write(`      SKIPPED: ${!hasBwrap ? 'bubblewrap is not installed' : `the ${driver.agent} CLI could not be installed: ${installError.split('\n')[0]}`}\n`);
          this.skip();
        }
        const r = airlock(['install-hooks', driver.agent, '--dir', sb.repo]);
        assert.equal(r.status, 0, r.stderr);
      });

      it('does ordinary work: edits in src/, npm test, git commit; snapshots are taken outside the sandbox', () => ordinaryWork(driver, agent!, sb));

      it('every attack of the list fails on disk and no secret reaches the model (hooks in audit mode: the sandbox alone holds)', () => attackList(driver, agent!, sb));
    });
  }
});

after(() => {
  if (figures.length) {
    process.stdout.write(`\n  airlock run figures:\n${figures.map((f) => `    ${f}`).join('\n')}\n`);
  }
});
