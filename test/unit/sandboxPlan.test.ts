import * as assert from 'node:assert/strict';
import { parseRunArgs } from '../../src/cli/runAgent';
import { AGENT_PROFILES, codexBaseUrls, detectAgent, hostOfUrl, isLoopbackHost } from '../../src/sandbox/agents';
import { bwrapArgs } from '../../src/sandbox/bwrap';
import { checkOperation, protectedByName } from '../../src/sandbox/check';
import { allowedDomainsAfter, copilotSandboxWanted, sandboxSettingsEdits, withSandboxSettings } from '../../src/sandbox/copilotSandbox';
import type { Finding, PlanInput } from '../../src/sandbox/plan';
import { buildPlan } from '../../src/sandbox/plan';
import { BUILTIN_RULES } from '../../src/sandbox/protectedPaths';

const WS = '/home/dev/shop';
const HOME = '/home/dev';

function input(extra: Partial<PlanInput> = {}): PlanInput {
  const findings: Finding[] = [
    { path: `${WS}/.airlock`, type: 'dir', effect: 'readonly', rule: BUILTIN_RULES.airlock },
    { path: `${WS}/.git/hooks`, type: 'dir', effect: 'readonly', rule: BUILTIN_RULES.git },
    { path: `${WS}/.env`, type: 'file', effect: 'hide', rule: BUILTIN_RULES.homeSecret },
    { path: `${HOME}/.ssh`, type: 'dir', effect: 'hide', rule: BUILTIN_RULES.homeSecret },
    { path: `${HOME}/.claude/settings.json`, type: 'file', effect: 'readonly', rule: BUILTIN_RULES.agentConfig },
  ];
  return {
    folder: WS,
    home: HOME,
    env: {},
    agent: 'claude',
    findings,
    gitDirsOutside: [],
    allowWrite: [{ value: `${HOME}/.npm`, source: 'team' }],
    agentState: [`${HOME}/.claude`, `${HOME}/.claude.json`],
    reexpose: [HOME, '/tmp/cli/dist'],
    airlockReadOnly: [],
    network: { allow: [{ value: 'api.anthropic.com', source: 'agent' }], loopbackPorts: [8080, 5432, 8080] },
    unixSockets: false,
    sandboxEnv: { AIRLOCK_TOKEN: 't' },
    extraPrivate: [],
    ...extra,
  };
}

