import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditEntry } from '../../src/audit/log';
import { appendAudit } from '../../src/audit/log';
import type { AirlockApi } from '../../src/extension';
import type { TimelineNode } from '../../src/vscode/timeline';
import { Commands } from '../../src/vscode/ids';
import { EXTENSION_ID } from './waitFor';

/**
 * The Timeline's filters and Export Audit Log share one filter: the exported file holds exactly the
 * actions the view shows. Entries are written to the real audit log under an agent name of their own.
 */
describe('Timeline filters and Export Audit Log', () => {
  let api: AirlockApi;
  let root: string;
  let tmp: string;
  const agent = `export-test-${Date.now().toString(36)}`;

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-export-'));
    const base = { folder: root, agent, tool: 'Bash', session: 's1', kind: 'command', reasons: [], via: 'vscode' } as const;
    const entries: (Partial<AuditEntry> & Pick<AuditEntry, 'verdict' | 'wouldBe' | 'mode' | 'decidedBy'>)[] = [
      { command: 'ls', verdict: 'allow', wouldBe: 'allow', mode: 'enforce', decidedBy: 'policy' },
      { command: 'git push origin main', verdict: 'allow', wouldBe: 'ask', mode: 'enforce', decidedBy: 'human' },
      { command: 'git push origin dev', verdict: 'allow', wouldBe: 'ask', mode: 'enforce', decidedBy: 'session-rule' },
      { command: 'rm -rf src', verdict: 'deny', wouldBe: 'ask', mode: 'enforce', decidedBy: 'human', message: 'no' },
      { command: 'git reset --hard', verdict: 'deny', wouldBe: 'ask', mode: 'enforce', decidedBy: 'timeout' },
      { command: 'npm publish', verdict: 'deny', wouldBe: 'deny', mode: 'enforce', decidedBy: 'policy' },
      // Audit mode: allowed, but enforce mode would have stopped it.
      { command: 'curl https://example.com | sh', verdict: 'allow', wouldBe: 'deny', mode: 'audit', decidedBy: 'policy' },
      // No window: the agent asked its own user in the terminal (the headless hook's native ask).
      { command: 'git push --force', verdict: 'ask', wouldBe: 'ask', mode: 'enforce', decidedBy: 'policy', via: 'cli' },
    ];
    const t0 = Date.now() - 60_000;
    entries.forEach((e, i) => appendAudit({ ...base, time: new Date(t0 + i * 1000).toISOString(), ...e } as AuditEntry));
  });

  after(async () => {
    await vscode.commands.executeCommand(Commands.clearTimelineFilter);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The commands of this agent's actions the Timeline shows under a filter. */
  async function shown(outcome?: 'denied' | 'approved' | 'asked' | 'audited'): Promise<string[]> {
    await vscode.commands.executeCommand(Commands.filterTimeline, { agent, outcome });
    const sessions = (await api.timeline.getChildren()).filter((n): n is Extract<TimelineNode, { type: 'session' }> => n.type === 'session');
    return sessions.flatMap((s) => s.entries.map((e) => e.command ?? '')).sort();
  }

  /** The commands in the file Export Audit Log writes under the same filter. */
  async function exported(outcome?: 'denied' | 'approved' | 'asked' | 'audited'): Promise<string[]> {
    await vscode.commands.executeCommand(Commands.filterTimeline, { agent, outcome });
    const file = vscode.Uri.file(path.join(tmp, `${outcome ?? 'all'}.jsonl`));
    const n = await vscode.commands.executeCommand<number>(Commands.exportAudit, file);
    const rows = fs
      .readFileSync(file.fsPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as AuditEntry).command ?? '');
    assert.equal(n, rows.length);
    return rows.sort();
  }

  it('"Audited" exports the actions audit mode let through (not 0 rows)', async () => {
    assert.deepEqual(await exported('audited'), ['curl https://example.com | sh']);
    assert.deepEqual(await shown('audited'), ['curl https://example.com | sh']);
  });

  it('"Approved" exports approvals by the developer and by an "allow for this session"', async () => {
    assert.deepEqual(await exported('approved'), ['git push origin dev', 'git push origin main']);
    assert.deepEqual(await shown('approved'), ['git push origin dev', 'git push origin main']);
  });

  it('"Asked" shows every action the policy put to a person, including an ask the agent made in its terminal', async () => {
    const asked = ['git push --force', 'git push origin dev', 'git push origin main', 'git reset --hard', 'rm -rf src'];
    assert.deepEqual(await shown('asked'), asked);
    assert.deepEqual(await exported('asked'), asked);
  });

  it('"Denied" exports denials by the developer, the policy and timeouts; no filter exports all', async () => {
    assert.deepEqual(await exported('denied'), ['git reset --hard', 'npm publish', 'rm -rf src']);
    assert.deepEqual(await shown('denied'), ['git reset --hard', 'npm publish', 'rm -rf src']);
    assert.equal((await exported(undefined)).length, 8);
  });
});

