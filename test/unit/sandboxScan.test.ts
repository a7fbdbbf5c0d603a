import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPolicy } from '../../src/policy/load';
import { sandboxPolicy } from '../../src/policy/sandboxPolicy';
import { captureAgentJson, createPlaceholders, removePlaceholders, restoreAgentJson, topProtected } from '../../src/sandbox/guards';
import type { Finding } from '../../src/sandbox/plan';
import { prepareSandbox, programDirs } from '../../src/sandbox/prepare';
import { gitCommonDir, gitDirOf, scanSandbox } from '../../src/sandbox/scan';

function write(file: string, content = 'x\n'): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

describe('sandbox: the scan of the workspace and the home folder (real files)', () => {
  let root: string;
  let ws: string;
  let home: string;
  let state: string;

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-scan-')));
    ws = path.join(root, 'ws');
    home = path.join(root, 'home');
    state = path.join(home, '.local', 'state', 'agent-airlock');
    fs.mkdirSync(ws);
    fs.mkdirSync(state, { recursive: true });
    execFileSync('git', ['init', '-q', ws]);
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const scan = (agent?: 'claude' | 'codex') => {
    const { policy } = loadPolicy(ws, { home });
    const s = sandboxPolicy(policy, home);
    return scanSandbox({ folder: ws, home, env: {}, ...(agent ? { agent } : {}), policy, allowRead: s.allowRead.map((a) => a.value), airlockState: state });
  };
  const effectOf = (findings: readonly Finding[], p: string) => findings.find((f) => f.path === p)?.effect;

  it("finds Airlock's files and hook configuration at any depth, and git's hooks and config", () => {
    write(path.join(ws, '.airlock', 'policy.json'), '{}');
    write(path.join(ws, 'a', 'b', 'c', 'd', 'e', '.airlock', 'policy.json'), '{}');
    write(path.join(ws, '.claude', 'settings.json'), '{}');
    write(path.join(ws, 'pkg', '.codex', 'hooks.json'), '{}');
    write(path.join(ws, '.vscode', 'tasks.json'), '{}');
    write(path.join(ws, '.claude', 'commands', 'x.md'));
    const r = scan();
    for (const p of ['.airlock', 'a/b/c/d/e/.airlock', '.claude/settings.json', 'pkg/.codex/hooks.json', '.vscode/tasks.json', '.git/hooks', '.git/config', '.git/refs/airlock', '.git/packed-refs']) {
      assert.equal(effectOf(r.findings, path.join(ws, p)), 'readonly', p);
    }
    assert.equal(effectOf(r.findings, path.join(ws, '.claude', 'commands', 'x.md')), undefined);
    assert.equal(effectOf(r.findings, path.join(ws, '.claude')), undefined);
  });

  it('hides what the policy protects from reading (built-in .env*, keys; a team folder rule) and keeps write: deny paths read-only', () => {
    write(path.join(ws, '.env'));
    write(path.join(ws, 'deep', 'er', '.env.local'));
    write(path.join(ws, 'certs', 'server.pem'));
    write(path.join(ws, 'secrets', 'prod.json'));
    write(path.join(ws, 'migrations', '001.sql'));
    write(path.join(ws, 'src', 'app.js'));
    write(path.join(ws, '.airlock', 'policy.json'), JSON.stringify({ paths: { 'secrets/**': { read: 'deny' }, 'migrations/**': { write: 'deny' } } }));
    const r = scan();
    for (const p of ['.env', 'deep/er/.env.local', 'certs/server.pem']) {
      assert.equal(effectOf(r.findings, path.join(ws, p)), 'hide', p);
    }
    assert.equal(effectOf(r.findings, path.join(ws, 'secrets')), 'hide');
    assert.equal(effectOf(r.findings, path.join(ws, 'migrations')), 'readonly');
    assert.equal(effectOf(r.findings, path.join(ws, 'src', 'app.js')), undefined);
    assert.equal(effectOf(r.findings, path.join(ws, 'src')), undefined);
  });

  it('keeps readable what sandbox.filesystem.allowRead lists, and a team read: allow rule', () => {
    write(path.join(ws, '.env.example'));
    write(path.join(ws, '.env'));
    write(path.join(home, '.npmrc'));
    write(path.join(ws, '.airlock', 'policy.json'), JSON.stringify({ paths: { '.env.example': { read: 'allow' } }, sandbox: { filesystem: { allowRead: ['~/.npmrc'] } } }));
    const r = scan();
    assert.equal(effectOf(r.findings, path.join(ws, '.env.example')), undefined);
    assert.equal(effectOf(r.findings, path.join(ws, '.env')), 'hide');
    assert.equal(effectOf(r.findings, path.join(home, '.npmrc')), undefined);
  });

  it("hides home secrets, Airlock's state and other agents' credentials, but not the running agent's own", () => {
    write(path.join(home, '.ssh', 'id_ed25519'));
    write(path.join(home, '.aws', 'credentials'));
    write(path.join(home, '.codex', 'auth.json'));
    write(path.join(home, '.claude', '.credentials.json'));
    write(path.join(home, 'server.key'));
    const claude = scan('claude');
    assert.equal(effectOf(claude.findings, path.join(home, '.ssh')), 'hide');
    assert.equal(effectOf(claude.findings, path.join(home, '.aws')), 'hide');
    assert.equal(effectOf(claude.findings, path.join(home, 'server.key')), 'hide');
    assert.equal(effectOf(claude.findings, state), 'hide');
    assert.equal(effectOf(claude.findings, path.join(home, '.codex', 'auth.json')), 'hide');
    assert.equal(effectOf(claude.findings, path.join(home, '.claude', '.credentials.json')), undefined);
    const codex = scan('codex');
    assert.equal(effectOf(codex.findings, path.join(home, '.codex', 'auth.json')), undefined);
    assert.equal(effectOf(codex.findings, path.join(home, '.claude', '.credentials.json')), 'hide');
  });

  it('protects what a symlink with a protected name points to, and does not follow links while walking', () => {
    write(path.join(root, 'shared', 'env'), 'S=1\n');
    fs.symlinkSync(path.join(root, 'shared', 'env'), path.join(ws, '.env'));
    fs.mkdirSync(path.join(root, 'elsewhere', '.airlock'), { recursive: true });
    fs.symlinkSync(path.join(root, 'elsewhere'), path.join(ws, 'linked'));
    const r = scan();
    assert.equal(effectOf(r.findings, path.join(root, 'shared', 'env')), 'hide');
    assert.equal(
      r.findings.some((f) => f.path.includes('elsewhere')),
      false,
    );
  });

  it("finds a linked worktree's git directory and its common directory, which lie outside the workspace", () => {
    const main = path.join(root, 'main');
    execFileSync('git', ['init', '-q', '-b', 'main', main]);
    execFileSync('git', ['-C', main, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'i']);
    const wt = path.join(root, 'wt');
    execFileSync('git', ['-C', main, 'worktree', 'add', '-q', '-b', 'topic', wt]);
    const gitDir = gitDirOf(path.join(wt, '.git'));
    assert.equal(gitDir, path.join(main, '.git', 'worktrees', 'wt'));
    assert.equal(gitCommonDir(gitDir!), path.join(main, '.git'));
    const { policy } = loadPolicy(wt, { home });
    const { plan } = prepareSandbox({
      folder: wt,
      home,
      env: {},
      policy,
      sandbox: sandboxPolicy(policy, home),
      airlockState: state,
      airlockReadOnly: [],
      reexpose: [],
      sandboxEnv: {},
      dryRun: true,
    });
    assert.ok(plan.writable.some((w) => w.path === path.join(main, '.git')));
    assert.ok(plan.findings.some((f) => f.path === path.join(main, '.git', 'hooks') && f.effect === 'readonly'));
    assert.ok(plan.findings.some((f) => f.path === path.join(main, '.git', 'config') && f.effect === 'readonly'));
  });

  it('creates nothing on a dry run, and refs/airlock and packed-refs otherwise (so the agent cannot create them)', () => {
    const { policy } = loadPolicy(ws, { home });
    const base = { folder: ws, home, env: {}, agent: 'claude' as const, policy, sandbox: sandboxPolicy(policy, home), airlockState: state, airlockReadOnly: [], reexpose: [], sandboxEnv: {} };
    prepareSandbox({ ...base, dryRun: true });
    assert.equal(fs.existsSync(path.join(ws, '.git', 'refs', 'airlock')), false);
    assert.equal(fs.existsSync(path.join(home, '.claude')), false);
    const { plan } = prepareSandbox(base);
    assert.equal(fs.statSync(path.join(ws, '.git', 'refs', 'airlock')).isDirectory(), true);
    assert.equal(fs.existsSync(path.join(ws, '.git', 'packed-refs')), true);
    assert.equal(execFileSync('git', ['-C', ws, 'for-each-ref'], { encoding: 'utf8' }), '');
    // The agent's own state folder exists (the home folder is read-only), its settings stay read-only.
    assert.equal(fs.statSync(path.join(home, '.claude')).isDirectory(), true);
    assert.ok(plan.findings.some((f) => f.path === path.join(home, '.claude', 'settings.json') && f.effect === 'readonly'));
    assert.equal(fs.readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8'), '{}\n');
  });
});

describe('sandbox: guards for what mounts cannot cover (real files)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-guards-')));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('gives missing protected folders at the top an empty read-only stand-in and removes only those, when still empty', () => {
    fs.mkdirSync(path.join(root, '.vscode'));
    fs.writeFileSync(path.join(root, '.vscode', 'extensions.json'), '{}');
    const p = createPlaceholders(root);
    assert.ok(!p.created.includes(path.join(root, '.vscode')), 'an existing folder is not a stand-in');
    assert.ok(p.created.includes(path.join(root, '.github')) && p.created.includes(path.join(root, '.github', 'hooks')));
    assert.ok(p.findings.every((f) => f.effect === 'readonly' && f.type === 'dir'));
    assert.ok(p.findings.some((f) => f.path === path.join(root, '.claude')));
    // Something put in .github from outside the sandbox stays, with its folder.
    fs.mkdirSync(path.join(root, '.github', 'workflows'));
    removePlaceholders(p.created);
    assert.equal(fs.existsSync(path.join(root, '.claude')), false);
    assert.equal(fs.existsSync(path.join(root, '.github', 'hooks')), false);
    assert.equal(fs.existsSync(path.join(root, '.github', 'workflows')), true);
    assert.equal(fs.readFileSync(path.join(root, '.vscode', 'extensions.json'), 'utf8'), '{}');
    assert.deepEqual([...topProtected(root)].sort(), ['.vscode']);
  });

  it("puts back the MCP servers a session added to, changed in or removed from the agent's state file, and nothing else", () => {
    const file = path.join(root, '.claude.json');
    fs.writeFileSync(file, JSON.stringify({ numStartups: 1, mcpServers: { mine: { command: 'x' } }, projects: { '/p': { mcpServers: {} } } }));
    const guard = captureAgentJson('claude', root, {});
    fs.writeFileSync(file, JSON.stringify({ numStartups: 2, mcpServers: { mine: { command: 'x' }, pwned: { command: 'sh' } }, projects: { '/p': { mcpServers: { evil: {} } }, '/q': { mcpServers: { evil: {} } } } }));
    const undone = restoreAgentJson(guard);
    assert.equal(undone.length, 3, undone.join('\n'));
    const after = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(after.numStartups, 2, "the agent's own state stays");
    assert.deepEqual(after.mcpServers, { mine: { command: 'x' } });
    assert.deepEqual(after.projects, { '/p': { mcpServers: {} }, '/q': {} });
    assert.deepEqual(restoreAgentJson(captureAgentJson('claude', root, {})), []);
    assert.equal(captureAgentJson('codex', root, {}), undefined);
  });
});

