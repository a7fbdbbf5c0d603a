import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ADAPTERS } from '../../src/agents/adapters';
import { runHook } from '../../src/agents/hookRunner';
import { LocalGate } from '../../src/agents/localGate';
import type { AuditEntry } from '../../src/audit/log';
import type { GateResult } from '../../src/core/types';
import { loadCorpus, placeOf } from '../corpus/corpus';
import type { CorpusCase } from '../corpus/corpus';
import { createCorpusFixture, createPlainWorkspace } from '../corpus/fixture';
import type { CorpusFixture } from '../corpus/fixture';

const root = path.resolve(__dirname, '..', '..', '..');
const payloads = path.join(root, 'test', 'fixtures', 'payloads');
type Case = CorpusCase;

/**
 * The command corpus through the hook path: each line as the recorded Claude Code `Bash` payload
 * (Copilot CLI's `powershell` payload for PowerShell lines) through the real runHook and the headless
 * gate (policy, snapshot, audit) on a real git repository, with the hook installed for it.
 */
describe('shell corpus through the headless hook (runHook + LocalGate on a real repository)', function () {
  this.timeout(10 * 60_000);
  const corpus = loadCorpus();
  let base: string;
  let places: { plain: CorpusFixture; fixture: CorpusFixture };
  const results = new Map<Case, { result: GateResult; code: number; stdout: string; audit: AuditEntry[] }>();

  before(async () => {
    // Not under the OS temp dir: the built-in policy lets agents write scratch files there, which would
    // make writes outside this workspace look harmless.
    fs.mkdirSync(path.join(os.homedir(), '.cache'), { recursive: true });
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.homedir(), '.cache', 'airlock-hook-corpus-')));
    // ordinary lines in a plain repository, "fixture" lines in the richer one (test/corpus/fixture.ts)
    places = { plain: createPlainWorkspace(base), fixture: createCorpusFixture(base) };

    const claudeBash = JSON.parse(fs.readFileSync(path.join(payloads, 'claude', 'Bash.json'), 'utf8')) as { cwd: string; tool_input: { command: string } };
    const copilotBash = JSON.parse(fs.readFileSync(path.join(payloads, 'copilot-cli', 'bash.json'), 'utf8')) as { cwd: string; toolName: string; toolArgs: { command: string } };
    const audit: AuditEntry[] = [];
    const gates = new Map([places.plain, places.fixture].map((p) => [p, new LocalGate({ home: p.home, audit: (e) => audit.push(e) })]));
    for (const c of corpus) {
      const where = c.fixture ? places.fixture : places.plain;
      const gate = gates.get(where)!;
      const { cwd, command } = placeOf(c, places);
      const powershell = c.shell === 'powershell';
      const payload = powershell
        ? { ...copilotBash, cwd, toolName: 'powershell', toolArgs: { ...copilotBash.toolArgs, command } }
        : { ...claudeBash, cwd, tool_input: { ...claudeBash.tool_input, command } };
      let result: GateResult | undefined;
      const before = audit.length;
      const out = await runHook(ADAPTERS[powershell ? 'copilot-cli' : 'claude'], Readable.from([Buffer.from(JSON.stringify(payload))]), async () => gate, {
        installedFor: where.workspace,
        hook: { cwd: process.cwd(), env: {}, hasTty: false },
        onDecision: (r) => (result = r),
      });
      assert.ok(result, `no result for ${c.file}:${c.line}`);
      results.set(c, { result, code: out.exitCode, stdout: out.stdout, audit: audit.slice(before) });
    }
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('gives every line its expected verdict (the policy\'s; ask is denied with how to approve, no human here)', () => {
    const bad = corpus.filter((c) => results.get(c)!.result.decision.wouldBe !== c.expect).map((c) => `${c.file}:${c.line} expected ${c.expect}, got ${results.get(c)!.result.decision.wouldBe}: ${c.command}`);
    assert.deepEqual(bad, []);
  });

  it('answers in the agent\'s format: allow lets the tool run, ask and deny block it (exit 2) with a reason', () => {
    for (const c of corpus) {
      const r = results.get(c)!;
      if (c.expect === 'allow') {
        assert.equal(r.code, 0, `${c.file}:${c.line} ${c.command}: ${r.stdout}`);
        assert.doesNotMatch(r.stdout, /"deny"/);
      } else {
        assert.equal(r.code, 2, `${c.file}:${c.line} ${c.command}`);
        assert.match(r.stdout, /"deny"/);
        assert.ok(r.result.decision.reasons.length > 0, `${c.file}:${c.line}`);
        if (c.expect === 'ask') {
          assert.match(r.result.decision.reasons.join(' '), /Needs a human's approval/, `${c.file}:${c.line}`);
        }
      }
    }
  });

  it('takes a snapshot before the lines that must have one, and none before those that must not', () => {
    const marked = corpus.filter((c) => c.snapshot !== undefined);
    assert.ok(marked.some((c) => c.snapshot) && marked.some((c) => !c.snapshot), 'the corpus says for some lines whether a snapshot is taken');
    const bad = marked
      .filter((c) => (results.get(c)!.result.snapshotId !== undefined) !== c.snapshot)
      .map((c) => `${c.file}:${c.line} expected ${c.snapshot ? 'a snapshot' : 'no snapshot'}: ${c.command} (${results.get(c)!.result.snapshotError ?? 'no error'})`);
    assert.deepEqual(bad, []);
  });

  it('audits every line under the folder the hook was installed for, with its snapshot', () => {
    for (const c of corpus) {
      const { audit, result } = results.get(c)!;
      assert.equal(audit.length, 1, `${c.file}:${c.line}`);
      assert.equal(audit[0].folder, (c.fixture ? places.fixture : places.plain).workspace);
      assert.equal(audit[0].wouldBe, c.expect);
      assert.equal(audit[0].snapshotId, result.snapshotId);
    }
  });
});
