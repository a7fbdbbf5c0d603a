/**
 * Native ask through the built `airlock hook` with VS Code closed: an action the policy asks about
 * goes to the person at the agent's terminal when the agent can ask in this run (a snapshot is taken
 * first, since that person may approve it without Airlock hearing of it again); otherwise it is a
 * deny that says how to approve. The real CLIs are driven in test/e2e/agentsAsk.test.ts.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readAudit } from '../../src/audit/log';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

/** The environment without anything an agent session around this test run could have left in it. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(CLAUDE_CODE_|COPILOT_|AIRLOCK_SOCKET|AIRLOCK_TOKEN)/.test(k)) {
      delete env[k];
    }
  }
  return { ...env, AIRLOCK_NO_BRIDGE: '1', ...extra };
}

describe('agents: native ask with VS Code closed (airlock hook, built)', () => {
  let repo: string;
  let state: string;
  beforeEach(() => {
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-ask-')));
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-ask-state-'));
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    fs.mkdirSync(path.join(repo, 'src'));
    fs.writeFileSync(path.join(repo, 'src', 'a.js'), 'a\n');
    git('add', '.');
    git('commit', '-qm', 'init');
  });
  afterEach(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });

  const run = (agent: string, payload: unknown, env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [cli, 'hook', agent], { input: JSON.stringify(payload), encoding: 'utf8', env: cleanEnv({ AIRLOCK_HOME: state, ...env }), timeout: 30_000 });
  const claudeRmrf = (mode: string) => ({ session_id: 's1', cwd: repo, permission_mode: mode, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git reset --hard HEAD~1' } });
  const snapshots = () => JSON.parse(spawnSync(process.execPath, [cli, 'snapshots', '--cwd', repo, '--json'], { encoding: 'utf8', env: cleanEnv({ AIRLOCK_HOME: state }) }).stdout) as { id: string; tool: string }[];

  it('Claude Code in an interactive terminal: asks its user natively, audited as asked, with a snapshot first', () => {
    const r = run('claude', claudeRmrf('bypassPermissions'), { CLAUDE_CODE_ENTRYPOINT: 'cli', CLAUDE_CODE_SESSION_ATTENDED: '1' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
    assert.equal(out.hookSpecificOutput.permissionDecision, 'ask');
    assert.match(out.hookSpecificOutput.permissionDecisionReason, /^Agent Airlock needs your approval: .*moves the branch/);
    const audit = readAudit(repo, { AIRLOCK_HOME: state }).entries;
    assert.deepEqual(audit.map((e) => [e.verdict, e.command, e.via]), [['ask', 'git reset --hard HEAD~1', 'cli']]);
    assert.ok(audit[0].snapshotId, 'a snapshot before an ask the person may approve');
    assert.deepEqual(snapshots().map((s) => s.id), [audit[0].snapshotId]);
  });

  it('Claude Code in a -p run: a deny saying how to approve, no snapshot', () => {
    const r = run('claude', claudeRmrf('default'), { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli', CLAUDE_CODE_SESSION_ATTENDED: '0' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /To approve it, open this workspace in VS Code/);
    assert.deepEqual(readAudit(repo, { AIRLOCK_HOME: state }).entries.map((e) => e.verdict), ['deny']);
    assert.deepEqual(snapshots(), []);
  });

  it('an allowed action stays silent and a denied one denied, whether or not the agent can ask', () => {
    const env = { CLAUDE_CODE_ENTRYPOINT: 'cli', CLAUDE_CODE_SESSION_ATTENDED: '1' };
    const read = run('claude', { ...claudeRmrf('default'), tool_name: 'Read', tool_input: { file_path: path.join(repo, 'src', 'a.js') } }, env);
    assert.deepEqual([read.status, read.stdout], [0, '']);
    const wipe = run('claude', { ...claudeRmrf('default'), tool_input: { command: 'rm -rf /' } }, env);
    assert.equal(wipe.status, 2);
    assert.match(wipe.stdout, /"permissionDecision":"deny"/);
  });

  it('Codex and Gemini CLI never get an ask, even with a terminal and Claude\'s variables around', () => {
    const env = { CLAUDE_CODE_ENTRYPOINT: 'cli', CLAUDE_CODE_SESSION_ATTENDED: '1', COPILOT_CLI: '1' };
    const codex = run('codex', { ...claudeRmrf('default') }, env);
    assert.equal(codex.status, 2);
    assert.deepEqual(Object.keys(JSON.parse(codex.stdout) as object), ['hookSpecificOutput']);
    assert.match(codex.stdout, /"permissionDecision":"deny"/);
    const gemini = run('gemini', { ...claudeRmrf('default'), hook_event_name: 'BeforeTool', tool_name: 'run_shell_command' }, env);
    assert.equal((JSON.parse(gemini.stdout) as { decision: string }).decision, 'deny');
  });
});
