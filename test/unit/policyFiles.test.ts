import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluate } from '../../src/policy/evaluate';
import { inspectPaths, loadPolicy, searchFolder } from '../../src/policy/load';
import { parsePolicyText } from '../../src/policy/parse';

const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const problems = (text: string) => parsePolicyText(text, 'p.json').problems.map((p) => `${p.line}:${p.column}: ${p.message}`);

describe('policy file parsing and validation', () => {
  it('accepts JSONC: comments and trailing commas', () => {
    const r = parsePolicyText('{\n  // team rules\n  /* block */\n  "mode": "audit",\n  "paths": { ".env": "deny", },\n}\n', 'p.json');
    assert.deepEqual(r.problems, []);
    assert.equal(r.file?.mode, 'audit');
  });

  it('accepts the $schema key and an empty object', () => {
    assert.deepEqual(problems('{ "$schema": "../schemas/policy.schema.json" }'), []);
    assert.deepEqual(problems('{}'), []);
  });

  it('reports a syntax error at its line and column', () => {
    assert.deepEqual(problems('{\n  "mode": "enforce"\n  "paths": {}\n}'), ['3:3: JSON syntax error: a comma is expected']);
  });

  it('reports an unclosed object and an unclosed string', () => {
    const p = problems('{\n  "paths": {\n    ".env": "deny"\n');
    assert.ok(p.some((m) => /closing brace/.test(m)), p.join('\n'));
    assert.ok(problems('{ "mode": "enf }').some((m) => /^1:11: .*string is not closed/.test(m)));
  });

  it('reports an unknown key at the key, naming the keys it expected', () => {
    assert.deepEqual(problems('{\n  "paths": {\n    "src/**": { "wirte": "deny" }\n  }\n}'), [
      '3:17: paths["src/**"]: unknown key "wirte" (expected one of: read, write, create, delete, reason)',
    ]);
    assert.match(problems('{ "rules": {} }')[0], /^1:3: \(top level\): unknown key "rules"/);
  });

  it('reports a wrong verdict at the value', () => {
    assert.deepEqual(problems('{\n  "commands": {\n    "git push *": "maybe"\n  }\n}'), ['3:19: commands["git push *"]: "maybe" is not allowed; use one of "allow", "ask", "deny"']);
  });

  it('reports a wrong type, an unknown category, a missing verdict and an empty path rule', () => {
    assert.match(problems('{ "paths": { "a": 3 } }')[0], /^1:19: paths.a: expected "allow", "ask", "deny" or an object, not a number/);
    assert.match(problems('{ "categories": { "nukes": "deny" } }')[0], /^1:19: categories: unknown key "nukes"/);
    assert.match(problems('{ "commands": { "x": { "reason": "r" } } }')[0], /^1:22: commands.x: "verdict" is required/);
    assert.match(problems('{ "paths": { "a": {} } }')[0], /^1:19: paths.a: must not be empty/);
  });

  it('reports problems in agents, snapshots, approval and budgets', () => {
    assert.equal(problems('{ "agents": { "copilot": { "paths": { "x": "no" } } } }').length, 1);
    assert.match(problems('{ "snapshots": { "maxFileSizeMB": -1 } }')[0], /snapshots.maxFileSizeMB/);
    assert.match(problems('{ "approval": { "onTimeout": "shrug" } }')[0], /approval.onTimeout/);
    assert.match(problems('{ "budgets": { "filesChanged": 1.5 } }')[0], /budgets.filesChanged/);
  });

  it('reports an invalid regular expression in a command pattern', () => {
    assert.match(problems('{ "commands": { "/[unclosed/": "deny" } }')[0], /^1:17: .*not a valid regular expression: Unterminated character class$/);
  });

  it('reports a duplicate key (the first rule would be silently dropped)', () => {
    assert.deepEqual(problems('{ "paths": {\n  ".env": "deny",\n  ".env": "allow" } }'), ['3:3: paths[".env"]: duplicate key; only one of them would count']);
  });

  it('reports an empty file and a top-level value that is not an object', () => {
    assert.match(problems('')[0], /^1:1: the policy file is empty/);
    assert.match(problems('[]')[0], /^1:1: \(top level\): expected an object/);
  });

  it('counts columns in UTF-16 units on the right line after unicode and CRLF line ends', () => {
    assert.deepEqual(problems('{\r\n  "paths": { "données/é": "nope" }\r\n}'), ['2:27: paths["données/é"]: "nope" is not allowed; use one of "allow", "ask", "deny"']);
  });

  it('the demo policy and every jsonc example in the README policy reference are valid', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    assert.deepEqual(parsePolicyText(fs.readFileSync(path.join(root, 'demo', 'dot-airlock', 'policy.json'), 'utf8'), 'demo').problems, []);
    const doc = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const blocks = [...doc.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length > 0);
    for (const b of blocks) {
      assert.deepEqual(parsePolicyText(b, 'doc').problems.map((p) => p.message), [], b.slice(0, 80));
    }
  });
});

