/**
 * `airlock run` with this VS Code window open: the sandboxed real Claude Code asks here through the
 * supervisor (outside the sandbox), the human approves, the edit is applied; what the sandbox would
 * block is refused without asking and audited as blocked by the sandbox; the session shows in the
 * Status view; "Airlock: Run Agent in Sandbox…" opens a terminal running the agent under airlock run;
 * Copilot agent mode's terminal sandbox settings follow the policy.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { readAudit } from '../../src/audit/log';
import { runtimeDir } from '../../src/bridge/registry';
import type { AirlockApi } from '../../src/extension';
import { claudeDriver } from '../e2e/agents/drivers';
import { provisionAgent } from '../e2e/agents/provision';
import { EXTENSION_ID, until } from './waitFor';

const hasBwrap = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v bwrap']);
    return true;
  } catch {
    return false;
  }
})();

describe('airlock run with VS Code open', function () {
  this.timeout(240_000);
  let api: AirlockApi;
  let root: string;
  let cli: string;
  let home: string;
  let binary: string | undefined;

  before(async function () {
    if (!hasBwrap || process.platform !== 'linux') {
      console.log('SKIPPED: airlock run needs Linux with bubblewrap');
      this.skip();
    }
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-sandbox-home-'));
    try {
      binary = (await provisionAgent('claude')).binary;
    } catch (err) {
      console.log(`SKIPPED (Claude Code tests): it could not be installed here: ${String(err)}`);
    }
    execFileSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', root]);
  });

  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(path.join(root, '.claude'), { recursive: true, force: true });
    fs.rmSync(path.join(root, '.airlock', 'bin'), { recursive: true, force: true });
    fs.rmSync(path.join(root, 'src', 'payments'), { recursive: true, force: true });
    fs.rmSync(path.join(root, 'sub'), { recursive: true, force: true });
  });

  /** Claude Code under airlock run, its hooks reaching this window through the supervisor. */
  function runClaude(script: Parameters<typeof claudeDriver.startServer>[0]) {
    return claudeDriver.startServer(script).then((server) => {
      claudeDriver.prepareHome(home, root, server);
      const running = claudeDriver.run({
        binary: binary!,
        repo: root,
        home,
        server,
        prompt: 'scripted',
        env: { AIRLOCK_RUNTIME_DIR: runtimeDir(), AIRLOCK_HOME: path.join(home, 'state') },
        prefix: [process.execPath, cli, 'run', '--'],
        timeoutMs: 150_000,
      });
      return { server, running };
    });
  }

  it('a protected edit from the sandboxed agent is asked in this window, approved and applied; the session shows as confined', async function () {
    if (!binary) {
      this.skip();
    }
    const target = path.join(root, 'src', 'payments', 'refund.js');
    // Only this session's alerts count: an earlier suite's cleanup (e.g. the real Cline's, which
    // removes its .clinerules hooks from outside VS Code) leaves warnings of its own open.
    const started = Date.now();
    const { server, running } = await runClaude([claudeDriver.create(target, 'export const refund = () => 0;\n'), { text: 'done' }]);
    try {
      let exited: unknown;
      void running.then((r) => (exited = r));
      await until('the request in the window', () => api.gate.queue.size > 0 || (exited !== undefined && 'exited'), 120_000, 50);
      assert.equal(exited, undefined, `the agent ended before asking: ${JSON.stringify(exited)?.slice(0, 2000)}`);
      const sessions = api.sandboxes.current;
      assert.ok(
        sessions.some((s) => s.agent === 'claude' && s.folder === fs.realpathSync(root)),
        `no confined session listed: ${JSON.stringify(sessions)}`,
      );
      const req = api.gate.queue.list()[0];
      assert.equal(req.action.paths[0], target);
      assert.equal(api.answerForTest(req.id, { kind: 'approve' }), true);
      const result = await running;
      assert.equal(fs.readFileSync(target, 'utf8'), 'export const refund = () => 0;\n', `exit ${result.code}: ${result.stderr.slice(-1500)}`);
      await until('the session to end', () => api.sandboxes.current.length === 0 || undefined, 10_000);
      // With this window on the folder no stand-ins for missing protected folders are made (its
      // watcher warns about what appears there), so there is nothing to warn about.
      await new Promise((r) => setTimeout(r, 2500));
      const stray = api.guards.watcher.openAlerts().filter((a) => a.at >= started && ['.windsurf', '.gemini', '.cursor', '.codex', '.husky', '.clinerules'].some((n) => a.rel.startsWith(n)));
      assert.deepEqual(
        stray.map((a) => a.rel),
        [],
        `raised during the session: ${JSON.stringify(stray)}; all open: ${JSON.stringify(api.guards.watcher.openAlerts().map((a) => [a.rel, a.op, new Date(a.at).toISOString()]))}, session from ${new Date(started).toISOString()}`,
      );
      assert.equal(fs.existsSync(path.join(root, '.windsurf')), false);
    } finally {
      await server.close();
    }
  });

  it('what the sandbox would block is refused without asking, with the rule, and audited as blocked by the sandbox', async function () {
    if (!binary) {
      this.skip();
    }
    const nested = path.join(root, 'sub', '.airlock', 'policy.json');
    const { server, running } = await runClaude([claudeDriver.create(nested, '{ "mode": "audit" }\n'), { text: 'done' }]);
    try {
      const asked: unknown[] = [];
      const sub = api.gate.queue.onDidChange(() => asked.push(api.gate.queue.size));
      await running;
      sub.dispose();
      assert.equal(fs.existsSync(nested), false);
      assert.deepEqual(asked, [], 'nobody was asked');
      assert.match(JSON.stringify(server.toolResults()), /sandbox does not let the agent change/);
      const entry = readAudit(fs.realpathSync(root), { AIRLOCK_HOME: path.join(home, 'state') }).entries.findLast((e) => e.decidedBy === 'sandbox' && e.verdict === 'deny');
      assert.ok(entry, 'the refusal is in the audit log');
      assert.deepEqual(entry.paths, [nested]);
    } finally {
      await server.close();
    }
  });

  it('"Run Agent in Sandbox…" opens a terminal running the agent under airlock run', async () => {
    const bin = fs.mkdtempSync(path.join(os.homedir(), '.airlock-test-bin-'));
    const marker = path.join(root, '.sandbox-marker');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-outside-'));
    try {
      // A stand-in agent CLI named claude: it reports where it runs, then exits.
      fs.writeFileSync(
        path.join(bin, 'claude'),
        `#!/bin/sh\n{ echo "sandbox=$AIRLOCK_SANDBOX"; touch '${outside}/probe' 2>/dev/null; [ -e '${outside}/probe' ] && echo tmp=private-or-shared; } > '${marker}'\n`,
        { mode: 0o755 },
      );
      const terminal = (await vscode.commands.executeCommand('airlock.runAgentInSandbox', path.join(bin, 'claude'))) as vscode.Terminal;
      assert.ok(terminal, 'a terminal was opened');
      assert.match(terminal.name, /Claude Code \(sandboxed\)/);
      const opts = terminal.creationOptions as vscode.TerminalOptions;
      assert.deepEqual(opts.shellArgs?.slice(0, 2), [cli, 'run']);
      await until('the stand-in agent to run', () => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').includes('sandbox='), 30_000);
      assert.match(fs.readFileSync(marker, 'utf8'), /sandbox=1/);
      assert.equal(fs.existsSync(path.join(outside, 'probe')), false, "the sandbox's /tmp is its own");
      terminal.dispose();
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
      fs.rmSync(marker, { force: true });
    }
  });

  it("keeps Copilot agent mode's terminal sandbox settings in step with the policy", async () => {
    const settingsFile = path.join(root, '.vscode', 'settings.json');
    const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    const read = () => (fs.existsSync(settingsFile) ? (parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {});
    try {
      await vscode.workspace.getConfiguration('airlock').update('copilot.syncApprovalSettings', 'auto', vscode.ConfigurationTarget.Global);
      const s = await until('the sandbox settings', () => (read()['chat.agent.sandbox.enabled'] === 'on' ? read() : undefined), 30_000, 100);
      assert.equal(s['chat.agent.sandbox.allowUnsandboxedCommands'], false);
      const linux = s['chat.agent.sandbox.fileSystem.linux'] as { denyRead: string[]; denyWrite: string[] };
      assert.ok(linux.denyRead.includes(path.join(fs.realpathSync(root), '.env')), JSON.stringify(linux));
      assert.ok(linux.denyWrite.includes(path.join(fs.realpathSync(root), '.airlock')), JSON.stringify(linux));
    } finally {
      await vscode.workspace.getConfiguration('airlock').update('copilot.syncApprovalSettings', 'off', vscode.ConfigurationTarget.Global);
      if (before === undefined) {
        fs.rmSync(settingsFile, { force: true });
      } else {
        fs.writeFileSync(settingsFile, before);
      }
    }
  });
});
