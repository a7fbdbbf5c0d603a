import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AirlockApi } from '../../src/extension';
import { Commands } from '../../src/vscode/ids';
import { EXTENSION_ID, until } from './waitFor';


describe('Airlock in VS Code', () => {
  it('activates after start-up and exports its API', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension is installed');
    const api = await ext.activate();
    assert.ok(ext.isActive);
    assert.ok(api.log, 'exports its log channel');
  });

  it('runs in a VS Code no older than its engine', () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major > 1 || minor >= 138, `VS Code ${vscode.version}`);
  });

  it('registers Airlock: Show Log, and running it opens the Airlock output channel', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('airlock.showLog'));
    await vscode.commands.executeCommand('airlock.showLog');
  });

  it('contributes the Airlock view container and its Status view', async () => {
    // Focusing a view through its generated command fails if the view is not contributed.
    await vscode.commands.executeCommand('airlock.status.focus');
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'airlock');
  });

  it('reads the airlock.enabled setting and sees a change', async () => {
    const cfg = () => vscode.workspace.getConfiguration('airlock');
    assert.equal(cfg().get('enabled'), true);
    const changed = new Promise<boolean>((resolve) => {
      const d = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('airlock.enabled')) {
          d.dispose();
          resolve(true);
        }
      });
    });
    await cfg().update('enabled', false, vscode.ConfigurationTarget.Global);
    assert.equal(await changed, true);
    assert.equal(cfg().get('enabled'), false);
    await cfg().update('enabled', undefined, vscode.ConfigurationTarget.Global);
    assert.equal(cfg().get('enabled'), true);
  });

  it('opens the demo folder as its workspace', () => {
    assert.ok(vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length === 1);
  });
});

describe('Airlock: Install Agent Hooks (command)', () => {
  it('merges the Claude Code hook into .claude/settings.json, idempotently, keeping other settings', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const settings = vscode.Uri.joinPath(folder, '.claude', 'settings.json');
    await vscode.workspace.fs.writeFile(settings, Buffer.from('{\n  // mine\n  "model": "opus"\n}\n'));
    const files = (await vscode.commands.executeCommand('airlock.installHooks', ['claude'])) as string[];
    assert.ok(files.some((f) => f.endsWith('settings.json')), files.join(', '));
    const text = Buffer.from(await vscode.workspace.fs.readFile(settings)).toString('utf8');
    assert.match(text, /\/\/ mine/);
    assert.match(text, /"model": "opus"/);
    assert.match(text, /airlock-hook\\?" claude/);
    await vscode.commands.executeCommand('airlock.installHooks', ['claude']);
    const again = Buffer.from(await vscode.workspace.fs.readFile(settings)).toString('utf8');
    assert.equal(again, text, 'installing twice changes nothing');
    const launcher = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, '.airlock', 'bin', 'airlock-hook'));
    assert.equal(launcher.type, vscode.FileType.File, 'the committed launcher is written too');
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.claude'), { recursive: true });
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, '.airlock', 'bin'), { recursive: true });
  });
});

describe('the command center: every command registered once, through one wrapper', () => {
  let api: AirlockApi;
  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
  });

  it('registers exactly the commands package.json contributes, all through the command wrapper', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    // VS Code adds commands of its own for each view (airlock.timeline.focus, ...): leave those out.
    const views = (pkg.contributes.views.airlock as { id: string }[]).map((v) => v.id);
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('airlock.') && !views.some((v) => c.startsWith(`${v}.`))).sort();
    assert.deepEqual(registered, contributed);
    assert.deepEqual(
      api.commands().map((n) => Commands[n as keyof typeof Commands]).sort(),
      contributed,
      'each one went through the CommandCenter',
    );
  });

  it('a command that fails resolves instead of rejecting, and logs the error with its [Component][method] tag', async () => {
    const missing = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'no-such-folder');
    const result = await vscode.commands.executeCommand(Commands.showChanges, { folder: missing, id: 'deadbeefdead' });
    assert.equal(result, undefined);
    const log = vscode.Uri.joinPath(api.logUri, 'Airlock.log').fsPath;
    await until('the error in Airlock.log', () => fs.existsSync(log) && /\[error\] \[Timeline\]\[showChanges\] /.test(fs.readFileSync(log, 'utf8')));
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
