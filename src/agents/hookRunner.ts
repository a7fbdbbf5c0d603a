/**
 * One hook call, start to answer: read the payload (bounded in size and time), parse it with the
 * agent's adapter, ask the gate, render the decision. It always resolves with an answer in the
 * agent's format: bad input, internal errors and timeouts all become an explicit deny, because most
 * agents let the tool run when their hook crashes or times out.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { GateResult, ProposedAction } from '../core/types';
import type { Gate } from '../gate/gate';
import type { AgentAdapter, HookOutput, HookProcess } from './adapter';
import { currentHookProcess, denyDecision, PayloadError } from './adapter';

/** Payloads larger than this are refused (a deny), never buffered further. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** The payload must have arrived completely (stdin closed) within this time. */
export const STDIN_TIMEOUT_MS = 10_000;

export interface HookOptions {
  readonly maxBytes?: number;
  readonly stdinTimeoutMs?: number;
  /** Defaults to the adapter's watchdog (shorter than the agent's hook timeout). */
  readonly watchdogMs?: number;
  /** Called once with what was decided and about what (for logs); errors in it are ignored. */
  readonly onDecision?: (result: GateResult, call: HookCall) => void;
  /** The folder the hook was installed for (the launcher's AIRLOCK_WORKSPACE), when known. */
  readonly installedFor?: string;
  /**
   * The hook process the agent started (its cwd, environment, terminal): default this process. A
   * decider answering a thin client's `hook` request passes the client's.
   */
  readonly hook?: HookProcess;
  /** When the hook call began (Date.now()), if before this call: the watchdog counts from then. */
  readonly startedAt?: number;
  /** Called with the call's actions once parsed, before the gate decides (to start loading what it will need). */
  readonly onParsed?: (actions: readonly ProposedAction[]) => void;
}

/** What one hook call was about, besides its result. */
export interface HookCall {
  readonly agent: string;
  readonly actions: readonly ProposedAction[];
  readonly ms: number;
}

/**
 * The `AIRLOCK_HOOK_LOG` line for one hook call (for debugging and end-to-end tests): the same from
 * `airlock hook` and from a decider answering a thin client (which hands it back for the client to write).
 */
export function hookLogLine(r: GateResult, call: HookCall, time: Date = new Date()): string {
  const line = {
    time: time.toISOString(),
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
  return `${JSON.stringify(line)}\n`;
}

/** The payload as read from stdin: its bytes, or why it could not be read whole. */
export type ReadResult = { readonly ok: true; readonly data: Buffer } | { readonly ok: false; readonly reason: string };

function isReadResult(x: Readable | ReadResult): x is ReadResult {
  return typeof (x as { ok?: unknown }).ok === 'boolean';
}

/** The reason a payload that never finished arriving is denied with. */
export function stdinTimeoutReason(timeoutMs: number): string {
  return `the hook payload did not arrive completely within ${timeoutMs / 1000} s (stdin was not closed)`;
}

/** The reason a payload over the size limit is denied with. */
export function tooLargeReason(maxBytes: number): string {
  return `the hook payload is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; refusing to read it`;
}

/**
 * Reads a stream to its end, refusing more than maxBytes and giving up after timeoutMs.
 * (Not fs.read on fd 0: a read blocked in libuv's thread pool on a pipe the agent never closes
 * makes even process.exit hang, so the watchdog's answer would never end the process.)
 */
export function readBounded(stream: Readable, maxBytes: number, timeoutMs: number): Promise<ReadResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: ReadResult) => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      stream.removeAllListeners('data');
      if (!r.ok) {
        stream.pause();
        stream.destroy();
      }
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: stdinTimeoutReason(timeoutMs) }), timeoutMs);
    stream.on('data', (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > maxBytes) {
        finish({ ok: false, reason: tooLargeReason(maxBytes) });
        return;
      }
      chunks.push(b);
    });
    stream.on('end', () => finish({ ok: true, data: Buffer.concat(chunks) }));
    stream.on('error', (e: Error) => finish({ ok: false, reason: `cannot read the hook payload: ${e.message}` }));
  });
}

