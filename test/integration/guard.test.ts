import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { readAudit } from '../../src/audit/log';
import type { ProposedAction } from '../../src/core/types';
import { DEFAULT_ATTRIBUTION_WINDOWS } from '../../src/gate/changeAttribution';
import type { AirlockApi } from '../../src/extension';
import type { ProtectedChangeAlert } from '../../src/vscode/protectedWatcher';
import type { TerminalAlert } from '../../src/vscode/terminalGuard';
import { EXTENSION_ID, until } from './waitFor';



function nextEvent<T>(event: vscode.Event<T>, accept: (e: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const sub = event((e) => {
      if (accept(e)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(e);
      }
    });
  });
}

/**
 * Replaces the policy file on disk (as a `git pull` does); returns the time of the write. (Not
 * through an editor: a text model left loaded would race the policy suite's own disk writes.)
 */
async function writePolicy(uri: vscode.Uri, text: string): Promise<number> {
  const at = Date.now();
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  return at;
}

/** Waits until no gate approval of `file` (earlier tests approve .env) explains a change to it any more. */
async function outsideGateWindow(root: string, file: string): Promise<void> {
  const last = readAudit(root).entries.findLast((e) => e.verdict === 'allow' && e.paths?.some((p) => path.resolve(root, p) === file));
  const wait = last ? Date.parse(last.time) + DEFAULT_ATTRIBUTION_WINDOWS.gate + 200 - Date.now() : 0;
  if (wait > 0) {
    await new Promise((r) => setTimeout(r, wait));
  }
}

