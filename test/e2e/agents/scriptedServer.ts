/**
 * The common part of the scripted model servers: an HTTP server on 127.0.0.1 (a free port) that
 * records every request and answers model calls from a script.
 *
 * A script is a list of turns. The server picks the turn from the conversation it is sent, not from
 * a request counter: turn N answers a request that already carries N tool results. Side requests
 * that agents make on their own (titles, summaries, checks; they offer no tools) get plain text, so
 * they never consume a turn. Once the script is used up, the model says "done".
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Call a tool (the agent runs its pre-tool hook first) or answer with plain text. */
export type Turn = { readonly tool: string; readonly input: unknown } | { readonly text: string };

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when the body was empty or not JSON). */
  readonly body: unknown;
}

/** A tool result as the agent sent it back to the model. */
export interface ToolResult {
  readonly callId: string;
  readonly text: string;
  readonly isError: boolean;
}

export interface ModelServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Tool results found in the last model request that carried any (the final conversation). */
  toolResults(): ToolResult[];
  /** Every tool result sent in any request (sub-agents' conversations too), once per call id. */
  allToolResults(): ToolResult[];
  /** The names of the tools the agent offered the model, over all requests, sorted. */
  offeredTools(): string[];
  close(): Promise<void>;
}

export interface Protocol {
  /** Answers one request (a model call picks its turn with turnFor; other calls get a plain answer). */
  handle(req: RecordedRequest, script: readonly Turn[], res: http.ServerResponse): void;
  /** Tool results in a request body (empty for requests that are not model calls). */
  toolResults(body: unknown): ToolResult[];
  /** The names of the tools a request body offers the model (hosted tools without a name are left out). */
  toolNames(body: unknown): string[];
}

/** Names of `{name}` entries of a request's `tools` array (Messages and Responses APIs). */
export function namedTools(body: unknown): string[] {
  if (!isRecord(body) || !Array.isArray(body.tools)) {
    return [];
  }
  return body.tools.flatMap((t) => (isRecord(t) && typeof t.name === 'string' ? [t.name] : []));
}

/** Picks the turn for a model request that offers tools: the number of tool results it carries. */
export function turnFor(script: readonly Turn[], toolResultCount: number): Turn {
  return script[toolResultCount] ?? { text: 'done' };
}

export function sendSse(res: http.ServerResponse, events: readonly { event?: string; data: unknown }[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' });
  for (const e of events) {
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  }
  res.end();
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function startScriptedServer(protocol: Protocol, script: readonly Turn[]): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const rec: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(rec);
      try {
        protocol.handle(rec, script, res);
      } catch (err) {
        sendJson(res, 500, { error: { message: String(err) } });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        toolResults() {
          for (let i = requests.length - 1; i >= 0; i--) {
            const found = protocol.toolResults(requests[i].body);
            if (found.length) {
              return found;
            }
          }
          return [];
        },
        allToolResults() {
          const byId = new Map<string, ToolResult>();
          for (const r of requests) {
            for (const t of protocol.toolResults(r.body)) {
              byId.set(t.callId, t);
            }
          }
          return [...byId.values()];
        },
        offeredTools: () => [...new Set(requests.flatMap((r) => protocol.toolNames(r.body)))].sort(),
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
