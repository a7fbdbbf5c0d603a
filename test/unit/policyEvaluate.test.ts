import * as assert from 'node:assert/strict';
import type { Decision } from '../../src/core/types';
import { evaluate, evaluatePath } from '../../src/policy/evaluate';
import { ROOT, action, analysis, command, finding, policy, sub } from './policyHelpers';

const v = (d: Decision) => d.verdict;

describe('policy evaluation: built-in defaults (no policy file)', () => {
  const p = policy();
  const edit = (path: string) => v(evaluate(p, action('edit', [path])));
  const read = (path: string) => v(evaluate(p, action('read', [path])));

  it('allows ordinary source edits quietly: no reasons, no rules', () => {
    const d = evaluate(p, action('edit', ['src/cart.js']));
    assert.equal(d.verdict, 'allow');
    assert.deepEqual(d.reasons, []);
    assert.deepEqual(d.rules, []);
  });

  it('asks before reading or writing secrets', () => {
    for (const f of ['.env', '.env.local', 'config/.env.production', 'certs/server.pem', 'tls/server.key', 'id_rsa', 'id_rsa.pub', '.npmrc', '.netrc']) {
      assert.equal(edit(f), 'ask', `write ${f}`);
      assert.equal(read(f), 'ask', `read ${f}`);
    }
  });

  it('asks for .aws/credentials at any depth, and for everything under .ssh', () => {
    assert.equal(read('.aws/credentials'), 'ask');
    assert.equal(read('deploy/.aws/credentials'), 'ask');
    assert.equal(edit('.ssh/config'), 'ask');
  });

  it("asks before changing git's internals but lets the agent read them", () => {
    assert.equal(edit('.git/config'), 'ask');
    assert.equal(edit('.git/hooks/pre-commit'), 'ask');
    assert.equal(v(evaluate(p, action('delete', ['.git/index']))), 'ask');
    assert.equal(read('.git/HEAD'), 'allow');
    assert.equal(edit('.gitignore'), 'allow');
    assert.equal(edit('.github/CODEOWNERS'), 'allow');
  });

  it("asks before changing Airlock's files and every agent's hook configuration", () => {
    for (const f of ['.airlock/policy.json', '.airlock/policy.local.json', '.claude/settings.json', '.github/hooks/airlock.json', '.cursor/hooks.json', '.gemini/settings.json', '.codex/config.toml', '.windsurf/hooks.json', '.clinerules/hooks/pre.sh', '.cline/plugins/airlock.js', '.opencode/plugins/airlock.js', 'opencode.json', '.vscode/settings.json']) {
      assert.equal(edit(f), 'ask', f);
      assert.equal(v(evaluate(p, action('delete', [f]))), 'ask', `delete ${f}`);
    }
  });

  it('asks before writing CI workflows, manifests and lockfiles, but allows reading them', () => {
    for (const f of ['.github/workflows/ci.yml', 'package.json', 'package-lock.json', 'packages/api/package.json', 'yarn.lock', 'Cargo.lock', 'go.sum', 'requirements-dev.txt']) {
      assert.equal(edit(f), 'ask', f);
      assert.equal(read(f), 'allow', f);
    }
  });

  it('asks for anything outside the workspace folder, reading included', () => {
    assert.equal(edit('/etc/hosts'), 'ask');
    assert.equal(read('/home/dev/other/notes.txt'), 'ask');
    assert.equal(v(evaluate(p, action('create', ['../sibling/x.js']))), 'ask');
  });

  it('asks before deleting the workspace folder itself', () => {
    assert.equal(v(evaluatePath(p, ROOT, 'delete')), 'ask');
  });

  it('explains an ask in plain language naming the file, with the rule that decided', () => {
    const d = evaluate(p, action('edit', ['.env']));
    assert.match(d.reasons[0], /^Changing \.env: .*secrets/);
    assert.equal(d.rules[0].source, 'built-in');
    assert.equal(d.rules[0].rule, 'paths[".env*"].write');
  });

  it('a malformed action (an edit naming no file) is asked, not allowed', () => {
    assert.equal(v(evaluate(p, action('edit', []))), 'ask');
    assert.equal(v(evaluate(p, action('rename', ['a.js']))), 'ask');
  });
});

