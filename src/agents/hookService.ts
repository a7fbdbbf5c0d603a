/**
 * The decider's end of a thin hook client (the launcher's fast client, or `airlock hook` before it
 * loads anything else): one whole hook call, the payload's bytes in and the agent's answer out, run
 * through the same hook runner as `airlock hook` with the decider's own gate. The VS Code window and
 * the `airlock run` supervisor answer `hook` requests with it, so the hook process itself only reads
 * its stdin, makes one round trip and prints the answer.
 */
import { Readable } from 'node:stream';
import type { DecideHandler, HookAnswer, HookHandler } from '../bridge/server';
import type { HookRequest, StdinProblem } from '../bridge/protocol';
import { BridgeError, PROTOCOL_VERSION } from '../bridge/protocol';
import { findRegistrations } from '../bridge/registry';
import type { GateResult } from '../core/types';
import type { Gate } from '../gate/gate';
import type { HookProcess } from './adapter';
import { denyDecision, isAgentId } from './adapter';
import { ADAPTERS } from './adapters';
import type { HookCall, ReadResult } from './hookRunner';
import { hookLogLine, MAX_PAYLOAD_BYTES, runHook, STDIN_TIMEOUT_MS, stdinTimeoutReason, tooLargeReason } from './hookRunner';

export interface HookServiceOptions {
  /** The decider's gate for one call's actions (the window's, behind its `decide` requests). */
  readonly decide: DecideHandler;
  /**
   * This decider's own socket. A request that found it through the registrations is declined
   * ('not-mine') unless it is the window the hook would pick for the actions' cwd, so the fast path
   * picks the same window as the full one.
   */
  readonly socketPath: () => string;
  /** Where the registrations are (the runtime dir's environment); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The payload as the hook read it. A payload still arriving when the hook's watchdog ran out is a
 * stream that never ends, so that the hook runner's watchdog answers (at once), as it would have.
 */
function readResultOf(req: HookRequest): ReadResult | Readable {
  const problems: Record<Exclude<StdinProblem, 'watchdog'>, string> = { timeout: stdinTimeoutReason(STDIN_TIMEOUT_MS), 'too-large': tooLargeReason(MAX_PAYLOAD_BYTES) };
  if (req.stdinProblem === 'watchdog') {
    return new Readable({ read() {} });
  }
  if (req.stdinProblem) {
    return { ok: false, reason: problems[req.stdinProblem] };
  }
  // Hex of more than the hook's limit: the same deny as a payload too large to read.
  if (req.payloadHex.length > 2 * MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: problems['too-large'] };
  }
  return { ok: true, data: Buffer.from(req.payloadHex, 'hex') };
}

/** A `hook` request handler for a BridgeServer (`onHook`), deciding through `opts.decide`. */
export function hookHandler(opts: HookServiceOptions): HookHandler {
  return async (req, signal): Promise<HookAnswer> => {
    if (!isAgentId(req.agent)) {
      throw new BridgeError('bad-request', `unknown agent '${req.agent}'`);
    }
    const adapter = ADAPTERS[req.agent];
    if (adapter.answer) {
      // Its answer leaves a record in the hook's own environment (Cline's pass): the hook writes it.
      throw new BridgeError('answer-locally', `${adapter.displayName}'s answer is written by the hook process itself`);
    }
    const hook: HookProcess = { cwd: req.cwd, env: { ...req.env }, hasTty: req.tty === true };
    // A refusal to decide here (turned off, another window's folder) is the client's to act on, so it
    // is carried past the hook runner (which would make any failure a deny) and answered as its code.
    let declined: BridgeError | undefined;
    const placeholder: GateResult = { decision: denyDecision('declined'), decidedBy: 'error' };
    const gate: Gate = {
      decide: async (actions, ctx) => {
        if (req.via === 'registry' && findRegistrations(ctx.cwd, opts.env)[0]?.socket !== opts.socketPath()) {
          declined = new BridgeError('not-mine', 'another window (or none) guards the folder of this call');
          return placeholder;
        }
        try {
          return await opts.decide(
            { v: PROTOCOL_VERSION, type: 'decide', id: req.id, token: req.token, actions, deadlineMs: ctx.deadlineMs, ...(ctx.installedFor !== undefined ? { installedFor: ctx.installedFor } : {}), canAsk: ctx.canAsk },
            AbortSignal.any([signal, ctx.signal]),
          );
        } catch (err) {
          if (err instanceof BridgeError && err.code !== 'internal') {
            declined = err;
            return placeholder;
          }
          throw err;
        }
      },
    };
    let record: { r: GateResult; call: HookCall } | undefined;
    const input = readResultOf(req);
    const out = await runHook(adapter, input, async () => gate, {
      hook,
      ...(req.stdinProblem === 'watchdog' ? { startedAt: Date.now() - (req.watchdogMs ?? adapter.watchdogMs) } : {}),
      ...(req.installedFor !== undefined ? { installedFor: req.installedFor } : {}),
      ...(req.watchdogMs !== undefined ? { watchdogMs: req.watchdogMs } : {}),
      onDecision: (r, call) => (record = { r, call }),
    });
    if (declined) {
      throw declined;
    }
    return { ...out, ...(req.log && record ? { log: hookLogLine(record.r, record.call) } : {}) };
  };
}
