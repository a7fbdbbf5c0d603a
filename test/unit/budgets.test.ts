import * as assert from 'node:assert/strict';
import type { AuditEntry } from '../../src/audit/log';
import type { CommandAnalysis, Decision, ProposedAction, Verdict } from '../../src/core/types';
import { actionFootprint, SessionBudgets } from '../../src/gate/budgets';
import type { GateDeps } from '../../src/gate/gate';
import { decide } from '../../src/gate/gate';
import { SessionRules } from '../../src/gate/sessionRules';
import type { BudgetSettings } from '../../src/policy/policyFile';

const edit = (p: string, session = 's1', agent = 'claude'): ProposedAction => ({ kind: 'edit', paths: [p], cwd: '/w', agent, tool: 'Write', session });
const del = (p: string, session = 's1'): ProposedAction => ({ kind: 'delete', paths: [p], cwd: '/w', agent: 'claude', session });
const cmd = (c: string, session = 's1'): ProposedAction => ({ kind: 'command', paths: [], command: c, cwd: '/w', agent: 'claude', tool: 'Bash', session });
const rmAnalysis = (...paths: string[]): CommandAnalysis => ({
  commandLine: `rm ${paths.join(' ')}`,
  shell: 'bash',
  subcommands: [],
  effects: paths.map((p) => ({ path: p, op: 'delete' as const, via: 'rm' })),
  parseErrors: [],
});

describe('session budgets', () => {
  it('counts distinct files per session: editing the same file again does not use more budget', () => {
    const b = new SessionBudgets(() => 0);
    b.record(edit('a.ts'));
    b.record(edit('/w/a.ts'));
    b.record(edit('b.ts'));
    assert.equal(b.usage(edit('x')).filesChanged, 2);
    assert.deepEqual(b.check(edit('a.ts'), { filesChanged: 2 }), []);
    const over = b.check(edit('c.ts'), { filesChanged: 2 });
    assert.equal(over.length, 1);
    assert.equal(over[0].budget, 'filesChanged');
    assert.equal(over[0].used, 3);
    assert.match(over[0].reason, /3 files changed .* budget is 2 \(budgets\.filesChanged\)/);
  });

  it('keeps sessions apart: another session or another agent starts from zero', () => {
    const b = new SessionBudgets(() => 0);
    b.record(edit('a.ts', 's1'));
    assert.equal(b.check(edit('b.ts', 's1'), { filesChanged: 1 }).length, 1);
    assert.equal(b.check(edit('b.ts', 's2'), { filesChanged: 1 }).length, 0);
    assert.equal(b.check(edit('b.ts', 's1', 'gemini'), { filesChanged: 1 }).length, 0);
  });

  it('counts deletions from delete actions and from a command analysis, and commands run', () => {
    const b = new SessionBudgets(() => 0);
    b.record(del('old.ts'));
    b.record(cmd('rm x y'), rmAnalysis('/w/x', '/w/y'));
    assert.deepEqual(b.usage(cmd('')), { filesChanged: 0, filesDeleted: 3, commands: 1, startedAt: 0 });
    assert.deepEqual(actionFootprint(cmd('rm z'), rmAnalysis('/w/z')), { changed: [], deleted: ['/w/z'] });
    const over = b.check(cmd('rm z'), { filesDeleted: 3, commands: 1 }, rmAnalysis('/w/z'));
    assert.deepEqual(over.map((o) => o.budget).sort(), ['commands', 'filesDeleted']);
  });

  it('is over the minutes budget once the session is that old', () => {
    let now = 1_000_000;
    const b = new SessionBudgets(() => now);
    b.record(edit('a.ts'));
    now += 9 * 60_000;
    assert.deepEqual(b.check(edit('a.ts'), { minutes: 10 }), []);
    now += 60_000;
    const over = b.check(edit('a.ts'), { minutes: 10 });
    assert.equal(over[0]?.budget, 'minutes');
    assert.match(over[0].reason, /run for 10 minutes/);
  });

  it('ignores limits that are not numbers of zero or more, and a zero limit means nothing is free', () => {
    const b = new SessionBudgets(() => 0);
    assert.deepEqual(b.check(edit('a.ts'), { filesChanged: -1, commands: Number.NaN }), []);
    assert.equal(b.check(edit('a.ts'), { filesChanged: 0 }).length, 1);
    assert.deepEqual(b.check({ ...edit('a.ts'), kind: 'read' }, { filesChanged: 0 }), []);
  });
});

