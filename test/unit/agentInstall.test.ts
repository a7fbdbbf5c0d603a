import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import { AGENT_IDS } from '../../src/agents/adapter';
import { detectAgents, installHooks, LAUNCHER, uninstallHooks } from '../../src/agents/install';
import { evaluate } from '../../src/policy/evaluate';
import { action, policy, ROOT } from './policyHelpers';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

function read(ws: string, rel: string): string {
  return fs.readFileSync(path.join(ws, rel), 'utf8');
}

function json(ws: string, rel: string): Record<string, unknown> {
  return parse(read(ws, rel)) as Record<string, unknown>;
}

/** Runs the hook command written into a config the way agents do: `sh -c` in the workspace. */
function runHookCommand(ws: string, command: string, payload: string, env: NodeJS.ProcessEnv) {
  return spawnSync('/bin/sh', ['-c', command], { cwd: ws, input: payload, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: path.join(ws, 'no-home'), ...env } });
}

describe('agents: install-hooks and uninstall-hooks', () => {
  let ws: string;
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-install-')));
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const claudeSettings = `{
  // team settings: keep this comment
  "permissions": { "allow": ["Bash(npm test)"] },
  "hooks": {
    "PreToolUse": [
      { "matcher": "Bash", "hooks": [{ "type": "command", "command": "./lint.sh" }] }, // ours, not Airlock's
    ],
    "PostToolUse": [{ "matcher": "Write", "hooks": [{ "type": "command", "command": "prettier" }] }],
  },
}
`;

  it('merges into Claude settings with comments and other hooks, is idempotent, and uninstalls back to the same bytes', () => {
    fs.mkdirSync(path.join(ws, '.claude'));
    fs.writeFileSync(path.join(ws, '.claude/settings.json'), claudeSettings);
    const first = installHooks('claude', ws);
    assert.deepEqual([...first.changed].sort(), ['.airlock/bin/airlock-hook', '.claude/settings.json']);
    const text = read(ws, '.claude/settings.json');
    assert.match(text, /\/\/ team settings: keep this comment/);
    assert.match(text, /\/\/ ours, not Airlock's/);
    const s = json(ws, '.claude/settings.json') as { permissions: unknown; hooks: { PreToolUse: { matcher: string; hooks: { command: string; timeout: number }[] }[]; PostToolUse: unknown[] } };
    assert.deepEqual(s.permissions, { allow: ['Bash(npm test)'] });
    assert.equal(s.hooks.PostToolUse.length, 1);
    assert.equal(s.hooks.PreToolUse.length, 2);
    const ours = s.hooks.PreToolUse.find((g) => g.hooks[0].command.includes(LAUNCHER));
    assert.equal(ours?.matcher, '*');
    assert.equal(ours?.hooks[0].timeout, 300);
    assert.ok(s.hooks.PreToolUse.some((g) => g.hooks[0].command === './lint.sh'));

    const again = installHooks('claude', ws);
    assert.deepEqual(again.changed, []);
    assert.equal(read(ws, '.claude/settings.json'), text);

    const removed = uninstallHooks('claude', ws);
    assert.deepEqual([...removed.changed].sort(), ['.airlock/bin/airlock-hook', '.claude/settings.json']);
    assert.equal(read(ws, '.claude/settings.json'), claudeSettings);
    assert.equal(fs.existsSync(path.join(ws, LAUNCHER)), false);
  });

  it('writes each agent\'s config shape with a timeout longer than the approval wait, in that agent\'s unit', () => {
    for (const a of AGENT_IDS) {
      installHooks(a, ws);
    }
    const gh = json(ws, '.github/hooks/airlock.json') as { version: number; hooks: { PreToolUse: Record<string, unknown>[]; preToolUse: Record<string, unknown>[] } };
    assert.equal(gh.version, 1);
    assert.equal(gh.hooks.PreToolUse[0].timeout, 300);
    assert.match(String(gh.hooks.PreToolUse[0].command), / copilot \|\| exit 2$/);
    assert.equal(gh.hooks.preToolUse[0].timeoutSec, 300);
    assert.match(String(gh.hooks.preToolUse[0].bash), / copilot-cli \|\| exit 2$/);
    const gem = json(ws, '.gemini/settings.json') as { hooks: { BeforeTool: { hooks: { timeout: number; command: string }[] }[] } };
    assert.equal(gem.hooks.BeforeTool[0].hooks[0].timeout, 300_000);
    const cur = json(ws, '.cursor/hooks.json') as { version: number; hooks: Record<string, { command: string; failClosed: boolean }[]> };
    assert.equal(cur.version, 1);
    assert.deepEqual(Object.keys(cur.hooks).sort(), ['beforeMCPExecution', 'beforeReadFile', 'beforeShellExecution', 'preToolUse']);
    assert.ok(Object.values(cur.hooks).every((e) => e[0].failClosed === true && e[0].command.includes(' cursor ')));
    const codex = json(ws, '.codex/hooks.json') as { hooks: { PreToolUse: { hooks: { timeout: number }[] }[] } };
    assert.equal(codex.hooks.PreToolUse[0].hooks[0].timeout, 300);
    const wind = json(ws, '.windsurf/hooks.json') as { hooks: Record<string, unknown[]> };
    assert.deepEqual(Object.keys(wind.hooks).sort(), ['pre_mcp_tool_use', 'pre_read_code', 'pre_run_command', 'pre_write_code']);
    assert.ok((fs.statSync(path.join(ws, '.clinerules/hooks/PreToolUse')).mode & 0o111) !== 0);
    assert.ok((fs.statSync(path.join(ws, LAUNCHER)).mode & 0o111) !== 0);
    assert.ok(detectAgents(ws).every((p) => p.installed && p.found));

    // Copilot and Copilot CLI share one file: removing one keeps the other.
    uninstallHooks('copilot', ws);
    const left = json(ws, '.github/hooks/airlock.json') as { hooks: Record<string, unknown> };
    assert.deepEqual(Object.keys(left.hooks), ['preToolUse']);
    for (const a of AGENT_IDS) {
      uninstallHooks(a, ws);
    }
    assert.deepEqual(fs.readdirSync(ws), []);
  });

  it('a shorter agent timeout (--timeout) moves the hook\'s watchdog below it; reinstalling replaces the entry', () => {
    installHooks('claude', ws);
    installHooks('claude', ws, { timeoutS: 60 });
    const s = json(ws, '.claude/settings.json') as { hooks: { PreToolUse: { hooks: { command: string; timeout: number }[] }[] } };
    assert.equal(s.hooks.PreToolUse.length, 1);
    assert.equal(s.hooks.PreToolUse[0].hooks[0].timeout, 60);
    assert.match(s.hooks.PreToolUse[0].hooks[0].command, /AIRLOCK_HOOK_WATCHDOG_MS=50000 sh /);
  });

  it('refuses to touch a config that is not valid JSON, and a Cline hook that is not Airlock\'s', () => {
    fs.mkdirSync(path.join(ws, '.gemini'));
    fs.writeFileSync(path.join(ws, '.gemini/settings.json'), '{ "hooks": { ');
    assert.throws(() => installHooks('gemini', ws), /not valid JSON.*will not overwrite/);
    assert.equal(read(ws, '.gemini/settings.json'), '{ "hooks": { ');
    fs.mkdirSync(path.join(ws, '.clinerules/hooks'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.clinerules/hooks/PreToolUse'), '#!/bin/sh\necho \'{"cancel":false}\'\n');
    assert.throws(() => installHooks('cline', ws), /already exists and is not Airlock's/);
    assert.equal(uninstallHooks('cline', ws).changed.length, 0);
    assert.ok(fs.existsSync(path.join(ws, '.clinerules/hooks/PreToolUse')));
  });

  it('Cline: the hook file and the plugin, written together or not at all; installed only with both', () => {
    fs.mkdirSync(path.join(ws, '.cline/plugins'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.cline/plugins/airlock.js'), 'export default {};\n');
    assert.throws(() => installHooks('cline', ws), /\.cline\/plugins\/airlock\.js already exists and is not Airlock's/);
    assert.equal(fs.existsSync(path.join(ws, '.clinerules')), false, 'nothing written when one file is not Airlock\'s');
    fs.rmSync(path.join(ws, '.cline'), { recursive: true });
    const r = installHooks('cline', ws);
    assert.deepEqual([...r.changed].sort(), ['.airlock/bin/airlock-hook', '.cline/plugins/airlock.js', '.clinerules/hooks/PreToolUse']);
    assert.deepEqual(r.files, ['.clinerules/hooks/PreToolUse', '.cline/plugins/airlock.js']);
    assert.equal(fs.statSync(path.join(ws, '.cline/plugins/airlock.js')).mode & 0o111, 0);
    assert.deepEqual(installHooks('cline', ws).changed, []);
    const cline = () => detectAgents(ws).find((p) => p.agent === 'cline');
    assert.deepEqual([cline()?.installed, cline()?.configFile], [true, '.clinerules/hooks/PreToolUse']);
    fs.rmSync(path.join(ws, '.cline/plugins/airlock.js'));
    assert.equal(cline()?.installed, false, 'the hook alone is not Airlock installed for Cline');
    installHooks('cline', ws);
    assert.deepEqual([...uninstallHooks('cline', ws).changed].sort(), ['.airlock/bin/airlock-hook', '.cline/plugins/airlock.js', '.clinerules/hooks/PreToolUse']);
    assert.deepEqual(fs.readdirSync(ws), []);
  });

  it('OpenCode: one plugin in .opencode/plugins, found by its folder or opencode.json', () => {
    fs.writeFileSync(path.join(ws, 'opencode.json'), '{}\n');
    assert.deepEqual(detectAgents(ws).find((p) => p.agent === 'opencode'), { agent: 'opencode', name: 'OpenCode', configFile: '.opencode/plugins/airlock.js', found: true, installed: false });
    assert.deepEqual([...installHooks('opencode', ws).changed].sort(), ['.airlock/bin/airlock-hook', '.opencode/plugins/airlock.js']);
    assert.match(read(ws, '.opencode/plugins/airlock.js'), /tool\.execute\.before/);
    assert.equal(detectAgents(ws).find((p) => p.agent === 'opencode')?.installed, true);
  });

  it("every file install-hooks writes, for every agent, is one the built-in policy asks before an agent changes or deletes it", () => {
    const p = policy();
    for (const a of AGENT_IDS) {
      for (const f of installHooks(a, ws).files.concat([LAUNCHER])) {
        for (const kind of ['edit', 'delete'] as const) {
          assert.equal(evaluate(p, action(kind, [path.join(ROOT, f)])).verdict, 'ask', `${a}: ${kind} ${f}`);
        }
      }
    }
  });

  it('the CLI: install-hooks --dir, agents --json, exit 2 on an unknown agent', () => {
    const r = spawnSync(process.execPath, [cli, 'install-hooks', 'gemini', 'codex', '--dir', ws], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /gemini: installed/);
    const list = spawnSync(process.execPath, [cli, 'agents', '--dir', ws, '--json'], { encoding: 'utf8' });
    const rows = JSON.parse(list.stdout) as { agent: string; installed: boolean }[];
    assert.deepEqual(rows.filter((x) => x.installed).map((x) => x.agent), ['gemini', 'codex']);
    const bad = spawnSync(process.execPath, [cli, 'install-hooks', 'emacs', '--dir', ws], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown agent or option 'emacs'/);
  });
});

describe('agents: the committed hook launcher', () => {
  let ws: string;
  // A harmless read (no shell analysis, so a bare copy of cli.js can decide it); Codex reads through view_image.
  const payload = (cwd: string, tool = 'Read') => JSON.stringify({ session_id: 's', cwd, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: { file_path: path.join(cwd, 'README.md') } });
  beforeEach(() => {
    ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-launcher-')));
    fs.mkdirSync(path.join(ws, '.git'));
    fs.writeFileSync(path.join(ws, 'README.md'), 'x\n');
    for (const a of AGENT_IDS) {
      installHooks(a, ws);
    }
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const commandOf = (agent: 'claude' | 'gemini' | 'codex') => {
    const file = { claude: '.claude/settings.json', gemini: '.gemini/settings.json', codex: '.codex/hooks.json' }[agent];
    const key = agent === 'gemini' ? 'BeforeTool' : 'PreToolUse';
    return (json(ws, file) as { hooks: Record<string, { hooks: { command: string }[] }[]> }).hooks[key][0].hooks[0].command;
  };

  it('fails closed in the agent\'s format with what to install when Airlock is missing', () => {
    for (const agent of ['claude', 'gemini', 'codex'] as const) {
      const r = runHookCommand(ws, commandOf(agent), payload(ws), {});
      assert.equal(r.status, 2, `${agent}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /Agent Airlock is not installed on this machine.*Install the Agent Airlock extension/);
      const o = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.ok(agent === 'gemini' ? o.decision === 'deny' : (o.hookSpecificOutput as Record<string, unknown>).permissionDecision === 'deny');
    }
    const cline = spawnSync(path.join(ws, '.clinerules/hooks/PreToolUse'), [], { cwd: ws, input: '{}', encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: ws } });
    assert.equal((JSON.parse(cline.stdout) as { cancel: boolean }).cancel, true);
  });

  it('turns a crash of Airlock (any exit but 0 and 2) into a deny in the agent\'s format', () => {
    const crashing = path.join(ws, 'crash.js');
    fs.writeFileSync(crashing, 'throw new Error("boom");\n');
    const node = path.dirname(process.execPath);
    const r = runHookCommand(ws, commandOf('gemini'), payload(ws), { PATH: `${node}:/usr/bin:/bin`, AIRLOCK_CLI: crashing });
    assert.equal(r.status, 2, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { decision: string }).decision, 'deny');
    assert.match(r.stderr, /Agent Airlock failed while checking this action, so it is blocked.*\(exit 1\)/);
  });

  it('fails closed (exit 2) when the launcher itself was deleted', () => {
    fs.rmSync(path.join(ws, LAUNCHER));
    const r = runHookCommand(ws, commandOf('claude'), payload(ws), {});
    assert.equal(r.status, 2);
  });

  it('finds Airlock through AIRLOCK_CLI, and the newest installed extension across editors, from any folder of the repo', () => {
    const node = path.dirname(process.execPath);
    const viaEnv = runHookCommand(ws, commandOf('claude'), payload(ws), { PATH: `${node}:/usr/bin:/bin`, AIRLOCK_CLI: cli });
    assert.deepEqual([viaEnv.status, viaEnv.stdout, viaEnv.stderr], [0, '', '']);

    const home = path.join(ws, 'home');
    const old = path.join(home, '.vscode/extensions/agent-airlock.agent-airlock-0.9.0/dist');
    const newer = path.join(home, '.cursor/extensions/agent-airlock.agent-airlock-0.10.0/dist');
    fs.mkdirSync(old, { recursive: true });
    fs.mkdirSync(newer, { recursive: true });
    fs.writeFileSync(path.join(old, 'cli.js'), 'process.stdout.write("stale extension\\n"); process.exit(0);\n');
    // The whole built CLI: cli.js loads its other bundles (hook.js, shell.js) and the parser's wasm files from beside it.
    fs.cpSync(path.dirname(cli), newer, { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('extension.js') });
    const sub = path.join(ws, 'src', 'deep');
    fs.mkdirSync(sub, { recursive: true });
    const viaExt = spawnSync('/bin/sh', ['-c', commandOf('codex')], { cwd: sub, input: payload(ws, 'view_image'), encoding: 'utf8', env: { PATH: `${node}:/usr/bin:/bin`, HOME: home } });
    assert.deepEqual([viaExt.status, viaExt.stdout], [0, '']);
    const deny = spawnSync('/bin/sh', ['-c', commandOf('codex')], {
      cwd: sub,
      input: JSON.stringify({ cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git push --force' } }),
      encoding: 'utf8',
      env: { PATH: `${node}:/usr/bin:/bin`, HOME: home },
    });
    assert.equal(deny.status, 2);
    assert.match(deny.stdout, /"permissionDecision":"deny"/);
    assert.match(deny.stdout, /force/, 'denied for what the command does, not for a failure');
  });
});
