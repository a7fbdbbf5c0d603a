/**
 * A minimal MCP server over stdio (JSON-RPC 2.0, one message per line) with one tool that has an
 * effect on disk: `touch_marker {path}` creates the file. Whether the file exists after a run tells
 * whether an agent's interception stopped the MCP tool call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MCP_SERVER_NAME = 'airlocktest';
export const MCP_TOOL = 'touch_marker';

const SOURCE = `const fs = require("node:fs");
const readline = require("node:readline");
const send = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
const tool = {
  name: ${JSON.stringify(MCP_TOOL)},
  description: "Creates an empty file at path",
  inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let m;
  try { m = JSON.parse(line); } catch { return; }
  if (m.id === undefined) return;
  if (m.method === "initialize") {
    send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: (m.params && m.params.protocolVersion) || "2024-11-05", capabilities: { tools: {} }, serverInfo: { name: ${JSON.stringify(MCP_SERVER_NAME)}, version: "1.0.0" } } });
  } else if (m.method === "tools/list") {
    send({ jsonrpc: "2.0", id: m.id, result: { tools: [tool] } });
  } else if (m.method === "tools/call") {
    const p = m.params && m.params.arguments && m.params.arguments.path;
    try { fs.writeFileSync(p, "touched by the MCP tool\\n"); send({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: "touched " + p }] } }); }
    catch (e) { send({ jsonrpc: "2.0", id: m.id, result: { isError: true, content: [{ type: "text", text: String(e) }] } }); }
  } else if (m.method === "ping") {
    send({ jsonrpc: "2.0", id: m.id, result: {} });
  } else {
    send({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "no method " + m.method } });
  }
});
`;

/** Writes the server into `dir`; returns the path of its script (run it with node). */
export function writeMcpServer(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'mcp-server.cjs');
  fs.writeFileSync(file, SOURCE);
  return file;
}
