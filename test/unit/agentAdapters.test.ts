import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentId } from '../../src/agents/adapter';
import { AGENT_IDS } from '../../src/agents/adapter';
import { ADAPTERS } from '../../src/agents/adapters';
import { applyHunks, parsePatch } from '../../src/agents/applyPatch';
import type { Decision, ProposedAction } from '../../src/core/types';

const allow: Decision = { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] };
const ask: Decision = { verdict: 'ask', wouldBe: 'ask', mode: 'enforce', reasons: ['pushing needs approval'], rules: [] };
const deny: Decision = { verdict: 'deny', wouldBe: 'deny', mode: 'enforce', reasons: ['writing .env is not allowed'], rules: [] };

function only(actions: ProposedAction[]): ProposedAction {
  assert.equal(actions.length, 1, JSON.stringify(actions));
  return actions[0];
}

describe('agents: adapters parse each agent\'s documented payloads', () => {
  let ws: string;
  const f = (rel: string) => path.join(ws, rel);
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-adapters-')));
    fs.writeFileSync(f('app.ts'), 'const a = 1;\nconst b = 2;\nconst a2 = 1;\n');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const claude = (tool_name: string, tool_input: unknown) => ({
    session_id: 'abc123',
    transcript_path: '/tmp/t.jsonl',
    cwd: ws,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name,
    tool_input,
    tool_use_id: 'toolu_01',
  });

  it('Claude Code: Bash becomes a command with the session and tool', () => {
    const a = only(ADAPTERS.claude.parse(claude('Bash', { command: 'npm test', description: 'run tests', timeout: 120000 })));
    assert.deepEqual({ kind: a.kind, command: a.command, cwd: a.cwd, agent: a.agent, tool: a.tool, session: a.session, shell: a.shell }, { kind: 'command', command: 'npm test', cwd: ws, agent: 'claude', tool: 'Bash', session: 'abc123', shell: 'bash' });
  });

  it('Claude Code: Write of a new file is a create carrying the content; of an existing file an edit', () => {
    const c = only(ADAPTERS.claude.parse(claude('Write', { file_path: f('new.ts'), content: 'x\n' })));
    assert.deepEqual([c.kind, c.paths, c.content], ['create', [f('new.ts')], 'x\n']);
    const e = only(ADAPTERS.claude.parse(claude('Write', { file_path: f('app.ts'), content: 'y\n' })));
    assert.equal(e.kind, 'edit');
  });

  it('Claude Code: Edit computes the new content from the current file (first match, or all with replace_all)', () => {
    const one = only(ADAPTERS.claude.parse(claude('Edit', { file_path: f('app.ts'), old_string: '= 1', new_string: '= 10' })));
    assert.equal(one.content, 'const a = 10;\nconst b = 2;\nconst a2 = 1;\n');
    const all = only(ADAPTERS.claude.parse(claude('Edit', { file_path: f('app.ts'), old_string: '= 1', new_string: '= 10', replace_all: true })));
    assert.equal(all.content, 'const a = 10;\nconst b = 2;\nconst a2 = 10;\n');
  });

  it('Claude Code: Edit whose old_string is not found is still an edit, without content', () => {
    const a = only(ADAPTERS.claude.parse(claude('Edit', { file_path: f('app.ts'), old_string: 'nope', new_string: 'x' })));
    assert.equal(a.kind, 'edit');
    assert.equal(a.content, undefined);
  });

  it('Claude Code: MultiEdit applies edits in order; NotebookEdit is an edit; Read a read; relative paths resolve against cwd', () => {
    const m = only(ADAPTERS.claude.parse(claude('MultiEdit', { file_path: f('app.ts'), edits: [{ old_string: 'a = 1', new_string: 'a = 5' }, { old_string: 'a = 5', new_string: 'a = 6' }] })));
    assert.equal(m.content, 'const a = 6;\nconst b = 2;\nconst a2 = 1;\n');
    fs.writeFileSync(f('nb.ipynb'), '{}');
    assert.equal(only(ADAPTERS.claude.parse(claude('NotebookEdit', { notebook_path: f('nb.ipynb'), new_source: 'print(1)' }))).kind, 'edit');
    const r = only(ADAPTERS.claude.parse(claude('Read', { file_path: 'app.ts' })));
    assert.deepEqual([r.kind, r.paths], ['read', [f('app.ts')]]);
  });

  it('Claude Code: an unknown (MCP) tool is flagged for the unknown-tool default with the paths it names; TodoWrite is inert', () => {
    const u = only(ADAPTERS.claude.parse(claude('mcp__fs__write', { target: { path: 'out/x.txt' }, data: 'x' })));
    assert.equal(u.unknownTool, true);
    assert.equal(u.kind, 'command');
    assert.equal(u.command, 'mcp__fs__write');
    assert.deepEqual(u.paths, [f('out/x.txt')]);
    assert.deepEqual(ADAPTERS.claude.parse(claude('TodoWrite', { todos: [] })), []);
  });

  it('Claude Code: a PostToolUse event has nothing to guard', () => {
    assert.deepEqual(ADAPTERS.claude.parse({ ...claude('Bash', { command: 'ls' }), hook_event_name: 'PostToolUse' }), []);
  });

  const vscode = (tool_name: string, tool_input: unknown) => ({
    timestamp: '2026-02-01T10:00:00.000Z',
    cwd: ws,
    sessionId: 'sess-1',
    hookEventName: 'PreToolUse',
    transcript_path: '/tmp/t.json',
    tool_name,
    tool_input,
    tool_use_id: 'tool-123',
  });

  it('VS Code agent hooks: run_in_terminal, create_file, replace_string_in_file, multi_replace_string_in_file', () => {
    const c = only(ADAPTERS.copilot.parse(vscode('run_in_terminal', { command: 'rm -rf dist', explanation: 'clean', isBackground: false })));
    assert.deepEqual([c.kind, c.command, c.session], ['command', 'rm -rf dist', 'sess-1']);
    const cr = only(ADAPTERS.copilot.parse(vscode('create_file', { filePath: f('src/x.ts'), content: 'export {};\n' })));
    assert.deepEqual([cr.kind, cr.content], ['create', 'export {};\n']);
    const r = only(ADAPTERS.copilot.parse(vscode('replace_string_in_file', { filePath: f('app.ts'), oldString: 'b = 2', newString: 'b = 3' })));
    assert.equal(r.content, 'const a = 1;\nconst b = 3;\nconst a2 = 1;\n');
    fs.writeFileSync(f('b.ts'), 'one\n');
    const m = ADAPTERS.copilot.parse(
      vscode('multi_replace_string_in_file', {
        explanation: 'x',
        replacements: [
          { filePath: f('app.ts'), oldString: 'a = 1', newString: 'a = 9' },
          { filePath: f('b.ts'), oldString: 'one', newString: 'two' },
          { filePath: f('app.ts'), oldString: 'b = 2', newString: 'b = 8' },
        ],
      }),
    );
    assert.deepEqual(
      m.map((a) => [a.kind, a.paths[0], a.content]),
      [
        ['edit', f('app.ts'), 'const a = 9;\nconst b = 8;\nconst a2 = 1;\n'],
        ['edit', f('b.ts'), 'two\n'],
      ],
    );
  });

  it('VS Code agent hooks: apply_patch, insert_edit_into_file (no computable content), create_directory', () => {
    const p = ADAPTERS.copilot.parse(vscode('apply_patch', { input: '*** Begin Patch\n*** Update File: app.ts\n@@\n-const b = 2;\n+const b = 20;\n*** End Patch', explanation: 'x' }));
    assert.equal(only(p).content, 'const a = 1;\nconst b = 20;\nconst a2 = 1;\n');
    const s = only(ADAPTERS.copilot.parse(vscode('insert_edit_into_file', { filePath: f('app.ts'), code: '// ...existing code...\nconst c = 3;', explanation: 'x' })));
    assert.deepEqual([s.kind, s.content], ['edit', undefined]);
    assert.equal(only(ADAPTERS.copilot.parse(vscode('create_directory', { dirPath: f('pkg') }))).kind, 'create');
  });

  it('Copilot CLI: toolArgs as a JSON string or an object; bash, create, edit, view', () => {
    const cli = (toolName: string, toolArgs: unknown) => ({ sessionId: 's9', timestamp: 1704614600000, cwd: ws, toolName, toolArgs });
    const b = only(ADAPTERS['copilot-cli'].parse(cli('bash', JSON.stringify({ command: 'git push', description: 'push' }))));
    assert.deepEqual([b.kind, b.command, b.session], ['command', 'git push', 's9']);
    const c = only(ADAPTERS['copilot-cli'].parse(cli('create', { path: f('n.md'), file_text: '# n\n' })));
    assert.deepEqual([c.kind, c.content], ['create', '# n\n']);
    const e = only(ADAPTERS['copilot-cli'].parse(cli('edit', { path: f('app.ts'), old_str: 'b = 2', new_str: 'b = 4' })));
    assert.equal(e.content, 'const a = 1;\nconst b = 4;\nconst a2 = 1;\n');
    assert.equal(only(ADAPTERS['copilot-cli'].parse(cli('view', { path: f('app.ts') }))).kind, 'read');
    assert.equal(only(ADAPTERS['copilot-cli'].parse(cli('powershell', { command: 'Remove-Item x' }))).shell, 'powershell');
  });

  it('Cursor: beforeShellExecution, beforeReadFile, preToolUse; after-hooks have nothing to guard', () => {
    const common = { conversation_id: 'conv-123', generation_id: 'gen-456', workspace_roots: [ws] };
    const sh = only(ADAPTERS.cursor.parse({ ...common, hook_event_name: 'beforeShellExecution', command: 'npm install express', cwd: ws }));
    assert.deepEqual([sh.kind, sh.command, sh.session], ['command', 'npm install express', 'conv-123']);
    const rd = only(ADAPTERS.cursor.parse({ ...common, hook_event_name: 'beforeReadFile', file_path: f('.env'), content: 'API_KEY=...', attachments: [] }));
    assert.deepEqual([rd.kind, rd.paths], ['read', [f('.env')]]);
    const w = only(ADAPTERS.cursor.parse({ ...common, hook_event_name: 'preToolUse', tool_name: 'StrReplace', tool_input: { file_path: f('app.ts'), old_string: 'a2', new_string: 'a3' } }));
    assert.equal(w.content, 'const a = 1;\nconst b = 2;\nconst a3 = 1;\n');
    assert.deepEqual(ADAPTERS.cursor.parse({ ...common, hook_event_name: 'afterFileEdit', file_path: f('app.ts'), edits: [] }), []);
  });

  it('Gemini CLI: BeforeTool write_file, replace, run_shell_command', () => {
    const g = (tool_name: string, tool_input: unknown) => ({ session_id: 'g1', transcript_path: '', cwd: ws, hook_event_name: 'BeforeTool', timestamp: '', tool_name, tool_input });
    assert.equal(only(ADAPTERS.gemini.parse(g('write_file', { file_path: f('w.txt'), content: 'w' }))).content, 'w');
    assert.equal(only(ADAPTERS.gemini.parse(g('replace', { file_path: f('app.ts'), old_string: 'b = 2', new_string: 'b = 7' }))).content, 'const a = 1;\nconst b = 7;\nconst a2 = 1;\n');
    assert.equal(only(ADAPTERS.gemini.parse(g('run_shell_command', { command: 'ls -la', description: '' }))).command, 'ls -la');
  });

  it('Codex: Bash, shell argv, and apply_patch over several files (add, update, move, delete)', () => {
    const c = (tool_name: string, tool_input: unknown) => ({ session_id: 'x', cwd: ws, hook_event_name: 'PreToolUse', model: 'gpt-5.5', permission_mode: 'default', tool_name, tool_input, tool_use_id: 'call_1', turn_id: 't' });
    assert.equal(only(ADAPTERS.codex.parse(c('Bash', { command: 'cargo test' }))).command, 'cargo test');
    assert.equal(only(ADAPTERS.codex.parse(c('shell', { command: ['bash', '-lc', 'echo hi > out.txt'], workdir: ws }))).command, 'echo hi > out.txt');
    fs.writeFileSync(f('old.txt'), 'keep\nold line\n');
    fs.writeFileSync(f('gone.txt'), 'x\n');
    const patch = [
      '*** Begin Patch',
      '*** Add File: docs/new.md',
      '+# Title',
      '+body',
      '*** Update File: old.txt',
      '*** Move to: renamed.txt',
      '@@',
      ' keep',
      '-old line',
      '+new line',
      '*** Delete File: gone.txt',
      '*** End Patch',
    ].join('\n');
    const acts = ADAPTERS.codex.parse(c('apply_patch', { command: patch }));
    assert.deepEqual(
      acts.map((a) => [a.kind, a.paths, a.content]),
      [
        ['create', [f('docs/new.md')], '# Title\nbody\n'],
        ['rename', [f('old.txt'), f('renamed.txt')], undefined],
        ['create', [f('renamed.txt')], 'keep\nnew line\n'],
        ['delete', [f('gone.txt')], undefined],
      ],
    );
    assert.ok(acts.every((a) => typeof a.patch === 'string' && a.patch.length > 0));
  });

  it('Windsurf: pre_run_command, pre_write_code with edits, pre_read_code', () => {
    const w = (agent_action_name: string, tool_info: unknown) => ({ agent_action_name, trajectory_id: 'traj', execution_id: 'e', timestamp: '2025-01-01T00:00:00Z', tool_info });
    const r = only(ADAPTERS.windsurf.parse(w('pre_run_command', { command_line: 'npm run build', cwd: ws })));
    assert.deepEqual([r.kind, r.command, r.cwd, r.tool], ['command', 'npm run build', ws, 'run_command']);
    const e = only(ADAPTERS.windsurf.parse(w('pre_write_code', { file_path: f('app.ts'), edits: [{ old_string: 'b = 2', new_string: 'b = 0' }] })));
    assert.equal(e.content, 'const a = 1;\nconst b = 0;\nconst a2 = 1;\n');
    assert.equal(only(ADAPTERS.windsurf.parse(w('pre_read_code', { file_path: f('app.ts') }))).kind, 'read');
  });

  it('Cline: write_to_file, replace_in_file (SEARCH/REPLACE blocks), execute_command', () => {
    const c = (toolName: string, parameters: unknown) => ({ clineVersion: '3.36.0', hookName: 'PreToolUse', timestamp: '1', taskId: 'task', workspaceRoots: [ws], userId: 'u', preToolUse: { toolName, parameters } });
    assert.equal(only(ADAPTERS.cline.parse(c('write_to_file', { path: 'src/a.js', content: 'a' }))).paths[0], f('src/a.js'));
    const diff = '------- SEARCH\nconst b = 2;\n=======\nconst b = 22;\n+++++++ REPLACE';
    assert.equal(only(ADAPTERS.cline.parse(c('replace_in_file', { path: 'app.ts', diff }))).content, 'const a = 1;\nconst b = 22;\nconst a2 = 1;\n');
    const x = only(ADAPTERS.cline.parse(c('execute_command', { command: 'make', requires_approval: 'false' })));
    assert.deepEqual([x.kind, x.command, x.session], ['command', 'make', 'task']);
  });

  it('wrongly typed fields are PayloadErrors naming the field, for every agent', () => {
    const bad: Record<AgentId, unknown> = {
      claude: { hook_event_name: 'PreToolUse', tool_name: 42, tool_input: {} },
      copilot: { hookEventName: 'PreToolUse', tool_name: 'run_in_terminal', tool_input: 'not json' },
      'copilot-cli': { toolName: 'bash', toolArgs: [1, 2] },
      cursor: { hook_event_name: 'beforeShellExecution', command: ['rm'] },
      gemini: { hook_event_name: 'BeforeTool', tool_name: 'write_file', tool_input: { content: 'x' } },
      codex: { hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** Update File: a\n-x\n' } },
      windsurf: { agent_action_name: 'pre_run_command', tool_info: { command_line: 7 } },
      cline: { hookName: 'PreToolUse', preToolUse: 'execute_command' },
      opencode: { hook: 'tool.execute.before', input: { tool: 'bash', sessionID: 's', callID: 'c' }, output: { args: { command: 7 } } },
    };
    for (const id of AGENT_IDS) {
      assert.throws(() => ADAPTERS[id].parse(bad[id]), { name: 'PayloadError' }, id);
      assert.throws(() => ADAPTERS[id].parse([]), { name: 'PayloadError' }, id);
    }
  });
});

describe('agents: adapters render decisions in each agent\'s exact format', () => {
  const out = (id: AgentId, d: Decision) => ADAPTERS[id].render(d);
  const json = (s: string) => JSON.parse(s) as Record<string, unknown>;

  it('Claude Code and VS Code: hookSpecificOutput.permissionDecision; allow stays silent (the agent keeps its own prompts)', () => {
    assert.deepEqual(out('claude', allow), { stdout: '', stderr: '', exitCode: 0 });
    const a = out('claude', ask);
    assert.equal(a.exitCode, 0);
    assert.deepEqual(json(a.stdout), { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: 'Agent Airlock needs your approval: pushing needs approval' } });
    const d = out('claude', deny);
    assert.equal(d.exitCode, 2);
    assert.match(d.stderr, /writing \.env is not allowed/);
    assert.equal((json(d.stdout).hookSpecificOutput as Record<string, unknown>).permissionDecision, 'deny');
  });

  it('Copilot (both): top-level permissionDecision for the CLI and hookSpecificOutput for VS Code', () => {
    for (const id of ['copilot', 'copilot-cli'] as const) {
      const d = json(out(id, deny).stdout);
      assert.equal(d.permissionDecision, 'deny');
      assert.match(String(d.permissionDecisionReason), /\.env/);
      assert.equal((d.hookSpecificOutput as Record<string, unknown>).permissionDecision, 'deny');
      assert.equal(out(id, deny).exitCode, 2);
      assert.equal(json(out(id, ask).stdout).permissionDecision, 'ask');
    }
  });

  it('Codex: only fields Codex knows (unknown fields would make it run the tool); ask becomes a deny saying how to approve', () => {
    const d = out('codex', deny);
    const o = json(d.stdout);
    assert.deepEqual(Object.keys(o), ['hookSpecificOutput']);
    assert.deepEqual(Object.keys(o.hookSpecificOutput as object).sort(), ['hookEventName', 'permissionDecision', 'permissionDecisionReason']);
    assert.equal(d.exitCode, 2);
    const a = out('codex', ask);
    assert.equal((json(a.stdout).hookSpecificOutput as Record<string, unknown>).permissionDecision, 'deny');
    assert.match(a.stderr, /approval required: pushing needs approval.*VS Code/);
    assert.equal(out('codex', allow).stdout, '');
  });

  it('Gemini CLI: {"decision":"deny","reason"} with exit 2; ask becomes deny', () => {
    const d = json(out('gemini', deny).stdout);
    assert.deepEqual(Object.keys(d).sort(), ['decision', 'reason']);
    assert.equal(d.decision, 'deny');
    assert.equal(json(out('gemini', ask).stdout).decision, 'deny');
    assert.equal(out('gemini', allow).stdout, '');
  });

  it('Cursor: {"permission"} with both message key casings', () => {
    assert.deepEqual(json(out('cursor', allow).stdout), { permission: 'allow' });
    const d = json(out('cursor', deny).stdout);
    assert.equal(d.permission, 'deny');
    for (const k of ['user_message', 'agent_message', 'userMessage', 'agentMessage']) {
      assert.match(String(d[k]), /\.env/, k);
    }
    assert.equal(json(out('cursor', ask).stdout).permission, 'ask');
  });

  it('Windsurf: exit 2 with the reason on stderr; Cline: {"cancel":true,"errorMessage"}', () => {
    assert.deepEqual(out('windsurf', allow), { stdout: '', stderr: '', exitCode: 0 });
    const w = out('windsurf', deny);
    assert.equal(w.exitCode, 2);
    assert.match(w.stderr, /\.env/);
    assert.equal(out('windsurf', ask).exitCode, 2);
    assert.deepEqual(json(out('cline', allow).stdout), { cancel: false });
    const c = json(out('cline', ask).stdout);
    assert.equal(c.cancel, true);
    assert.match(String(c.errorMessage), /To approve it/);
  });
});

