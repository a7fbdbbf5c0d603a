/**
 * `airlock hook <agent>`: answers an agent's pre-tool hook. When a warm decider can be reached (the
 * VS Code window that has the folder open, or the `airlock run` supervisor), this is a thin client:
 * it reads the payload, sends its bytes in one `hook` request and prints the answer, loading nothing
 * else. Otherwise, or when every decider declines, the full hook (src/cli/hookFull.ts, its own
 * bundle) decides with the same payload. Never an allow by default: a decider that was reached but
 * failed or went silent is a deny.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { AgentId } from '../agents/adapter';
import { AGENT_IDS, ANSWERED_BY_HOOK, ASK_ENV_VARS, currentHookProcess, HOOK_WATCHDOG_MS, isAgentId } from '../agents/adapter';
import type { ReadResult } from '../agents/hookRunner';
import { MAX_PAYLOAD_BYTES, readBounded, STDIN_TIMEOUT_MS } from '../agents/hookRunner';
import type { HookCallRequest } from '../bridge/client';
import { BridgeUnavailable, endpointsFor, requestHook } from '../bridge/client';
import type { HookResponse } from '../bridge/protocol';
import { ExitCode, registerCommand } from './run';
import type { CliIo } from './run';

// A hook must never crash silently: most agents run the tool when their hook exits with anything but 2.
if (process.argv[2] === 'hook') {
  const die = (err: unknown) => {
    process.stderr.write(`Agent Airlock denied this action: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

/** How much longer than the decider's own watchdog a thin client waits before it denies. */
export const THIN_CLIENT_MARGIN_MS = 2000;

export interface HookEnvOptions {
  readonly watchdogMs?: number;
  readonly installedFor?: string;
  readonly logFile?: string;
}

/** What `airlock hook` takes from its environment (AIRLOCK_HOOK_WATCHDOG_MS, AIRLOCK_WORKSPACE, AIRLOCK_HOOK_LOG). */
export function hookEnvOptions(env: NodeJS.ProcessEnv): HookEnvOptions {
  const watchdog = Number(env.AIRLOCK_HOOK_WATCHDOG_MS);
  // The committed launcher passes the folder it was installed in (older launchers do not); the
  // policy-folder rule (src/policy/folder.ts) never takes the home folder or the root from it.
  const w = env.AIRLOCK_WORKSPACE;
  return {
    ...(Number.isFinite(watchdog) && watchdog > 0 ? { watchdogMs: watchdog } : {}),
    ...(w && path.isAbsolute(w) ? { installedFor: path.resolve(w) } : {}),
    ...(env.AIRLOCK_HOOK_LOG ? { logFile: env.AIRLOCK_HOOK_LOG } : {}),
  };
}

type ThinResult = { readonly answered: HookResponse } | { readonly failed: string } | undefined;

/** Tries the warm deciders; undefined when none took the call, else their answer (or a failure to deny). */
async function thinCall(agent: AgentId, payload: Buffer, o: HookEnvOptions, env: NodeJS.ProcessEnv, endpoints: ReturnType<typeof endpointsFor>): Promise<ThinResult> {
  const me = currentHookProcess();
  const forwarded: Record<string, string> = {};
  for (const k of ASK_ENV_VARS) {
    if (env[k] !== undefined) {
      forwarded[k] = env[k];
    }
  }
  const call: HookCallRequest = {
    agent,
    payloadHex: payload.toString('hex'),
    cwd: me.cwd,
    env: forwarded,
    tty: me.hasTty,
    log: o.logFile !== undefined,
    ...(o.installedFor !== undefined ? { installedFor: o.installedFor } : {}),
    ...(o.watchdogMs !== undefined ? { watchdogMs: o.watchdogMs } : {}),
  };
  try {
    const res = await requestHook(endpoints, call, { totalMs: (o.watchdogMs ?? HOOK_WATCHDOG_MS[agent]) + THIN_CLIENT_MARGIN_MS });
    return { answered: res };
  } catch (err) {
    if (err instanceof BridgeUnavailable) {
      return undefined;
    }
    return { failed: `VS Code could not decide: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** One hook call: the thin path when a warm decider is there, else the full hook. */
export async function hookMain(agent: AgentId, stdin: Readable, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const startedAt = Date.now();
  const o = hookEnvOptions(env);
  let input: Readable | ReadResult = stdin;
  let failed: string | undefined;
  const thin = env.AIRLOCK_NO_BRIDGE !== '1' && env.AIRLOCK_NO_FAST !== '1' && !ANSWERED_BY_HOOK.includes(agent);
  const endpoints = thin ? endpointsFor(process.cwd(), env) : [];
  if (endpoints.length > 0) {
    // Never past the watchdog: a payload still arriving then gets the watchdog's deny, as on the full path.
    const watchdogMs = o.watchdogMs ?? HOOK_WATCHDOG_MS[agent];
    const read = await readBounded(stdin, MAX_PAYLOAD_BYTES, Math.min(STDIN_TIMEOUT_MS, watchdogMs));
    input = !read.ok && watchdogMs < STDIN_TIMEOUT_MS && Date.now() - startedAt >= watchdogMs ? new PassThrough() : read;
    // A payload that could not be read whole is denied by the full hook, in the agent's format.
    const r = read.ok ? await thinCall(agent, read.data, o, env, endpoints) : undefined;
    if (r !== undefined && 'answered' in r) {
      const res = r.answered;
      if (o.logFile && res.logHex) {
        fs.appendFileSync(o.logFile, Buffer.from(res.logHex, 'hex'));
      }
      io.stdout(Buffer.from(res.stdoutHex, 'hex').toString('utf8'));
      io.stderr(Buffer.from(res.stderrHex, 'hex').toString('utf8'));
      return res.exitCode;
    }
    failed = r !== undefined && 'failed' in r ? r.failed : undefined;
  }
  const full = await import('./hookFull.js');
  const out = await full.runFullHook(agent, input, { ...o, startedAt }, failed, env);
  if (out.stdout) {
    io.stdout(out.stdout);
  }
  if (out.stderr) {
    io.stderr(out.stderr);
  }
  return out.exitCode;
}

registerCommand({
  name: 'hook',
  summary: "answer an agent's pre-tool hook (payload on stdin) in its format",
  usage: `airlock hook <${AGENT_IDS.join('|')}>`,
  async run(args, io) {
    const agent = args[0];
    if (agent === undefined || !isAgentId(agent) || args.length > 1) {
      io.stderr(`airlock hook: expected one agent: ${AGENT_IDS.join(', ')}${agent !== undefined ? ` (got '${args.join(' ')}')` : ''}\n`);
      // Exit 2 also blocks the tool for every agent that runs this by mistake.
      return ExitCode.usage;
    }
    const code = await hookMain(agent, process.stdin, io);
    // Whatever is still pending (a hung gate after the watchdog, an unread stdin) must not keep the
    // agent waiting: leave once the answer is written.
    setTimeout(() => process.exit(code), 200).unref();
    return code;
  },
});
