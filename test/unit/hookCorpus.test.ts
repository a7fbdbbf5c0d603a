import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { ADAPTERS } from '../../src/agents/adapters';
import { runHook } from '../../src/agents/hookRunner';
import { LocalGate } from '../../src/agents/localGate';
import type { AuditEntry } from '../../src/audit/log';
import type { GateResult } from '../../src/core/types';
import type { CorpusCase, HookCall } from './hookFixture';
import { corpusHookCalls, corpusProject } from './hookFixture';

/**
 * The command corpus through the hook path: each line as the recorded Claude Code `Bash` payload
 * (Copilot CLI's `powershell` payload for PowerShell lines) through the real runHook and the headless
 * gate (policy, snapshot, audit) on a real git repository, with the hook installed for it.
 */
describe('shell corpus through the headless hook (runHook + LocalGate on a real repository)', function () {
  this.timeout(10 * 60_000);
  let base: string;
  let project: string;
  const calls: HookCall[] = [];
  const corpus: CorpusCase[] = [];
  const results = new Map<CorpusCase, { result: GateResult; code: number; stdout: string; audit: AuditEntry[] }>();

  before(async () => {
    const p = corpusProject('airlock-hook-corpus-');
    ({ base, project } = p);
    calls.push(...corpusHookCalls(p.home));
    corpus.push(...calls.map((c) => c.corpus!));
    const audit: AuditEntry[] = [];
    const gate = new LocalGate({ home: p.home, audit: (e) => audit.push(e) });
    for (const c of calls) {
      let result: GateResult | undefined;
      const before = audit.length;
      const out = await runHook(ADAPTERS[c.agent], Readable.from([Buffer.from(c.payload)]), async () => gate, {
        installedFor: project,
        hook: { cwd: process.cwd(), env: {}, hasTty: false },
        onDecision: (r) => (result = r),
      });
      assert.ok(result, `no result for ${c.name}`);
      results.set(c.corpus!, { result, code: out.exitCode, stdout: out.stdout, audit: audit.slice(before) });
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
      assert.equal(audit[0].folder, project);
      assert.equal(audit[0].wouldBe, c.expect);
      assert.equal(audit[0].snapshotId, result.snapshotId);
    }
  });
});