describe('agents: apply_patch parser', () => {
  it('applies hunks with context and anchors, and keeps a file without a final newline', () => {
    const [op] = parsePatch('*** Begin Patch\n*** Update File: x\n@@ function b\n-  return 1;\n+  return 2;\n*** End Patch\n');
    assert.equal(op.type, 'update');
    if (op.type === 'update') {
      assert.equal(applyHunks('function a\n  return 1;\nfunction b\n  return 1;\n', op.hunks), 'function a\n  return 1;\nfunction b\n  return 2;\n');
      assert.equal(applyHunks('nothing here\n', op.hunks), undefined);
      assert.equal(applyHunks('function b\n  return 1;', op.hunks), 'function b\n  return 2;');
    }
  });

  it('rejects a truncated patch and one without a header', () => {
    assert.throws(() => parsePatch('*** Begin Patch\n*** Add File: a\n+x\n'), /does not end/);
    assert.throws(() => parsePatch('--- a\n+++ b\n'), /must start/);
  });
});

describe('agents: tools Airlock does not know', () => {
  it('are asked under the built-in policy, and a protected path they name adds its own reason', async () => {
    const { loadPolicy } = await import('../../src/policy/load.js');
    const { ActionEvaluator } = await import('../../src/policy/evaluator.js');
    const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-unknown-')));
    try {
      const { policy } = loadPolicy(ws);
      const evaluator = new ActionEvaluator({ policyOf: () => policy });
      const plain = only(ADAPTERS.claude.parse({ cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'mcp__jira__create_issue', tool_input: { title: 'x' } }));
      const d = evaluator.decide(plain, ws);
      assert.equal(d.verdict, 'ask');
      assert.match(d.reasons.join(' '), /does not know the tool 'mcp__jira__create_issue'/);
      const withPath = only(ADAPTERS.claude.parse({ cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'mcp__fs__write_file', tool_input: { path: '.airlock/policy.json', content: '{}' } }));
      const p = evaluator.decide(withPath, ws);
      assert.notEqual(p.verdict, 'allow');
      assert.ok(p.reasons.length >= 2, JSON.stringify(p.reasons));
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