describe('policy evaluation: path matching', () => {
  const team = `{
    "paths": {
      "secrets/**": { "read": "deny", "write": "deny", "reason": "Secrets live here." },
      "*.generated.ts": { "write": "deny" },
      "docs/": "ask",
      "/opt/shared/**": { "write": "allow" },
      "~/.config/app/**": "deny",
      "/regex-looking/[ab].txt": "deny"
    }
  }`;
  const p = policy(team);
  const d = (kind: Parameters<typeof action>[0], path: string, extra = {}) => v(evaluate(p, action(kind, [path], extra)));

  it('an anchored glob matches only from the workspace folder', () => {
    assert.equal(d('read', 'secrets/db.txt'), 'deny');
    assert.equal(d('read', 'lib/secrets/db.txt'), 'allow');
  });

  it('a glob without a slash matches the file name at any depth', () => {
    assert.equal(d('edit', 'src/api/client.generated.ts'), 'deny');
    assert.equal(d('edit', 'src/api/client.ts'), 'allow');
  });

  it('a folder pattern with a trailing slash covers everything inside', () => {
    assert.equal(d('edit', 'docs/guide/intro.md'), 'ask');
    assert.equal(d('edit', 'docsite/intro.md'), 'allow');
  });

  it('resolves .. traversal before matching: src/../.env is .env, and secrets/../src/a.ts is not a secret', () => {
    assert.equal(d('edit', 'src/../.env'), 'ask');
    assert.equal(d('read', 'secrets/../src/a.ts'), 'allow');
    assert.equal(d('read', `${ROOT}/src/../secrets/k`), 'deny');
  });

  it('a path that climbs out of the workspace with .. is outside it', () => {
    assert.equal(d('edit', '../../etc/passwd'), 'ask');
    assert.equal(d('edit', `${ROOT}/../shop-other/a.js`), 'ask');
  });

  it('absolute paths inside the workspace match like relative ones', () => {
    assert.equal(d('read', `${ROOT}/secrets/api.txt`), 'deny');
  });

  it('relative paths are taken from the action cwd', () => {
    assert.equal(v(evaluate(p, action('read', ['db.txt'], { cwd: `${ROOT}/secrets` }))), 'deny');
  });

  it('matches paths with spaces and unicode', () => {
    const q = policy('{ "paths": { "my docs/**": "deny", "données/*.csv": "ask", "* copy.js": "deny" } }');
    assert.equal(v(evaluate(q, action('edit', ['my docs/plan é.md']))), 'deny');
    assert.equal(v(evaluate(q, action('edit', ['données/ventes.csv']))), 'ask');
    assert.equal(v(evaluate(q, action('edit', ['src/cart copy.js']))), 'deny');
  });

  it('matches dot files with * and **', () => {
    const q = policy('{ "paths": { "config/**": "deny", "*rc": "ask" } }');
    assert.equal(v(evaluate(q, action('edit', ['config/.hidden/x']))), 'deny');
    assert.equal(v(evaluate(q, action('edit', ['.eslintrc']))), 'ask');
  });

  it('an absolute pattern decides outside the workspace (it may relax the outside default)', () => {
    assert.equal(d('edit', '/opt/shared/data.json'), 'allow');
    assert.equal(d('read', '/srv/shared/data.json'), 'ask', 'read is not named: the outside default holds');
    assert.equal(d('read', '/opt/shared/data.json'), 'allow', 'system folders such as /opt are readable by default (issue 14)');
  });

  it('~/ patterns mean the home folder', () => {
    assert.equal(d('read', '/home/dev/.config/app/token'), 'deny');
  });

  it('name patterns and secrets still apply outside the workspace, but never relax it', () => {
    assert.equal(d('read', '/home/dev/.ssh/id_ed25519'), 'ask');
    const q = policy('{ "paths": { "*.md": "allow", "*.key": "deny" } }');
    assert.equal(v(evaluate(q, action('edit', ['/etc/motd.md']))), 'ask', 'a name rule does not open up files outside');
    assert.equal(v(evaluate(q, action('read', ['/tmp/x/server.key']))), 'deny', 'a name rule tightens outside too');
  });

  it('is case-sensitive by default here, case-insensitive when the file system is', () => {
    assert.equal(d('read', 'SECRETS/db.txt'), 'allow');
    const ci = policy(team, undefined, { caseInsensitive: true });
    assert.equal(v(evaluate(ci, action('read', ['SECRETS/db.txt']))), 'deny');
    assert.equal(v(evaluate(ci, action('edit', ['.ENV']))), 'ask');
    assert.equal(v(evaluate(ci, action('edit', ['/HOME/DEV/SHOP/src/a.js']))), 'allow', 'the workspace prefix is compared case-insensitively too');
  });

  it('handles Windows paths: drive letters and backslashes', () => {
    const w = policy('{ "paths": { "secrets/**": "deny" } }', undefined, { folder: 'C:\\work\\shop', caseInsensitive: true });
    assert.equal(v(evaluate(w, { kind: 'read', paths: ['C:\\work\\shop\\secrets\\a.txt'], cwd: 'C:\\work\\shop', agent: 'copilot' })), 'deny');
    assert.equal(v(evaluate(w, { kind: 'edit', paths: ['src\\..\\.env'], cwd: 'c:\\work\\shop', agent: 'copilot' })), 'ask');
    assert.equal(v(evaluate(w, { kind: 'edit', paths: ['D:\\other\\a.txt'], cwd: 'C:\\work\\shop', agent: 'copilot' })), 'ask');
  });

  it('when several rules of one file match, the strictest wins regardless of order', () => {
    const a = policy('{ "paths": { "src/**": "allow", "*.ts": "deny" } }');
    const b = policy('{ "paths": { "*.ts": "deny", "src/**": "allow" } }');
    assert.equal(v(evaluate(a, action('edit', ['src/a.ts']))), 'deny');
    assert.equal(v(evaluate(b, action('edit', ['src/a.ts']))), 'deny');
  });

  it('an edit through a symlink is decided as an edit of its target', () => {
    const facts = new Map([[`${ROOT}/config/app.cfg`, { real: `${ROOT}/.env`, exists: true }]]);
    const d1 = evaluate(p, action('edit', ['config/app.cfg']), undefined, facts);
    assert.equal(d1.verdict, 'ask');
    assert.match(d1.reasons.join(' '), /\.env/);
    const out = new Map([[`${ROOT}/link`, { real: '/etc/passwd', exists: true }]]);
    assert.equal(v(evaluate(policy(), action('edit', ['link']), undefined, out)), 'ask', 'a link pointing outside the workspace');
  });

  it('a create of a file that exists is a write; a create of a new file is a create', () => {
    const q = policy('{ "paths": { "out/**": { "create": "allow", "write": "deny" } } }');
    assert.equal(v(evaluate(q, action('create', ['out/a.txt']))), 'allow');
    const facts = new Map([[`${ROOT}/out/a.txt`, { exists: true }]]);
    assert.equal(v(evaluate(q, action('create', ['out/a.txt']), undefined, facts)), 'deny');
  });

  it('a rename is a delete of the old path plus a create of the new one', () => {
    const q = policy('{ "paths": { "keep/**": { "delete": "deny" }, "inbox/**": { "create": "ask" } } }');
    assert.equal(v(evaluate(q, action('rename', ['keep/a.txt', 'src/a.txt']))), 'deny');
    assert.equal(v(evaluate(q, action('rename', ['src/a.txt', 'inbox/a.txt']))), 'ask');
    assert.equal(v(evaluate(q, action('rename', ['src/a.txt', 'src/b.txt']))), 'allow');
    assert.equal(v(evaluate(policy(), action('rename', ['notes.txt', '.env']))), 'ask', 'renaming something into .env');
  });

  it('the strictest of several paths in one action decides', () => {
    assert.equal(v(evaluate(p, action('read', ['src/a.ts', 'secrets/x']))), 'deny');
  });

  it('reports the file, line and column of the rule that decided', () => {
    const d1 = evaluate(p, action('read', ['secrets/a']));
    assert.equal(d1.rules.length, 1);
    assert.deepEqual({ ...d1.rules[0] }, {
      source: `${ROOT}/.airlock/policy.json`,
      line: 3,
      column: 23,
      rule: 'paths["secrets/**"].read',
      verdict: 'deny',
      reason: 'Secrets live here.',
    });
    assert.deepEqual(d1.reasons, ['Reading secrets/a: Secrets live here.']);
  });
});

