import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { projectRoot, serverLib } from './harness';

/**
 * Where UI tests save their screenshots: an ignored folder, so a test run leaves the working tree as
 * it found it. `npm run screenshots` points this at docs/images to refresh the README's pictures.
 */
export const screenshotDir = process.env.AIRLOCK_SCREENSHOTS ? path.resolve(process.env.AIRLOCK_SCREENSHOTS) : path.join(projectRoot, 'test-results', 'screenshots');

/** Headless Debian Chromium with its own TMPDIR; close() removes everything it made. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page; close(): Promise<void> }> {
  const lib = await serverLib();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-chromium-'));
  const browser = await chromium.launch({
    executablePath: lib.chromiumPath(),
    args: lib.CHROMIUM_ARGS,
    env: { ...process.env, TMPDIR: tmp } as Record<string, string>,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  return {
    browser,
    page,
    close: async () => {
      await browser.close().catch(() => undefined);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Waits until the workbench has loaded and Airlock's status bar item shows (the extension is active). */
export async function waitForAirlock(page: Page, timeout = 90_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout });
  await page.locator('.statusbar-item', { hasText: 'Airlock' }).first().waitFor({ timeout });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, name);
  await page.screenshot({ path: file });
  return file;
}