describe('guards beyond hooks: Copilot settings, protected files, terminal, budgets', () => {
  let api: AirlockApi;
  let folder: vscode.WorkspaceFolder;
  let root: string;
  let policyUri: vscode.Uri;
  let originalPolicy: string;
  const settingsFile = () => path.join(root, '.vscode', 'settings.json');
  const figures: string[] = [];

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    folder = vscode.workspace.workspaceFolders![0];
    root = folder.uri.fsPath;
    policyUri = vscode.Uri.joinPath(folder.uri, '.airlock', 'policy.json');
    originalPolicy = fs.readFileSync(policyUri.fsPath, 'utf8');
    const started = Date.now();
    await api.guards.watcher.ready;
    figures.push(`baseline snapshot ready ${Date.now() - started} ms after the test started`);
  });
  after(async () => {
    await writePolicy(policyUri, originalPolicy);
    await vscode.workspace.getConfiguration('airlock').update('copilot.syncApprovalSettings', 'off', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration().update('chat.tools.edits.autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    console.log(`    figures: ${figures.join('; ')}`);
  });

  it('keeps Copilot approval settings in step with the policy within a second, without losing a hand-written entry', async () => {
    type Rules = Record<string, unknown>;
    const config = () => vscode.workspace.getConfiguration();
    const userEdits = () => config().inspect<Rules>('chat.tools.edits.autoApprove')?.globalValue;
    const fileTerminal = () => (parse(fs.readFileSync(settingsFile(), 'utf8')) as Record<string, Rules> | undefined)?.['chat.tools.terminal.autoApprove'];
    // Hand-written entries: an edit rule in the user settings, a terminal rule in the workspace settings.
    await config().update('chat.tools.edits.autoApprove', { 'docs/**': true }, vscode.ConfigurationTarget.Global);
    fs.mkdirSync(path.dirname(settingsFile()), { recursive: true });
    fs.writeFileSync(settingsFile(), '{\n  // my own Copilot rules\n  "chat.tools.terminal.autoApprove": {\n    "npm run lint": true // lint is harmless\n  }\n}\n');
    await vscode.workspace.getConfiguration('airlock').update('copilot.syncApprovalSettings', 'auto', vscode.ConfigurationTarget.Global);
    await until('the first sync', () => userEdits()?.['**/.env*'] === false && fileTerminal()?.['git push'] === false, 5000);
    assert.equal(userEdits()!['src/payments/**'], false, 'team protected path');
    assert.equal(Object.keys(userEdits()!)[0], 'docs/**', "the developer's entry stays first, Airlock's follow (last match wins)");
    assert.equal(fileTerminal()!['/^npm (publish|unpublish)\\b/'], false, 'team deny regex');
    assert.equal(fileTerminal()!['rm'], false, 'file-destruction category');

    // The team adds rules: the settings follow within a second.
    const text = originalPolicy.replace('"paths": {', '"paths": {\n    "infra/secrets/**": "deny",').replace('"commands": {', '"commands": {\n    "make release": "ask",');
    assert.notEqual(text, originalPolicy);
    const saved = await writePolicy(policyUri, text);
    await until('the workspace terminal rules', () => fileTerminal()?.['make release'] === false, 5000, 5);
    const fileMs = Date.now() - saved;
    await until('the user edit rules', () => userEdits()?.['infra/secrets/**'] === false, 5000, 5);
    const ms = Date.now() - saved;
    figures.push(`policy written -> workspace terminal rules in ${fileMs} ms, user edit rules seen by the extension host in ${ms} ms`);
    // Both are figures, not limits (0.3 s and 0.4 s on an idle machine, over a second on a loaded
    // one): the test holds them to a bound that only a hang exceeds. The user-level write goes
    // through VS Code's own settings editing (a round trip to the workbench).
    assert.ok(fileMs < 3000, `the workspace settings were updated ${fileMs} ms after the policy was written`);
    assert.ok(ms < 3000, `the user settings were updated ${ms} ms after the policy was written`);
    assert.equal(userEdits()!['docs/**'], true, 'the hand-written edit entry stays');
    assert.equal(fileTerminal()!['npm run lint'], true, 'the hand-written terminal entry stays');
    const raw = fs.readFileSync(settingsFile(), 'utf8');
    assert.match(raw, /\/\/ my own Copilot rules/);
    assert.match(raw, /\/\/ lint is harmless/);
    // VS Code itself reads the workspace's terminal rules.
    await until('VS Code to read the terminal rules', () => config().inspect<Rules>('chat.tools.terminal.autoApprove')?.workspaceValue?.['make release'] === false, 5000);

    // The rules go away again: Airlock removes its own entries and nothing else.
    await writePolicy(policyUri, originalPolicy);
    await until('the removed rules to leave the settings', () => userEdits()?.['infra/secrets/**'] === undefined && fileTerminal()?.['make release'] === undefined, 5000);
    assert.equal(userEdits()!['docs/**'], true);
    assert.equal(fileTerminal()!['npm run lint'], true);
    // Airlock's writes to .vscode/settings.json (a protected file) raised no warning.
  });

  it('the sync command previews settings.json before and after in a diff editor', async () => {
    await vscode.workspace.getConfiguration('airlock').update('copilot.syncApprovalSettings', 'off', vscode.ConfigurationTarget.Global);
    fs.writeFileSync(settingsFile(), '{\n  "editor.tabSize": 2\n}\n');
    void vscode.commands.executeCommand('airlock.syncCopilotSettings');
    const tab = await until('the preview diff', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'airlock-settings-preview'),
    );
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.fsPath, settingsFile());
    const proposed = (await vscode.workspace.openTextDocument(input.modified)).getText();
    assert.match(proposed, /"editor.tabSize": 2/);
    assert.match(proposed, /"git push": false/);
    assert.equal(fs.readFileSync(settingsFile(), 'utf8'), '{\n  "editor.tabSize": 2\n}\n', 'nothing is written before the developer applies it');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('warns when .env is written from outside VS Code, also right after the policy let `black .` rewrite the folder, and Revert restores it', async function () {
    this.timeout(60_000);
    const env = path.join(root, '.env');
    await outsideGateWindow(root, env);
    const original = fs.readFileSync(env, 'utf8');
    // An agent's formatter run over the whole folder, let through by the policy without asking: it
    // judged the folder, not the protected files in it, so it explains no change to .env.
    const black = await api.gate.decide([{ kind: 'command', command: 'black .', paths: [], cwd: root, agent: 'claude', tool: 'Bash', session: 'guard-black' }]);
    assert.deepEqual([black.decision.verdict, black.decidedBy], ['allow', 'policy']);
    const alerted = nextEvent(api.guards.watcher.onDidAlert, (a: ProtectedChangeAlert) => a.rel === '.env', 'the .env warning');
    const written = Date.now();
    fs.writeFileSync(env, 'STRIPE_SECRET_KEY=sk_live_exfiltrated\n');
    const alert = await alerted.catch((err: Error) => {
      throw new Error(`${err.message}; open alerts: ${JSON.stringify(api.guards.watcher.openAlerts().map((a) => [a.rel, a.op]))}`);
    });
    figures.push(`external .env write -> warning in ${Date.now() - written} ms`);
    assert.equal(alert.op, 'write');
    assert.ok(alert.snapshotId, 'a snapshot holds the earlier .env');
    assert.match(alert.reasons.join(' '), /secrets/);

    const result = (await vscode.commands.executeCommand('airlock.revertProtectedChange', alert.id)) as { changed: string[]; safetySnapshotId: string };
    assert.deepEqual(result.changed, ['.env']);
    assert.equal(fs.readFileSync(env, 'utf8'), original, 'the file is back');
    const entry = readAudit(root).entries.findLast((e) => e.kind === 'revert');
    assert.ok(entry, 'the revert is in the audit log');
    assert.deepEqual(entry.paths, ['.env']);
    assert.equal(entry.snapshotId, result.safetySnapshotId, 'with the safety snapshot that undoes it');

    // Airlock's own restore raises no second warning (and its short window has passed after this).
    // (Only .env counts: the earlier tests' own writes of .vscode/settings.json and the policy from
    // outside VS Code warn rightly, and on a loaded machine such a warning may come this late.)
    const again: ProtectedChangeAlert[] = [];
    const sub = api.guards.watcher.onDidAlert((a) => a.rel === '.env' && again.push(a));
    await new Promise((r) => setTimeout(r, 2500));
    sub.dispose();
    assert.deepEqual(again, []);
    assert.equal(await api.guards.watcher.revert(alert.id), undefined, 'an alert is answered once');
  });

  it('Keep is audited, and neither a developer edit in an editor nor a gate-approved write raises a warning', async () => {
    const env = path.join(root, '.env');
    const alerts: ProtectedChangeAlert[] = [];
    const sub = api.guards.watcher.onDidAlert((a) => alerts.push(a));
    try {
      fs.writeFileSync(env, `${fs.readFileSync(env, 'utf8')}EXTRA=1\n`);
      await until('the warning', () => alerts.length === 1);
      assert.equal(await vscode.commands.executeCommand('airlock.keepProtectedChange', alerts[0].id), true);
      assert.ok(readAudit(root).entries.findLast((e) => e.kind === 'keep' && e.paths?.[0] === '.env'));
      assert.match(fs.readFileSync(env, 'utf8'), /EXTRA=1/, 'kept');

      // The developer edits .env in an editor and saves.
      const doc = await vscode.workspace.openTextDocument(env);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(0, 0), '# typed by the developer\n');
      await vscode.workspace.applyEdit(edit);
      await doc.save();
      // An agent's write the gate allowed after the human approved it.
      const action: ProposedAction = { kind: 'edit', paths: [path.join(root, 'config', '.env.local')], cwd: root, agent: 'claude', tool: 'Write', session: 'guard-approved' };
      const pending = api.gate.decide([action]);
      const req = await until('the approval request', () => api.gate.queue.list()[0]);
      assert.equal(api.answerForTest(req.id, { kind: 'approve' }), true);
      assert.equal((await pending).decision.verdict, 'allow');
      fs.mkdirSync(path.join(root, 'config'), { recursive: true });
      fs.writeFileSync(path.join(root, 'config', '.env.local'), 'LOCAL=1\n');
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(alerts.slice(1).map((a) => a.rel), [], 'no warning for the editor save or the approved write');
    } finally {
      sub.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('a protected file created from outside is removed again by Revert', async () => {
    const key = path.join(root, 'deploy', 'prod.pem');
    const alerted = nextEvent(api.guards.watcher.onDidAlert, (a: ProtectedChangeAlert) => a.rel === 'deploy/prod.pem', 'the warning');
    fs.mkdirSync(path.dirname(key), { recursive: true });
    fs.writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n');
    const alert = await alerted;
    assert.equal(alert.op, 'create');
    const result = (await vscode.commands.executeCommand('airlock.revertProtectedChange', alert.id)) as { deleted: string[] };
    assert.deepEqual(result.deleted, ['deploy/prod.pem']);
    assert.equal(fs.existsSync(key), false);
    fs.rmSync(path.dirname(key), { recursive: true, force: true });
  });

  it('`rm -rf build` in an integrated bash terminal raises a warning, and Roll Back restores build/', async function () {
    this.timeout(60_000);
    // The demo ignores build/; here it holds untracked output that only Airlock's snapshots keep.
    const gitignore = path.join(root, '.gitignore');
    const ignoreText = fs.readFileSync(gitignore, 'utf8');
    fs.writeFileSync(gitignore, ignoreText.replace(/^build\/\n/m, ''));
    const build = path.join(root, 'build');
    fs.mkdirSync(path.join(build, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(build, 'app.js'), 'console.log("built");\n');
    fs.writeFileSync(path.join(build, 'assets', 'logo.svg'), '<svg/>\n');
    try {
      // An agent session: a gate decision (its snapshot now holds build/).
      const r = await api.gate.decide([{ kind: 'edit', paths: [path.join(root, 'src', 'cart.js')], cwd: root, agent: 'claude', tool: 'Edit', session: 'guard-terminal' }]);
      assert.equal(r.decision.verdict, 'allow');
      assert.ok(api.guards.terminal.isActive(), 'the agent session is active');

      const terminal = vscode.window.createTerminal({ name: 'guard-test', shellPath: '/bin/bash', cwd: root });
      const t0 = Date.now();
      const integration = terminal.shellIntegration ?? (await nextEvent(vscode.window.onDidChangeTerminalShellIntegration, (e) => e.terminal === terminal, 'shell integration in bash', 20_000)).shellIntegration;
      figures.push(`bash shell integration active after ${Date.now() - t0} ms`);
      const alerted = nextEvent(api.guards.terminal.onDidAlert, (a: TerminalAlert) => a.commandLine === 'rm -rf build', 'the terminal warning');
      const ended = nextEvent(vscode.window.onDidEndTerminalShellExecution, (e) => e.terminal === terminal, 'the command to end');
      const started = Date.now();
      integration.executeCommand('rm -rf build');
      const alert = await alerted;
      figures.push(`command start -> terminal warning in ${Date.now() - started} ms`);
      assert.equal((await ended).exitCode, 0);
      assert.equal(fs.existsSync(build), false, 'rm really deleted build/');
      assert.deepEqual(alert.deletes, ['build']);
      assert.match(alert.risks.join(' '), /deletes build/);
      assert.equal(alert.terminal, 'guard-test');
      assert.ok(alert.snapshotId, 'there is a snapshot from before the command');

      const result = (await vscode.commands.executeCommand('airlock.rollbackTerminalCommand', alert.id)) as { created: string[]; safetySnapshotId: string };
      assert.deepEqual([...result.created].sort(), ['build/app.js', 'build/assets/logo.svg'], 'recreated');
      assert.equal(fs.readFileSync(path.join(build, 'app.js'), 'utf8'), 'console.log("built");\n');
      assert.equal(fs.readFileSync(path.join(build, 'assets', 'logo.svg'), 'utf8'), '<svg/>\n');
      const entry = readAudit(root).entries.findLast((e) => e.kind === 'rollback' && e.command === 'rm -rf build');
      assert.ok(entry, 'the rollback is audited');
      terminal.dispose();
    } finally {
      fs.writeFileSync(gitignore, ignoreText);
      fs.rmSync(build, { recursive: true, force: true });
    }
  });

  it('a git-ignored folder deleted in a terminal: the warning still comes, but Roll Back has nothing to restore (no snapshot holds ignored folders)', async function () {
    this.timeout(60_000);
    const build = path.join(root, 'build');
    fs.mkdirSync(build, { recursive: true });
    fs.writeFileSync(path.join(build, 'app.js'), 'ignored output\n');
    try {
      await api.gate.decide([{ kind: 'edit', paths: [path.join(root, 'src', 'cart.js')], cwd: root, agent: 'claude', tool: 'Edit', session: 'guard-terminal-2' }]);
      const terminal = vscode.window.createTerminal({ name: 'guard-test-2', shellPath: '/bin/bash', cwd: root });
      const integration = terminal.shellIntegration ?? (await nextEvent(vscode.window.onDidChangeTerminalShellIntegration, (e) => e.terminal === terminal, 'shell integration in bash', 20_000)).shellIntegration;
      const alerted = nextEvent(api.guards.terminal.onDidAlert, (a: TerminalAlert) => a.terminal === 'guard-test-2', 'the terminal warning');
      const ended = nextEvent(vscode.window.onDidEndTerminalShellExecution, (e) => e.terminal === terminal, 'the command to end');
      integration.executeCommand('rm -rf build');
      const alert = await alerted;
      await ended;
      const result = (await vscode.commands.executeCommand('airlock.rollbackTerminalCommand', alert.id)) as { created: string[]; changed: string[] };
      assert.deepEqual(result.created, [], 'nothing to restore: build/ is git-ignored and no snapshot holds it');
      assert.equal(fs.existsSync(build), false);
      terminal.dispose();
    } finally {
      fs.rmSync(build, { recursive: true, force: true });
    }
  });

  it('a session over its budget is asked, with the budget named', async () => {
    const text = originalPolicy.replace('"approval":', '"budgets": { "filesChanged": 2 },\n  "approval":');
    await writePolicy(policyUri, text);
    await until('the budget to load', () => api.policy.policy(root).settings.budgets.filesChanged === 2, 5000);
    const edit = (f: string): ProposedAction => ({ kind: 'edit', paths: [path.join(root, 'src', f)], cwd: root, agent: 'gemini', tool: 'write_file', session: 'budget-session' });
    assert.equal((await api.gate.decide([edit('a.js')])).decision.verdict, 'allow');
    assert.equal((await api.gate.decide([edit('b.js')])).decision.verdict, 'allow');
    assert.equal((await api.gate.decide([edit('a.js')])).decision.verdict, 'allow', 'the same file again stays within budget');
    const pending = api.gate.decide([edit('c.js')]);
    const req = await until('the budget question', () => api.gate.queue.list().find((q) => q.action.session === 'budget-session'));
    assert.match(req.decision.reasons.join(' '), /3 files changed in this agent session; the policy's session budget is 2 \(budgets\.filesChanged\)/);
    await vscode.commands.executeCommand('airlock.deny', req.id, 'that is enough for this task');
    assert.equal((await pending).decision.verdict, 'deny');
    // Another session of the same agent starts fresh.
    assert.equal((await api.gate.decide([{ ...edit('c.js'), session: 'another-session' }])).decision.verdict, 'allow');
  });
});
