import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runtimeDir } from '../../src/bridge/registry';
import type { AirlockApi } from '../../src/extension';
import type { AgentDriver } from '../e2e/agents/drivers';
import { claudeDriver } from '../e2e/agents/drivers';
import { clineDriver, opencodeDriver } from '../e2e/agents/pluginDrivers';
import { provisionAgent } from '../e2e/agents/provision';
import { EXTENSION_ID } from './waitFor';

interface Case {
  readonly driver: AgentDriver<'claude' | 'cline' | 'opencode'>;
  /** The files and folders `airlock install-hooks` (and the agent's first start) put in the workspace. */
  readonly cleanup: readonly string[];
  /** More than one test per agent (each run takes seconds): only where the deny path differs. */
  readonly denyToo: boolean;
}

const CASES: readonly Case[] = [
  { driver: claudeDriver, cleanup: ['.claude'], denyToo: true },
  // Cline: its hook file asks (it may take 25 s), and its plugin lets the call run only with the hook's pass.
  { driver: clineDriver, cleanup: ['.clinerules', '.cline'], denyToo: true },
  // OpenCode: its plugin waits for Airlock as long as it takes.
  { driver: opencodeDriver, cleanup: ['.opencode'], denyToo: false },
];

/**
 * The real Claude Code, Cline CLI and OpenCode, with Airlock's hook installed, while this VS Code
 * window runs: a protected edit waits for the human here, and the agent gets the human's answer.
 */
for (const { driver, cleanup, denyToo } of CASES) {
  describe(`the real ${driver.agent} with VS Code running: the human decides in the window`, function () {
    this.timeout(240_000);
    let api: AirlockApi;
    let root: string;
    let binary: string | undefined;
    let home: string;
    let cli: string;

    before(async function () {
      api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
      root = vscode.workspace.workspaceFolders![0].uri.fsPath;
      try {
        binary = (await provisionAgent(driver.agent)).binary;
      } catch (err) {
        console.log(`SKIPPED: ${driver.agent} could not be installed here: ${String(err)}`);
        this.skip();
      }
      home = fs.mkdtempSync(path.join(os.tmpdir(), `airlock-${driver.agent}-home-`));
      cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
      execFileSync(process.execPath, [cli, 'install-hooks', driver.agent, '--dir', root]);
      driver.prepareRepo?.(root);
    });
    after(() => {
      fs.rmSync(home, { recursive: true, force: true });
      for (const rel of [...cleanup, path.join('.airlock', 'bin')]) {
        fs.rmSync(path.join(root, rel), { recursive: true, force: true });
      }
    });

    // A new secrets file (Claude Code refuses to Write an existing file it has not Read, before any hook).
    const target = () => path.join(root, '.env.staging');

    async function run(content: string, answer: (id: string) => PromiseLike<unknown>) {
      const hookLog = path.join(home, 'hook.log');
      const server = await driver.startServer([driver.create(target(), content), { text: 'done' }]);
      try {
        driver.prepareHome(home, root, server);
        const running = driver.run({
          binary: binary!,
          repo: root,
          home,
          server,
          prompt: 'update the secrets now please',
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
        assert.equal(req.action.agent, driver.agent);
        assert.equal(req.action.paths[0], target());
        await answer(req.id);
        const result = await running;
        return { result, toolResults: server.allToolResults() };
      } finally {
        await server.close();
      }
    }

    if (denyToo) {
      it('a denial with a reason reaches the agent, and the secrets file is not written', async () => {
        const { toolResults } = await run('LEAKED=1\n', (id) => vscode.commands.executeCommand('airlock.deny', id, 'secrets are rotated by ops'));
        assert.equal(fs.existsSync(target()), false);
        assert.match(JSON.stringify(toolResults), /secrets are rotated by ops/);
      });
    }

    it('an approval lets the agent write it', async () => {
      const { result } = await run('STRIPE_SECRET_KEY=rotated-by-agent\n', async (id) => api.answerForTest(id, { kind: 'approve' }));
      assert.equal(fs.readFileSync(target(), 'utf8'), 'STRIPE_SECRET_KEY=rotated-by-agent\n', JSON.stringify(result).slice(0, 3000));
      fs.rmSync(target());
    });
  });
}
