/**
 * The payloads the real agent CLIs sent to their hooks (recorded by test/e2e/agents.test.ts with
 * AIRLOCK_WRITE_FIXTURES=1 into test/fixtures/payloads/) run through the adapters, and each verdict
 * is rendered in the shape the real agent was seen to honour (test/e2e/agents/standInHook.ts).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentId } from '../../src/agents/adapter';
import { AGENT_IDS, isAgentId, PayloadError } from '../../src/agents/adapter';
import { ADAPTERS } from '../../src/agents/adapters';
import { configFile } from '../../src/agents/installSpec';
import type { Decision, ProposedAction } from '../../src/core/types';
import { HOOK_FORMATS } from '../e2e/agents/standInHook';
import { APP_CONTENT, ENV_CONTENT, UTIL_CONTENT } from '../e2e/agents/sandbox';

const root = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'payloads');

interface Expected {
  readonly kind: ProposedAction['kind'];
  /** Relative to the workspace. */
  readonly paths?: readonly string[];
  readonly command?: string;
  readonly content?: string;
  readonly tool: string;
}

const EDITED = "export const greeting = 'hello, world';\n";
const CREATED = 'export const created = true;\n';
const shell = (tool: string): Expected => ({ kind: 'command', command: 'echo ran > shell-marker.txt', tool });
const edit = (tool: string): Expected => ({ kind: 'edit', paths: ['src/app.js'], content: EDITED, tool });
const create = (tool: string): Expected => ({ kind: 'create', paths: ['src/created.js'], content: CREATED, tool });

/** What each recorded payload must become, by fixture file. */
const EXPECTED: Readonly<Record<string, readonly Expected[]>> = {
  'claude/Bash.json': [shell('Bash')],
  'claude/Edit.json': [edit('Edit')],
  'claude/Read.json': [{ kind: 'read', paths: ['src/app.js'], tool: 'Read' }],
  'claude/Write.json': [create('Write')],
  'codex/Bash.json': [shell('Bash')],
  'codex/apply_patch.json': [create('apply_patch')],
  'codex/apply_patch-2.json': [edit('apply_patch')],
  'copilot-cli/bash.json': [shell('bash')],
  'copilot-cli/create.json': [create('create')],
  'copilot-cli/edit.json': [edit('edit')],
  'copilot-cli/claude-style/Bash.json': [shell('Bash')],
  'copilot-cli/claude-style/Edit.json': [edit('Edit')],
  'copilot-cli/claude-style/Write.json': [create('Write')],
  'gemini/replace.json': [edit('replace')],
  'gemini/run_shell_command.json': [shell('run_shell_command')],
  'gemini/write_file.json': [create('write_file')],
  'cline/editor.json': [create('editor')],
  'cline/editor-2.json': [edit('editor')],
  'cline/run_commands.json': [shell('run_commands')],
  'cline/read_files.json': [{ kind: 'read', paths: ['src/app.js'], tool: 'read_files' }],
  'cline/submit_and_exit.json': [],
  'cline/apply_patch.json': [{ kind: 'create', paths: ['patched.txt'], content: 'patched\n', tool: 'apply_patch' }],
  // a search reads every file below its folder that its glob picks (issue 14): judged one by one
  'cline/search_codebase.json': [{ kind: 'read', paths: ['**/*'], tool: 'search_codebase' }],
  'cline/spawn_agent.json': [],
  'opencode/write.json': [create('write')],
  'opencode/edit.json': [edit('edit')],
  'opencode/bash.json': [shell('bash')],
  'opencode/bash-2.json': [{ kind: 'command', command: 'echo sub > sub-marker.txt', tool: 'bash' }],
  'opencode/read.json': [{ kind: 'read', paths: ['src/app.js'], tool: 'read' }],
  'opencode/glob.json': [{ kind: 'read', paths: [''], tool: 'glob' }],
  'opencode/grep.json': [{ kind: 'read', paths: ['**/*'], tool: 'grep' }],
  'opencode/todowrite.json': [],
  'opencode/task.json': [],
  'opencode/apply_patch.json': [{ kind: 'create', paths: ['patched.txt'], content: 'patched\n', tool: 'apply_patch' }],
};