describe('policy files on disk (load, fall back, symlinks)', () => {
  let dir: string;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const edit = (p: ReturnType<typeof loadPolicy>, file: string) => evaluate(p.policy, { kind: 'edit', paths: [file], cwd: dir, agent: 'claude' }).verdict;

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the built-in defaults when there is no file', () => {
    const l = loadPolicy(dir);
    assert.deepEqual(l.problems, []);
    assert.equal(edit(l, '.env'), 'ask');
    assert.equal(edit(l, 'src/a.js'), 'allow');
  });

  it('loads the team and personal files, with rule positions in the right file', () => {
    write('.airlock/policy.json', '{\n  "paths": { "db/**": "ask" }\n}\n');
    write('.airlock/policy.local.json', '{\n\n  "paths": { "db/**": "deny" }\n}\n');
    const l = loadPolicy(dir);
    const d = evaluate(l.policy, { kind: 'edit', paths: ['db/x.sql'], cwd: dir, agent: 'claude' });
    assert.equal(d.verdict, 'deny');
    assert.deepEqual([d.rules[0].source, d.rules[0].line, d.rules[0].column], [path.join(dir, '.airlock', 'policy.local.json'), 3, 14]);
  });

  it('a broken team file falls back to the built-in defaults, never to something looser', () => {
    write('.airlock/policy.json', '{ "paths": { ".env": "allow" } }');
    const good = loadPolicy(dir);
    assert.equal(edit(good, '.env'), 'allow', 'the valid file relaxes .env');
    write('.airlock/policy.json', '{ "paths": { ".env": "allow" }, "mode": "audit", }x');
    const broken = loadPolicy(dir, { previous: good });
    assert.ok(broken.problems.length > 0);
    assert.equal(broken.policy.degraded, true);
    assert.equal(edit(broken, '.env'), 'ask', 'the relaxation of the last valid file is not used');
    assert.equal(broken.policy.mode, 'enforce');
  });

  it('a broken file keeps the stricter rules of the last valid version', () => {
    write('.airlock/policy.json', '{ "paths": { "vendor/**": "deny" } }');
    const good = loadPolicy(dir);
    write('.airlock/policy.json', '{ "paths": { "vendor/**": "allow" ');
    const broken = loadPolicy(dir, { previous: good });
    assert.equal(edit(broken, 'vendor/lib.js'), 'deny');
    write('.airlock/policy.json', '{ "paths": { "vendor/**": "allow" } }');
    assert.equal(edit(loadPolicy(dir, { previous: broken }), 'vendor/lib.js'), 'allow', 'a fixed file counts again');
  });

  it('an invalid settings object is a problem and never loosens', () => {
    const l = loadPolicy(dir, { settings: { paths: { '.env': 'sure' } } });
    assert.equal(l.problems.length, 1);
    assert.match(l.problems[0].message, /airlock.policy setting/);
    assert.equal(edit(l, '.env'), 'ask');
  });

  it('ignores the workspace files in an untrusted workspace', () => {
    write('.airlock/policy.json', '{ "paths": { ".env": "allow" } }');
    assert.equal(edit(loadPolicy(dir, { ignoreWorkspaceFiles: true }), '.env'), 'ask');
  });

  it('resolves a symlink to its target: editing a link to .env is editing .env', () => {
    write('.env', 'KEY=1\n');
    fs.symlinkSync(path.join(dir, '.env'), path.join(dir, 'settings.txt'));
    const l = loadPolicy(dir);
    const facts = inspectPaths(['settings.txt'], dir);
    assert.equal(evaluate(l.policy, { kind: 'edit', paths: ['settings.txt'], cwd: dir, agent: 'claude' }, undefined, facts).verdict, 'ask');
    assert.equal(evaluate(l.policy, { kind: 'edit', paths: ['settings.txt'], cwd: dir, agent: 'claude' }).verdict, 'allow', 'without facts the link alone looks harmless');
  });

  it('resolves a symlinked folder for a file that does not exist yet', () => {
    fs.mkdirSync(path.join(dir, '.git'));
    fs.symlinkSync(path.join(dir, '.git'), path.join(dir, 'gitdir'));
    const facts = inspectPaths(['gitdir/hooks/pre-commit'], dir);
    const d = evaluate(loadPolicy(dir).policy, { kind: 'create', paths: ['gitdir/hooks/pre-commit'], cwd: dir, agent: 'claude' }, undefined, facts);
    assert.equal(d.verdict, 'ask');
  });

  it('a workspace reached through a symlink still matches its rules', () => {
    const link = `${dir}-link`;
    fs.symlinkSync(dir, link);
    try {
      write('.airlock/policy.json', '{ "paths": { "secret/**": "deny" } }');
      const l = loadPolicy(link);
      const facts = inspectPaths([path.join(dir, 'secret', 'a')], link);
      assert.equal(evaluate(l.policy, { kind: 'read', paths: [path.join(dir, 'secret', 'a')], cwd: link, agent: 'x' }, undefined, facts).verdict, 'deny');
    } finally {
      fs.rmSync(link);
    }
  });

  it('searchFolder finds the folder with the policy file, else the git root, else the start', () => {
    fs.mkdirSync(path.join(dir, 'repo', '.git'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'repo', 'src', 'deep'), { recursive: true });
    assert.equal(searchFolder(path.join(dir, 'repo', 'src', 'deep')), path.join(dir, 'repo'));
    write('.airlock/policy.json', '{}');
    assert.equal(searchFolder(path.join(dir, 'repo', 'src', 'deep')), dir);
  });

  it('inspectPaths says whether a file exists, so a create of an existing file is a write', () => {
    write('package.json', '{}');
    const facts = inspectPaths(['package.json', 'new.json'], dir);
    assert.equal(facts.get(path.join(dir, 'package.json'))?.exists, true);
    assert.equal(facts.get(path.join(dir, 'new.json'))?.exists, false);
    const l = loadPolicy(dir);
    assert.equal(evaluate(l.policy, { kind: 'create', paths: ['package.json'], cwd: dir, agent: 'claude' }, undefined, facts).verdict, 'ask');
  });
});

