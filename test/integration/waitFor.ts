/** Shared by the integration tests: the extension's id and polling for a condition. */
export const EXTENSION_ID = 'agent-airlock.agent-airlock';

/** Polls `probe` until it returns something other than undefined or false; fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) {
      return v;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
