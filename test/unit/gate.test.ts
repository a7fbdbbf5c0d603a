import * as assert from 'node:assert/strict';
import type { AuditEntry } from '../../src/audit/log';
import type { Decision, ProposedAction, Verdict } from '../../src/core/types';
import { ApprovalQueue } from '../../src/gate/approvalQueue';
import type { GateDeps } from '../../src/gate/gate';
import { decide, isMutating } from '../../src/gate/gate';
import { SessionRules } from '../../src/gate/sessionRules';

const d = (verdict: Verdict, reason = `policy says ${verdict}`): Decision => ({ verdict, wouldBe: verdict, mode: 'enforce', reasons: [reason], rules: [] });
const edit = (p: string, session = 's1'): ProposedAction => ({ kind: 'edit', paths: [`/w/${p}`], cwd: '/w', agent: 'claude', tool: 'Write', session });
const cmd = (c: string): ProposedAction => ({ kind: 'command', paths: [], command: c, cwd: '/w', agent: 'claude', tool: 'Bash', session: 's1' });

function deps(verdicts: Record<string, Verdict>, over: Partial<GateDeps> = {}) {
  const audits: AuditEntry[] = [];
  const snaps: string[] = [];
  const g: GateDeps = {
    evaluate: (a) => d(verdicts[a.command ?? a.paths[0]] ?? 'allow'),
    folder: () => '/w',
    snapshot: async (_f, label) => {
      snaps.push(label);
      return `snap${snaps.length}`;
    },
    audit: (e) => audits.push(e),
    via: 'vscode',
    ...over,
  };
  return { g, audits, snaps };
}

