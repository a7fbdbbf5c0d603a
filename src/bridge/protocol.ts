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
 * - bad-request, unsupported-version, too-large: the request itself is wrong.
 * - internal: the window failed while deciding; the hook denies.
 */
export const BRIDGE_ERROR_CODES = ['disabled', 'bad-token', 'bad-request', 'unsupported-version', 'too-large', 'internal'] as const;
export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];

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

export type BridgeRequest = DecideRequest | PingRequest;

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

export type BridgeResponse = DecideResponse | PongResponse | ErrorResponse;

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
  return bad(`unknown request type ${JSON.stringify(m.type)}`);
}
