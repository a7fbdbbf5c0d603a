/**
 * Entry point of dist/cli.js (the `airlock` command). A hook call loads only the hook's thin client
 * (src/cli/hook.ts), which loads the full hook (dist/hook.js) only when no warm decider takes the
 * call; every other command is in dist/commands.js (src/cli/commands.ts).
 */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'hook') {
    const { runCli } = await import('./run.js');
    await import('./hook.js');
    return runCli(argv);
  }
  const commands = await import('./commands.js');
  return commands.main(argv);
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
