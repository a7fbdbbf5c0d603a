/**
 * The wire protocol between the hook CLI and the extension: newline-delimited JSON over a Unix
 * socket (a named pipe on Windows). Requests only ever come in; there is deliberately no message
 * by which a client can approve anything: approvals come only from the human in VS Code's UI.
 */
import type { GateResult, ProposedAction } from '../core/types';

export const PROTOCOL_VERSION = 1;

/**
 * What went wrong, for the client to act on (never the message text):
 * - disabled: `airlock.enabled` is off in that window; the hook decides without it.
 * - bad-token: not this window's token (a stale registration); the hook tries the next window.
 * - not-mine: a `hook` request found through the registrations whose actions another window guards
 *   better (a deeper folder); the hook tries the next window, then the full path.
 * - answer-locally: a `hook` request for an agent whose answer the hook process must write itself
 *   (it leaves a record in the hook's environment, like Cline's pass); the hook takes the full path.
 * - bad-request, unsupported-version, too-large: the request itself is wrong (or the decider is older
 *   than the request type); a `hook` request then takes the full path.
 * - internal: the window failed while deciding; the hook denies.
 */
export const BRIDGE_ERROR_CODES = ['disabled', 'bad-token', 'not-mine', 'answer-locally', 'bad-request', 'unsupported-version', 'too-large', 'internal'] as const;
export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];

/** The codes with which a decider declines a `hook` request: the client tries the next one, then the full path. */
export const HOOK_DECLINED_CODES: readonly BridgeErrorCode[] = ['disabled', 'bad-token', 'not-mine', 'answer-locally', 'bad-request', 'unsupported-version', 'too-large'];

/** Thrown by a decide handler to answer with a given code (anything else is 'internal'). */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Largest request line the server reads (a Write of a big file carries its content). */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export interface DecideRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'decide';
  readonly id: string;
  readonly token: string;
  readonly actions: readonly ProposedAction[];
  /** How long the hook can wait before the agent gives up on it (ms). */
  readonly deadlineMs: number;
  /**
   * The folder the hook was installed for (its launcher's), when known. The window uses it only when
   * it is one of its own workspace folders and none of them contains the agent's cwd.
   */
  readonly installedFor?: string;
  /**
   * Whether the agent can ask its own user in this run (see GateContext.canAsk). A window has its
   * human and ignores it; the supervisor of `airlock run` passes it to its headless gate.
   */
  readonly canAsk?: boolean;
}

export interface PingRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'ping';
  readonly id: string;
  readonly token: string;
}

/**
 * One whole hook call, for a thin client that only forwards bytes (the launcher's fast client, or
 * `airlock hook` before it loads anything else): the decider reads the agent's payload with the
 * agent's adapter, decides and renders the answer in the agent's format, exactly as the hook would.
 * Text fields other than the hex ones are plain JSON strings.
 */
export interface HookRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'hook';
  readonly id: string;
  readonly token: string;
  /** `airlock hook <agent>`'s agent id. */
  readonly agent: string;
  /** The payload's bytes exactly as the agent wrote them, in hex (so nothing is lost on the way). */
  readonly payloadHex: string;
  /**
   * The payload could not be read whole: it never finished arriving (within the hook's stdin
   * timeout, or before its watchdog), or it was too large.
   */
  readonly stdinProblem?: StdinProblem;
  /** The hook process's working directory (what the adapter falls back on). */
  readonly cwd: string;
  /** How the client found this endpoint: the terminal's own (env) decides whatever the folder. */
  readonly via: 'env' | 'registry';
  /** The folder the hook was installed for (its launcher's), when known. */
  readonly installedFor?: string;
  /** The hook's environment variables an adapter reads to know whether its agent can ask. */
  readonly env?: Readonly<Record<string, string>>;
  /** Whether the hook process has a controlling terminal (an interactive agent session). */
  readonly tty?: boolean;
  /** A watchdog shorter than the adapter's (AIRLOCK_HOOK_WATCHDOG_MS), in ms. */
  readonly watchdogMs?: number;
  /** Send back the hook log line (AIRLOCK_HOOK_LOG): the client writes it, never the decider. */
  readonly log?: boolean;
}

export const STDIN_PROBLEMS = ['timeout', 'too-large', 'watchdog'] as const;
export type StdinProblem = (typeof STDIN_PROBLEMS)[number];

export type BridgeRequest = DecideRequest | PingRequest | HookRequest;

/** The window's GateResult, with the request's id. */
export interface DecideResponse extends GateResult {
  readonly id: string;
  readonly ok: true;
}

export interface PongResponse {
  readonly id: string;
  readonly ok: true;
  readonly pong: { readonly pid: number; readonly folders: readonly string[]; readonly version: string };
}

export interface ErrorResponse {
  readonly id: string;
  readonly ok: false;
  readonly code: BridgeErrorCode;
  /** For people (logs, the agent's deny reason); clients act on `code`. */
  readonly error: string;
}

