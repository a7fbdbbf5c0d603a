/**
 * Cursor: `.cursor/hooks.json` (`version: 1`) with one entry per event (`preToolUse`,
 * `beforeShellExecution`, `beforeReadFile`, `beforeMCPExecution`); answers `{"permission": ...}`
 * with both casings of its message keys, because its sources disagree on them. Not run here: an ask
 * is never left to Cursor.
 */
import type { Decision, ProposedAction } from '../core/types';
import type { AgentAdapter, HookOutput, HookProcess } from './adapter';
import { askText, denyText, PayloadError } from './adapter';
import { WATCHDOG_MS } from './installSpec';
import { actions, denyBoth, firstRoot, hookCwd, json, optString, reqString, requireObject, toolInput } from './payload';
import type { ToolTable } from './tools';

/** Cursor's tools in `preToolUse`, and the tools its other events stand for. */
const TOOLS: ToolTable = {
  Shell: 'shell',
  Read: 'read',
  Write: 'write',
  StrReplace: 'replace',
  Delete: 'delete',
  Grep: 'read',
  Glob: 'read',
  LS: 'read',
  Task: 'inert', // a sub-agent: its own tool calls are hooked too
};

function parseCursor(payload: unknown, hook?: HookProcess): ProposedAction[] {
  const o = requireObject(payload, 'cursor');
  const event = reqString(o, 'hook_event_name');
  const cwd = optString(o, 'cwd') || firstRoot(o, 'workspace_roots') || hookCwd(hook);
  const session = optString(o, 'conversation_id');
  switch (event) {
    case 'beforeShellExecution':
      return actions('cursor', TOOLS, { tool: 'Shell', input: { command: reqString(o, 'command') }, cwd, session });
    case 'beforeReadFile':
      return actions('cursor', TOOLS, { tool: 'Read', input: { file_path: reqString(o, 'file_path') }, cwd, session });
    case 'beforeMCPExecution':
      return actions('cursor', TOOLS, { tool: `MCP:${reqString(o, 'tool_name')}`, input: toolInput(o.tool_input, 'tool_input'), cwd, session });
    case 'preToolUse':
      return actions('cursor', TOOLS, { tool: reqString(o, 'tool_name'), input: toolInput(o.tool_input, 'tool_input'), cwd, session });
    default:
      if (/^(after|post|stop|session)/i.test(event)) {
        return [];
      }
      throw new PayloadError(`unknown Cursor hook event '${event}'`);
  }
}

function renderCursor(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return json({ permission: 'allow' });
  }
  const text = d.verdict === 'ask' ? askText(d) : denyText(d);
  const o = { permission: d.verdict, user_message: text, agent_message: text, userMessage: text, agentMessage: text };
  return d.verdict === 'ask' ? json(o) : denyBoth(o, text);
}

export const cursor: AgentAdapter = {
  id: 'cursor',
  displayName: 'Cursor',
  tools: TOOLS,
  parse: parseCursor,
  render: renderCursor,
  watchdogMs: WATCHDOG_MS,
  install: {
    kind: 'json',
    file: '.cursor/hooks.json',
    base: { version: 1 },
    entries: (command, timeoutS) =>
      ['preToolUse', 'beforeShellExecution', 'beforeReadFile', 'beforeMCPExecution'].map((e) => ({ path: ['hooks', e], entry: { command, timeout: timeoutS, failClosed: true } })),
    signs: ['.cursor', '.cursorrules'],
    projectDirVar: 'CURSOR_PROJECT_DIR',
    notes: [],
    timeoutConfigurable: true,
  },
};
