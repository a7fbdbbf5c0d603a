/**
 * A scripted Gemini API: `POST /v1beta/models/MODEL:streamGenerateContent?alt=sse` (SSE `data:`
 * lines), `:generateContent` and `:countTokens`. Serves Gemini CLI (GOOGLE_GEMINI_BASE_URL).
 */
import type * as http from 'node:http';
import type { ModelServer, Protocol, RecordedRequest, ToolResult, Turn } from './scriptedServer';
import { isRecord, sendJson, sendSse, startScriptedServer, turnFor } from './scriptedServer';

function toolResults(body: unknown): ToolResult[] {
  if (!isRecord(body) || !Array.isArray(body.contents)) {
    return [];
  }
  const out: ToolResult[] = [];
  for (const c of body.contents) {
    if (isRecord(c) && Array.isArray(c.parts)) {
      for (const p of c.parts) {
        if (isRecord(p) && isRecord(p.functionResponse)) {
          const fr = p.functionResponse;
          const response = isRecord(fr.response) ? fr.response : {};
          const text = typeof response.output === 'string' ? response.output : typeof response.error === 'string' ? response.error : JSON.stringify(response);
          out.push({ callId: String(fr.id ?? fr.name), text, isError: 'error' in response });
        }
      }
    }
  }
  return out;
}

function handle(req: RecordedRequest, script: readonly Turn[], res: http.ServerResponse): void {
  const path = req.url.split('?')[0];
  const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
  if (req.method === 'POST' && path.endsWith(':countTokens')) {
    return sendJson(res, 200, { totalTokens: 100 });
  }
  const streaming = path.endsWith(':streamGenerateContent');
  if (req.method !== 'POST' || !(streaming || path.endsWith(':generateContent')) || !isRecord(req.body)) {
    return sendJson(res, 404, { error: { code: 404, message: `no route ${req.method} ${req.url}`, status: 'NOT_FOUND' } });
  }
  const body = req.body;
  const offersTools = Array.isArray(body.tools) && body.tools.some((t) => isRecord(t) && Array.isArray(t.functionDeclarations) && t.functionDeclarations.length > 0);
  let turn: Turn;
  if (offersTools) {
    turn = turnFor(script, toolResults(body).length);
  } else {
    const config = isRecord(body.generationConfig) ? body.generationConfig : {};
    // Side calls that want JSON (e.g. "who speaks next") get a JSON answer that ends the turn.
    turn = { text: config.responseMimeType === 'application/json' ? JSON.stringify({ reasoning: 'done', next_speaker: 'user' }) : 'ok' };
  }
  const part = 'tool' in turn ? { functionCall: { name: turn.tool, args: turn.input } } : { text: turn.text };
  const chunk = { candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: 'gemini-scripted' };
  if (streaming) {
    return sendSse(res, [{ data: chunk }]);
  }
  return sendJson(res, 200, chunk);
}

/** Gemini declares its tools as `tools[].functionDeclarations[].name`. */
function toolNames(body: unknown): string[] {
  if (!isRecord(body) || !Array.isArray(body.tools)) {
    return [];
  }
  return body.tools.flatMap((t) => (isRecord(t) && Array.isArray(t.functionDeclarations) ? t.functionDeclarations.flatMap((f) => (isRecord(f) && typeof f.name === 'string' ? [f.name] : [])) : []));
}

export const geminiProtocol: Protocol = { handle, toolResults, toolNames };

export function startGeminiServer(script: readonly Turn[]): Promise<ModelServer> {
  return startScriptedServer(geminiProtocol, script);
}
