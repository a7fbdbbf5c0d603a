import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { checkCommand } from '../../src/cli/check';
import type { CheckResult } from '../../src/cli/check';
import { isMutating } from '../../src/gate/gate';
import { loadShellParser } from '../../src/shell/analyze';
import { loadCorpus, placeOf } from '../corpus/corpus';
import type { CorpusCase } from '../corpus/corpus';
import { corpusParent, createCorpusFixture, createPlainWorkspace } from '../corpus/fixture';
import type { CorpusFixture } from '../corpus/fixture';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
type Case = CorpusCase;

/** Files of everyday development commands: at most 5% of their lines may be asked. */
const EVERYDAY = ['harmless.jsonl', 'routine.jsonl', 'routine-agents.jsonl', 'snapshots.jsonl'];

const corpus = loadCorpus();
const byFile = new Map<string, Case[]>();
for (const c of corpus) {
  byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
}

function mismatches(cases: Case[], verdictOf: (c: Case) => string): string[] {
  return cases.filter((c) => verdictOf(c) !== c.expect).map((c) => `${c.file}:${c.line} expected ${c.expect}, got ${verdictOf(c)}: ${c.command}`);
}

describe('shell corpus: expected verdicts under the built-in defaults', () => {
  let fixture: CorpusFixture;
  let plain: CorpusFixture;
  const places = () => ({ plain, fixture });
  const results = new Map<Case, CheckResult>();
  const check = (c: Case): CheckResult => {
    let r = results.get(c);
    if (!r) {
      const { cwd, home, command } = placeOf(c, places());
      r = checkCommand(command, { cwd, shell: c.shell, home });
      results.set(c, r);
    }
    return r;
  };

  before(async () => {
    await loadShellParser();
    fixture = createCorpusFixture(corpusParent('corpus'));
    plain = createPlainWorkspace(corpusParent('corpus'));
  });
  after(() => {
    fixture?.dispose();
    plain?.dispose();
  });

  it('is large and covers evasions, harmless mentions of dangerous words and the file system', () => {
    assert.ok(corpus.length >= 2000, `only ${corpus.length} cases`);
    assert.ok((byFile.get('evasions.jsonl') ?? []).length >= 100);
    assert.ok((byFile.get('mentions.jsonl') ?? []).filter((c) => c.expect === 'allow').length >= 100);
    assert.ok(corpus.filter((c) => c.fixture).length >= 100);
    for (const c of corpus) {
      assert.ok(['allow', 'ask', 'deny'].includes(c.expect), `${c.file}:${c.line}`);
    }
  });

  for (const [file, cases] of byFile) {
    it(`${file} (${cases.length} command lines)`, () => {
      assert.deepEqual(mismatches(cases, (c) => check(c).verdict), []);
    });
  }

  it('a snapshot is taken before the allowed lines that say "snapshot": true, and not before those that say false', () => {
    const marked = corpus.filter((c) => c.snapshot !== undefined);
    assert.ok(marked.length >= 60, `only ${marked.length} lines say whether a snapshot is needed`);
    const bad = marked.flatMap((c) => {
      const r = check(c);
      const taken = r.verdict === 'allow' && isMutating({ kind: 'command', paths: [], command: c.command, shell: c.shell, cwd: placeOf(c, places()).cwd, agent: 'cli' }, r.decision);
      return taken === c.snapshot ? [] : [`${c.file}:${c.line} snapshot ${c.snapshot ? 'expected' : 'not expected'}: ${c.command}`];
    });
    assert.deepEqual(bad, []);
  });

  it('no evasion or dangerous command comes back allow', () => {
    const allowed = corpus.filter((c) => c.expect !== 'allow' && check(c).verdict === 'allow');
    assert.deepEqual(
      allowed.map((c) => `${c.file}:${c.line} ${c.command}`),
      [],
    );
  });

  it('asks about at most 5% of everyday development commands', () => {
    const everyday = corpus.filter((c) => EVERYDAY.includes(c.file));
    const asked = everyday.filter((c) => check(c).verdict !== 'allow');
    assert.ok(everyday.length >= 400, `only ${everyday.length} everyday lines`);
    assert.ok(asked.length <= everyday.length * 0.05, `${asked.length} of ${everyday.length} everyday lines asked: ${asked.map((c) => c.command).join(' | ')}`);
  });

  it('the built dist/cli.js `check --jsonl` gives the same verdicts for the whole corpus in one process', () => {
    // One process has one home: the fixture's lines are run in a second one.
    const run = (cases: Case[], home: string) => {
      const text = cases.map((c) => JSON.stringify({ command: placeOf(c, places()).command, cwd: placeOf(c, places()).cwd, shell: c.shell })).join('\n') + '\n';
      // No code cache written into the corpus's home: the lines are judged against the same home in-process.
      const env = { ...process.env, HOME: home, AIRLOCK_NO_CODE_CACHE: '1' };
      const r = spawnSync(process.execPath, [cli, 'check', '--jsonl'], { input: text, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
      assert.equal(r.status, 0, r.stderr);
      const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; reasons: string[] });
      assert.equal(out.length, cases.length);
      return new Map(cases.map((c, i) => [c, out[i]]));
    };
    const ordinary = corpus.filter((c) => !c.fixture);
    const inFixture = corpus.filter((c) => c.fixture);
    const out = new Map([...run(ordinary, plain.home), ...run(inFixture, fixture.home)]);
    assert.deepEqual(
      mismatches(corpus, (c) => out.get(c)!.verdict),
      [],
    );
    for (const c of corpus) {
      const o = out.get(c)!;
      if (o.verdict !== 'allow') {
        assert.ok(o.reasons.length > 0, `no reason given for ${c.command}`);
      }
    }
  });
});
