import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AirlockApi } from '../../src/extension';
import { SnapshotService } from '../../src/snapshot/service';
import type { SnapshotResult } from '../../src/snapshot/types';
import { EXTENSION_ID, until } from './waitFor';

/** Take Snapshot Now and the Timeline's rollback go through the one snapshot service, with the folder's policy. */
describe('snapshots in VS Code follow the policy', () => {
  let api: AirlockApi;
  let root: string;
  let policyFile: string;
  let originalPolicy: string;
  let gitignore: string;
  let originalIgnore: string;
  const secret = 'notes.airlock-test.local';

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    policyFile = path.join(root, '.airlock', 'policy.json');
    originalPolicy = fs.readFileSync(policyFile, 'utf8');
    gitignore = path.join(root, '.gitignore');
    originalIgnore = fs.readFileSync(gitignore, 'utf8');
  });
  after(async () => {
    fs.writeFileSync(policyFile, originalPolicy);
    fs.writeFileSync(gitignore, originalIgnore);
    fs.rmSync(path.join(root, secret), { force: true });
    await until('the policy to be back', () => !api.policy.policy(root).settings.snapshots.include.includes(secret), 5000);
  });

  it('Take Snapshot Now includes the git-ignored files the policy lists in snapshots.include', async () => {
    fs.writeFileSync(gitignore, `${originalIgnore}${secret}\n`);
    fs.writeFileSync(path.join(root, secret), 'kept by the policy\n');
    fs.writeFileSync(policyFile, JSON.stringify({ snapshots: { include: [secret] } }));
    await until('the policy to list the file', () => api.policy.policy(root).settings.snapshots.include.includes(secret), 5000);

    const results = (await vscode.commands.executeCommand('airlock.takeSnapshot')) as SnapshotResult[];
    const mine = results.find((r) => r.folder === fs.realpathSync(root));
    assert.ok(mine, 'a snapshot of the workspace folder');
    const held = await new SnapshotService().readFile(root, mine.id, secret);
    assert.equal(held?.toString('utf8'), 'kept by the policy\n');
  });

  it('takes snapshots from the file watcher\'s change journal: an edit made outside VS Code is in the next one, without a full pass', async () => {
    const file = path.join(root, 'src', 'cart.js');
    const original = fs.readFileSync(file, 'utf8');
    const journal = api.snapshots.journal!;
    await api.snapshots.takeNow(root, { label: 'model' });
    try {
      fs.writeFileSync(file, '// edited by an agent outside the editor\n');
      await until('the watcher to report the edit', () => journal.hasPending(root, 'src/cart.js'), 10_000);
      const before = journal.stats.journal;
      const s = await api.snapshots.takeNow(root, { label: 'from the journal' });
      assert.equal(journal.stats.journal, before + 1, 'a journal snapshot, not a full pass');
      assert.equal((await api.snapshots.readFile(root, s.id, 'src/cart.js'))?.toString('utf8'), '// edited by an agent outside the editor\n');
      assert.deepEqual(await api.snapshots.verify(root, s.id), { id: s.id, ok: true });
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});