describe('policy evaluation: layering and tighten-only', () => {
  it('a team file may relax a built-in default explicitly', () => {
    const p = policy('{ "paths": { ".env.example": { "read": "allow", "write": "allow" }, "package.json": { "write": "allow" } } }');
    assert.equal(v(evaluate(p, action('read', ['.env.example']))), 'allow');
    assert.equal(v(evaluate(p, action('edit', ['package.json']))), 'allow');
    assert.equal(v(evaluate(p, action('edit', ['.env']))), 'ask', 'other secrets stay protected');
  });

  it("a team file cannot relax Airlock's own files or hook configuration below ask", () => {
    const p = policy('{ "paths": { ".airlock/**": "allow", ".claude/**": "allow", ".vscode/settings.json": "allow" } }');
    for (const f of ['.airlock/policy.json', '.claude/settings.json', '.vscode/settings.json']) {
      const d = evaluate(p, action('edit', [f]));
      assert.equal(d.verdict, 'ask', f);
      assert.match(d.reasons[0], /never allows this without asking/);
    }
    assert.equal(v(evaluate(p, action('read', ['.claude/settings.json']))), 'allow', 'reading them can be allowed');
  });

  it('a personal file cannot turn a team deny into ask or allow', () => {
    const p = policy('{ "paths": { "infra/**": "deny" } }', '{ "paths": { "infra/**": "allow", "infra/dev/**": "ask" } }');
    assert.equal(v(evaluate(p, action('edit', ['infra/main.tf']))), 'deny');
    assert.equal(v(evaluate(p, action('edit', ['infra/dev/main.tf']))), 'deny');
  });

  it('a personal file cannot turn a team or built-in ask into allow', () => {
    const p = policy('{ "paths": { "db/**": "ask" } }', '{ "paths": { "db/**": "allow", ".env": "allow" } }');
    assert.equal(v(evaluate(p, action('edit', ['db/schema.sql']))), 'ask');
    assert.equal(v(evaluate(p, action('edit', ['.env']))), 'ask');
  });

  it('a personal rule on an unruled path cannot relax the fallback either (outside the workspace stays ask)', () => {
    const p = policy(undefined, '{ "paths": { "/tmp/**": "allow" } }');
    assert.equal(v(evaluate(p, action('edit', ['/tmp/scratch.txt']))), 'ask');
  });

  it('a personal file can tighten: ask becomes deny, allow becomes ask', () => {
    const p = policy('{ "paths": { "db/**": "ask" } }', '{ "paths": { "db/**": "deny", "src/payments/**": "ask" } }');
    const d = evaluate(p, action('edit', ['db/schema.sql']));
    assert.equal(d.verdict, 'deny');
    assert.equal(d.rules[0].source, `${ROOT}/.airlock/policy.local.json`);
    assert.equal(v(evaluate(p, action('edit', ['src/payments/pay.ts']))), 'ask');
  });

  it('user settings are the last layer and also only tighten', () => {
    const p = policy('{ "paths": { "tmp/**": "allow" } }', undefined, { settings: { paths: { 'tmp/**': 'ask', '.env*': 'allow' } } });
    const d = evaluate(p, action('edit', ['tmp/x']));
    assert.equal(d.verdict, 'ask');
    assert.equal(d.rules[0].source, 'settings');
    assert.equal(v(evaluate(p, action('edit', ['.env']))), 'ask');
  });

  it('defaults: the team may relax the outside-workspace default per operation; a personal file may tighten it', () => {
    const p = policy('{ "defaults": { "outsideWorkspace": { "read": "allow" } } }');
    assert.equal(v(evaluate(p, action('read', ['/usr/include/stdio.h']))), 'allow');
    assert.equal(v(evaluate(p, action('edit', ['/usr/include/stdio.h']))), 'ask');
    const q = policy('{ "defaults": { "outsideWorkspace": "allow" } }', '{ "defaults": { "outsideWorkspace": { "delete": "deny" } } }');
    assert.equal(v(evaluate(q, action('edit', ['/tmp/a']))), 'allow');
    assert.equal(v(evaluate(q, action('delete', ['/tmp/a']))), 'deny');
  });

  it('while a file is invalid (degraded), its last valid rules only tighten the built-in defaults', () => {
    const relaxing = '{ "paths": { ".env.example": "allow", "vendor/**": "deny" } }';
    const p = policy(relaxing, undefined, { degraded: true });
    assert.equal(v(evaluate(p, action('read', ['.env.example']))), 'ask', 'the relaxation is not honoured');
    assert.equal(v(evaluate(p, action('edit', ['vendor/x.js']))), 'deny', 'the tightening is');
  });
});