/**
 * The adapters that receive a fixture: its agent's; Copilot CLI's Claude-style payloads go to Claude
 * Code's hooks (.claude/settings.json) and to Copilot's `PreToolUse` entries alike.
 */
function receivers(rel: string): AgentId[] {
  if (rel.startsWith('copilot-cli/claude-style/')) {
    return ['claude', 'copilot', 'copilot-cli'];
  }
  const agent = rel.split('/')[0];
  assert.ok(isAgentId(agent), `fixture folder ${agent} is not an agent`);
  return agent === 'copilot-cli' ? ['copilot-cli', 'copilot'] : [agent];
}

function listFixtures(dir = fixtures, rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? listFixtures(path.join(dir, e.name), r) : [r];
  });
}

const payloadFiles = listFixtures().filter((f) => f.endsWith('.json') && path.basename(f) !== 'tools.json');

describe('agents: the payloads recorded from the real agent CLIs', () => {
  let ws: string;
  beforeEach(() => {
    // The tree of the e2e sandbox the payloads were recorded in.
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-fixtures-')));
    fs.mkdirSync(path.join(ws, 'src'));
    fs.writeFileSync(path.join(ws, '.env'), ENV_CONTENT);
    fs.writeFileSync(path.join(ws, 'src', 'app.js'), APP_CONTENT);
    fs.writeFileSync(path.join(ws, 'src', 'util.js'), UTIL_CONTENT);
    fs.writeFileSync(path.join(ws, 'README.md'), '# demo\n');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  /** The payload with the recorded repository's path replaced by this test's workspace. */
  const load = (rel: string): unknown => {
    const text = fs.readFileSync(path.join(fixtures, rel), 'utf8');
    // Where the agent ran: Claude-style `cwd`, Cline's `workspaceRoots`, OpenCode's `directory` (from Airlock's plugin).
    const o = JSON.parse(text) as { cwd?: string; workspaceRoots?: string[]; directory?: string };
    const recorded = o.cwd ?? o.workspaceRoots?.[0] ?? o.directory;
    assert.ok(recorded, `${rel}: no recorded folder`);
    return JSON.parse(text.split(recorded).join(ws));
  };

  it('every recorded payload has its expected actions here (a new recording must be added to this table)', () => {
    assert.ok(payloadFiles.length >= 34, payloadFiles.join(', '));
    assert.deepEqual([...payloadFiles].sort(), Object.keys(EXPECTED).sort());
  });

  for (const rel of Object.keys(EXPECTED)) {
    it(`${rel} parses to the expected actions (${receivers(rel).join(', ')})`, () => {
      for (const agent of receivers(rel)) {
        const got = ADAPTERS[agent].parse(load(rel));
        assert.deepEqual(
          got.map((a) => ({
            kind: a.kind,
            ...(a.paths.length ? { paths: a.paths.map((p) => path.relative(ws, p)) } : {}),
            ...(a.command !== undefined ? { command: a.command } : {}),
            ...(a.content !== undefined ? { content: a.content } : {}),
            tool: a.tool,
          })),
          EXPECTED[rel],
          agent,
        );
        assert.ok(got.every((a) => a.agent === agent && a.cwd === ws && typeof a.session === 'string' && a.session !== '' && !a.unknownTool), `${agent}: ${JSON.stringify(got)}`);
      }
    });
  }

  it('any recorded payload given to any other adapter is judged or refused with a PayloadError, never anything else', () => {
    for (const rel of payloadFiles) {
      for (const agent of AGENT_IDS) {
        try {
          ADAPTERS[agent].parse(load(rel));
        } catch (err) {
          assert.ok(err instanceof PayloadError, `${agent} on ${rel}: ${String(err)}`);
        }
      }
    }
  });

  it("every tool a real agent offers its model is in its adapter's tool table or left to the unknown-tool default on purpose", () => {
    const lists = listFixtures().filter((f) => path.basename(f) === 'tools.json');
    assert.deepEqual(lists.map((f) => f.split('/')[0]).sort(), ['claude', 'cline', 'codex', 'copilot-cli', 'gemini', 'opencode']);
    for (const rel of lists) {
      const { agent, tools } = JSON.parse(fs.readFileSync(path.join(fixtures, rel), 'utf8')) as { agent: AgentId; tools: string[] };
      const a = ADAPTERS[agent];
      // Codex offers its shell as exec_command and reports it to hooks as Bash.
      const missing = tools.filter((t) => !(t in a.tools) && !(t in (a.unclassified ?? {})));
      assert.deepEqual(missing, [], `${agent} offers tools its adapter has not classified`);
    }
  });
});

describe('agents: each verdict in the shape the real agent honours', () => {
  const decision = (verdict: Decision['verdict']): Decision => ({ verdict, wouldBe: verdict, mode: 'enforce', reasons: ['writing .env is not allowed'], rules: [] });
  const parsed = (s: string) => JSON.parse(s) as Record<string, unknown>;
  /** The answer's reason, wherever this agent's format puts it. */
  const reasonOf = (o: Record<string, unknown>): string =>
    String(o.permissionDecisionReason ?? o.reason ?? (o.hookSpecificOutput as Record<string, unknown> | undefined)?.permissionDecisionReason);

  for (const agent of Object.keys(HOOK_FORMATS) as (keyof typeof HOOK_FORMATS)[]) {
    const f = HOOK_FORMATS[agent];
    const a = ADAPTERS[agent];

    it(`${agent}: deny is the agent's own deny (with exit 2, which it honours too)`, () => {
      const out = a.render(decision('deny'));
      const o = parsed(out.stdout);
      const shape = parsed(f.deny(reasonOf(o)));
      if (agent === 'codex') {
        assert.deepEqual(o, shape, 'Codex runs the tool when the answer has a field it does not know');
      } else {
        for (const [k, v] of Object.entries(shape)) {
          assert.deepEqual(o[k], v, k);
        }
      }
      assert.equal(out.exitCode, 2);
      assert.match(reasonOf(o), /writing \.env is not allowed/);
    });

    it(`${agent}: allow is silent or the agent's allow, never a deny or an ask`, () => {
      const out = a.render(decision('allow'));
      assert.equal(out.exitCode, 0);
      assert.ok(out.stdout === '' || (f.allow !== undefined && Object.keys(parsed(f.allow)).every((k) => k in parsed(out.stdout))), out.stdout);
      assert.doesNotMatch(out.stdout, /deny|ask/);
    });

    it(`${agent}: ask is ${f.askBehaviour === 'refuses' ? "the agent's own ask" : 'a deny saying how to approve (the agent ' + f.askBehaviour + ' on an ask)'}`, () => {
      const out = a.render(decision('ask'));
      const o = parsed(out.stdout);
      if (f.askBehaviour === 'refuses') {
        const shape = parsed(f.ask);
        assert.deepEqual(Object.keys(o).filter((k) => k in shape), Object.keys(shape));
        assert.ok(JSON.stringify(o).includes('"permissionDecision":"ask"'), out.stdout);
        assert.equal(out.exitCode, 0);
        assert.match(reasonOf(o), /^Agent Airlock needs your approval: writing \.env is not allowed/);
      } else {
        assert.deepEqual(Object.keys(o).sort(), Object.keys(parsed(f.deny('x'))).sort());
        assert.equal(out.exitCode, 2);
        assert.doesNotMatch(out.stdout, /"ask"/);
        assert.match(reasonOf(o), /To approve it, open this workspace in VS Code/);
      }
    });
  }
});

describe('agents: names come from the agent registry only', () => {
  it('no table outside src/agents maps an agent id to a name of its own', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (path.relative(root, file) !== path.join('src', 'agents')) {
            walk(file);
          }
        } else if (e.name.endsWith('.ts')) {
          const text = fs.readFileSync(file, 'utf8');
          for (const id of AGENT_IDS) {
            const entry = new RegExp(`(^|[\\s{,])(${id.includes('-') ? `'${id}'` : `'?${id}'?`})\\s*:\\s*'[^']*[A-Z][^']*'`, 'm');
            if (entry.test(text)) {
              offenders.push(`${path.relative(root, file)}: ${id}`);
            }
          }
        }
      }
    };
    walk(path.join(root, 'src'));
    assert.deepEqual(offenders, []);
  });

  it('docs/agent-hooks.md lists every agent of the registry with its name and hook file, and no other', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'agent-hooks.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\| `[a-z-]+` \(/.test(l));
    assert.deepEqual(
      rows.map((l) => l.split(' | ').slice(0, 2).join(' | ')),
      AGENT_IDS.map((id) => `| \`${id}\` (${ADAPTERS[id].displayName}) | \`${configFile(ADAPTERS[id].install)}\``),
    );
  });

  it('every agent has one display name, and no two agents share one', () => {
    const names = AGENT_IDS.map((id) => ADAPTERS[id].displayName);
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.every((n) => n.trim() === n && n !== ''));
  });
});

