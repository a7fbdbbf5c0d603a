import * as assert from 'node:assert/strict';
import { ChangeAttribution, tempFileOriginal } from '../../src/gate/changeAttribution';

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
