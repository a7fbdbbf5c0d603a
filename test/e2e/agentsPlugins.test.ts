/**
 * End-to-end tests with the real Cline CLI and OpenCode from npm, the agents Airlock guards through
 * plugins, each run headless in a fresh git repository with its own HOME against a scripted
 * OpenAI-compatible model server on 127.0.0.1, offline.
 *
 * For each: what its interception does (stand-in hook files and plugins: the facts behind Airlock's
 * choice), the scenarios every real agent passes with Airlock installed by `airlock install-hooks`
 * (test/e2e/agents/guarded.ts), how Airlock fails closed, and which tool calls reach it.
 */
import type { AgentDriver } from './agents/drivers';
import { describeGuarded } from './agents/guarded';
import { clineDriver, opencodeDriver } from './agents/pluginDrivers';
import type { ProvisionedAgent } from './agents/provision';
import { provisionAllOnce } from './agents/provision';
import type { AgentContext } from './agents/runs';
import { timings } from './agents/runs';
import type { Sandbox } from './agents/sandbox';
import { makeSandbox } from './agents/sandbox';
import { describeClineProtocol, describeClineFailClosed, describeClineCoverage } from './agents/clineCases';
import { describeOpencodeProtocol, describeOpencodeFailClosed, describeOpencodeCoverage } from './agents/opencodeCases';

function describeAgent(driver: AgentDriver<'cline' | 'opencode'>, body: (ctx: () => AgentContext) => void): void {
  describe(`real ${driver.agent} CLI`, function () {
    this.timeout(180_000);
    let agent: ProvisionedAgent | undefined;
    let installError = '';
    let sb: Sandbox;

    before(async function () {
      this.timeout(15 * 60_000);
      try {
        agent = await provisionAllOnce(driver.agent);
        timings.push(`${driver.agent}: provisioned ${agent.pkg}@${agent.version} in ${agent.ms} ms${agent.installed ? ' (installed now)' : ' (cached)'}`);
      } catch (err) {
        installError = err instanceof Error ? err.message : String(err);
      }
    });

    beforeEach(function () {
      if (!agent) {
        const why = `SKIPPED: the ${driver.agent} CLI could not be installed from npm: ${installError.split('\n')[0]}`;
        process.stdout.write(`      ${why}\n`);
        if (this.currentTest) {
          this.currentTest.title += ` [${why}]`;
        }
        this.skip();
      }
      sb = makeSandbox(driver.agent);
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && process.env.AIRLOCK_KEEP_E2E === '1') {
        process.stdout.write(`      kept ${sb.root}\n`);
        return;
      }
      sb?.cleanup();
    });

    body(() => ({ agent: agent!, sb }));
  });
}

if (process.platform !== 'win32') {
  describeAgent(clineDriver, (ctx) => {
    describeClineProtocol(ctx);
    describeGuarded(clineDriver, ctx, [clineDriver.pluginFile]);
    describeClineFailClosed(ctx);
    describeClineCoverage(ctx);
  });
  describeAgent(opencodeDriver, (ctx) => {
    describeOpencodeProtocol(ctx);
    describeGuarded(opencodeDriver, ctx);
    describeOpencodeFailClosed(ctx);
    describeOpencodeCoverage(ctx);
  });
}
