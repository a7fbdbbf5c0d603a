/**
 * A scripted OpenAI Responses API (`POST /v1/responses`, SSE). Serves Codex (a model provider in
 * config.toml with `wire_api = "responses"`). A tool the request declares as `custom` (freeform,
 * such as Codex's apply_patch) is called with a string input; a function tool with JSON arguments.
 */
import type * as http from 'node:http';
import type { ModelServer, Protocol, RecordedRequest, ToolResult, Turn } from './scriptedServer';
import { isRecord, namedTools, sendJson, sendSse, startScriptedServer, turnFor } from './scriptedServer';

let ids = 0;

function outputText(output: unknown): string {
  if (typeof output === 'string') {
    return output;
  }
  if (Array.isArray(output)) {
    return output.map((o) => (isRecord(o) && typeof o.text === 'string' ? o.text : '')).join('\n');
  }
  if (isRecord(output) && typeof output.content === 'string') {
    return output.content;
  }
  return JSON.stringify(output);
}

function toolResults(body: unknown): ToolResult[] {
  if (!isRecord(body) || !Array.isArray(body.input)) {
    return [];
  }
  const out: ToolResult[] = [];
  for (const item of body.input) {
    if (isRecord(item) && (item.type === 'function_call_output' || item.type === 'custom_tool_call_output')) {
      out.push({ callId: String(item.call_id), text: outputText(item.output), isError: false });
    }
  }
  return out;
}

function handle(req: RecordedRequest, script: readonly Turn[], res: http.ServerResponse): void {
  const path = req.url.split('?')[0];
  if (path.endsWith('/models') && req.method === 'GET') {
    return sendJson(res, 200, { object: 'list', data: [] });
  }
  if (req.method !== 'POST' || !path.endsWith('/responses') || !isRecord(req.body)) {
    return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
  }
  const body = req.body;
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const turn: Turn = tools.length > 0 ? turnFor(script, toolResults(body).length) : { text: 'ok' };
  const n = ++ids;
  const id = `resp_${n}`;
  let item: Record<string, unknown>;
  if ('tool' in turn) {
    const declared = tools.find((t) => t.name === turn.tool);
    item =
      declared?.type === 'custom'
        ? { type: 'custom_tool_call', id: `ctc_${n}`, call_id: `call_${n}`, name: turn.tool, input: typeof turn.input === 'string' ? turn.input : JSON.stringify(turn.input), status: 'completed' }
        : { type: 'function_call', id: `fc_${n}`, call_id: `call_${n}`, name: turn.tool, arguments: typeof turn.input === 'string' ? turn.input : JSON.stringify(turn.input), status: 'completed' };
  } else {
    item = { type: 'message', id: `msg_${n}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: turn.text, annotations: [] }] };
  }
  const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
  const response = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'in_progress', model: body.model, output: [] as unknown[] };
  sendSse(res, [
    { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item } },
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item } },
    { event: 'response.completed', data: { type: 'response.completed', sequence_number: 3, response: { ...response, status: 'completed', output: [item], usage } } },
  ]);
}

export const openaiResponsesProtocol: Protocol = { handle, toolResults, toolNames: namedTools };

export function startOpenAIResponsesServer(script: readonly Turn[]): Promise<ModelServer> {
  return startScriptedServer(openaiResponsesProtocol, script);
}