describe('gate (policy -> human -> snapshot -> audit)', () => {
  it('allows quietly, snapshots before the change, and audits it', async () => {
    const { g, audits, snaps } = deps({});
    const r = await decide([edit('src/a.ts')], g);
    assert.equal(r.decision.verdict, 'allow');
    assert.equal(r.snapshotId, 'snap1');
    assert.equal(snaps.length, 1);
    assert.match(snaps[0], /before claude \(Write\): edit \/w\/src\/a.ts/);
    assert.equal(audits.length, 1);
    assert.equal(audits[0].snapshotId, 'snap1');
    assert.equal(audits[0].decidedBy, 'policy');
  });

  it('takes no snapshot for a read or a denied action', async () => {
    const { g, snaps } = deps({ '/w/.env': 'deny' });
    assert.equal((await decide([{ ...edit('x'), kind: 'read' }], g)).snapshotId, undefined);
    assert.equal((await decide([edit('.env')], g)).decision.verdict, 'deny');
    assert.equal(snaps.length, 0);
  });

  it('turns ask into deny with instructions when no human can be reached', async () => {
    const { g, audits } = deps({ '/w/.env': 'ask' }, { howToApprove: 'Open VS Code.' });
    const r = await decide([edit('.env')], g);
    assert.equal(r.decision.verdict, 'deny');
    assert.match(r.decision.reasons.join(' '), /Needs a human's approval.*Open VS Code\./);
    assert.equal(audits[0].verdict, 'deny');
  });

  it('asks the human, and their approval allows with a snapshot', async () => {
    const asked: ProposedAction[] = [];
    const { g, audits } = deps({ '/w/.env': 'ask' }, { approver: async (a) => (asked.push(a), { kind: 'approve', by: 'human' }) });
    const r = await decide([edit('.env')], g);
    assert.equal(asked.length, 1);
    assert.equal(r.decision.verdict, 'allow');
    assert.equal(r.decidedBy, 'human');
    assert.ok(r.snapshotId);
    assert.equal(audits[0].decidedBy, 'human');
  });

  it('passes the reason a human typed with a denial back to the agent', async () => {
    const { g, audits } = deps({ 'rm -rf build': 'ask' }, { approver: async () => ({ kind: 'deny', by: 'human', message: 'use npm run clean' }) });
    const r = await decide([cmd('rm -rf build')], g);
    assert.equal(r.decision.verdict, 'deny');
    assert.equal(r.message, 'use npm run clean');
    assert.match(r.decision.reasons.join(' '), /The developer denied it: use npm run clean/);
    assert.equal(audits[0].message, 'use npm run clean');
  });

  it('says a timeout denied it', async () => {
    const { g } = deps({ 'git push --force': 'ask' }, { approver: async () => ({ kind: 'deny', by: 'timeout' }) });
    const r = await decide([cmd('git push --force')], g);
    assert.equal(r.decision.verdict, 'deny');
    assert.equal(r.decidedBy, 'timeout');
    assert.match(r.decision.reasons.join(' '), /Nobody approved it in time/);
  });

  it('remembers "allow for this session" for the same agent session and command only', async () => {
    const rules = new SessionRules();
    let asks = 0;
    const { g } = deps({ 'npm publish': 'ask', 'npm publish --tag next': 'ask' }, { sessionRules: rules, approver: async () => (asks++, { kind: 'approve-session', by: 'human' }) });
    await decide([cmd('npm publish')], g);
    const again = await decide([cmd('npm publish')], g);
    assert.equal(asks, 1);
    assert.equal(again.decidedBy, 'session-rule');
    await decide([cmd('npm publish --tag next')], g);
    assert.equal(asks, 2, 'another command is asked again');
    await decide([{ ...cmd('npm publish'), session: 's2' }], g);
    assert.equal(asks, 3, 'another session is asked again');
  });

  it('never lets a session rule loosen a policy deny', async () => {
    const rules = new SessionRules();
    rules.allow(cmd('rm -rf ~'));
    const { g } = deps({ 'rm -rf ~': 'deny' }, { sessionRules: rules });
    assert.equal((await decide([cmd('rm -rf ~')], g)).decision.verdict, 'deny');
  });

  it('combines several actions: the strictest wins and a deny stops the rest from being asked', async () => {
    let asks = 0;
    const { g } = deps({ '/w/.env': 'deny', '/w/b': 'ask' }, { approver: async () => (asks++, { kind: 'approve', by: 'human' }) });
    const r = await decide([edit('a'), edit('.env'), edit('b')], g);
    assert.equal(r.decision.verdict, 'deny');
    assert.equal(asks, 0);
  });

  it('denies, and audits an error, when evaluation throws', async () => {
    const { g, audits } = deps({}, { evaluate: () => { throw new Error('boom'); } });
    const r = await decide([edit('a')], g);
    assert.equal(r.decision.verdict, 'deny');
    assert.equal(r.decidedBy, 'error');
    assert.match(r.decision.reasons[0], /boom/);
    assert.equal(audits[0].decidedBy, 'error');
  });

  it('still decides when the snapshot fails, and reports the failure', async () => {
    const { g } = deps({}, { snapshot: async () => { throw new Error('disk full'); } });
    const r = await decide([edit('a')], g);
    assert.equal(r.decision.verdict, 'allow');
    assert.equal(r.snapshotError, 'disk full');
  });

  it('treats commands as changes unless every sub-command is harmless', () => {
    const analysis = (knowledge: 'harmless' | 'unknown') => ({ commandLine: 'x', shell: 'bash' as const, subcommands: [{ text: 'x', argv: ['x'], program: 'x', cwd: '/w', findings: [], knowledge }], effects: [], parseErrors: [] });
    assert.equal(isMutating(cmd('ls'), { ...d('allow'), analysis: analysis('harmless') }), false);
    assert.equal(isMutating(cmd('foo'), { ...d('allow'), analysis: analysis('unknown') }), true);
    assert.equal(isMutating(cmd('foo')), true);
  });
});

describe('approval queue', () => {
  it('keeps requests in order, resolves on answer, and withdraws on abort', async () => {
    const q = new ApprovalQueue();
    let changes = 0;
    q.onDidChange(() => changes++);
    const a = q.add(edit('a'), d('ask'), 10_000);
    const ctl = new AbortController();
    const b = q.add(edit('b'), d('ask'), 10_000, ctl.signal);
    assert.deepEqual(q.list().map((r) => r.id), [a.request.id, b.request.id]);
    assert.equal(q.answer(a.request.id, { kind: 'approve' }), true);
    assert.deepEqual(await a.answer, { kind: 'approve', by: 'human' });
    assert.equal(q.answer(a.request.id, { kind: 'deny' }), false, 'answered once only');
    ctl.abort();
    assert.equal((await b.answer).by, 'withdrawn');
    assert.equal(q.size, 0);
    assert.equal(changes, 4);
  });

  it('denies on timeout', async () => {
    const q = new ApprovalQueue();
    const a = q.add(edit('a'), d('ask'), 30);
    assert.deepEqual(await a.answer, { kind: 'deny', by: 'timeout' });
  });

  it('denies everything pending when disposed', async () => {
    const q = new ApprovalQueue();
    const a = q.add(edit('a'), d('ask'), 10_000);
    q.dispose();
    const ans = await a.answer;
    assert.equal(ans.kind, 'deny');
    assert.equal(ans.by, 'withdrawn');
  });
});