describe('session budgets in the gate', () => {
  const allow: Decision = { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] };
  function deps(limits: BudgetSettings, over: Partial<GateDeps> = {}) {
    const audits: AuditEntry[] = [];
    const asked: ProposedAction[] = [];
    const tracker = new SessionBudgets(() => 0);
    const g: GateDeps = {
      evaluate: () => allow,
      folder: () => '/w',
      audit: (e) => audits.push(e),
      approver: async (a) => {
        asked.push(a);
        return { kind: 'deny', by: 'human' };
      },
      budgets: { tracker, limits: () => limits },
      via: 'vscode',
      ...over,
    };
    return { g, audits, asked, tracker };
  }

  it('lets a session work within its budget, then asks for every further action with the budget named', async () => {
    const { g, asked, audits } = deps({ filesChanged: 2 });
    assert.equal((await decide([edit('a.ts')], g)).decision.verdict, 'allow');
    assert.equal((await decide([edit('b.ts')], g)).decision.verdict, 'allow');
    assert.equal((await decide([edit('a.ts')], g)).decision.verdict, 'allow', 'the same file again is within budget');
    const r = await decide([edit('c.ts')], g);
    assert.equal(asked.length, 1, 'the human was asked');
    assert.equal(r.decision.verdict, 'deny', 'and their denial stands');
    assert.match(r.decision.reasons.join(' '), /budgets\.filesChanged/);
    assert.ok(r.decision.rules.some((x) => x.rule === 'budgets.filesChanged'));
    assert.match(audits.at(-1)!.rules!.join(' '), /budgets\.filesChanged/);
    // Another session of the same agent is not affected.
    assert.equal((await decide([edit('c.ts', 's2')], g)).decision.verdict, 'allow');
  });

  it('does not count actions that were denied', async () => {
    const verdicts: Record<string, Verdict> = { 'x.ts': 'deny' };
    const { g, tracker } = deps({ filesChanged: 1 }, { evaluate: (a) => ({ ...allow, verdict: verdicts[a.paths[0]] ?? 'allow', wouldBe: verdicts[a.paths[0]] ?? 'allow' }) });
    await decide([edit('x.ts')], g);
    assert.equal(tracker.usage(edit('')).filesChanged, 0);
    assert.equal((await decide([edit('a.ts')], g)).decision.verdict, 'allow');
  });

  it('"allow for this session" does not outlast a budget', async () => {
    const rules = new SessionRules();
    const askDecision: Decision = { verdict: 'ask', wouldBe: 'ask', mode: 'enforce', reasons: ['asks'], rules: [] };
    rules.allow(cmd('make'));
    const { g, asked } = deps({ commands: 1 }, { sessionRules: rules, evaluate: () => askDecision });
    assert.equal((await decide([cmd('make')], g)).decidedBy, 'session-rule');
    await decide([cmd('make')], g);
    assert.equal(asked.length, 1, 'over the commands budget the session rule no longer answers');
  });

  it('in audit mode lets the action through but records what enforce mode would do', async () => {
    const audit: Decision = { ...allow, mode: 'audit' };
    const { g, asked } = deps({ filesChanged: 0 }, { evaluate: () => audit });
    const r = await decide([edit('a.ts')], g);
    assert.equal(r.decision.verdict, 'allow');
    assert.equal(r.decision.wouldBe, 'ask');
    assert.equal(asked.length, 0);
  });

  it('a denial by policy stays a denial', async () => {
    const { g } = deps({ filesChanged: 0 }, { evaluate: () => ({ ...allow, verdict: 'deny', wouldBe: 'deny' }) });
    assert.equal((await decide([edit('a.ts')], g)).decision.verdict, 'deny');
  });
});
