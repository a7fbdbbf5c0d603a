/**
 * Windsurf (its Cascade agent): `.windsurf/hooks.json`, one entry per event, the tool's details in
 * `tool_info`; it blocks on exit 2 with the reason on stderr. Not run here; its hook timeout cannot
 * be set, so the watchdog is short. An ask is always a deny here.
 */
import type { Decision, ProposedAction } from '../core/types';
import type { AgentAdapter, HookOutput, HookProcess } from './adapter';
import { denyText, PayloadError } from './adapter';
import { SHORT_WATCHDOG_MS } from './installSpec';
import { actions, hookCwd, optString, reqString, requireObject, SILENT, toolInput } from './payload';
import type { ToolTable } from './tools';

/** The tools Windsurf's events stand for (Airlock names them after the event). */
const TOOLS: ToolTable = {
  run_command: 'shell',
  write_code: 'multiReplace',
  read_code: 'read',
};

function parseWindsurf(payload: unknown, hook?: HookProcess): ProposedAction[] {
  const o = requireObject(payload, 'windsurf');
  const event = reqString(o, 'agent_action_name');
  if (event.startsWith('post_')) {
    return [];
  }
  const info = toolInput(o.tool_info, 'tool_info');
  const cwd = optString(info, 'cwd') || hookCwd(hook);
  const session = optString(o, 'trajectory_id');
  switch (event) {
    case 'pre_run_command':
      return actions('windsurf', TOOLS, { tool: 'run_command', input: { command: reqString(info, 'command_line') }, cwd, session });
    case 'pre_write_code':
      return actions('windsurf', TOOLS, { tool: 'write_code', input: { file_path: reqString(info, 'file_path'), edits: Array.isArray(info.edits) ? info.edits : [] }, cwd, session });
    case 'pre_read_code':
      return actions('windsurf', TOOLS, { tool: 'read_code', input: { file_path: reqString(info, 'file_path') }, cwd, session });
    case 'pre_mcp_tool_use':
      return actions('windsurf', TOOLS, {
        tool: `mcp:${optString(info, 'mcp_server_name') ?? ''}:${optString(info, 'mcp_tool_name') ?? ''}`,
        input: toolInput(info.mcp_tool_arguments, 'mcp_tool_arguments'),
        cwd,
        session,
      });
    default:
      if (event === 'pre_user_prompt') {
        return [];
      }
      throw new PayloadError(`unknown Windsurf hook event '${event}'`);
  }
}

function renderWindsurf(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return SILENT;
  }
  return { stdout: '', stderr: `${denyText(d)}\n`, exitCode: 2 };
}

export const windsurf: AgentAdapter = {
  id: 'windsurf',
  displayName: 'Windsurf',
  tools: TOOLS,
  parse: parseWindsurf,
  render: renderWindsurf,
  watchdogMs: SHORT_WATCHDOG_MS,
  install: {
    kind: 'json',
    file: '.windsurf/hooks.json',
    entries: (command) => ['pre_run_command', 'pre_write_code', 'pre_read_code', 'pre_mcp_tool_use'].map((e) => ({ path: ['hooks', e], entry: { command } })),
    signs: ['.windsurf', '.windsurfrules'],
    notes: [],
    timeoutConfigurable: false,
  },
};
