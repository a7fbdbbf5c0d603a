import { runCli } from './run';

/**
 * Entry point of dist/cli.js (the `airlock` command). Each sub-command's module is loaded only when
 * it runs: a hook call must not pay for the shell parser or the snapshot code it does not use.
 */
const modules: Record<string, () => Promise<unknown>> = {
  hook: () => import('./hook.js'),
  'install-hooks': () => import('./installHooks.js'),
  'uninstall-hooks': () => import('./installHooks.js'),
  agents: () => import('./installHooks.js'),
  policy: () => import('./policyCommand.js'),
  snapshot: () => import('./snapshot.js'),
  snapshots: () => import('./snapshot.js'),
  rollback: () => import('./snapshot.js'),
  diff: () => import('./snapshot.js'),
  check: () => import('./check.js'),
  run: () => import('./runAgent.js'),
  audit: () => import('./audit.js'),
};

async function main(argv: string[]): Promise<number> {
  const load = modules[argv[0] ?? ''];
  if (load) {
    await load();
  } else {
    // Help, version or an unknown command: load them all so help lists every command.
    await Promise.all([...new Set(Object.values(modules))].map((m) => m()));
  }
  return runCli(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`airlock: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
