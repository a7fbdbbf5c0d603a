/**
 * One adapter per agent. Each one only knows where its agent puts the tool name, the tool input and
 * the working directory in its pre-tool payload, and how its agent reads a decision; the tools
 * themselves are shared data (tools.ts). Allow renders as "no opinion" wherever the agent has one,
 * so Airlock never switches off an agent's own permission prompts: it only ever restricts.
 */
import type { Decision, ProposedAction } from '../core/types';
import type { AgentAdapter, AgentId, HookOutput, HookProcess } from './adapter';
import { denyText, HOOK_WATCHDOG_MS, PayloadError, reasonText } from './adapter';
import { isRecord, toolActions } from './tools';


/** The hook process's cwd: what a payload without one is taken from. */
function hookCwd(hook: HookProcess | undefined): string {
  return hook?.cwd ?? process.cwd();
}

interface Extracted {
  readonly tool: string;
  readonly input: Record<string, unknown>;
  readonly cwd: string;
  readonly session?: string;
}

function requireObject(payload: unknown, agent: string): Record<string, unknown> {
  if (!isRecord(payload)) {
    throw new PayloadError(`the ${agent} hook payload must be a JSON object, got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}`);
  }
  return payload;
}

function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'string') {
    throw new PayloadError(`field '${key}' must be a string, got ${typeof v}`);
  }
  return v;
}

function reqString(o: Record<string, unknown>, key: string): string {
  const v = optString(o, key);
  if (v === undefined || v === '') {
    throw new PayloadError(`field '${key}' is missing`);
  }
  return v;
}

/** Tool input: an object, or a JSON string of one (Copilot CLI's toolArgs, Cursor's MCP input). */
function toolInput(v: unknown, key: string): Record<string, unknown> {
  if (v === undefined || v === null) {
    return {};
  }
  if (typeof v === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new PayloadError(`field '${key}' is a string that is not valid JSON`);
    }
    if (parsed === null) {
      return {};
    }
    if (!isRecord(parsed)) {
      throw new PayloadError(`field '${key}' must hold a JSON object`);
    }
    return parsed;
  }
  if (!isRecord(v)) {
    throw new PayloadError(`field '${key}' must be an object, got ${Array.isArray(v) ? 'an array' : typeof v}`);
  }
  return v;
}

function firstRoot(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) {
    return undefined;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new PayloadError(`field '${key}' must be an array of strings`);
  }
  return v[0];
}

function actions(agent: AgentId, x: Extracted): ProposedAction[] {
  return toolActions({ agent, tool: x.tool, input: x.input, cwd: x.cwd, ...(x.session !== undefined ? { session: x.session } : {}) });
}

const EMPTY: HookOutput = { stdout: '', stderr: '', exitCode: 0 };

function json(o: unknown, exitCode = 0, stderr = ''): HookOutput {
  return { stdout: `${JSON.stringify(o)}\n`, stderr, exitCode };
}

/** Deny as JSON on stdout and the same reason on stderr with exit 2: either one blocks. */
function denyBoth(o: unknown, text: string): HookOutput {
  return json(o, 2, `${text}\n`);
}

/** Events that happen after a tool ran or outside tool use: nothing to guard (they cannot block a tool). */
const AFTER_EVENT = /^(Post|After|Session|Stop|Notification|UserPrompt|PreCompact|Subagent|Before(Agent|Model|ToolSelection)|PermissionRequest)/;

/** Claude-style payloads: `tool_name`, `tool_input`, `cwd`, `session_id` (VS Code: camelCase too). */
function parseClaudeStyle(agent: AgentId, preEvents: readonly string[]) {
  return (payload: unknown, hook?: HookProcess): ProposedAction[] => {
    const o = requireObject(payload, agent);
    const event = optString(o, 'hook_event_name') ?? optString(o, 'hookEventName');
    if (event !== undefined && !preEvents.includes(event)) {
      if (AFTER_EVENT.test(event)) {
        return [];
      }
      throw new PayloadError(`unexpected hook event '${event}' (expected ${preEvents.join(' or ')})`);
    }
    return actions(agent, {
      tool: reqString(o, 'tool_name'),
      input: toolInput(o.tool_input, 'tool_input'),
      cwd: optString(o, 'cwd') || hookCwd(hook),
      session: optString(o, 'session_id') ?? optString(o, 'sessionId'),
    });
  };
}