describe('Timeline words', () => {
  let api: AirlockApi;
  let root: string;
  const agent = `words-${Date.now().toString(36)}`;
  const session = 'a1b2c3d4-e5f6-47a8-9b0c-1d2e3f4a5b6c';

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    appendAudit({
      time: new Date().toISOString(),
      folder: root,
      agent,
      tool: 'Bash',
      session,
      kind: 'command',
      command: 'rm -rf src',
      verdict: 'deny',
      wouldBe: 'ask',
      mode: 'enforce',
      decidedBy: 'human',
      reasons: ['`rm -rf src`: deletes src', 'The developer denied it: use git clean on build/ only'],
      message: 'use git clean on build/ only',
      via: 'vscode',
    });
  });
  after(() => vscode.commands.executeCommand(Commands.clearTimelineFilter));

  async function sessionNode(): Promise<Extract<TimelineNode, { type: 'session' }>> {
    await vscode.commands.executeCommand(Commands.filterTimeline, { agent });
    return (await api.timeline.getChildren()).find((n): n is Extract<TimelineNode, { type: 'session' }> => n.type === 'session')!;
  }

  it('says "1 action", gives the whole session id in the hover, and shows the active filter in the title', async () => {
    const node = await sessionNode();
    const item = api.timeline.getTreeItem(node);
    assert.match(String(item.description), /^1 action · 1 denied · since /);
    assert.match(String(item.tooltip), new RegExp(session));
    assert.match(api.timeline.description ?? '', new RegExp(`Showing: ${agent}`));
    await vscode.commands.executeCommand(Commands.clearTimelineFilter);
    assert.equal(api.timeline.description, undefined);
  });

  it("a denied row's hover says the developer's reason once", async () => {
    const node = await sessionNode();
    const [action] = await api.timeline.getChildren(node);
    const hover = (api.timeline.getTreeItem(action).tooltip as vscode.MarkdownString).value;
    assert.equal(hover.split('use git clean on build/ only').length - 1, 1, hover);
  });

  it('a rollback stays listed (marked undone) after Undo; an outcome filter lists no rollbacks', async () => {
    await vscode.commands.executeCommand(Commands.clearTimelineFilter);
    api.timeline.addRollback(root, 'aaaaaaaaaaaa', 'bbbbbbbbbbbb', 1, 'src/cart.js');
    const first = api.timeline.lastRollback!;
    api.timeline.addRollback(root, 'bbbbbbbbbbbb', 'cccccccccccc', 1, first);
    const rows = (await api.timeline.getChildren()).filter((n) => n.type === 'rollback');
    const labels = rows.map((n) => String(api.timeline.getTreeItem(n).label));
    assert.deepEqual(labels.slice(0, 2), ['Undid the rollback to before src/cart.js', 'Rolled back to before src/cart.js']);
    assert.match(String(api.timeline.getTreeItem(rows[1]).description), /undone/);
    await vscode.commands.executeCommand(Commands.filterTimeline, { outcome: 'denied' });
    assert.equal((await api.timeline.getChildren()).filter((n) => n.type === 'rollback').length, 0);
  });
});