/** Decodes and JSON-parses a payload; throws PayloadError with a clear reason. */
export function decodePayload(data: Buffer): unknown {
  if (data.length === 0) {
    throw new PayloadError('the hook payload is empty (expected one JSON object on stdin)');
  }
  // isUtf8 is the strict check TextDecoder's `fatal` makes, without setting up a decoder at start.
  if (!isUtf8(data)) {
    throw new PayloadError('the hook payload is not UTF-8 text (binary data?)');
  }
  let text = data.toString('utf8');
  // A byte order mark (TextDecoder dropped one, and the payload may carry a second) is not JSON.
  for (let i = 0; i < 2 && text.charCodeAt(0) === 0xfeff; i++) {
    text = text.slice(1);
  }
  if (text.includes('\u0000')) {
    throw new PayloadError('the hook payload contains NUL bytes (binary data?)');
  }
  if (text.trim() === '') {
    throw new PayloadError('the hook payload is empty (expected one JSON object on stdin)');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const what = err instanceof RangeError ? 'is nested too deeply' : `is not valid JSON (truncated?): ${err instanceof Error ? err.message : String(err)}`;
    throw new PayloadError(`the hook payload ${what}`);
  }
}

/** A deny made by the hook itself (bad input, an internal error, the watchdog). */
function hookDeny(reason: string, decidedBy: GateResult['decidedBy'] = 'error'): GateResult {
  return { decision: denyDecision(reason), decidedBy };
}

/** Whether the agent can show an 'ask' to its own user in this run; false unless its adapter says so. */
function canAskNow(adapter: AgentAdapter, payload: unknown, hook: HookProcess): boolean {
  try {
    return adapter.canAskInThisRun?.(payload, hook.env, hook) === true;
  } catch {
    return false;
  }
}

function safeRender(adapter: AgentAdapter, result: GateResult, payload: unknown): HookOutput {
  try {
    return adapter.answer ? adapter.answer(result, payload) : adapter.render(result.decision);
  } catch (err) {
    // Renderers do not throw; if one ever does, exit 2 still blocks for every agent that honours it.
    return { stdout: '', stderr: `Agent Airlock denied this action: internal error while answering: ${String(err)}\n`, exitCode: 2 };
  }
}

/**
 * Runs one hook call on the payload in `stdin` (or already read from it). Never rejects; every
 * failure is a deny in the agent's format.
 */
export async function runHook(adapter: AgentAdapter, stdin: Readable | ReadResult, gate: () => Promise<Gate>, opts: HookOptions = {}): Promise<HookOutput> {
  const started = opts.startedAt ?? Date.now();
  const hook = opts.hook ?? currentHookProcess();
  const controller = new AbortController();
  const watchdogMs = opts.watchdogMs ?? adapter.watchdogMs;
  let actions: ProposedAction[] = [];
  // The parsed payload, for an adapter whose answer depends on it (undefined until decoded).
  let payload: unknown;
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<GateResult>((resolve) => {
    timer = setTimeout(
      () => {
        controller.abort();
        resolve(hookDeny(`Agent Airlock did not reach a decision within ${Math.round(watchdogMs / 1000)} s, so the action is denied to be safe`, 'timeout'));
      },
      Math.max(0, watchdogMs - (Date.now() - started)),
    );
  });
  const work = (async (): Promise<GateResult> => {
    const read = isReadResult(stdin) ? stdin : await readBounded(stdin, opts.maxBytes ?? MAX_PAYLOAD_BYTES, opts.stdinTimeoutMs ?? STDIN_TIMEOUT_MS);
    if (!read.ok) {
      return hookDeny(read.reason);
    }
    try {
      payload = decodePayload(read.data);
      actions = adapter.parse(payload, hook);
    } catch (err) {
      if (err instanceof PayloadError) {
        return hookDeny(`invalid ${adapter.displayName} hook payload: ${err.message}`);
      }
      throw err;
    }
    opts.onParsed?.(actions);
    const first = actions[0];
    if (first === undefined) {
      // Not a pre-tool event (an after-edit hook and the like): nothing to guard, on every path alike.
      return { decision: { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] }, decidedBy: 'policy' };
    }
    return (await gate()).decide(actions, {
      agent: adapter.id,
      cwd: first.cwd,
      ...(first.tool !== undefined ? { tool: first.tool } : {}),
      ...(first.session !== undefined ? { session: first.session } : {}),
      ...(opts.installedFor !== undefined ? { installedFor: opts.installedFor } : {}),
      canAsk: canAskNow(adapter, payload, hook),
      signal: controller.signal,
      // A little before the watchdog, so that a gate's own timeout answer still gets through.
      deadlineMs: Math.max(0, watchdogMs - (Date.now() - started) - 1000),
    });
  })().catch((err: unknown) => hookDeny(`Agent Airlock internal error, so the action is denied to be safe: ${err instanceof Error ? err.message : String(err)}`));
  const result = await Promise.race([work, watchdog]);
  clearTimeout(timer);
  try {
    opts.onDecision?.(result, { agent: adapter.id, actions, ms: Date.now() - started });
  } catch {
    /* logging must never change the answer */
  }
  return safeRender(adapter, result, payload);
}