describe('sandbox: the plan', () => {
  it('mounts in an order where a deeper rule always wins: private folders, re-exposed paths, writable, read-only, hidden', () => {
    const plan = buildPlan(input());
    const order = plan.mounts.map((m) => `${m.kind}${m.kind === 'bind' ? (m.writable ? ':rw' : ':ro') : ''} ${m.path}`);
    assert.deepEqual(order, [
      'tmpfs /run',
      'tmpfs /tmp',
      'tmpfs /dev/shm',
      'tmpfs /var/tmp',
      'bind:ro /tmp/cli/dist',
      `bind:rw ${HOME}/.claude`,
      `bind:rw ${HOME}/.claude.json`,
      `bind:rw ${HOME}/.npm`,
      `bind:rw ${WS}`,
      `bind:rw ${WS}/.git`,
      `bind:ro ${HOME}/.claude/settings.json`,
      `bind:ro ${WS}/.airlock`,
      `bind:ro ${WS}/.git/hooks`,
      `hide-dir ${HOME}/.ssh`,
      `hide-file ${WS}/.env`,
    ]);
    assert.deepEqual(plan.network.loopbackPorts, [5432, 8080]);
  });

  it('pins every folder between a writable root and a read-only path, so it cannot be renamed away (mv .git .git-old)', () => {
    const plan = buildPlan(
      input({ findings: [{ path: `${WS}/a/b/c/.airlock`, type: 'dir', effect: 'readonly', rule: BUILTIN_RULES.airlock }, { path: `${WS}/.env`, type: 'file', effect: 'hide', rule: BUILTIN_RULES.homeSecret }] }),
    );
    const rw = plan.mounts.filter((m) => m.kind === 'bind' && m.writable).map((m) => m.path);
    for (const d of [`${WS}/a`, `${WS}/a/b`, `${WS}/a/b/c`]) {
      assert.ok(rw.includes(d), d);
    }
    assert.ok(!rw.includes(`${WS}/a/b/c/.airlock`));
  });

  it("keeps Airlock's own folders read-only even when an allowed writable folder contains them", () => {
    const plan = buildPlan(input({ allowWrite: [{ value: `${HOME}/.local`, source: 'team' }], airlockReadOnly: [`${HOME}/.local/share/agent-airlock-cli`] }));
    assert.ok(plan.mounts.some((m) => m.kind === 'bind' && !m.writable && m.path === `${HOME}/.local/share/agent-airlock-cli`));
  });

  it("removes what leads out of the sandbox from the environment, and other agents' credentials, not the running agent's", () => {
    const plan = buildPlan(input());
    for (const k of ['VSCODE_IPC_HOOK_CLI', 'SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'COPILOT_PROVIDER_API_KEY']) {
      assert.ok(plan.unsetEnv.includes(k), k);
    }
    assert.ok(!plan.unsetEnv.includes('ANTHROPIC_API_KEY'));
    assert.equal(plan.env.AIRLOCK_SANDBOX, '1');
    assert.equal(plan.env.TMPDIR, '/tmp');
  });

  it('gives bubblewrap every namespace, no capabilities, no nested user namespaces, the seccomp filter and the mounts', () => {
    const args = bwrapArgs(buildPlan(input()), { emptyFile: '/run/x/hidden', seccompFd: 5, cwd: WS });
    for (const flag of ['--die-with-parent', '--unshare-all', '--unshare-user', '--disable-userns']) {
      assert.ok(args.includes(flag), flag);
    }
    assert.deepEqual(args.slice(args.indexOf('--cap-drop'), args.indexOf('--cap-drop') + 2), ['--cap-drop', 'ALL']);
    assert.deepEqual(args.slice(args.indexOf('--seccomp'), args.indexOf('--seccomp') + 2), ['--seccomp', '5']);
    const s = args.join(' ');
    assert.ok(s.includes(`--ro-bind /run/x/hidden ${WS}/.env`), s);
    assert.ok(s.includes(`--tmpfs ${HOME}/.ssh --remount-ro ${HOME}/.ssh`), s);
    assert.ok(s.startsWith('--die-with-parent') && s.indexOf('--ro-bind / /') < s.indexOf(`--bind ${WS} ${WS}`), s);
  });
});

describe('sandbox: the check before a decision', () => {
  const plan = buildPlan(input());
  const check = (p: string, op: 'read' | 'write') => checkOperation(plan, { path: p, op });

  it('refuses reading a hidden file, naming the rule and how to change it', () => {
    const b = check(`${WS}/.env`, 'read');
    assert.ok(b);
    assert.match(b.message, /does not let the agent read \/home\/dev\/shop\/\.env/);
    assert.match(b.message, /sandbox\.filesystem\.allowRead/);
    assert.ok(check(`${HOME}/.ssh/id_ed25519`, 'read'));
    assert.equal(check(`${WS}/src/app.js`, 'read'), undefined);
    assert.equal(check('/etc/hosts', 'read'), undefined);
  });

  it('refuses writing read-only and outside paths; allows the workspace, the agent state and the private /tmp', () => {
    assert.match(check(`${WS}/.airlock/policy.json`, 'write')?.message ?? '', /Airlock's own files/);
    assert.match(check(`${HOME}/.bashrc`, 'write')?.message ?? '', /sandbox\.filesystem\.allowWrite/);
    assert.equal(check(`${WS}/src/app.js`, 'write'), undefined);
    assert.equal(check(`${HOME}/.claude/projects/x.jsonl`, 'write'), undefined);
    assert.ok(check(`${HOME}/.claude/settings.json`, 'write'));
    assert.equal(check('/tmp/scratch.txt', 'write'), undefined);
  });

  it('refuses, by name, protected files that do not exist yet (the mounts cannot cover them)', () => {
    for (const p of [`${WS}/sub/.airlock/policy.json`, `${WS}/pkg/.claude/settings.json`, `${WS}/a/.git/hooks/pre-commit`, `${WS}/x/.vscode/tasks.json`, `${WS}/.envrc`, `${WS}/.github/hooks/h.json`]) {
      assert.ok(check(p, 'write'), p);
    }
    assert.equal(check(`${WS}/.github/workflows/ci.yml`, 'write'), undefined);
    assert.equal(protectedByName('/src/airlock.ts'), undefined);
    assert.equal(protectedByName('/.claude/commands/x.md'), undefined);
  });
});

describe('sandbox: agents and arguments', () => {
  it('knows the agent from the command, and its API hosts from base URLs', () => {
    assert.equal(detectAgent(['/usr/local/bin/claude', '-p', 'x']), 'claude');
    assert.equal(detectAgent(['copilot']), 'copilot-cli');
    assert.equal(detectAgent(['bash']), undefined);
    assert.deepEqual(hostOfUrl('http://127.0.0.1:4000/v1'), { host: '127.0.0.1', port: 4000 });
    assert.deepEqual(hostOfUrl('https://proxy.corp.example'), { host: 'proxy.corp.example', port: 443 });
    assert.deepEqual(codexBaseUrls('[model_providers.x]\nbase_url = "http://127.0.0.1:9/v1"\n# base_url = "no"\n'), ['http://127.0.0.1:9/v1']);
    assert.equal(isLoopbackHost('LOCALHOST'), true);
    assert.equal(isLoopbackHost('127.1.2.3'), true);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('10.0.0.1'), false);
  });

  it('moves the agent state with its environment variables', () => {
    const e = { home: HOME, env: { CODEX_HOME: '/opt/codex', XDG_CACHE_HOME: '/var/cache/me' } };
    assert.deepEqual(AGENT_PROFILES.codex.state(e), ['/opt/codex']);
    assert.ok(AGENT_PROFILES['copilot-cli'].state(e).includes('/var/cache/me/copilot'));
    assert.deepEqual(AGENT_PROFILES.codex.credentials(e), ['/opt/codex/auth.json']);
  });

  it("reads the base URLs Cline and OpenCode are configured with from their own files (a loopback model server becomes a forwarded port)", () => {
    const files: Record<string, string> = {
      [`${HOME}/.cline/data/settings/providers.json`]: JSON.stringify({ providers: { 'openai-compatible': { settings: { baseUrl: 'http://127.0.0.1:4100/v1' } } } }),
      [`${HOME}/.config/opencode/opencode.json`]: JSON.stringify({ provider: { local: { options: { baseURL: 'http://localhost:4200/v1' } } } }),
      '/etc/oc/config.json': 'not json',
    };
    const read = (f: string) => files[f];
    const e = { home: HOME, env: { OPENCODE_CONFIG_DIR: '/etc/oc' } };
    assert.deepEqual(AGENT_PROFILES.cline.configuredBaseUrls?.(e, read), ['http://127.0.0.1:4100/v1']);
    assert.deepEqual(AGENT_PROFILES.opencode.configuredBaseUrls?.(e, read), ['http://localhost:4200/v1']);
    assert.deepEqual(AGENT_PROFILES.cline.configuredBaseUrls?.({ home: HOME, env: { CLINE_PROVIDER_SETTINGS_PATH: '/nowhere.json' } }, read), []);
    assert.equal(detectAgent(['cline', '-y', 'task']), 'cline');
    assert.equal(detectAgent(['/opt/bin/opencode', 'run']), 'opencode');
    assert.deepEqual(AGENT_PROFILES.cline.credentials({ home: HOME, env: { CLINE_DIR: '/opt/cline' } }), ['/opt/cline/data/settings/providers.json', '/opt/cline/data/secrets.json']);
  });

  it('parses airlock run: options before the command, -- or the first word starts it', () => {
    assert.deepEqual(parseRunArgs(['--cwd', '/x', '--', 'claude', '-p', 'hi']), { cwd: '/x', noSandbox: false, dryRun: false, json: false, command: ['claude', '-p', 'hi'] });
    assert.deepEqual(parseRunArgs(['--agent=codex', 'npx', 'codex', '--yolo']).command, ['npx', 'codex', '--yolo']);
    assert.equal(parseRunArgs(['--no-sandbox', '--', 'x']).noSandbox, true);
    assert.throws(() => parseRunArgs(['--cwd']), /needs a value/);
    assert.throws(() => parseRunArgs(['--frobnicate', '--', 'x']), /unknown option/);
    assert.throws(() => parseRunArgs(['--']), /no command/);
    assert.throws(() => parseRunArgs(['--agent', 'cursor', '--', 'x']), /--agent: expected one of/);
  });
});

describe("sandbox: Copilot agent mode's terminal sandbox settings", () => {
  const plan = buildPlan(input({ agent: undefined, network: { allow: [{ value: 'registry.npmjs.org', source: 'team' }], loopbackPorts: [] } }));
  const wanted = copilotSandboxWanted(plan);

  it('turns the sandbox on, without unsandboxed retries or open network, with the literal paths the scan found', () => {
    const text = withSandboxSettings('', wanted);
    const s = JSON.parse(text) as Record<string, unknown>;
    assert.equal(s['chat.agent.sandbox.enabled'], 'on');
    assert.equal(s['chat.agent.sandbox.allowUnsandboxedCommands'], false);
    assert.equal(s['chat.agent.sandbox.allowNetwork'], false);
    const fsRules = s['chat.agent.sandbox.fileSystem.linux'] as Record<string, string[]>;
    assert.deepEqual([...fsRules.denyRead].sort(), [`${HOME}/.ssh`, `${WS}/.env`]);
    assert.ok(fsRules.denyWrite.includes(`${WS}/.airlock`) && fsRules.denyWrite.includes(`${WS}/.git/hooks`));
    assert.deepEqual(fsRules.allowWrite, [`${HOME}/.npm`]);
    assert.deepEqual(s['chat.agent.sandbox.fileSystem.mac'], fsRules);
    assert.deepEqual(allowedDomainsAfter(undefined, wanted), ['registry.npmjs.org']);
  });

  it("only tightens what the developer set, keeps their comments and allow lists, and is stable once in step", () => {
    const mine = [
      '{',
      '  // my terminal sandbox',
      '  "chat.agent.sandbox.enabled": "off",',
      '  "chat.agent.sandbox.fileSystem.linux": { "denyRead": ["/secret"], "allowRead": ["/opt/data"], "allowWrite": ["/scratch"] },',
      '  "editor.tabSize": 2',
      '}',
    ].join('\n');
    const after = withSandboxSettings(mine, wanted);
    assert.match(after, /\/\/ my terminal sandbox/);
    const s = JSON.parse(after.replace(/\/\/.*$/m, '')) as Record<string, unknown>;
    assert.equal(s['chat.agent.sandbox.enabled'], 'on');
    assert.equal(s['editor.tabSize'], 2);
    const fsRules = s['chat.agent.sandbox.fileSystem.linux'] as Record<string, string[]>;
    assert.ok(fsRules.denyRead.includes('/secret') && fsRules.denyRead.includes(`${WS}/.env`));
    assert.deepEqual(fsRules.allowRead, ['/opt/data']);
    assert.deepEqual(fsRules.allowWrite, ['/scratch', `${HOME}/.npm`]);
    assert.equal(withSandboxSettings(after, wanted), after);
    assert.deepEqual(sandboxSettingsEdits(after, wanted), []);
    assert.equal(allowedDomainsAfter(['registry.npmjs.org', 'mine.example'], wanted), undefined);
  });
});