describe('policy evaluation: agents, audit mode', () => {
  const team = `{
    "paths": { "src/**": "allow" },
    "agents": {
      "copilot": { "paths": { "src/billing/**": "ask" }, "commands": { "npm *": "deny" } },
      "Codex": { "paths": { "src/**": "allow", ".env": "allow" } }
    }
  }`;
  const p = policy(team);

  it('an agent override tightens for that agent only', () => {
    assert.equal(v(evaluate(p, action('edit', ['src/billing/a.ts'], { agent: 'copilot' }))), 'ask');
    assert.equal(v(evaluate(p, action('edit', ['src/billing/a.ts'], { agent: 'claude' }))), 'allow');
    const a = analysis([sub('npm test', { knowledge: 'harmless' })]);
    assert.equal(v(evaluate(p, command(a, 'copilot'), a)), 'deny');
    assert.equal(v(evaluate(p, command(a, 'claude'), a)), 'allow');
  });

  it('agent names match case-insensitively, and an agent override cannot loosen', () => {
    assert.equal(v(evaluate(p, action('edit', ['.env'], { agent: 'codex' }))), 'ask');
  });

  it('audit mode allows but records what enforce mode would have done', () => {
    const a = policy('{ "mode": "audit", "paths": { "secrets/**": "deny" } }');
    const d = evaluate(a, action('read', ['secrets/x']));
    assert.equal(d.verdict, 'allow');
    assert.equal(d.wouldBe, 'deny');
    assert.equal(d.mode, 'audit');
    assert.ok(d.reasons.length > 0, 'keeps the reasons for the log');
  });

  it('a personal file can switch audit back to enforce, never enforce to audit', () => {
    assert.equal(policy('{ "mode": "audit" }', '{ "mode": "enforce" }').mode, 'enforce');
    assert.equal(policy('{ "mode": "enforce" }', '{ "mode": "audit" }').mode, 'enforce');
    assert.equal(policy(undefined, '{ "mode": "audit" }').mode, 'enforce');
  });

  it('enforce mode: verdict and wouldBe agree', () => {
    const d = evaluate(policy(), action('edit', ['.env']));
    assert.equal(d.verdict, 'ask');
    assert.equal(d.wouldBe, 'ask');
    assert.equal(d.mode, 'enforce');
  });
});

