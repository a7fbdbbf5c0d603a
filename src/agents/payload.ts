/**
 * What the agent modules share: reading fields of a hook payload (each one checked, with a reason a
 * human can act on when it is wrong), the Claude-style payload several agents send, and the
 * building blocks of their answers.
 */
import type { ProposedAction } from '../core/types';
import type { AgentId, HookOutput, HookProcess } from './adapter';
import { PayloadError } from './adapter';
import type { ToolTable } from './tools';
import { isRecord, toolActions } from './tools';

export interface Extracted {
  readonly tool: string;
  readonly input: Record<string, unknown>;
  readonly cwd: string;
  readonly session?: string;
}

export function requireObject(payload: unknown, agent: string): Record<string, unknown> {
  if (!isRecord(payload)) {
    throw new PayloadError(`the ${agent} hook payload must be a JSON object, got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}`);
  }
  return payload;
}

export function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'string') {
    throw new PayloadError(`field '${key}' must be a string, got ${typeof v}`);
  }
  return v;
}

export function reqString(o: Record<string, unknown>, key: string): string {
  const v = optString(o, key);
  if (v === undefined || v === '') {
    throw new PayloadError(`field '${key}' is missing`);
  }
  return v;
}

/** Tool input: an object, or a JSON string of one (Copilot CLI's toolArgs, Cursor's MCP input). */
export function toolInput(v: unknown, key: string): Record<string, unknown> {
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

export function firstRoot(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) {
    return undefined;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new PayloadError(`field '${key}' must be an array of strings`);
  }
  return v[0];
}

/** The extracted tool call as proposed actions, its tool looked up in the agent's table. */
export function actions(agent: AgentId, tools: ToolTable, x: Extracted): ProposedAction[] {
  return toolActions({ agent, tool: x.tool, input: x.input, cwd: x.cwd, ...(x.session !== undefined ? { session: x.session } : {}) }, tools);
}

/** Events that happen after a tool ran or outside tool use: nothing to guard (they cannot block a tool). */
const AFTER_EVENT = /^(Post|After|Session|Stop|Notification|UserPrompt|PreCompact|Subagent|Before(Agent|Model|ToolSelection)|PermissionRequest)/;

/**
 * Claude-style payloads (Claude Code, Codex, Gemini CLI, VS Code's agent hooks): `tool_name`,
 * `tool_input`, `cwd`, `session_id` (VS Code: `hookEventName`, `sessionId`).
 */
export function parseClaudeStyle(agent: AgentId, tools: ToolTable, preEvents: readonly string[]) {
  return (payload: unknown, hook?: HookProcess): ProposedAction[] => {
    const o = requireObject(payload, agent);
    const event = optString(o, 'hook_event_name') ?? optString(o, 'hookEventName');
    if (event !== undefined && !preEvents.includes(event)) {
      if (AFTER_EVENT.test(event)) {
        return [];
      }
      throw new PayloadError(`unexpected hook event '${event}' (expected ${preEvents.join(' or ')})`);
    }
    return actions(agent, tools, {
      tool: reqString(o, 'tool_name'),
      input: toolInput(o.tool_input, 'tool_input'),
      cwd: optString(o, 'cwd') || hookCwd(hook),
      session: optString(o, 'session_id') ?? optString(o, 'sessionId'),
    });
  };
}

/** The hook process's cwd (this process's by default): what a payload without one is taken from. */
export function hookCwd(hook: HookProcess | undefined): string {
  return hook?.cwd ?? process.cwd();
}

/** No output, exit 0: the agent goes on with its own permission rules (Airlock only restricts). */
export const SILENT: HookOutput = { stdout: '', stderr: '', exitCode: 0 };

export function json(o: unknown, exitCode = 0, stderr = ''): HookOutput {
  return { stdout: `${JSON.stringify(o)}\n`, stderr, exitCode };
}

/** Deny as JSON on stdout and the same reason on stderr with exit 2: either one blocks. */
export function denyBoth(o: unknown, text: string): HookOutput {
  return json(o, 2, `${text}\n`);
}

/** Claude Code's `hookSpecificOutput` (also read by Codex, VS Code and Copilot CLI for Claude-style hooks). */
export function claudeSpecific(decision: 'allow' | 'deny' | 'ask', reason: string) {
  return { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason };
}
