/**
 * A scripted Anthropic Messages API (`POST /v1/messages`, SSE streaming or plain JSON). Serves
 * Claude Code (ANTHROPIC_BASE_URL) and Copilot CLI (COPILOT_PROVIDER_TYPE=anthropic).
 */
import type * as http from 'node:http';
import type { ModelServer, Protocol, RecordedRequest, ToolResult, Turn } from './scriptedServer';
import { isRecord, namedTools, sendJson, sendSse, startScriptedServer, turnFor } from './scriptedServer';

let ids = 0;

function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content.map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : '')).join('\n');
  }
  return '';
}

function toolResults(body: unknown): ToolResult[] {
  if (!isRecord(body) || !Array.isArray(body.messages)) {
    return [];
  }
  const out: ToolResult[] = [];
  for (const m of body.messages) {
    if (isRecord(m) && Array.isArray(m.content)) {
      for (const c of m.content) {
        if (isRecord(c) && c.type === 'tool_result') {
          out.push({ callId: String(c.tool_use_id), text: textOf(c.content), isError: c.is_error === true });
        }
      }
    }
  }
  return out;
}

function handle(req: RecordedRequest, script: readonly Turn[], res: http.ServerResponse): void {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path.endsWith('/messages/count_tokens')) {
    return sendJson(res, 200, { input_tokens: 100 });
  }
  if (req.method !== 'POST' || !path.endsWith('/messages') || !isRecord(req.body)) {
    return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${req.url}` } });
  }
  const body = req.body;
  const offersTools = Array.isArray(body.tools) && body.tools.length > 0;
  const turn: Turn = offersTools ? turnFor(script, toolResults(body).length) : { text: 'ok' };
  const model = typeof body.model === 'string' ? body.model : 'claude-scripted';
  const id = `msg_${++ids}`;
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const block =
    'tool' in turn
      ? { type: 'tool_use', id: `toolu_${String(ids).padStart(6, '0')}`, name: turn.tool, input: turn.input }
      : { type: 'text', text: turn.text };
  const stopReason = 'tool' in turn ? 'tool_use' : 'end_turn';
  if (body.stream !== true) {
    return sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content: [block], stop_reason: stopReason, stop_sequence: null, usage });
  }
  const start = block.type === 'tool_use' ? { ...block, input: {} } : { type: 'text', text: '' };
  const delta =
    block.type === 'tool_use'
      ? { type: 'input_json_delta', partial_json: JSON.stringify(block.input) }
      : { type: 'text_delta', text: block.text };
  sendSse(res, [
    { event: 'message_start', data: { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: start } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

export const anthropicProtocol: Protocol = { handle, toolResults, toolNames: namedTools };

export function startAnthropicServer(script: readonly Turn[]): Promise<ModelServer> {
  return startScriptedServer(anthropicProtocol, script);
}