/** Copilot CLI's payload: `toolName`, `toolArgs` (object or JSON string), `cwd`, `sessionId`. */
function parseCopilotCli(agent: AgentId, o: Record<string, unknown>, hook: HookProcess | undefined): ProposedAction[] {
  return actions(agent, {
    tool: reqString(o, 'toolName'),
    input: toolInput(o.toolArgs, 'toolArgs'),
    cwd: optString(o, 'cwd') || hookCwd(hook),
    session: optString(o, 'sessionId'),
  });
}

/**
 * VS Code's agent hooks and Copilot CLI read the same `.github/hooks/*.json` files, so either may
 * run either entry: both Copilot adapters accept both payload shapes and answer in both formats
 * at once (top-level `permissionDecision` for the CLI, `hookSpecificOutput` for VS Code).
 */
function parseCopilotAny(agent: AgentId) {
  const claudeStyle = parseClaudeStyle(agent, ['PreToolUse', 'preToolUse']);
  return (payload: unknown, hook?: HookProcess): ProposedAction[] => {
    const o = requireObject(payload, agent);
    return 'toolName' in o && !('tool_name' in o) ? parseCopilotCli(agent, o, hook) : claudeStyle(o, hook);
  };
}

function claudeSpecific(decision: 'allow' | 'deny' | 'ask', reason: string) {
  return { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason };
}

function renderClaude(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return EMPTY;
  }
  if (d.verdict === 'ask') {
    return json({ hookSpecificOutput: claudeSpecific('ask', `Agent Airlock: ${reasonText(d, 'approval required')}`) });
  }
  const text = denyText(d);
  return denyBoth({ hookSpecificOutput: claudeSpecific('deny', text) }, text);
}

function renderCopilot(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return EMPTY;
  }
  if (d.verdict === 'ask') {
    const r = `Agent Airlock: ${reasonText(d, 'approval required')}`;
    return json({ permissionDecision: 'ask', permissionDecisionReason: r, hookSpecificOutput: claudeSpecific('ask', r) });
  }
  const text = denyText(d);
  return denyBoth({ permissionDecision: 'deny', permissionDecisionReason: text, hookSpecificOutput: claudeSpecific('deny', text) }, text);
}

/** Codex treats any field it does not know as an invalid answer and runs the tool: exact fields only. */
function renderCodex(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return EMPTY;
  }
  const text = denyText(d);
  return denyBoth({ hookSpecificOutput: claudeSpecific('deny', text) }, text);
}

function renderGemini(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return EMPTY;
  }
  const text = denyText(d);
  return denyBoth({ decision: 'deny', reason: text }, text);
}

function renderCursor(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return json({ permission: 'allow' });
  }
  const text = d.verdict === 'ask' ? `Agent Airlock: ${reasonText(d, 'approval required')}` : denyText(d);
  // Cursor's sources disagree on the casing of the message keys: send both.
  const o = { permission: d.verdict, user_message: text, agent_message: text, userMessage: text, agentMessage: text };
  return d.verdict === 'ask' ? json(o) : denyBoth(o, text);
}

function renderWindsurf(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return EMPTY;
  }
  return { stdout: '', stderr: `${denyText(d)}\n`, exitCode: 2 };
}

function renderCline(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return json({ cancel: false });
  }
  return json({ cancel: true, errorMessage: denyText(d) });
}

