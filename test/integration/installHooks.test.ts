import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AGENT_IDS } from '../../src/agents/adapter';
import type { AirlockApi } from '../../src/extension';
import { EXTENSION_ID } from './waitFor';

describe('Airlock: Install Agent Hooks… for the agents guarded through plugins', () => {
  let root: string;
  before(async () => {
    await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  });
  after(() => {
    for (const rel of ['.clinerules', '.cline', '.opencode', path.join('.airlock', 'bin')]) {
      fs.rmSync(path.join(root, rel), { recursive: true, force: true });
    }
  });

  it('offers Cline and OpenCode with the rest (from the agent registry), and writes their hook file and plugins', async () => {
    assert.ok(AGENT_IDS.includes('cline') && AGENT_IDS.includes('opencode'));
    const files = (await vscode.commands.executeCommand('airlock.installHooks', ['cline', 'opencode'])) as string[];
    const rel = files.map((f) => path.relative(root, path.resolve(root, f)).split(path.sep).join('/')).sort();
    assert.deepEqual(rel, ['.cline/plugins/airlock.js', '.clinerules/hooks/PreToolUse', '.opencode/plugins/airlock.js']);
    assert.match(fs.readFileSync(path.join(root, '.cline/plugins/airlock.js'), 'utf8'), /beforeTool/);
    assert.match(fs.readFileSync(path.join(root, '.opencode/plugins/airlock.js'), 'utf8'), /tool\.execute\.before/);
    assert.ok(fs.existsSync(path.join(root, '.airlock/bin/airlock-hook')), 'the committed launcher is written too');
  });
});
