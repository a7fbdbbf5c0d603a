import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ping, requestDecision } from '../../src/bridge/client';
import { findRegistrations, runtimeDir } from '../../src/bridge/registry';
import { readAudit } from '../../src/audit/log';
import type { ProposedAction } from '../../src/core/types';
import type { AirlockApi } from '../../src/extension';
import type { HookCall } from '../unit/hookFixture';
import { corpusHookCalls, root as testRoot, runWithInput } from '../unit/hookFixture';
import { EXTENSION_ID, until } from './waitFor';



/** A hook's request travels the real bridge (Unix socket, token, registration) to this window. */
describe('the gate in VS Code: hook requests, approvals, snapshots, rollback', () => {
  let api: AirlockApi;
  let root: string;
  let policyUri: vscode.Uri;
  let originalPolicy: Uint8Array;

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    policyUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.airlock', 'policy.json');
    originalPolicy = await vscode.workspace.fs.readFile(policyUri);
  });
  after(async () => {
    await vscode.workspace.fs.writeFile(policyUri, originalPolicy);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const action = (over: Partial<ProposedAction>): ProposedAction => ({ kind: 'edit', paths: [], cwd: root, agent: 'claude', tool: 'Write', session: 'itest', ...over });

  it('registers this window so a hook started anywhere in the folder finds it', async () => {
    const regs = findRegistrations(path.join(root, 'src'));
    assert.ok(regs.some((r) => r.socket === api.bridgeSocket()), 'this window is registered for its folder');
    const reg = regs.find((r) => r.socket === api.bridgeSocket())!;
    const pong = await ping({ socket: reg.socket, token: reg.token });
    assert.equal(pong.pid, process.pid);
  });

  it('allows an ordinary edit quietly, with a snapshot taken first and an audit entry', async () => {
    const file = path.join(root, 'src', 'cart.js');
    const res = await requestDecision([action({ paths: [file], content: '// changed\n' })], { cwd: root, deadlineMs: 20_000 });
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.decidedBy, 'policy');
    assert.match(res.snapshotId ?? '', /^[0-9a-f]{12}$/);
    assert.equal(api.gate.queue.size, 0, 'nobody was asked');
    const last = readAudit(root).entries.at(-1)!;
    assert.equal(last.snapshotId, res.snapshotId);
    assert.equal(last.via, 'vscode');
  });

  it('holds a write to .env for the human, shows the diff, and an Approve lets the hook answer allow', async () => {
    const env = path.join(root, '.env');
    const pending = requestDecision([action({ paths: [env], content: 'STRIPE_SECRET_KEY=rotated\n' })], { cwd: root, deadlineMs: 30_000 });
    const req = await until('the approval request', () => api.gate.queue.list()[0]);
    assert.equal(req.action.paths[0], env);
    assert.match(req.decision.reasons.join(' '), /secret|\.env/i);
    const diffTab = await until('the approval diff editor', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'airlock-proposed'),
    );
    assert.match(diffTab.label, /Claude Code wants to change \.env/);
    const proposed = await vscode.workspace.openTextDocument((diffTab.input as vscode.TabInputTextDiff).modified);
    assert.equal(proposed.getText(), 'STRIPE_SECRET_KEY=rotated\n');
    const current = await vscode.workspace.openTextDocument((diffTab.input as vscode.TabInputTextDiff).original);
    assert.equal(current.getText(), fs.readFileSync(env, 'utf8'));

    assert.equal(api.answerForTest(req.id, { kind: 'approve' }), true);
    const res = await pending;
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.decidedBy, 'human');
    assert.ok(res.snapshotId, 'a snapshot was taken before the approved change');
    await until('the diff editor to close', () => !vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'airlock-proposed'));
  });

  it('sends the reason typed with a denial back to the agent', async () => {
    const pending = requestDecision([action({ kind: 'command', tool: 'Bash', command: 'git push --force origin main' })], { cwd: root, deadlineMs: 30_000 });
    const req = await until('the approval request', () => api.gate.queue.list()[0]);
    await vscode.commands.executeCommand('airlock.deny', req.id, 'open a pull request instead');
    const res = await pending;
    assert.equal(res.decision.verdict, 'deny');
    assert.equal(res.message, 'open a pull request instead');
    assert.match(res.decision.reasons.join(' '), /The developer denied it: open a pull request instead/);
    const last = readAudit(root).entries.at(-1)!;
    assert.equal(last.decidedBy, 'human');
    assert.equal(last.message, 'open a pull request instead');
  });

  it('queues several requests and answers each on its own, in any order', async () => {
    const a = requestDecision([action({ kind: 'command', tool: 'Bash', command: 'git push origin a' })], { cwd: root, deadlineMs: 30_000 });
    const b = requestDecision([action({ kind: 'command', tool: 'Bash', command: 'git push origin b' })], { cwd: root, deadlineMs: 30_000 });
    await until('two pending requests', () => api.gate.queue.size === 2);
    const [first, second] = api.gate.queue.list();
    await vscode.commands.executeCommand('airlock.deny', second.id);
    assert.equal(api.answerForTest(first.id, { kind: 'approve' }), true);
    assert.equal((await a).decision.verdict, 'allow');
    assert.equal((await b).decision.verdict, 'deny');
  });

  it('denies when nobody answers within the policy timeout, and says so', async () => {
    const text = Buffer.from(originalPolicy).toString('utf8').replace('"timeoutSeconds": 120', '"timeoutSeconds": 5');
    assert.notEqual(text, Buffer.from(originalPolicy).toString('utf8'));
    await vscode.workspace.fs.writeFile(policyUri, Buffer.from(text));
    await until('the policy reload', () => api.policy.policy(root).settings.approval.timeoutSeconds === 5, 5000);
    const res = await requestDecision([action({ paths: [path.join(root, '.env')], content: 'X=1\n' })], { cwd: root, deadlineMs: 20_000 });
    assert.equal(res.decision.verdict, 'deny');
    assert.equal(res.decidedBy, 'timeout');
    assert.match(res.decision.reasons.join(' '), /Nobody approved it in time/);
    await vscode.workspace.fs.writeFile(policyUri, originalPolicy);
    await until('the policy reload', () => api.policy.policy(root).settings.approval.timeoutSeconds === 120, 5000);
  });

  it('answers the real hook CLI (airlock hook claude) with the human\'s decision in Claude\'s format', async () => {
    const { spawn } = await import('node:child_process');
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const hook = (payload: object) => {
      const child = spawn(process.execPath, [cli, 'hook', 'claude'], { cwd: root, env: { ...process.env, AIRLOCK_SOCKET: '', AIRLOCK_TOKEN: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.stdin.end(JSON.stringify(payload));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    };
    const payload = (file: string, content: string) => ({ session_id: 'hook-itest', transcript_path: '/dev/null', cwd: root, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: file, content }, tool_use_id: 't1' });

    const denied = hook(payload(path.join(root, '.env'), 'LEAK=1\n'));
    const req = await until('the hook request in the queue', () => api.gate.queue.list()[0], 20_000);
    assert.equal(req.action.agent, 'claude');
    await vscode.commands.executeCommand('airlock.deny', req.id, 'secrets stay as they are');
    const d = await denied;
    assert.equal(d.code, 2, d.stderr);
    const out = JSON.parse(d.stdout);
    assert.equal(out.hookSpecificOutput.permissionDecision, 'deny');
    assert.match(out.hookSpecificOutput.permissionDecisionReason, /secrets stay as they are/);

    const approved = hook(payload(path.join(root, '.env'), 'STRIPE_SECRET_KEY=new\n'));
    const req2 = await until('the second hook request', () => api.gate.queue.list()[0], 20_000);
    assert.equal(api.answerForTest(req2.id, { kind: 'approve' }), true);
    const a = await approved;
    assert.equal(a.code, 0, a.stderr);
    assert.doesNotMatch(a.stdout, /"deny"/);
  });

  it('rolls back from the timeline: the open editor shows the restored file, and undo brings the change back', async () => {
    const file = path.join(root, 'src', 'cart.js');
    const before = fs.readFileSync(file, 'utf8');
    const res = await requestDecision([action({ paths: [file], content: 'agent version\n' })], { cwd: root, deadlineMs: 20_000 });
    assert.equal(res.decision.verdict, 'allow');
    fs.writeFileSync(file, 'agent version\n'); // the agent's tool writes once the hook allowed it
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await until('the editor to see the agent change', () => doc.getText() === 'agent version\n');

    const node = { folder: root, id: res.snapshotId! };
    const result = (await vscode.commands.executeCommand('airlock.rollback', node, { confirm: false })) as { changed: string[]; safetySnapshotId: string };
    assert.deepEqual(result.changed, ['src/cart.js']);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    await until('the open editor to show the restored content', () => doc.getText() === before);

    await vscode.commands.executeCommand('airlock.undoRollback', undefined, { confirm: false });
    assert.equal(fs.readFileSync(file, 'utf8'), 'agent version\n');
    await until('the open editor to show the change again', () => doc.getText() === 'agent version\n');
    fs.writeFileSync(file, before);
  });
});

