// @ts-check
/**
 * `npm start`: serves a real VS Code (code-server) on 127.0.0.1 with Airlock loaded from this working
 * copy, on a demo workspace (a small git repository with source, a .env and a team policy).
 * Options: --port N (default 3120 or $AIRLOCK_PORT), --workspace DIR (default .demo/workspace),
 * --state DIR (default .demo/vscode). Ctrl-C stops everything it started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createDemoWorkspace, projectRoot } from './lib/demoWorkspace.mjs';
import { freePort, startVSCode } from './lib/vscodeServer.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    workspace: { type: 'string' },
    state: { type: 'string' },
  },
});

const workspace = path.resolve(values.workspace ?? path.join(projectRoot, '.demo', 'workspace'));
const state = path.resolve(values.state ?? path.join(projectRoot, '.demo', 'vscode'));
if (!fs.existsSync(path.join(workspace, '.git'))) {
  fs.rmSync(workspace, { recursive: true, force: true });
  createDemoWorkspace(workspace);
  process.stderr.write(`created the demo workspace in ${workspace}\n`);
}
if (!fs.existsSync(path.join(projectRoot, 'dist', 'extension.js'))) {
  process.stderr.write('dist/extension.js is missing: run `npm run build` (npm start does it for you)\n');
  process.exit(2);
}

let port = Number(values.port ?? process.env.AIRLOCK_PORT ?? 3120);
if (port === 0) {
  port = await freePort();
} else if (!values.port && !process.env.AIRLOCK_PORT) {
  // Take the default port when it is free, any free port otherwise.
  port = await new Promise((resolve) => {
    import('node:net').then((net) => {
      const s = net.createServer();
      s.once('error', () => freePort().then(resolve));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(port)));
    });
  });
}

const server = await startVSCode({ root: state, port, linkExtension: projectRoot, quiet: false });
const url = server.url(workspace);
process.stdout.write(
  `\nAgent Airlock is running in VS Code ${server.vscodeVersion} (code-server).\n\n  Open ${url}\n\n` +
    `Demo workspace: ${workspace}\nServer log: ${path.join(state, 'server.log')}\nPress Ctrl-C to stop.\n`,
);

let stopping = false;
async function shutdown() {
  if (stopping) {
    return;
  }
  stopping = true;
  process.stdout.write('\nstopping VS Code...\n');
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);
