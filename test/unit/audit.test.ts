import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AuditEntry } from '../../src/audit/log';
import { appendAudit, auditFile, auditToCsv, readAudit, verifyAudit } from '../../src/audit/log';

describe('audit log (append-only, hash-chained)', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let folder: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-audit-'));
    env = { AIRLOCK_HOME: path.join(tmp, 'state') };
    folder = path.join(tmp, 'my project');
    fs.mkdirSync(folder);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
    time: new Date().toISOString(),
    folder,
    agent: 'claude',
    tool: 'Write',
    kind: 'edit',
    paths: [path.join(folder, '.env')],
    verdict: 'deny',
    wouldBe: 'deny',
    mode: 'enforce',
    decidedBy: 'human',
    reasons: ['secrets: "quoted", with commas'],
    via: 'vscode',
    ...over,
  });

  it('keeps the log outside the workspace, readable back in order', () => {
    assert.ok(appendAudit(entry({ agent: 'a' }), env));
    assert.ok(appendAudit(entry({ agent: 'b' }), env));
    assert.ok(!auditFile(folder, env).startsWith(folder));
    assert.deepEqual(readAudit(folder, env).entries.map((e) => e.agent), ['a', 'b']);
    assert.equal(fs.statSync(auditFile(folder, env)).mode & 0o777, 0o600);
  });

  it('detects an edited or deleted entry through the hash chain', () => {
    for (const agent of ['a', 'b', 'c', 'd']) {
      appendAudit(entry({ agent }), env);
    }
    assert.deepEqual(verifyAudit(folder, env), []);
    const file = auditFile(folder, env);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    lines[1] = lines[1].replace('"verdict":"deny"', '"verdict":"allow"');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    assert.deepEqual(verifyAudit(folder, env), [3]);
    lines.splice(1, 2);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    assert.deepEqual(verifyAudit(folder, env), [2]);
  });

  it('keeps every line whole when 8 processes append at once', async () => {
    const { fork } = await import('node:child_process');
    const script = path.join(tmp, 'append.js');
    fs.writeFileSync(
      script,
      `const { appendAudit } = require(${JSON.stringify(path.resolve(__dirname, '../../src/audit/log.js'))});
       for (let i = 0; i < 25; i++) appendAudit(${JSON.stringify(entry())}, { AIRLOCK_HOME: ${JSON.stringify(env.AIRLOCK_HOME)} });`,
    );
    await Promise.all(Array.from({ length: 8 }, () => new Promise((r) => fork(script).on('exit', r))));
    const { entries, broken } = readAudit(folder, env);
    assert.equal(broken, 0);
    assert.equal(entries.length, 200);
    assert.deepEqual(verifyAudit(folder, env), [], 'the hash chain stays whole');
  });

  it('exports CSV with quoting that survives commas, quotes and newlines', () => {
    const csv = auditToCsv([entry({ command: 'echo "a,b"\nrm x' })]);
    const [header, ...rest] = csv.trimEnd().split('\n');
    assert.match(header, /^time,agent,tool,kind,paths,command,verdict/);
    assert.match(rest.join('\n'), /"echo ""a,b""\nrm x"/);
    assert.match(rest.join('\n'), /"secrets: ""quoted"", with commas"/);
  });

  it('returns no entries for a folder with no log, and never throws when the state dir cannot be written', () => {
    assert.deepEqual(readAudit(folder, env), { entries: [], broken: 0 });
    fs.writeFileSync(path.join(tmp, 'file'), '');
    assert.equal(appendAudit(entry(), { AIRLOCK_HOME: path.join(tmp, 'file', 'x') }), false);
  });
});

describe('airlock audit (CLI)', () => {
  it('lists, filters, exports and verifies the log of the workspace it is run in', async () => {
    const { spawnSync } = await import('node:child_process');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-auditcli-'));
    const env = { ...process.env, AIRLOCK_HOME: path.join(tmp, 'state') };
    const folder = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(folder, '.git'), { recursive: true });
    const base = { time: '2026-11-23T10:00:00.000Z', folder, tool: 'Bash', kind: 'command' as const, mode: 'enforce' as const, via: 'cli' as const, reasons: ['because'] };
    appendAudit({ ...base, agent: 'claude', command: 'rm -rf ~', verdict: 'deny', wouldBe: 'deny', decidedBy: 'policy' }, env);
    appendAudit({ ...base, agent: 'gemini', command: 'npm test', verdict: 'allow', wouldBe: 'allow', decidedBy: 'policy', snapshotId: 'abcdef123456' }, env);
    const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
    const run = (...a: string[]) => spawnSync(process.execPath, [cli, 'audit', '--cwd', folder, ...a], { encoding: 'utf8', env });
    const table = run();
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /deny\s+policy\s+claude\s+command rm -rf ~/);
    assert.match(table.stdout, /\[abcdef123456\]/);
    assert.deepEqual(run('--json', '--verdict', 'deny').stdout.trim().split('\n').map((l) => JSON.parse(l).agent), ['claude']);
    assert.match(run('--csv', '--agent', 'gemini').stdout, /^time,agent,[^\n]*\n2026-11-23T10:00:00.000Z,gemini,Bash,command,,npm test,allow/);
    assert.equal(run('--verify').status, 0);
    const file = auditFile(folder, env);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"verdict":"deny"', '"verdict":"allow"'));
    const tampered = run('--verify');
    assert.equal(tampered.status, 1);
    assert.match(tampered.stderr, /changed after it was written.*line 2/);
    assert.equal(run('--verdict', 'maybe').status, 2);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
