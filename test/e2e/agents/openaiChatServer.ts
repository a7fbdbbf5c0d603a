/**
 * A scripted OpenAI Chat Completions API (`POST /v1/chat/completions`, SSE with `delta.tool_calls`,
 * then `data: [DONE]`). Serves Cline CLI and OpenCode (both use the Vercel AI SDK's
 * openai-compatible client).
 *
 * Cline in `-y` mode ends a run only on its `submit_and_exit` tool (a text reply makes it loop):
 * once the script is used up, a request that offers that tool gets it called. Every request after
 * `maxRequests` gets HTTP 400, so a looping agent ends.
 */
import type * as http from 'node:http';
import type { ModelServer, Protocol, RecordedRequest, ToolResult, Turn } from './scriptedServer';
import { isRecord, sendJson, startScriptedServer, turnFor } from './scriptedServer';

let ids = 0;

function contentText(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content.map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : '')).join('\n');
  }
  return JSON.stringify(content);
}

function toolResults(body: unknown): ToolResult[] {
  if (!isRecord(body) || !Array.isArray(body.messages)) {
    return [];
  }
  return body.messages
    .filter((m): m is Record<string, unknown> => isRecord(m) && m.role === 'tool')
    .map((m) => ({ callId: String(m.tool_call_id), text: contentText(m.content), isError: false }));
}

function toolNames(body: unknown): string[] {
  if (!isRecord(body) || !Array.isArray(body.tools)) {
    return [];
  }
  return body.tools.flatMap((t) => (isRecord(t) && isRecord(t.function) && typeof t.function.name === 'string' ? [t.function.name] : []));
}

function chunk(model: unknown, delta: Record<string, unknown>, finish: string | null, usage?: unknown): string {
  const id = `chatcmpl-${ids}`;
  const c = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) };
  return `data: ${JSON.stringify(c)}\n\n`;
}

/** Once the script is done: Cline's yolo mode needs its completion tool called, others get text. */
const COMPLETION_TOOL = 'submit_and_exit';

/** The first user message of a conversation (a sub-agent's is its task). */
function firstUserText(body: Record<string, unknown>): string {
  const first = Array.isArray(body.messages) ? body.messages.find((m) => isRecord(m) && m.role === 'user') : undefined;
  return isRecord(first) ? contentText(first.content) : '';
}

/**
 * `subScripts`: scripts for sub-agents, by a marker their task contains (a sub-agent's conversation
 * starts afresh, so the main script would make it call its own first tool again).
 */
export function chatProtocol(maxRequests = 40, subScripts: Readonly<Record<string, readonly Turn[]>> = {}): Protocol {
  let modelCalls = 0;
  return {
    toolResults,
    toolNames,
    handle(req: RecordedRequest, mainScript: readonly Turn[], res: http.ServerResponse): void {
      const path = req.url.split('?')[0];
      if (path.endsWith('/models') && req.method === 'GET') {
        return sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'scripted' }] });
      }
      if (req.method !== 'POST' || !path.endsWith('/chat/completions') || !isRecord(req.body)) {
        return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
      }
      if (++modelCalls > maxRequests) {
        return sendJson(res, 400, { error: { message: `scripted server: more than ${maxRequests} model requests`, type: 'invalid_request_error' } });
      }
      const body = req.body;
      const task = firstUserText(body);
      const sub = Object.keys(subScripts).find((marker) => task.includes(marker));
      const script = sub !== undefined ? subScripts[sub] : mainScript;
      const offered = toolNames(body);
      let turn: Turn = offered.length > 0 ? turnFor(script, toolResults(body).length) : { text: 'Scripted title' };
      if ('text' in turn && offered.includes(COMPLETION_TOOL) && toolResults(body).length >= script.length) {
        turn = { tool: COMPLETION_TOOL, input: { summary: 'All scripted steps are done.', verified: true } };
      }
      const n = ++ids;
      const model = body.model;
      const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' });
      res.write(chunk(model, { role: 'assistant', content: '' }, null));
      if ('tool' in turn) {
        const args = typeof turn.input === 'string' ? turn.input : JSON.stringify(turn.input);
        res.write(chunk(model, { tool_calls: [{ index: 0, id: `call_${n}`, type: 'function', function: { name: turn.tool, arguments: args } }] }, null));
        res.write(chunk(model, {}, 'tool_calls'));
      } else {
        res.write(chunk(model, { content: turn.text }, null));
        res.write(chunk(model, {}, 'stop'));
      }
      res.write(`data: ${JSON.stringify({ id: `chatcmpl-${n}`, object: 'chat.completion.chunk', created: 0, model, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    },
  };
}

export function startOpenAIChatServer(script: readonly Turn[], subScripts?: Readonly<Record<string, readonly Turn[]>>): Promise<ModelServer> {
  return startScriptedServer(chatProtocol(40, subScripts), script);
}