/** A hook call's answer: what the hook process writes (hex) and how it exits. */
export interface HookResponse {
  readonly id: string;
  readonly ok: true;
  readonly exitCode: number;
  readonly stdoutHex: string;
  readonly stderrHex: string;
  /** The hook log line (one JSON line), when the request asked for it. */
  readonly logHex?: string;
}

export type BridgeResponse = DecideResponse | PongResponse | HookResponse | ErrorResponse;

/** Only the GateResult fields of an object (what goes on the wire, and what a client returns). */
export function gateResultOf(r: GateResult): GateResult {
  return {
    decision: r.decision,
    decidedBy: r.decidedBy,
    ...(r.snapshotId !== undefined ? { snapshotId: r.snapshotId } : {}),
    ...(r.snapshotError !== undefined ? { snapshotError: r.snapshotError } : {}),
    ...(r.message !== undefined ? { message: r.message } : {}),
  };
}

type RequestError = { readonly id: string; readonly code: BridgeErrorCode; readonly error: string };

/** Checks the shape of a request line; returns the request or what is wrong with it. */
export function parseRequest(line: string): BridgeRequest | RequestError {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { error: 'request is not valid JSON', code: 'bad-request', id: '' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { error: 'request is not a JSON object', code: 'bad-request', id: '' };
  }
  const m = msg as Record<string, unknown>;
  const id = typeof m.id === 'string' ? m.id : '';
  const bad = (error: string): RequestError => ({ error, code: 'bad-request', id });
  if (m.v !== PROTOCOL_VERSION) {
    return { error: `unsupported protocol version ${String(m.v)} (this extension speaks ${PROTOCOL_VERSION})`, code: 'unsupported-version', id };
  }
  if (typeof m.token !== 'string') {
    return bad('missing token');
  }
  if (m.type === 'ping') {
    return { v: PROTOCOL_VERSION, type: 'ping', id, token: m.token };
  }
  if (m.type === 'decide') {
    if (!Array.isArray(m.actions) || m.actions.length === 0) {
      return bad('decide needs a non-empty actions array');
    }
    for (const a of m.actions) {
      if (typeof a !== 'object' || a === null || typeof (a as Record<string, unknown>).kind !== 'string' || typeof (a as Record<string, unknown>).cwd !== 'string') {
        return bad('each action needs a kind and a cwd');
      }
    }
    if (m.installedFor !== undefined && typeof m.installedFor !== 'string') {
      return bad('installedFor must be a string');
    }
    const deadlineMs = typeof m.deadlineMs === 'number' && m.deadlineMs > 0 ? m.deadlineMs : 60_000;
    const installedFor = typeof m.installedFor === 'string' ? { installedFor: m.installedFor } : {};
    const canAsk = typeof m.canAsk === 'boolean' ? { canAsk: m.canAsk } : {};
    return { v: PROTOCOL_VERSION, type: 'decide', id, token: m.token, actions: m.actions as ProposedAction[], deadlineMs, ...installedFor, ...canAsk };
  }
  if (m.type === 'hook') {
    return parseHookRequest(m, id, m.token, bad);
  }
  return bad(`unknown request type ${JSON.stringify(m.type)}`);
}

function isHex(s: string): boolean {
  return s.length % 2 === 0 && !/[^0-9a-fA-F]/.test(s);
}

function parseHookRequest(m: Record<string, unknown>, id: string, token: string, bad: (error: string) => RequestError): HookRequest | RequestError {
  if (typeof m.agent !== 'string' || typeof m.cwd !== 'string' || typeof m.payloadHex !== 'string' || !isHex(m.payloadHex)) {
    return bad('hook needs an agent, a cwd and the payload in hex');
  }
  if (m.via !== 'env' && m.via !== 'registry') {
    return bad("hook needs via: 'env' or 'registry'");
  }
  if (m.stdinProblem !== undefined && !(STDIN_PROBLEMS as readonly unknown[]).includes(m.stdinProblem)) {
    return bad('unknown stdinProblem');
  }
  if (m.installedFor !== undefined && typeof m.installedFor !== 'string') {
    return bad('installedFor must be a string');
  }
  const env: Record<string, string> = {};
  if (m.env !== undefined) {
    if (typeof m.env !== 'object' || m.env === null || Array.isArray(m.env) || Object.values(m.env).some((v) => typeof v !== 'string')) {
      return bad('env must map names to strings');
    }
    Object.assign(env, m.env);
  }
  const watchdog = typeof m.watchdogMs === 'number' && Number.isFinite(m.watchdogMs) && m.watchdogMs > 0 ? { watchdogMs: m.watchdogMs } : {};
  return {
    v: PROTOCOL_VERSION,
    type: 'hook',
    id,
    token,
    agent: m.agent,
    payloadHex: m.payloadHex,
    cwd: m.cwd,
    via: m.via,
    env,
    tty: m.tty === true,
    log: m.log === true,
    ...(m.stdinProblem !== undefined ? { stdinProblem: m.stdinProblem as StdinProblem } : {}),
    ...(typeof m.installedFor === 'string' ? { installedFor: m.installedFor } : {}),
    ...watchdog,
  };
}
