// @ts-check
/**
 * Runs a mocha suite inside the extension host of a real VS Code (code-server) the way
 * @vscode/test-electron does on the desktop: extensionDevelopmentPath + extensionTestsPath, driven
 * through headless Chromium. The only pass/fail signal is the workbench's codeAutomationExit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath, remoteUri, startVSCode } from './vscodeServer.mjs';

/** Workbench chatter that says nothing about the tests (offline gallery, auth, sockets). */
const NOISE =
  /ENOTFOUND|Model is disposed|authentication provider|AccountPolicyGate|Service Worker|Creating a socket|AgentHost|\[Extension Host\] (?!.*airlock)|update-check|marketplace/i;
const verbose = Boolean(process.env.AIRLOCK_TEST_VERBOSE);

/**
 * @typedef {object} RunOptions
 * @property {string} extensionDevelopmentPath absolute path of the extension folder
 * @property {string} extensionTestsPath absolute path of the compiled test index (exports run())
 * @property {string} workspace absolute path of the folder to open
 * @property {number} [timeoutMs] the whole run, start to exit (default 10 min, $AIRLOCK_TEST_TIMEOUT_MS)
 * @property {Record<string, string>} [env] environment for VS Code and the extension host
 * @property {(line: string) => void} [onLog] receives every log line (default: stdout)
 */

/**
 * @param {RunOptions} opts
 * @returns {Promise<{ code: number, vscodeVersion: string, reason: string, serverRoot: string }>}
 */
export async function runTestsInVSCode(opts) {
  const timeoutMs = opts.timeoutMs ?? Number(process.env.AIRLOCK_TEST_TIMEOUT_MS || 10 * 60_000);
  const print = opts.onLog ?? ((l) => process.stdout.write(`${l}\n`));
  const server = await startVSCode({ testDriver: true, env: opts.env, quiet: false });
  const chromeTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-chromium-'));
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  try {
    print(`Running ${path.basename(path.dirname(opts.extensionTestsPath))} tests in VS Code ${server.vscodeVersion} (code-server, port ${server.port})`);
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
      env: { ...process.env, TMPDIR: chromeTmp },
      headless: true,
    });
    const page = await browser.newPage();
    /** @type {(v: { code: number, reason: string }) => void} */
    let finish = () => {};
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ _type, /** @type {unknown[]} */ args) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      if (verbose || !NOISE.test(line)) {
        print(line);
      }
    });
    await page.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => {
      finish({ code: Number(code), reason: code === 0 ? 'tests passed' : `extension host exited with ${code}` });
    });
    page.on('crash', () => finish({ code: 1, reason: 'the browser page crashed' }));
    timer = setTimeout(() => finish({ code: 1, reason: `timed out after ${timeoutMs} ms` }), timeoutMs);
    const payload = /** @type {[string, string][]} */ ([
      ['extensionDevelopmentPath', remoteUri(server.port, opts.extensionDevelopmentPath)],
      ['extensionTestsPath', remoteUri(server.port, opts.extensionTestsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ]);
    await page.goto(server.url(opts.workspace, payload));
    const result = /** @type {{ code: number, reason: string }} */ (await done);
    return { ...result, vscodeVersion: server.vscodeVersion, serverRoot: server.root };
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => {});
    await server.stop();
    fs.rmSync(chromeTmp, { recursive: true, force: true });
  }
}
