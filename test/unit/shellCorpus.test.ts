import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCommand } from '../../src/cli/check';
import { loadShellParser } from '../../src/shell/analyze';

const root = path.resolve(__dirname, '..', '..', '..');
const corpusDir = path.join(root, 'test', 'corpus', 'commands');
const cli = path.join(root, 'dist', 'cli.js');
const HOME = '/home/dev';
const CWD = '/home/dev/project';

interface Case {
  readonly command: string;
  readonly expect: 'allow' | 'ask' | 'deny';
  readonly shell?: 'bash' | 'powershell';
  readonly cwd?: string;
  readonly note?: string;
  readonly file: string;
  readonly line: number;
}

function loadCorpus(): Case[] {
  const cases: Case[] = [];
  for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.jsonl')).sort()) {
    fs.readFileSync(path.join(corpusDir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.trim()) {
          cases.push({ ...(JSON.parse(text) as Omit<Case, 'file' | 'line'>), file, line: i + 1 });
        }
      });
  }
  return cases;
}

const corpus = loadCorpus();
const byFile = new Map<string, Case[]>();
for (const c of corpus) {
  byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
}

function mismatches(cases: Case[], verdictOf: (c: Case) => string): string[] {
  return cases.filter((c) => verdictOf(c) !== c.expect).map((c) => `${c.file}:${c.line} expected ${c.expect}, got ${verdictOf(c)}: ${c.command}`);
}

describe('shell corpus: expected verdicts under the built-in defaults', () => {
  before(async () => {
    await loadShellParser();
  });

  it('is large and covers evasions and harmless mentions of dangerous words', () => {
    assert.ok(corpus.length >= 400, `only ${corpus.length} cases`);
    assert.ok((byFile.get('evasions.jsonl') ?? []).length >= 100);
    assert.ok((byFile.get('mentions.jsonl') ?? []).filter((c) => c.expect === 'allow').length >= 100);
    for (const c of corpus) {
      assert.ok(['allow', 'ask', 'deny'].includes(c.expect), `${c.file}:${c.line}`);
    }
  });

  for (const [file, cases] of byFile) {
    it(`${file} (${cases.length} command lines)`, () => {
      const bad = mismatches(cases, (c) => checkCommand(c.command, { cwd: c.cwd ?? CWD, shell: c.shell, home: HOME }).verdict);
      assert.deepEqual(bad, []);
    });
  }

  it('no evasion or dangerous command comes back allow', () => {
    const dangerous = corpus.filter((c) => c.expect !== 'allow');
    const allowed = dangerous.filter((c) => checkCommand(c.command, { cwd: c.cwd ?? CWD, shell: c.shell, home: HOME }).verdict === 'allow');
    assert.deepEqual(
      allowed.map((c) => c.command),
      [],
    );
  });

  it('the built dist/cli.js `check --jsonl` gives the same verdicts for the whole corpus in one process', () => {
    const input = corpus.map((c) => JSON.stringify({ command: c.command, cwd: c.cwd ?? CWD, shell: c.shell })).join('\n') + '\n';
    const r = spawnSync(process.execPath, [cli, 'check', '--jsonl'], { input, encoding: 'utf8', env: { ...process.env, HOME }, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; reasons: string[] });
    assert.equal(out.length, corpus.length);
    const bad = mismatches(corpus, (c) => out[corpus.indexOf(c)].verdict);
    assert.deepEqual(bad, []);
    for (const [i, o] of out.entries()) {
      if (o.verdict !== 'allow') {
        assert.ok(o.reasons.length > 0, `no reason given for ${corpus[i].command}`);
      }
    }
  });
});
