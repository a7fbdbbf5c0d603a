import { runCli } from './run';

/**
 * Every command of dist/cli.js but the hook's thin path (its own bundle, dist/commands.js). Each
 * sub-command's module is loaded only when it runs: `check` must not pay for the snapshot code.
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

export async function main(argv: string[]): Promise<number> {
  const load = modules[argv[0] ?? ''];
  if (load) {
    await load();
  } else {
    // Help, version or an unknown command: load them all so help lists every command.
    await Promise.all([...new Set(Object.values(modules))].map((m) => m()));
  }
  return runCli(argv);
}
