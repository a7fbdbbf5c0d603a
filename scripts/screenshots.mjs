// @ts-check
/**
 * `npm run screenshots`: refreshes the README's pictures in docs/images by running the end-to-end
 * UI tests with their screenshots pointed there. `npm test` saves the same screenshots under the
 * ignored test-results/screenshots, so a test run never changes the working tree.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { projectRoot } from './lib/demoWorkspace.mjs';

const r = spawnSync(process.execPath, [path.join(projectRoot, 'scripts', 'test.mjs'), 'e2e'], {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, AIRLOCK_SCREENSHOTS: path.join(projectRoot, 'docs', 'images') },
});
process.exit(r.status ?? 1);