describe('policy evaluation: commands', () => {
  const p0 = policy();
  const decide = (p: ReturnType<typeof policy>, a: ReturnType<typeof analysis>, agent = 'claude') => evaluate(p, command(a, agent), a);

  it('allows known harmless commands quietly', () => {
    const a = analysis([sub('ls -la'), sub('git status')]);
    const d = decide(p0, a);
    assert.equal(d.verdict, 'allow');
    assert.deepEqual(d.reasons, []);
    assert.equal(d.analysis, a, 'the decision carries the analysis');
  });

  it('asks for an unknown command out of the box; defaults.unknownCommand changes that', () => {
    const a = analysis([sub('frobnicate --all', { knowledge: 'unknown' })]);
    assert.equal(decide(p0, a).verdict, 'ask');
    assert.equal(decide(policy('{ "defaults": { "unknownCommand": "allow" } }'), a).verdict, 'allow');
    assert.equal(decide(policy('{ "defaults": { "unknownCommand": "allow" } }', '{ "defaults": { "unknownCommand": "deny" } }'), a).verdict, 'deny');
    assert.equal(decide(policy(undefined, '{ "defaults": { "unknownCommand": "allow" } }'), a).verdict, 'ask', 'a personal file cannot relax it');
  });

  it('severity defaults: catastrophic denies, destructive and caution ask', () => {
    assert.equal(decide(p0, analysis([sub('rm -rf /', { findings: [finding('file-destruction', 'catastrophic')] })])).verdict, 'deny');
    assert.equal(decide(p0, analysis([sub('git reset --hard', { findings: [finding('git-history', 'destructive')] })])).verdict, 'ask');
    assert.equal(decide(p0, analysis([sub('chmod 600 x', { findings: [finding('privilege', 'caution')] })])).verdict, 'ask');
  });

  it("gives the finding's plain-language reason", () => {
    const d = decide(p0, analysis([sub('git reset --hard', { findings: [finding('git-history', 'destructive', 'git.reset-hard', 'Discards every uncommitted change.')] })]));
    assert.deepEqual(d.reasons, ['`git reset --hard`: Discards every uncommitted change.']);
    assert.match(d.rules[0].rule, /git\.reset-hard/);
  });

  it('category decisions override the severity default', () => {
    const p = policy('{ "categories": { "git-history": "allow", "publishing": { "verdict": "deny", "reason": "Releases go through CI." } } }');
    assert.equal(decide(p, analysis([sub('git reset --hard', { findings: [finding('git-history', 'destructive')] })])).verdict, 'allow');
    const d = decide(p, analysis([sub('npm publish', { findings: [finding('publishing', 'destructive')] })]));
    assert.equal(d.verdict, 'deny');
    assert.deepEqual(d.reasons, ['`npm publish`: Releases go through CI.']);
  });

  it('catastrophic findings can be relaxed by a team to ask, never to allow', () => {
    const p = policy('{ "categories": { "file-destruction": "allow" }, "commands": { "rm *": "allow" } }');
    const d = decide(p, analysis([sub('rm -rf /', { findings: [finding('file-destruction', 'catastrophic')] })]));
    assert.equal(d.verdict, 'ask');
    assert.match(d.reasons[0], /always asks/);
    const q = policy('{ "categories": { "file-destruction": "ask" } }');
    assert.equal(decide(q, analysis([sub('rm -rf /', { findings: [finding('file-destruction', 'catastrophic')] })])).verdict, 'ask');
  });

  it('a command rule decides before findings: word prefixes with a trailing *', () => {
    const p = policy('{ "commands": { "git push *": { "verdict": "deny", "reason": "Push from the terminal yourself." } } }');
    const d = decide(p, analysis([sub('git push origin main', { findings: [finding('publishing', 'destructive')] })]));
    assert.equal(d.verdict, 'deny');
    assert.deepEqual(d.reasons, ['`git push origin main`: Push from the terminal yourself.']);
    assert.equal(d.rules[0].line, 1);
    assert.equal(decide(p, analysis([sub('git push')])).verdict, 'deny', 'a trailing * also matches no words');
    assert.equal(decide(p, analysis([sub('git pull')])).verdict, 'allow');
  });

  it('a pattern without a trailing * must match the whole command', () => {
    const p = policy('{ "commands": { "make": "deny" } }');
    assert.equal(decide(p, analysis([sub('make')])).verdict, 'deny');
    assert.equal(decide(p, analysis([sub('make test')])).verdict, 'allow');
  });

  it('wildcards inside a word and a lone * in the middle', () => {
    const p = policy('{ "commands": { "npm run deploy:*": "deny", "git * --force": "deny" } }');
    assert.equal(decide(p, analysis([sub('npm run deploy:prod')])).verdict, 'deny');
    assert.equal(decide(p, analysis([sub('npm run test')])).verdict, 'allow');
    assert.equal(decide(p, analysis([sub('git push origin main --force')])).verdict, 'deny');
    assert.equal(decide(p, analysis([sub('git push --force origin')])).verdict, 'allow', 'the pattern ends at --force');
  });

  it('a command rule matches the program name whatever directory it was called from', () => {
    const p = policy('{ "commands": { "rm *": "deny" } }');
    assert.equal(decide(p, analysis([sub('/bin/rm -f a', { argv: ['/bin/rm', '-f', 'a'], program: 'rm' })])).verdict, 'deny');
  });

  it('/regex/ patterns match the sub-command text, with flags', () => {
    const p = policy(String.raw`{ "commands": { "/^docker\\s+(system|image)\\s+prune/i": "deny" } }`);
    assert.equal(decide(p, analysis([sub('DOCKER system prune -af')])).verdict, 'deny');
    assert.equal(decide(p, analysis([sub('docker ps')])).verdict, 'allow');
  });

  it('a team command rule may relax a finding (but not below the catastrophic floor)', () => {
    const p = policy('{ "commands": { "git push origin feature/*": "allow" } }');
    assert.equal(decide(p, analysis([sub('git push origin feature/x', { findings: [finding('publishing', 'destructive')] })])).verdict, 'allow');
    assert.equal(decide(p, analysis([sub('git push origin main', { findings: [finding('publishing', 'destructive')] })])).verdict, 'ask');
  });

  it('a personal command rule only tightens', () => {
    const p = policy('{ "commands": { "npm test": "allow" } }', '{ "commands": { "npm test": "ask", "git reset *": "allow" } }');
    assert.equal(decide(p, analysis([sub('npm test')])).verdict, 'ask');
    assert.equal(decide(p, analysis([sub('git reset --hard', { findings: [finding('git-history', 'destructive')] })])).verdict, 'ask');
  });

  it('the strictest matching rule of the same file wins', () => {
    const p = policy('{ "commands": { "git *": "allow", "git push *": "ask", "/--force/": "deny" } }');
    assert.equal(decide(p, analysis([sub('git push --force')])).verdict, 'deny');
    assert.equal(decide(p, analysis([sub('git push')])).verdict, 'ask');
    assert.equal(decide(p, analysis([sub('git log')])).verdict, 'allow');
  });

  it('combines sub-commands: any deny denies, else any ask asks', () => {
    const a = analysis([sub('npm test'), sub('git reset --hard', { findings: [finding('git-history', 'destructive')] }), sub('ls')]);
    assert.equal(decide(p0, a).verdict, 'ask');
    const b = analysis([sub('ls'), sub('git reset --hard', { findings: [finding('git-history', 'destructive')] }), sub('rm -rf ~', { findings: [finding('file-destruction', 'catastrophic')] })]);
    const d = decide(p0, b);
    assert.equal(d.verdict, 'deny');
    assert.equal(d.reasons.length, 1, 'reasons are those of the deciding verdict');
  });

  it('a command that writes a protected path is decided as a write of it', () => {
    const a = analysis([sub('echo KEY=1', { knowledge: 'harmless' })], [{ path: `${ROOT}/.env`, op: 'write', via: 'echo KEY=1 > .env' }]);
    const d = decide(p0, a);
    assert.equal(d.verdict, 'ask');
    assert.match(d.reasons[0], /^Changing \.env/);
    const p = policy('{ "paths": { "dist/**": { "delete": "deny" } } }');
    const b = analysis([sub('rm -rf dist', { findings: [finding('file-destruction', 'destructive')] })], [{ path: `${ROOT}/dist`, op: 'delete', via: 'rm -rf dist' }]);
    assert.equal(decide(p, b).verdict, 'deny');
  });

  it('a command writing outside the workspace is asked even when the command itself is harmless', () => {
    const a = analysis([sub('cp a.txt /etc/a.txt', { knowledge: 'known' })], [{ path: '/etc/a.txt', op: 'create', via: 'cp' }]);
    assert.equal(decide(p0, a).verdict, 'ask');
  });

  it('a command effect through a symlink is decided as an effect on its target', () => {
    const a = analysis([sub('tee cfg', { knowledge: 'known' })], [{ path: `${ROOT}/cfg`, op: 'write', via: 'tee cfg' }]);
    const facts = new Map([[`${ROOT}/cfg`, { real: `${ROOT}/.git/config`, exists: true }]]);
    assert.equal(evaluate(p0, command(a), a, facts).verdict, 'ask');
  });

  it('parse errors mean at least ask, even for otherwise harmless commands', () => {
    const a = analysis([sub('ls')], [], ['unterminated quote at 1:5']);
    const d = decide(p0, a);
    assert.equal(d.verdict, 'ask');
    assert.match(d.reasons.join(' '), /could not fully understand.*unterminated quote/);
  });

  it('a command without an analysis is asked', () => {
    const d = evaluate(p0, { kind: 'command', paths: [], command: 'ls', cwd: ROOT, agent: 'claude' });
    assert.equal(d.verdict, 'ask');
  });

  it('audit mode allows a denied command and keeps wouldBe', () => {
    const p = policy('{ "mode": "audit", "commands": { "git push *": "deny" } }');
    const d = decide(p, analysis([sub('git push origin main')]));
    assert.equal(d.verdict, 'allow');
    assert.equal(d.wouldBe, 'deny');
  });

  it('audit mode never lifts the built-in floor: catastrophic commands stay denied', () => {
    const p = policy('{ "mode": "audit" }');
    const d = decide(p, analysis([sub('rm -rf /', { findings: [finding('file-destruction', 'catastrophic')] })]));
    assert.equal(d.verdict, 'deny');
    assert.equal(d.wouldBe, 'deny');
  });

  it('agent category overrides tighten for that agent', () => {
    const p = policy('{ "categories": { "publishing": "allow" }, "agents": { "gemini": { "categories": { "publishing": "deny" } } } }');
    const a = analysis([sub('npm publish', { findings: [finding('publishing', 'destructive')] })]);
    assert.equal(decide(p, a, 'gemini').verdict, 'deny');
    assert.equal(decide(p, a, 'claude').verdict, 'allow');
  });
});