/**
 * Issue 17 in the real window: the launcher's fast client (perl) and `airlock hook`'s thin client send
 * whole hook calls to this window, which reads and renders them with the agents' adapters; the full
 * path (AIRLOCK_NO_FAST=1) sends the parsed actions over `decide` requests. For the per-agent calls,
 * the recorded payloads of the real agents and a sample of the command corpus, all three answer the
 * same (exit code, output, log line, audit entries in this window); what the policy asks, the human
 * here denies (every path gets that denial).
 */
describe('hook calls through this window: the fast client, the thin client and the full path answer the same', function () {
  this.timeout(15 * 60_000);
  let api: AirlockApi;
  let root: string;
  let cli: string;
  let work: string;
  let denier: NodeJS.Timeout;

  before(async () => {
    api = await vscode.extensions.getExtension<AirlockApi>(EXTENSION_ID)!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [cli, 'install-hooks', 'claude', '--dir', root]);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-itest-paths-'));
    // Whatever the policy asks about, the human here refuses.
    denier = setInterval(() => {
      for (const r of api.gate.queue.list()) {
        void vscode.commands.executeCommand('airlock.deny', r.id, 'not in this test');
      }
    }, 20);
  });
  after(() => {
    clearInterval(denier);
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(path.join(root, '.claude'), { recursive: true, force: true });
    fs.rmSync(path.join(root, '.airlock', 'bin'), { recursive: true, force: true });
  });

  const run = (cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv) => runWithInput(cmd, args, input, root, env);

  /** The payload with its session made unique to one path (budgets and session rules count per session). */
  function inSession(payload: string, tag: string): string {
    const o = JSON.parse(payload) as Record<string, unknown>;
    for (const k of ['session_id', 'sessionId', 'conversation_id', 'trajectory_id', 'taskId']) {
      if (typeof o[k] === 'string') {
        o[k] = `${o[k] as string}-${tag}`;
      }
    }
    return JSON.stringify(o);
  }

  it('gives the same answer, log line and audit entries on all three paths', async () => {
    const calls: HookCall[] = [];
    const perAgent = JSON.parse(fs.readFileSync(path.join(testRoot, 'test', 'fixtures', 'hookCalls.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const [agent, byTool] of Object.entries(perAgent).filter(([k]) => k !== '//')) {
      for (const [tool, p] of Object.entries(byTool)) {
        calls.push({ name: `${agent} ${tool}`, agent: agent as HookCall['agent'], payload: JSON.stringify(p).split('WS').join(root) });
      }
    }
    calls.push(...corpusHookCalls(path.dirname(root), root).filter((_, i) => i % 12 === 0));
    const base = { ...process.env, AIRLOCK_SOCKET: '', AIRLOCK_TOKEN: '', AIRLOCK_RUNTIME_DIR: runtimeDir(), AIRLOCK_CLI: cli };
    const launcher = path.join(root, '.airlock', 'bin', 'airlock-hook');
    const paths = {
      fast: (p: string, agent: string, log: string) => run('/bin/sh', [launcher, agent], p, { ...base, AIRLOCK_HOOK_LOG: log }),
      thin: (p: string, agent: string, log: string) => run(process.execPath, [cli, 'hook', agent], p, { ...base, AIRLOCK_HOOK_LOG: log }),
      full: (p: string, agent: string, log: string) => run(process.execPath, [cli, 'hook', agent], p, { ...base, AIRLOCK_HOOK_LOG: log, AIRLOCK_NO_FAST: '1' }),
    };
    const bad: string[] = [];
    for (const [i, c] of calls.entries()) {
      const seen: Record<string, unknown> = {};
      for (const [name, go] of Object.entries(paths)) {
        const log = path.join(work, `${i}-${name}.log`);
        const before = readAudit(root).entries.length;
        const r = await go(inSession(c.payload, name), c.agent, log);
        const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
        const logged = lines.map((l) => {
          const { time: _t, ms: _m, snapshotId, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return { ...rest, snapshot: snapshotId !== undefined };
        });
        const audit = readAudit(root)
          .entries.slice(before)
          .map((e) => {
            const { time: _t, prev: _p, snapshotId, session: _s, ...rest } = e as typeof e & { prev?: string };
            return { ...rest, snapshot: snapshotId !== undefined };
          });
        seen[name] = { ...r, logged, audit };
      }
      for (const name of ['fast', 'thin']) {
        try {
          assert.deepEqual(seen[name], seen.full);
        } catch (err) {
          bad.push(`${name}: ${c.agent} ${c.name}\n${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    assert.ok(calls.length > 100, `${calls.length} calls`);
    assert.deepEqual(bad.slice(0, 3), []);
  });

  it('answers through the launcher\'s fast client without any Node or Airlock CLI to fall back on', async () => {
    // With no CLI to find, anything but the window's own answer would be "Airlock is not installed".
    const env = { PATH: '/usr/bin:/bin', HOME: work, AIRLOCK_RUNTIME_DIR: runtimeDir(), AIRLOCK_CLI: path.join(work, 'missing.js') };
    const read = JSON.stringify({ session_id: 'fast-only', cwd: root, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: path.join(root, 'README.md') } });
    const allowed = await run('/bin/sh', [path.join(root, '.airlock', 'bin', 'airlock-hook'), 'claude'], read, env);
    assert.deepEqual([allowed.code, allowed.stdout, allowed.stderr], [0, '', '']);
    const withoutWindow = await run('/bin/sh', [path.join(root, '.airlock', 'bin', 'airlock-hook'), 'claude'], read, { ...env, AIRLOCK_RUNTIME_DIR: work });
    assert.equal(withoutWindow.code, 2);
    assert.match(withoutWindow.stderr, /not installed/);
  });
});
