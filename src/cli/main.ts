import './hook';
import './installHooks';
import './policyCommand';
import './snapshot';
import './check';
import './audit';
import { runCli } from './run';

// Entry point of dist/cli.js (the `airlock` command).
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`airlock: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