describe('airlock policy validate / explain (the built dist/cli.js)', () => {
  let dir: string;
  const airlock = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-cli-')));
    fs.mkdirSync(path.join(dir, '.airlock'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 on a broken file, printing file:line:col for each problem', () => {
    fs.writeFileSync(path.join(dir, '.airlock', 'policy.json'), '{\n  // ok\n  "paths": { ".env": "dney" },\n  "mdoe": "audit"\n}\n');
    const r = airlock('policy', 'validate', '--dir', dir);
    assert.equal(r.status, 2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('.airlock'));
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^\.airlock\/policy\.json:3:22: error: paths\["\.env"\]: "dney" is not allowed/);
    assert.match(lines[1], /^\.airlock\/policy\.json:4:3: error: .*unknown key "mdoe"/);
  });

  it('exits 2 on a JSONC syntax error with its position, also in the personal file', () => {
    fs.writeFileSync(path.join(dir, '.airlock', 'policy.local.json'), '{\n  "mode": "enforce",,\n}');
    const r = airlock('policy', 'validate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^\.airlock\/policy\.local\.json:2:21: error: JSON syntax error/m);
  });

  it('exits 0 for a good file, and for no file at all', () => {
    assert.equal(airlock('policy', 'validate', '--dir', dir).status, 0);
    fs.writeFileSync(path.join(dir, '.airlock', 'policy.json'), '{ /* fine */ "paths": { "src/**": "allow" } }');
    const r = airlock('policy', 'validate', '--dir', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid/);
  });

  it('exits 2 for bad usage', () => {
    assert.equal(airlock('policy').status, 2);
    assert.equal(airlock('policy', 'validate', '--bogus').status, 2);
    assert.equal(airlock('policy', 'explain', '--path', 'x', '--op', 'chmod').status, 2);
    assert.equal(airlock('policy', 'explain').status, 2);
  });

  it('explain shows the verdict, the reason and the rule with its position', () => {
    fs.writeFileSync(path.join(dir, '.airlock', 'policy.json'), '{\n  "paths": {\n    "infra/**": { "write": "deny", "reason": "Infra changes go through review." }\n  }\n}\n');
    const r = airlock('policy', 'explain', '--path', 'infra/main.tf', '--op', 'write');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^verdict: deny$/m);
    assert.match(r.stdout, /why: Changing infra\/main\.tf: Infra changes go through review\./);
    assert.match(r.stdout, /rule: paths\["infra\/\*\*"\]\.write -> deny {2}\(\.airlock\/policy\.json:3:19\)/);
  });

  it('explain -- <command> matches command rules (JSON output)', () => {
    fs.writeFileSync(path.join(dir, '.airlock', 'policy.json'), '{ "commands": { "git push *": "deny" } }');
    const r = airlock('policy', 'explain', '--dir', dir, '--json', '--', 'git', 'push', 'origin', 'main');
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.verdict, 'deny');
    assert.equal(d.rules[0].rule, 'commands["git push *"]');
  });
});

describe('policy schema validator (generated from the schema at build time)', () => {
  it('is up to date with schemas/policy.schema.json (npm run build regenerates it)', async () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const gen = (await import(path.join(root, 'scripts', 'lib', 'policyValidator.mjs'))) as { generatePolicyValidator(): string };
    const current = fs.readFileSync(path.join(root, 'src', 'policy', 'generatedPolicyValidator.ts'), 'utf8');
    assert.ok(current === gen.generatePolicyValidator(), 'src/policy/generatedPolicyValidator.ts is stale: run npm run build');
  });
});
