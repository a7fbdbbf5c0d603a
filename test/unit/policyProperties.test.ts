import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CommandCategory, PathOp, Verdict } from '../../src/core/types';
import { VERDICT_RANK } from '../../src/core/types';
import { evaluate } from '../../src/policy/evaluate';
import type { PolicyFile } from '../../src/policy/policyFile';
import { ROOT, action, analysis, command, finding, policy, sub } from './policyHelpers';

const verdict = fc.constantFrom<Verdict>('allow', 'ask', 'deny');
const op = fc.constantFrom<PathOp>('read', 'write', 'create', 'delete');
const glob = fc.constantFrom('src/**', '*.ts', '.env*', 'docs/', '.airlock/**', '/tmp/**', '**/secret/**', 'package.json', '*', '.claude/**', 'src/a.ts');
const file = fc.constantFrom('src/a.ts', 'src/b.js', '.env', '.env.local', 'docs/x.md', '.airlock/policy.json', '/tmp/x', 'lib/secret/k', 'package.json', '.claude/settings.json', '/etc/hosts', 'src/../.env');
const word = fc.constantFrom('git push *', 'git *', 'npm test', 'rm *', '/--force/', '*');
const category = fc.constantFrom<CommandCategory>('git-history', 'publishing', 'file-destruction');

const pathRule = fc.oneof(verdict, fc.record({ read: fc.option(verdict, { nil: undefined }), write: fc.option(verdict, { nil: undefined }), create: fc.option(verdict, { nil: undefined }), delete: verdict }));
const policyFile: fc.Arbitrary<PolicyFile> = fc.record({
  paths: fc.dictionary(glob, pathRule, { maxKeys: 4 }),
  commands: fc.dictionary(word, verdict, { maxKeys: 3 }),
  categories: fc.dictionary(category, verdict, { maxKeys: 2 }),
  defaults: fc.record({ unknownCommand: verdict, outsideWorkspace: verdict }, { requiredKeys: [] }),
  agents: fc.record({ copilot: fc.record({ paths: fc.dictionary(glob, verdict, { maxKeys: 2 }) }) }, { requiredKeys: [] }),
}) as fc.Arbitrary<PolicyFile>;

const clean = (f: PolicyFile): PolicyFile => JSON.parse(JSON.stringify(f)) as PolicyFile;
const rank = (v: Verdict) => VERDICT_RANK[v];
const kindOf: Record<PathOp, 'read' | 'edit' | 'create' | 'delete'> = { read: 'read', write: 'edit', create: 'create', delete: 'delete' };

const subcommand = fc.record({
  text: fc.constantFrom('git push --force origin', 'npm test', 'rm -rf build', 'frobnicate'),
  severity: fc.option(fc.constantFrom<'catastrophic' | 'destructive' | 'caution'>('catastrophic', 'destructive', 'caution'), { nil: undefined }),
  category,
});

describe('policy properties (fast-check)', () => {
  it('a personal file never makes a path decision more permissive', () => {
    fc.assert(
      fc.property(policyFile, policyFile, file, op, fc.constantFrom('claude', 'copilot'), (team, personal, f, o, agent) => {
        const a = action(kindOf[o], [f], { agent });
        const base = evaluate(policy(clean(team)), a).wouldBe;
        const layered = evaluate(policy(clean(team), clean(personal)), a).wouldBe;
        assert.ok(rank(layered) >= rank(base), `${o} ${f}: ${base} -> ${layered}`);
      }),
      { numRuns: 300 },
    );
  });

  it('a personal file never makes a command decision more permissive', () => {
    fc.assert(
      fc.property(policyFile, policyFile, fc.array(subcommand, { minLength: 1, maxLength: 3 }), (team, personal, subs) => {
        const an = analysis(subs.map((s) => sub(s.text, { findings: s.severity ? [finding(s.category, s.severity)] : [], knowledge: s.text === 'frobnicate' ? 'unknown' : s.severity ? 'known' : 'harmless' })));
        const base = evaluate(policy(clean(team)), command(an), an).wouldBe;
        const layered = evaluate(policy(clean(team), clean(personal)), command(an), an).wouldBe;
        assert.ok(rank(layered) >= rank(base), `${an.commandLine}: ${base} -> ${layered}`);
      }),
      { numRuns: 300 },
    );
  });

  it('a broken file (degraded) is never more permissive than the built-in defaults nor than its last valid version', () => {
    fc.assert(
      fc.property(policyFile, file, op, (team, f, o) => {
        const a = action(kindOf[o], [f]);
        const builtin = evaluate(policy(), a).wouldBe;
        const valid = evaluate(policy(clean(team)), a).wouldBe;
        const degraded = evaluate(policy(clean(team), undefined, { degraded: true }), a).wouldBe;
        assert.ok(rank(degraded) >= rank(builtin) && rank(degraded) >= rank(valid), `${o} ${f}: built-in ${builtin}, valid ${valid}, degraded ${degraded}`);
      }),
      { numRuns: 300 },
    );
  });

  it("no policy allows a change to Airlock's own files or a catastrophic command without asking", () => {
    fc.assert(
      fc.property(policyFile, fc.constantFrom('.airlock/policy.json', '.claude/settings.json', '.vscode/settings.json'), fc.constantFrom<PathOp>('write', 'create', 'delete'), (team, f, o) => {
        assert.notEqual(evaluate(policy(clean(team)), action(kindOf[o], [`${ROOT}/${f}`])).wouldBe, 'allow');
        const an = analysis([sub('rm -rf /', { findings: [finding('file-destruction', 'catastrophic')] })]);
        assert.notEqual(evaluate(policy(clean(team)), command(an), an).wouldBe, 'allow');
      }),
      { numRuns: 200 },
    );
  });
});
