import * as assert from 'node:assert/strict';
import { ChangeAttribution } from '../../src/gate/changeAttribution';

describe('change attribution (who changed a protected file)', () => {
  it('explains a change within the window after a note, and not after it', () => {
    let now = 0;
    const a = new ChangeAttribution(5000, () => now, false);
    a.note('gate', ['/w/.env']);
    now = 4000;
    assert.equal(a.explain('/w/.env'), 'gate');
    assert.equal(a.explain('/w/.env.local'), undefined, 'another file is not explained');
    now = 6000;
    assert.equal(a.explain('/w/.env'), undefined);
  });

  it('a note on a folder explains what is inside it (an approved delete of a folder)', () => {
    const a = new ChangeAttribution(5000, () => 0, false);
    a.note('gate', ['/w/build/']);
    assert.equal(a.explain('/w/build/out/app.js'), 'gate');
    assert.equal(a.explain('/w/buildx/a'), undefined);
  });

  it('everything under a folder is Airlock\'s own while it writes there, and the written paths for a while after', async () => {
    let now = 0;
    const a = new ChangeAttribution(5000, () => now, false);
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

  it('folds case where the file system does', () => {
    const a = new ChangeAttribution(5000, () => 0, true);
    a.note('editor', ['/W/Secrets.json']);
    assert.equal(a.explain('/w/secrets.JSON'), 'editor');
  });
});
