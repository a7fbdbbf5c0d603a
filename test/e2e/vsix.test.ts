import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demoLib, projectRoot, serverLib } from './harness';
import { openBrowser, screenshot, waitForAirlock } from './ui';

/** The packaged extension, as a user installs it: `npm run package`, then install the .vsix. */
describe('the packaged .vsix', function () {
  this.timeout(300_000);
  let tmp: string;
  let vsix: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-vsix-'));
    vsix = path.join(tmp, 'agent-airlock.vsix');
    execFileSync(process.execPath, [path.join(projectRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('holds the bundles, schema, media and wasm, and no sources, tests, maps or configs', () => {
    const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const must of ['extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/hook.js', 'extension/dist/shell.js', 'extension/dist/commands.js', 'extension/dist/snapshot.js', 'extension/schemas/policy.schema.json', 'extension/media/airlock.svg', 'extension/package.json', 'extension/readme.md']) {
      assert.ok(listing.map((f) => f.toLowerCase()).includes(must.toLowerCase()), `${must} in ${listing.join(', ')}`);
    }
    for (const f of listing) {
      assert.doesNotMatch(f, /^extension\/(src|test|out|scripts|node_modules|demo|docs)\/|\.map$|\.ts$|tsconfig|eslint/, f);
    }
    const kb = fs.statSync(vsix).size / 1024;
    console.log(`      .vsix size: ${kb.toFixed(0)} KiB, ${listing.length} files`);
  });

  it('installs into VS Code and activates there', async () => {
    const lib = await serverLib();
    const server = await lib.startVSCode({ installVsix: [vsix], quiet: true });
    const ui = await openBrowser();
    try {
      const workspace = (await demoLib()).createDemoWorkspace(path.join(tmp, 'demo'));
      const ext = fs.readdirSync(path.join(server.root, 'extensions'));
      assert.ok(ext.some((d) => d.startsWith('agent-airlock.agent-airlock-')), `installed: ${ext.join(', ')}`);
      await ui.page.goto(server.url(workspace));
      await waitForAirlock(ui.page);
      await screenshot(ui.page, 'installed-vsix.png');
    } finally {
      await ui.close();
      await server.stop();
    }
  });
});
