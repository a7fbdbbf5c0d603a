/**
 * Codex CLI: `.codex/hooks.json` PreToolUse hooks (Claude-style). Codex runs a tool whose hook
 * answers "ask", and treats any field it does not know in the answer as invalid (and runs the tool):
 * an ask is always a deny here, in exactly Claude's deny fields.
 */
import type { Decision } from '../core/types';
import type { AgentAdapter, HookOutput } from './adapter';
import { denyText } from './adapter';
import { WATCHDOG_MS } from './installSpec';
import { claudeSpecific, denyBoth, parseClaudeStyle, SILENT } from './payload';
import type { ToolTable } from './tools';

/** Codex's tools as its hooks name them (its shell tool reaches hooks as `Bash`). */
const TOOLS: ToolTable = {
  Bash: 'shell',
  apply_patch: 'patch',
  shell: 'shell',
  local_shell: 'shell',
  exec_command: 'shell',
  update_plan: 'inert',
  view_image: 'read',
  request_user_input: 'inert',
  get_goal: 'inert',
  create_goal: 'inert',
  update_goal: 'inert',
};

/** Tools Codex 0.169.0 offers that Airlock leaves to the policy's unknown-tool default. */
const UNCLASSIFIED = {
  write_stdin: 'types into a command that is already running',
};

function renderCodex(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return SILENT;
  }
  const text = denyText(d);
  return denyBoth({ hookSpecificOutput: claudeSpecific('deny', text) }, text);
}

export const codex: AgentAdapter = {
  id: 'codex',
  displayName: 'Codex CLI',
  tools: TOOLS,
  unclassified: UNCLASSIFIED,
  parse: parseClaudeStyle('codex', TOOLS, ['PreToolUse']),
  render: renderCodex,
  watchdogMs: WATCHDOG_MS,
  install: {
    kind: 'json',
    file: '.codex/hooks.json',
    entries: (command, timeoutS) => [{ path: ['hooks', 'PreToolUse'], entry: { hooks: [{ type: 'command', command, timeout: timeoutS }] } }],
    signs: ['.codex', 'AGENTS.md'],
    notes: ['Codex loads a project .codex/hooks.json only for a trusted project with hooks trusted.'],
    timeoutConfigurable: true,
  },
};