describe('policy settings merge (snapshots, approval, budgets)', () => {
  it('fills in the built-in settings', () => {
    const s = policy().settings;
    assert.equal(s.snapshots.enabled, true);
    assert.equal(s.approval.onTimeout, 'deny');
    assert.equal(s.approval.allowForSession, true);
    assert.deepEqual(s.budgets, {});
  });

  it('a personal file cannot turn snapshots off, make the timeout mean allow, or raise a budget', () => {
    const s = policy(
      '{ "snapshots": { "include": [".env"] }, "approval": { "timeoutSeconds": 120 }, "budgets": { "filesChanged": 50 } }',
      '{ "snapshots": { "enabled": false, "include": [".env.local"] }, "approval": { "onTimeout": "allow", "timeoutSeconds": 600, "allowForSession": false }, "budgets": { "filesChanged": 80, "commands": 10 } }',
    ).settings;
    assert.equal(s.snapshots.enabled, true);
    assert.deepEqual(s.snapshots.include, ['.env', '.env.local']);
    assert.equal(s.approval.onTimeout, 'deny');
    assert.equal(s.approval.timeoutSeconds, 120);
    assert.equal(s.approval.allowForSession, false);
    assert.deepEqual(s.budgets, { filesChanged: 50, commands: 10 });
  });
});

