import * as assert from 'node:assert/strict';
import type { GateResult, ProposedAction } from '../../src/core/types';
import { ChangeAttribution, gateNotes, tempFileOriginal } from '../../src/gate/changeAttribution';

const W = { gate: 5000, editor: 5000, airlock: 5000 };

describe('change attribution (who changed a protected file)', () => {
  it('explains a change within the window after a note, and not after it', () => {
    let now = 0;
    const a = new ChangeAttribution(W, () => now, false);
    a.note('gate', ['/w/.env']);
    now = 4000;
    assert.equal(a.explain('/w/.env'), 'gate');
    assert.equal(a.explain('/w/.env.local'), undefined, 'another file is not explained');
    now = 6000;
    assert.equal(a.explain('/w/.env'), undefined);
  });

  it('a note on a folder explains what is inside it (an approved delete of a folder)', () => {
    const a = new ChangeAttribution(W, () => 0, false);
    a.note('gate', ['/w/build/']);
    assert.equal(a.explain('/w/build/out/app.js'), 'gate');
    assert.equal(a.explain('/w/buildx/a'), undefined);
  });

  it('an exact note on a folder explains the folder, not what is inside it', () => {
    const a = new ChangeAttribution(W, () => 0, false);
    a.note('gate', ['/w'], 'exact');
    assert.equal(a.explain('/w'), 'gate');
    assert.equal(a.explain('/w/.env'), undefined);
    a.note('gate', ['/w/build'], 'tree');
    assert.equal(a.explain('/w/build/.env'), 'gate');
  });

  it('a folder-wide write the policy let through by itself (black .) explains no protected file in it; a delete or a person\'s approval does', () => {
    const black: ProposedAction = { kind: 'command', command: 'black .', paths: [], cwd: '/w', agent: 'claude', tool: 'Bash' };
    const decided = (by: GateResult['decidedBy'], effects: { path: string; op: 'write' | 'create' | 'delete' }[]): Pick<GateResult, 'decision' | 'decidedBy'> => ({
      decidedBy: by,
      decision: { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [], analysis: { commandLine: 'x', shell: 'bash', subcommands: [], parseErrors: [], effects: effects.map((e) => ({ ...e, via: 'x' })) } },
    });
    const note = (n: { tree: string[]; exact: string[] }) => {
      const a = new ChangeAttribution(W, () => 0, false);
      a.note('gate', n.tree);
      a.note('gate', n.exact, 'exact');
      return a;
    };
    assert.equal(note(gateNotes([black], decided('policy', [{ path: '/w', op: 'write' }]))).explain('/w/.env'), undefined, 'black . by the policy alone');
    assert.equal(note(gateNotes([black], decided('human', [{ path: '/w', op: 'write' }]))).explain('/w/.env'), 'gate', 'a person approved the folder-wide write');
    assert.equal(note(gateNotes([black], decided('policy', [{ path: '/w/build', op: 'delete' }]))).explain('/w/build/.env'), 'gate', 'the protected files inside a deleted folder were judged');
    const edit: ProposedAction = { kind: 'edit', paths: ['.env'], cwd: '/w', agent: 'claude', tool: 'Write' };
    assert.equal(note(gateNotes([edit], decided('policy', []))).explain('/w/.env'), 'gate', 'the file the action names');
    const read: ProposedAction = { kind: 'read', paths: ['/w'], cwd: '/w', agent: 'claude', tool: 'LS' };
    assert.deepEqual(gateNotes([read], decided('human', [])), { tree: [], exact: [] }, 'a read explains nothing');
    assert.deepEqual(gateNotes([edit], { ...decided('human', []), decision: { ...decided('human', []).decision, verdict: 'deny' } }), { tree: [], exact: [] }, 'nor a denial');
  });

  it('everything under a folder is Airlock\'s own while it writes there, and the written paths for a while after', async () => {
    let now = 0;
    const a = new ChangeAttribution(W, () => now, false);
    let inside: string | undefined;
    await a.during('/w', async () => {
      inside = a.explain('/w/.env');
      return ['.env'];
    }, (r) => r);
    assert.equal(inside, 'airlock');
    assert.equal(a.explain('/w/.env'), 'airlock');
    assert.equal(a.explain('/w/other'), undefined);
    assert.equal(a.explain('/x/.env'), undefined);
    now = 10_000;
    assert.equal(a.explain('/w/.env'), undefined);
  });

  it('each cause has its own window: Airlock\'s own writes explain a change only briefly', () => {
    let now = 0;
    const a = new ChangeAttribution({ gate: 10_000, editor: 3000, airlock: 2000 }, () => now, false);
    a.note('airlock', ['/w/.env']);
    a.note('gate', ['/w/src/a.ts']);
    now = 2500;
    assert.equal(a.explain('/w/.env'), undefined, 'a foreign write 2.5 s after Airlock restored the file is not hidden');
    assert.equal(a.explain('/w/src/a.ts'), 'gate');
  });

  it('folds case where the file system does', () => {
    const a = new ChangeAttribution(W, () => 0, true);
    a.note('editor', ['/W/Secrets.json']);
    assert.equal(a.explain('/w/secrets.JSON'), 'editor');
  });

  it('a temporary file is explained by what explains the file it stands in for (write to a temp file, rename over .env)', () => {
    const a = new ChangeAttribution(W, () => 0, false);
    a.note('gate', ['/w/.env']);
    assert.equal(a.explain('/w/.env.tmp.4242.9f1c0a'), 'gate', "Claude Code's temp-and-rename");
    assert.equal(a.explain('/w/.env.tmp'), 'gate');
    a.note('airlock', ['/w/.claude/settings.json']);
    assert.equal(a.explain('/w/.claude/settings.json.airlock-77.tmp'), 'airlock', "Airlock's own install");
    assert.equal(a.explain('/w/.env.production'), undefined, 'another file with a longer name is not a temp file');
    assert.equal(a.explain('/w/.envrc'), undefined);
    assert.equal(a.explain('/w/other/.env.tmp.1.2'), undefined, 'a temp file elsewhere is not');
  });

  it('knows temp file names, and no others', () => {
    assert.equal(tempFileOriginal('/w/.env.tmp.123.abc'), '/w/.env');
    assert.equal(tempFileOriginal('/w/a.json.airlock-9.tmp'), '/w/a.json');
    assert.equal(tempFileOriginal('/w/notes.txt~'), '/w/notes.txt');
    assert.equal(tempFileOriginal('/w/.notes.txt.swp'), '/w/notes.txt');
    assert.equal(tempFileOriginal('/w/.env'), undefined);
    assert.equal(tempFileOriginal('/w/.env.local'), undefined);
    assert.equal(tempFileOriginal('/w/id_rsa.pub'), undefined);
  });
});
