/**
 * The wire protocol between the hook CLI and the extension: newline-delimited JSON over a Unix
 * socket (a named pipe on Windows). Requests only ever come in; there is deliberately no message
 * by which a client can approve anything: approvals come only from the human in VS Code's UI.
 */
import type { DecidedBy } from '../audit/log';
import type { Decision, ProposedAction } from '../core/types';

export const PROTOCOL_VERSION = 1;

/** The error a window answers with while `airlock.enabled` is off: the hook then decides alone. */
export const DISABLED_ERROR = 'Airlock is turned off in this window (airlock.enabled)';

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
}

export interface PingRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'ping';
  readonly id: string;
  readonly token: string;
}

export type BridgeRequest = DecideRequest | PingRequest;

/** Who made the decision (the audit log's vocabulary). */
export type { DecidedBy } from '../audit/log';

export interface DecideResponse {
  readonly id: string;
  readonly ok: true;
  readonly decision: Decision;
  readonly decidedBy: DecidedBy;
  /** The snapshot taken before an allowed mutating action, if any. */
  readonly snapshotId?: string;
  /** A message for the agent (a denial reason typed by the human, for example). */
  readonly message?: string;
}

export interface PongResponse {
  readonly id: string;
  readonly ok: true;
  readonly pong: { readonly pid: number; readonly folders: readonly string[]; readonly version: string };
}

export interface ErrorResponse {
  readonly id: string;
  readonly ok: false;
  readonly error: string;
}

export type BridgeResponse = DecideResponse | PongResponse | ErrorResponse;

/** Checks the shape of a request line; returns an error message or the request. */
export function parseRequest(line: string): BridgeRequest | { error: string; id: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { error: 'request is not valid JSON', id: '' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { error: 'request is not a JSON object', id: '' };
  }
  const m = msg as Record<string, unknown>;
  const id = typeof m.id === 'string' ? m.id : '';
  if (m.v !== PROTOCOL_VERSION) {
    return { error: `unsupported protocol version ${String(m.v)} (this extension speaks ${PROTOCOL_VERSION})`, id };
  }
  if (typeof m.token !== 'string') {
    return { error: 'missing token', id };
  }
  if (m.type === 'ping') {
    return { v: PROTOCOL_VERSION, type: 'ping', id, token: m.token };
  }
  if (m.type === 'decide') {
    if (!Array.isArray(m.actions) || m.actions.length === 0) {
      return { error: 'decide needs a non-empty actions array', id };
    }
    for (const a of m.actions) {
      if (typeof a !== 'object' || a === null || typeof (a as Record<string, unknown>).kind !== 'string' || typeof (a as Record<string, unknown>).cwd !== 'string') {
        return { error: 'each action needs a kind and a cwd', id };
      }
    }
    const deadlineMs = typeof m.deadlineMs === 'number' && m.deadlineMs > 0 ? m.deadlineMs : 60_000;
    return { v: PROTOCOL_VERSION, type: 'decide', id, token: m.token, actions: m.actions as ProposedAction[], deadlineMs };
  }
  return { error: `unknown request type ${JSON.stringify(m.type)}`, id };
}
