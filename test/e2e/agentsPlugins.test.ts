/**
 * End-to-end tests with the real Cline CLI and OpenCode from npm, the agents Airlock guards through
 * plugins, each run headless in a fresh git repository with its own HOME against a scripted
 * OpenAI-compatible model server on 127.0.0.1, offline.
 *
 * For each: what its interception does (stand-in hook files and plugins: the facts behind Airlock's
 * choice), the scenarios every real agent passes with Airlock installed by `airlock install-hooks`
 * (test/e2e/agents/guarded.ts), how Airlock fails closed, and which tool calls reach it.
 */
import { describeClineCoverage, describeClineFailClosed, describeClineProtocol } from './agents/clineCases';
import { describeGuarded } from './agents/guarded';
import { describeOpencodeCoverage, describeOpencodeFailClosed, describeOpencodeProtocol } from './agents/opencodeCases';
import { clineDriver, opencodeDriver } from './agents/pluginDrivers';
import { describeRealAgent } from './agents/realAgent';

if (process.platform !== 'win32') {
  describeRealAgent('cline', (ctx) => {
    describeClineProtocol(ctx);
    describeGuarded(clineDriver, ctx, [clineDriver.pluginFile]);
    describeClineFailClosed(ctx);
    describeClineCoverage(ctx);
  });
  describeRealAgent('opencode', (ctx) => {
    describeOpencodeProtocol(ctx);
    describeGuarded(opencodeDriver, ctx);
    describeOpencodeFailClosed(ctx);
    describeOpencodeCoverage(ctx);
  });
}
