import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * `npm run test:electron`: the standard desktop runner for people who have VS Code installed.
 * Set VSCODE_EXECUTABLE to your `code` binary to use it; without it, @vscode/test-electron downloads
 * VS Code (which needs internet). Not part of `npm test`, which runs in code-server.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-electron-'));
  fs.writeFileSync(path.join(workspace, 'README.md'), '# scratch workspace\n');
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      version: process.env.VSCODE_EXECUTABLE ? undefined : '1.139.1',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`test:electron failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