function parseCursor(payload: unknown, hook?: HookProcess): ProposedAction[] {
  const o = requireObject(payload, 'cursor');
  const event = reqString(o, 'hook_event_name');
  const cwd = optString(o, 'cwd') || firstRoot(o, 'workspace_roots') || hookCwd(hook);
  const session = optString(o, 'conversation_id');
  switch (event) {
    case 'beforeShellExecution':
      return actions('cursor', { tool: 'Shell', input: { command: reqString(o, 'command') }, cwd, session });
    case 'beforeReadFile':
      return actions('cursor', { tool: 'Read', input: { file_path: reqString(o, 'file_path') }, cwd, session });
    case 'beforeMCPExecution':
      return actions('cursor', { tool: `MCP:${reqString(o, 'tool_name')}`, input: toolInput(o.tool_input, 'tool_input'), cwd, session });
    case 'preToolUse':
      return actions('cursor', { tool: reqString(o, 'tool_name'), input: toolInput(o.tool_input, 'tool_input'), cwd, session });
    default:
      if (/^(after|post|stop|session)/i.test(event)) {
        return [];
      }
      throw new PayloadError(`unknown Cursor hook event '${event}'`);
  }
}

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
      return actions('windsurf', { tool: 'Bash', input: { command: reqString(info, 'command_line') }, cwd, session }).map((a) => ({ ...a, tool: 'run_command' }));
    case 'pre_write_code': {
      const input = { file_path: reqString(info, 'file_path'), edits: Array.isArray(info.edits) ? info.edits : [] };
      return actions('windsurf', { tool: 'MultiEdit', input, cwd, session }).map((a) => ({ ...a, tool: 'write_code' }));
    }
    case 'pre_read_code':
      return actions('windsurf', { tool: 'Read', input: { file_path: reqString(info, 'file_path') }, cwd, session }).map((a) => ({ ...a, tool: 'read_code' }));
    case 'pre_mcp_tool_use':
      return actions('windsurf', { tool: `mcp:${optString(info, 'mcp_server_name') ?? ''}:${optString(info, 'mcp_tool_name') ?? ''}`, input: toolInput(info.mcp_tool_arguments, 'mcp_tool_arguments'), cwd, session });
    default:
      if (event === 'pre_user_prompt') {
        return [];
      }
      throw new PayloadError(`unknown Windsurf hook event '${event}'`);
  }
}

function parseCline(payload: unknown, proc?: HookProcess): ProposedAction[] {
  const o = requireObject(payload, 'cline');
  const hook = optString(o, 'hookName');
  // Only Cline's after-events carry nothing to stop; any other name (in any case) is judged or denied.
  if (hook !== undefined && /^(PostToolUse|TaskStart|TaskResume|TaskCancel|TaskComplete|UserPromptSubmit|PreCompact)$/.test(hook)) {
    return [];
  }
  if (hook !== undefined && hook.toLowerCase() !== 'pretooluse') {
    throw new PayloadError(`unknown Cline hook '${hook}'`);
  }
  const pre = o.preToolUse;
  if (!isRecord(pre)) {
    throw new PayloadError(`field 'preToolUse' must be an object with toolName and parameters`);
  }
  return actions('cline', {
    tool: reqString(pre, 'toolName'),
    input: toolInput(pre.parameters, 'preToolUse.parameters'),
    cwd: firstRoot(o, 'workspaceRoots') || hookCwd(proc),
    session: optString(o, 'taskId'),
  });
}

export const ADAPTERS: Readonly<Record<AgentId, AgentAdapter>> = {
  claude: { id: 'claude', displayName: 'Claude Code', parse: parseClaudeStyle('claude', ['PreToolUse']), render: renderClaude, canAsk: true, watchdogMs: HOOK_WATCHDOG_MS.claude },
  copilot: { id: 'copilot', displayName: 'GitHub Copilot (VS Code agent hooks)', parse: parseCopilotAny('copilot'), render: renderCopilot, canAsk: true, watchdogMs: HOOK_WATCHDOG_MS.copilot },
  'copilot-cli': { id: 'copilot-cli', displayName: 'GitHub Copilot CLI', parse: parseCopilotAny('copilot-cli'), render: renderCopilot, canAsk: true, watchdogMs: HOOK_WATCHDOG_MS['copilot-cli'] },
  cursor: { id: 'cursor', displayName: 'Cursor', parse: parseCursor, render: renderCursor, canAsk: true, watchdogMs: HOOK_WATCHDOG_MS.cursor },
  gemini: { id: 'gemini', displayName: 'Gemini CLI', parse: parseClaudeStyle('gemini', ['BeforeTool']), render: renderGemini, canAsk: false, watchdogMs: HOOK_WATCHDOG_MS.gemini },
  codex: { id: 'codex', displayName: 'Codex CLI', parse: parseClaudeStyle('codex', ['PreToolUse']), render: renderCodex, canAsk: false, watchdogMs: HOOK_WATCHDOG_MS.codex },
  windsurf: { id: 'windsurf', displayName: 'Windsurf (Cascade)', parse: parseWindsurf, render: renderWindsurf, canAsk: false, watchdogMs: HOOK_WATCHDOG_MS.windsurf },
  cline: { id: 'cline', displayName: 'Cline', parse: parseCline, render: renderCline, canAsk: false, watchdogMs: HOOK_WATCHDOG_MS.cline },
};
