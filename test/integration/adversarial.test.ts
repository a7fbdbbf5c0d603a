import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AirlockApi } from '../../src/extension';
import type { ProtectedChangeAlert } from '../../src/vscode/protectedWatcher';
import { EXTENSION_ID, until } from './waitFor';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What an agent with a shell (the same user) may do to the window's guards, found in review: each
 * must leave the window answering and the protected-path watcher warning.
 */
describe('an agent cannot stop or silence the window’s guards', () => {
  let api: AirlockApi;
  let root: string;
  let env: string;
  let original: string;

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    env = path.join(root, '.env');
    original = fs.readFileSync(env, 'utf8');
    await api.guards.watcher.ready;
  });
  after(async () => {
    fs.writeFileSync(env, original);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  /** Rewrites .env from outside VS Code and waits for the watcher's warning; then puts it back as Airlock does. */
  async function warnsAboutEnv(what: string): Promise<void> {
    const alerted = new Promise<ProtectedChangeAlert>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`${what}: no warning about .env within 15 s`));
      }, 15_000);
      const sub = api.guards.watcher.onDidAlert((a) => {
        if (a.rel === '.env') {
          clearTimeout(timer);
          sub.dispose();
          resolve(a);
        }
      });
    });
    fs.writeFileSync(env, `STRIPE_SECRET_KEY=${what.replace(/\W+/g, '-')}\n`);
    const alert = await alerted;
    await api.guards.watcher.revert(alert.id);
    assert.equal(fs.readFileSync(env, 'utf8'), original);
    await pause(2500); // Airlock's own restore is explained for a moment: let it pass
  }

  it('a FIFO in place of a protected file: the window does not wait on it (the request appears, its diff has no content from the pipe)', async () => {
    const fifo = path.join(root, '.env.pipe');
    execFileSync('mkfifo', [fifo]);
    // A writer that feeds the pipe after a moment: a window that waited on it would show this text.
    const writer = spawn('sh', ['-c', `sleep 2; printf FROM_THE_PIPE > '${fifo}'`], { stdio: 'ignore' });
    try {
      const pending = api.gate.decide([{ kind: 'edit', paths: [fifo], content: 'X=1\n', cwd: root, agent: 'claude', tool: 'Write', session: 'fifo' }]);
      const req = await until('the request', () => api.gate.queue.list().find((r) => r.action.session === 'fifo'));
      assert.notEqual(req.current, 'FROM_THE_PIPE');
      assert.equal(api.answerForTest(req.id, { kind: 'deny' }), true);
      assert.equal((await pending).decision.verdict, 'deny');
    } finally {
      writer.kill('SIGKILL');
      fs.rmSync(fifo, { force: true });
    }
  });

  it('FIFOs at protected paths do not stall the watcher: a later change to .env still warns', async function () {
    this.timeout(60_000);
    const fifos = Array.from({ length: 8 }, (_, i) => path.join(root, `.env.fifo${i}`));
    for (const f of fifos) {
      execFileSync('mkfifo', [f]);
    }
    try {
      await pause(1500); // their events settle first
      await warnsAboutEnv('after FIFOs');
    } finally {
      for (const f of fifos) {
        // A reader stuck on one gets its end of file.
        try {
          fs.closeSync(fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
        } catch {
          /* nobody reading it */
        }
        fs.rmSync(f, { force: true });
      }
      await pause(1000);
    }
  });

  it('an allowed read of the whole folder (a Glob, an LS) does not explain a change to a protected file', async () => {
    const r = await api.gate.decide([{ kind: 'read', paths: [root], cwd: root, agent: 'claude', tool: 'Glob', session: 'read-note' }]);
    assert.equal(r.decision.verdict, 'allow');
    await warnsAboutEnv('right after an allowed read');
  });

  it('a workspace settings file cannot turn the guards off', async () => {
    const settings = path.join(root, '.vscode', 'settings.json');
    const before = fs.existsSync(settings) ? fs.readFileSync(settings, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, '{\n  "airlock.enabled": false,\n  "airlock.watchProtectedPaths": false,\n  "editor.tabSize": 7\n}\n');
    try {
      await until('VS Code to read the workspace settings', () => vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue === 7, 10_000);
      await pause(800);
      const c = vscode.workspace.getConfiguration('airlock');
      assert.equal(c.get('enabled'), true);
      assert.equal(c.get('watchProtectedPaths'), true);
      await warnsAboutEnv('with guards off in the workspace settings');
    } finally {
      if (before === undefined) {
        fs.rmSync(settings, { force: true });
      } else {
        fs.writeFileSync(settings, before);
      }
      await until('VS Code to drop the workspace setting', () => vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue !== 7, 10_000);
    }
  });

  it('turning a guard off in the user settings does not go unnoticed: Airlock warns and logs it', async () => {
    const log = vscode.Uri.joinPath(api.logUri, 'Airlock.log').fsPath;
    const c = () => vscode.workspace.getConfiguration('airlock');
    await c().update('watchProtectedPaths', false, vscode.ConfigurationTarget.Global);
    try {
      await until('the warning in Airlock.log', () => fs.existsSync(log) && /\[warning\] \[Config\] a guard was turned off in the user settings: airlock\.watchProtectedPaths/.test(fs.readFileSync(log, 'utf8')), 5000);
    } finally {
      await c().update('watchProtectedPaths', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Restore a File and Undo Rollback called from code ask the developer first, and change nothing unconfirmed', async function () {
    this.timeout(60_000);
    const [snap] = (await vscode.commands.executeCommand('airlock.takeSnapshot')) as { id: string }[];
    fs.writeFileSync(env, 'STRIPE_SECRET_KEY=changed-after-the-snapshot\n');
    try {
      // An older .claude/settings.json or policy could be put back this way, as Airlock's own write the watcher ignores.
      assert.equal(await vscode.commands.executeCommand('airlock.restoreFile', { folder: root, id: snap.id }, '.env'), undefined);
      assert.equal(fs.readFileSync(env, 'utf8'), 'STRIPE_SECRET_KEY=changed-after-the-snapshot\n', 'not restored without the developer');
      assert.match(api.confirmationsForTest().at(-1) ?? '', /Restore \.env as it was in snapshot/);

      // A rollback (confirmed: tests may skip the dialog), then an Undo Rollback called from code.
      await vscode.commands.executeCommand('airlock.rollback', { folder: root, id: snap.id }, { confirm: false });
      assert.equal(fs.readFileSync(env, 'utf8'), original);
      let settled = false;
      const undo = Promise.resolve(vscode.commands.executeCommand('airlock.undoRollback')).finally(() => (settled = true));
      // The developer looks at what it would change, and cancels (however long the picker takes to appear).
      for (let i = 0; i < 40 && !settled; i++) {
        await pause(500);
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      }
      await undo;
      assert.equal(fs.readFileSync(env, 'utf8'), original, 'the rollback was not undone without the developer');
    } finally {
      fs.writeFileSync(env, original);
      await pause(1000);
    }
  });

  it('Export Audit Log called with a file inside the workspace (an agent configuration) refuses to write it', async () => {
    const settings = path.join(root, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const before = '{ "hooks": {} }\n';
    fs.writeFileSync(settings, before);
    try {
      assert.equal(await vscode.commands.executeCommand('airlock.exportAudit', vscode.Uri.file(settings)), undefined);
      assert.equal(fs.readFileSync(settings, 'utf8'), before, 'the agent configuration is not overwritten by the export');
    } finally {
      fs.rmSync(path.dirname(settings), { recursive: true, force: true });
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });
});
