/**
 * The full hook, for when no warm decider took the call (VS Code closed, no supervisor, or every one
 * declined): the agent's adapter reads the payload, the gate decides (a window found by the actions'
 * folder over `decide` requests, else the headless gate alone) and the adapter renders the answer.
 * Built as its own bundle (dist/hook.js), loaded by `airlock hook` only when it needs it.
 */
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { AgentId, HookOutput } from '../agents/adapter';
import { denyDecision } from '../agents/adapter';
import { ADAPTERS } from '../agents/adapters';
import { BridgeGate } from '../agents/bridgeGate';
import type { ReadResult } from '../agents/hookRunner';
import { hookLogLine, runHook } from '../agents/hookRunner';
import type { Gate } from '../gate/gate';
import { prefetchShellParser } from '../gate/shellAnalyzer';
import type { HookEnvOptions } from './hook';

/**
 * The gate for this call: the VS Code window that has the folder open, else the policy alone; both
 * found, and audited, through `env` (the hook's environment).
 */
function createGate(env: NodeJS.ProcessEnv): () => Promise<Gate> {
  return async () =>
    new BridgeGate(async (unreachable) => {
      const { LocalGate } = await import('../agents/localGate.js');
      const { appendAudit } = await import('../audit/log.js');
      return new LocalGate({ ...(unreachable ? { unreachable } : {}), audit: (e) => void appendAudit(e, env) });
    }, env);
}

/**
 * Runs the hook on the payload. `failed`: a warm decider was reached but failed, so the call is
 * denied with that reason (in the agent's format, logged like any other).
 */
export async function runFullHook(
  agent: AgentId,
  input: Readable | ReadResult,
  o: HookEnvOptions & { readonly startedAt?: number },
  failed?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HookOutput> {
  const logFile = o.logFile;
  const gate = failed === undefined ? createGate(env) : async (): Promise<Gate> => ({ decide: async () => ({ decision: denyDecision(failed), decidedBy: 'error' }) });
  return runHook(ADAPTERS[agent], input, gate, {
    onParsed: (actions) => {
      const command = actions.find((a) => a.kind === 'command');
      if (command && failed === undefined) {
        prefetchShellParser(command.shell);
      }
    },
    ...(o.watchdogMs !== undefined ? { watchdogMs: o.watchdogMs } : {}),
    ...(o.installedFor !== undefined ? { installedFor: o.installedFor } : {}),
    ...(o.startedAt !== undefined ? { startedAt: o.startedAt } : {}),
    ...(logFile ? { onDecision: (r, call) => fs.appendFileSync(logFile, hookLogLine(r, call)) } : {}),
  });
}