describe('policy evaluation: devices and temporary directories', () => {
  const p = policy(undefined, undefined, { tempDirs: ['/tmp', '/var/folders/xy/T/'] });

  it('redirecting to /dev/null is never a question', () => {
    const a = analysis([sub('ls nothing', { knowledge: 'harmless' })], [{ path: '/dev/null', op: 'write', via: 'ls nothing 2>/dev/null' }]);
    assert.equal(evaluate(p, command(a), a).verdict, 'allow');
  });

  it('a temporary directory is scratch space (deleting there too, issue 14); secrets there are asked', () => {
    assert.equal(v(evaluate(p, action('create', ['/tmp/agent-scratch/out.txt']))), 'allow');
    assert.equal(v(evaluate(p, action('edit', ['/var/folders/xy/T/a.json']))), 'allow');
    assert.equal(v(evaluate(p, action('delete', ['/tmp/agent-scratch/out.txt']))), 'allow');
    assert.equal(v(evaluate(p, action('delete', ['/tmp/agent-airlock-1000/registry.json']))), 'deny', "Airlock's runtime folder is not scratch space");
    assert.equal(v(evaluate(p, action('create', ['/tmp/server.pem']))), 'ask');
    assert.equal(v(evaluate(policy(), action('create', ['/tmp/a.txt']))), 'ask', 'without tempDirs /tmp is just outside');
  });

  it('a home folder inside a temporary directory (a sandbox\'s) is not scratch space for deletes', () => {
    const q = policy(undefined, undefined, { tempDirs: ['/tmp'], home: '/tmp/sandbox/home' });
    assert.equal(v(evaluate(q, action('delete', ['/tmp/sandbox/home/notes/todo.txt']))), 'ask');
    assert.equal(v(evaluate(q, action('create', ['/tmp/scratch/out.txt']))), 'allow', 'writing scratch files stays allowed');
  });

  it('a link in a temporary directory is checked at its target', () => {
    const facts = new Map([['/tmp/innocent', { real: '/home/dev/.bashrc', exists: true }]]);
    assert.equal(v(evaluate(p, action('edit', ['/tmp/innocent']), undefined, facts)), 'ask');
  });
});
