import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runtimeDir } from '../../src/bridge/registry';
import type { AirlockApi } from '../../src/extension';
import { claudeDriver } from '../e2e/agents/drivers';
import { provisionAgent } from '../e2e/agents/provision';
import { EXTENSION_ID } from './waitFor';


/**
 * The real Claude Code CLI, with Airlock's hook installed, while this VS Code window runs: a write to
 * .env waits for the human here, and the agent gets the human's answer.
 */
describe('the real Claude Code with VS Code running: the human decides in the window', function () {
  this.timeout(240_000);
  let api: AirlockApi;
  let root: string;
  let binary: string | undefined;
  let home: string;

  before(async function () {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    try {
      binary = (await provisionAgent('claude')).binary;
    } catch (err) {
      console.log(`SKIPPED: Claude Code could not be installed here: ${String(err)}`);
      this.skip();
    }
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-claude-home-'));
    claudeDriver.prepareHome(home, root, undefined as never);
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', root]);
  });
  after(async () => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(path.join(root, '.claude'), { recursive: true, force: true });
    fs.rmSync(path.join(root, '.airlock', 'bin'), { recursive: true, force: true });
  });

  async function run(content: string, answer: (id: string) => PromiseLike<unknown>) {
    const env = path.join(root, '.env.staging');
    const hookLog = path.join(home, 'hook.log');
    const server = await claudeDriver.startServer([claudeDriver.create(env, content), { text: 'done' }]);
    try {
      const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
      const running = claudeDriver.run({
        binary: binary!,
        repo: root,
        home,
        server,
        prompt: 'update the secrets',
        env: { AIRLOCK_CLI: cli, AIRLOCK_RUNTIME_DIR: runtimeDir(), AIRLOCK_HOOK_LOG: hookLog },
        timeoutMs: 120_000,
      });
      const start = Date.now();
      let exited: unknown;
      void running.then((r) => (exited = r));
      while (api.gate.queue.size === 0) {
        if (exited || Date.now() - start > 90_000) {
          const log = fs.existsSync(hookLog) ? fs.readFileSync(hookLog, 'utf8') : '(no hook log)';
          assert.fail(`the request did not reach the window; agent: ${JSON.stringify(exited)?.slice(0, 1500)}; hook log: ${log.slice(0, 1500)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const req = api.gate.queue.list()[0];
      assert.equal(req.action.agent, 'claude');
      assert.equal(req.action.paths[0], env);
      await answer(req.id);
      const result = await running;
      return { result, toolResults: server.toolResults() };
    } finally {
      await server.close();
    }
  }

  // A new secrets file (Claude Code refuses to Write an existing file it has not Read, before any hook).
  const target = () => path.join(root, '.env.staging');

  it('a denial with a reason reaches the agent, and the secrets file is not written', async () => {
    const { toolResults } = await run('LEAKED=1\n', (id) => vscode.commands.executeCommand('airlock.deny', id, 'secrets are rotated by ops'));
    assert.equal(fs.existsSync(target()), false);
    assert.match(JSON.stringify(toolResults), /secrets are rotated by ops/);
  });

  it('an approval lets the agent write it', async () => {
    await run('STRIPE_SECRET_KEY=rotated-by-agent\n', (id) => vscode.commands.executeCommand('airlock.approve', id));
    assert.equal(fs.readFileSync(target(), 'utf8'), 'STRIPE_SECRET_KEY=rotated-by-agent\n');
    fs.rmSync(target());
  });
});