describe('agents: whether the agent can ask its own user in this run', () => {
  const claudePayload = (mode?: string) => ({ session_id: 's', cwd: '/tmp', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, ...(mode ? { permission_mode: mode } : {}) });
  // The environment Claude Code 2.1.330 gives its hooks (measured): an interactive terminal, a -p run.
  const interactive = { CLAUDE_CODE_ENTRYPOINT: 'cli', CLAUDE_CODE_SESSION_ATTENDED: '1' };
  const headless = { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli', CLAUDE_CODE_SESSION_ATTENDED: '0' };
  // A hook process without a terminal (the tty case is checked in real terminals below).
  const canAsk = (agent: AgentId, payload: unknown, env: NodeJS.ProcessEnv) => ADAPTERS[agent].canAskInThisRun?.(payload, env, { cwd: '/tmp', env, hasTty: false }) === true;

  it('Claude Code: in an interactive terminal session, in every permission mode seen to prompt; never in -p, the VS Code extension or an unverified mode', () => {
    for (const mode of ['default', 'acceptEdits', 'plan', 'dontAsk', 'bypassPermissions']) {
      assert.equal(canAsk('claude', claudePayload(mode), interactive), true, mode);
      assert.equal(canAsk('claude', claudePayload(mode), headless), false, mode);
    }
    assert.equal(canAsk('claude', claudePayload('auto'), interactive), false);
    assert.equal(canAsk('claude', claudePayload('default'), { ...interactive, CLAUDE_CODE_ENTRYPOINT: 'claude-vscode' }), false);
    assert.equal(canAsk('claude', claudePayload('default'), {}), false);
    assert.equal(canAsk('claude', 'not an object', interactive), false);
  });

  it('Claude-style payloads from Copilot CLI (no permission_mode) follow Copilot CLI\'s rule, whatever Claude variables leak in', () => {
    assert.equal(canAsk('claude', claudePayload(), interactive), false, 'no COPILOT_CLI, no terminal: a deny');
  });

  it('Gemini CLI, Codex CLI, Cursor, Windsurf and Cline never ask (they run, hang on, or do not show an ask)', () => {
    for (const id of ['gemini', 'codex', 'cursor', 'windsurf', 'cline'] as const) {
      assert.equal(ADAPTERS[id].canAskInThisRun, undefined, id);
    }
  });

  it('Copilot CLI: only with a terminal to ask in (a session without one, like a CI run, gets a deny)', function () {
    if (process.platform === 'win32' || spawnSync('script', ['--version']).error) {
      this.skip();
    }
    const probe =
      `const {ADAPTERS}=require(${JSON.stringify(path.join(root, 'out', 'src', 'agents', 'adapters.js'))});` +
      `const {currentHookProcess}=require(${JSON.stringify(path.join(root, 'out', 'src', 'agents', 'adapter.js'))});` +
      `const h={...currentHookProcess(),env:{COPILOT_CLI:'1'}};` +
      `process.stdout.write(['copilot-cli','copilot','claude'].map((a)=>a+'='+ADAPTERS[a].canAskInThisRun({toolName:'bash'},h.env,h)).join(' '))`;
    const env = { ...process.env, COPILOT_CLI: '1' };
    const noTty = spawnSync('setsid', [process.execPath, '-e', probe], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(noTty.stdout, 'copilot-cli=false copilot=false claude=false', noTty.stderr);
    const pty = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} -e ${JSON.stringify(probe).replace(/\$/g, '\\$')}`, '/dev/null'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(pty.stdout, /copilot-cli=true copilot=true claude=true/, pty.stderr);
  });
});
