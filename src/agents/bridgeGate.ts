/**
 * The gate a hook uses first: the VS Code window that has the agent's folder open decides (and asks
 * the human there). When no window can be reached, the headless gate decides alone; when a window
 * was reached but failed, the answer is a deny. Never an allow by default.
 */
import { BridgeUnavailable, requestDecision } from '../bridge/client';
import type { GateResult, ProposedAction } from '../core/types';
import type { Gate, GateContext } from '../gate/gate';
import { denyDecision } from './adapter';

export class BridgeGate implements Gate {
  constructor(
    /** The headless gate; `unreachable` says where Airlock looked for a window, for the agent's message. */
    private readonly fallback: (unreachable?: string) => Promise<Gate>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async decide(actions: readonly ProposedAction[], ctx: GateContext): Promise<GateResult> {
    if (this.env.AIRLOCK_NO_BRIDGE === '1') {
      return (await this.fallback()).decide(actions, ctx);
    }
    try {
      // Leave the hook a moment to write its answer before its own watchdog fires.
      return await requestDecision(actions, {
        cwd: ctx.cwd,
        deadlineMs: Math.max(1000, ctx.deadlineMs - 1500),
        env: this.env,
        ...(ctx.installedFor !== undefined ? { installedFor: ctx.installedFor } : {}),
        canAsk: ctx.canAsk,
      });
    } catch (err) {
      if (err instanceof BridgeUnavailable && this.env.AIRLOCK_SANDBOX === '1') {
        // Inside `airlock run`'s sandbox nothing can snapshot or audit: only its supervisor decides.
        return { decision: denyDecision(`the supervisor of airlock run could not be reached (${err.message})`), decidedBy: 'error' };
      }
      if (err instanceof BridgeUnavailable) {
        return (await this.fallback(err.message)).decide(actions, ctx);
      }
      return { decision: denyDecision(`VS Code could not decide: ${err instanceof Error ? err.message : String(err)}`), decidedBy: 'error' };
    }
  }
}
