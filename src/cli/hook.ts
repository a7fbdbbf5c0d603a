import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_IDS, isAgentId } from '../agents/adapter';
import { ADAPTERS } from '../agents/adapters';
import type { HookCall } from '../agents/hookRunner';
import { runHook } from '../agents/hookRunner';
import type { GateResult } from '../core/types';
import type { Gate } from '../gate/gate';
import { ExitCode, registerCommand } from './run';

// A hook must never crash silently: most agents run the tool when their hook exits with anything but 2.
if (process.argv[2] === 'hook') {
  const die = (err: unknown) => {
    process.stderr.write(`Agent Airlock denied this action: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

/** The gate for this call: the VS Code window that has the folder open, else the policy alone. */
async function createGate(): Promise<Gate> {
  const { BridgeGate } = await import('../agents/bridgeGate.js');
  return new BridgeGate(async (unreachable) => {
    const { LocalGate } = await import('../agents/localGate.js');
    return new LocalGate(unreachable ? { unreachable } : {});
  });
}

/** `AIRLOCK_HOOK_LOG=<file>`: one JSON line per hook call (for debugging and end-to-end tests). */
function logTo(file: string | undefined): ((r: GateResult, call: HookCall) => void) | undefined {
  if (!file) {
    return undefined;
  }
  return (r, call) => {
    const line = {
      time: new Date().toISOString(),
      agent: call.agent,
      ms: call.ms,
      verdict: r.decision.verdict,
      wouldBe: r.decision.wouldBe,
      decidedBy: r.decidedBy,
      reasons: r.decision.reasons,
      snapshotId: r.snapshotId,
      snapshotError: r.snapshotError,
      actions: call.actions.map((a) => ({ kind: a.kind, tool: a.tool, paths: a.paths, command: a.command, unknownTool: a.unknownTool, hasContent: a.content !== undefined })),
    };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
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
    const watchdog = Number(process.env.AIRLOCK_HOOK_WATCHDOG_MS);
    // The committed launcher passes the folder it was installed in (older launchers do not); the
    // policy-folder rule (src/policy/folder.ts) never takes the home folder or the root from it.
    const w = process.env.AIRLOCK_WORKSPACE;
    const installedFor = w && path.isAbsolute(w) ? path.resolve(w) : undefined;
    const out = await runHook(ADAPTERS[agent], process.stdin, createGate, {
      ...(Number.isFinite(watchdog) && watchdog > 0 ? { watchdogMs: watchdog } : {}),
      ...(installedFor !== undefined ? { installedFor } : {}),
      onDecision: logTo(process.env.AIRLOCK_HOOK_LOG),
    });
    if (out.stdout) {
      io.stdout(out.stdout);
    }
    if (out.stderr) {
      io.stderr(out.stderr);
    }
    // Whatever is still pending (a hung gate after the watchdog, an unread stdin) must not keep the
    // agent waiting: leave once the answer is written.
    setTimeout(() => process.exit(out.exitCode), 200).unref();
    return out.exitCode;
  },
});
