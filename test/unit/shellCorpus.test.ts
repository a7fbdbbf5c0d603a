import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { checkCommand } from '../../src/cli/check';
import { isMutating } from '../../src/gate/gate';
import { loadShellParser } from '../../src/shell/analyze';
import { CORPUS_CWD, CORPUS_HOME, loadCorpus } from '../corpus/corpus';
import type { CorpusCase } from '../corpus/corpus';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const HOME = CORPUS_HOME;
const CWD = CORPUS_CWD;
type Case = CorpusCase;

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

  it('a snapshot is taken before the allowed lines that say "snapshot": true, and not before those that say false', () => {
    const marked = corpus.filter((c) => c.snapshot !== undefined);
    assert.ok(marked.length >= 40, `only ${marked.length} lines say whether a snapshot is needed`);
    const bad = marked.flatMap((c) => {
      const r = checkCommand(c.command, { cwd: c.cwd ?? CWD, shell: c.shell, home: HOME });
      const taken = r.verdict === 'allow' && isMutating({ kind: 'command', paths: [], command: c.command, shell: c.shell, cwd: c.cwd ?? CWD, agent: 'cli' }, r.decision);
      return taken === c.snapshot ? [] : [`${c.file}:${c.line} snapshot ${c.snapshot ? 'expected' : 'not expected'}: ${c.command}`];
    });
    assert.deepEqual(bad, []);
  });

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