describe('sandbox: the folders a program needs (bound back when they lie in a private folder)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-programdirs-')));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("an npm-installed program brings its whole node_modules tree (its dependencies are sibling packages)", () => {
    const modules = path.join(root, 'agent', 'node_modules');
    write(path.join(modules, '@openai', 'codex', 'bin', 'codex.js'));
    fs.mkdirSync(path.join(modules, '.bin'));
    fs.symlinkSync('../@openai/codex/bin/codex.js', path.join(modules, '.bin', 'codex'));
    assert.deepEqual(programDirs(path.join(modules, '.bin', 'codex'), {}), [path.join(modules, '.bin'), modules, path.join(modules, '@openai', 'codex', 'bin')]);
    // Found on PATH by its name.
    assert.deepEqual(programDirs('codex', { PATH: `/nonexistent:${path.join(modules, '.bin')}` }), [path.join(modules, '.bin'), modules, path.join(modules, '@openai', 'codex', 'bin')]);
  });

  it('any other program brings its folder and that of its real file; an unknown one nothing', () => {
    write(path.join(root, 'opt', 'tool', 'run'));
    fs.mkdirSync(path.join(root, 'bin'));
    fs.symlinkSync(path.join(root, 'opt', 'tool', 'run'), path.join(root, 'bin', 'tool'));
    assert.deepEqual(programDirs(path.join(root, 'bin', 'tool'), {}), [path.join(root, 'bin'), path.join(root, 'opt', 'tool')]);
    assert.deepEqual(programDirs('no-such-program-here', { PATH: path.join(root, 'bin') }), []);
    assert.deepEqual(programDirs(undefined, {}), []);
  });
});
