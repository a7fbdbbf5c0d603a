/**
 * One describe block per real agent: the agent provisioned once (a visible SKIPPED line when npm
 * cannot install it), a fresh sandbox for each test, kept on failure with AIRLOCK_KEEP_E2E=1.
 */
import { provisionAllOnce } from './provision';
import type { AgentName, ProvisionedAgent } from './provision';
import type { AgentContext } from './runs';
import { timings } from './runs';
import type { Sandbox } from './sandbox';
import { makeSandbox } from './sandbox';

export function describeRealAgent(name: AgentName, body: (ctx: () => AgentContext) => void): void {
  describe(`real ${name} CLI`, function () {
    this.timeout(180_000);
    let agent: ProvisionedAgent | undefined;
    let installError = '';
    let sb: Sandbox;

    before(async function () {
      this.timeout(15 * 60_000);
      try {
        agent = await provisionAllOnce(name);
        timings.push(`${name}: provisioned ${agent.pkg}@${agent.version} in ${agent.ms} ms${agent.installed ? ' (installed now)' : ' (cached)'}`);
      } catch (err) {
        installError = err instanceof Error ? err.message : String(err);
      }
    });

    beforeEach(function () {
      if (!agent) {
        const why = `SKIPPED: the ${name} CLI could not be installed from npm: ${installError.split('\n')[0]}`;
        process.stdout.write(`      ${why}\n`);
        if (this.currentTest) {
          this.currentTest.title += ` [${why}]`;
        }
        this.skip();
      }
      sb = makeSandbox(name);
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
