/**
 * GitHub Copilot: agent mode in VS Code (its agent hooks) and the Copilot CLI. Both read the same
 * `.github/hooks/*.json` files, and each runs the other's entries too: Copilot CLI 1.0.102 runs a
 * `PreToolUse` entry (VS Code's shape) with a Claude-style payload that uses Claude's tool names
 * (`Bash`, `Write`, ...) and its own argument keys. So the two share one module: one parser that
 * takes both payload shapes, one tool table, one renderer that answers in both formats at once
 * (top-level `permissionDecision` for the CLI, `hookSpecificOutput` for VS Code); only the install
 * entry and the name differ.
 */
import type { Decision, ProposedAction } from '../core/types';
import type { AgentAdapter, AgentId, HookOutput, HookProcess } from './adapter';
import { askText, denyText } from './adapter';
import { WATCHDOG_MS } from './installSpec';
import { actions, claudeSpecific, denyBoth, hookCwd, json, optString, parseClaudeStyle, reqString, requireObject, SILENT, toolInput } from './payload';
import type { ToolTable } from './tools';

/** VS Code agent mode's tools (also sent to Claude's hooks when `chat.useClaudeHooks` is on). */
export const VSCODE_TOOLS: ToolTable = {
  run_in_terminal: 'shell',
  create_file: 'write',
  replace_string_in_file: 'replace',
  multi_replace_string_in_file: 'multiReplaceFiles',
  insert_edit_into_file: 'sketch',
  edit_notebook_file: 'sketch',
  apply_patch: 'patch',
  create_directory: 'mkdir',
  read_file: 'read',
  list_dir: 'read',
  file_search: 'read',
  grep_search: 'read',
  semantic_search: 'read',
  manage_todo_list: 'inert',
  get_errors: 'read',
  get_changed_files: 'read',
  get_terminal_output: 'inert',
  think: 'inert',
};

/** Copilot CLI's own tool names (its `preToolUse` payload). */
const COPILOT_CLI_TOOLS: ToolTable = {
  bash: 'shell',
  powershell: 'powershell',
  create: 'write',
  edit: 'replace',
  view: 'read',
  grep: 'read',
  glob: 'read',
  report_intent: 'inert',
  update_todo: 'inert',
  read_bash: 'inert', // output of a shell session the agent started
  list_bash: 'inert',
  stop_bash: 'inert',
};

/**
 * The names Copilot CLI gives its tools in Claude-style payloads (`.claude/settings.json` hooks and
 * `PreToolUse` entries), seen with 1.0.102; the arguments keep Copilot CLI's keys (`path`, `file_text`, ...).
 */
export const COPILOT_CLI_CLAUDE_NAMES: ToolTable = {
  Bash: 'shell',
  Write: 'write',
  Edit: 'replace',
  Read: 'read',
  Glob: 'read',
  Grep: 'read',
};

const COPILOT_TOOLS: ToolTable = { ...VSCODE_TOOLS, ...COPILOT_CLI_TOOLS, ...COPILOT_CLI_CLAUDE_NAMES };

/** Tools Copilot CLI 1.0.102 offers that Airlock leaves to the policy's unknown-tool default. */
const COPILOT_UNCLASSIFIED = {
  fetch_copilot_cli_documentation: 'reads documentation over the network',
  skill: 'loads a skill, which may bring its own scripts',
  sql: 'runs SQL on a session database',
  session_store_sql: 'runs SQL on the session store',
  read_agent: 'talks to another agent',
  list_agents: 'talks to other agents',
  write_agent: 'talks to another agent',
  task: 'starts a sub-agent (its own tool calls are hooked too)',
};

/**
 * Whether Copilot CLI can show an ask to a person in this run. Measured with 1.0.102: an
 * interactive session prompts "Hook permission request" (also with --allow-all-tools, --yolo and
 * --allow-all), autopilot and `-p` refuse the tool themselves ("unable to ask user"); it never runs
 * an asked tool without a human, except in its experimental auto-approval ("assisted") mode, where
 * a review model may approve it (read in its code, not offline here). Its hooks inherit the
 * terminal of an interactive session; a run without one (CI, spawned by a program) gets a deny.
 * The payload and environment say nothing about the mode.
 */
export function copilotCliCanAsk(hook: HookProcess): boolean {
  return hook.env.COPILOT_CLI === '1' && hook.hasTty;
}

/** Copilot CLI's payload: `toolName`, `toolArgs` (object or JSON string), `cwd`, `sessionId`. */
function parseCopilotCli(agent: AgentId, o: Record<string, unknown>, hook: HookProcess | undefined): ProposedAction[] {
  return actions(agent, COPILOT_TOOLS, {
    tool: reqString(o, 'toolName'),
    input: toolInput(o.toolArgs, 'toolArgs'),
    cwd: optString(o, 'cwd') || hookCwd(hook),
    session: optString(o, 'sessionId'),
  });
}

function parseCopilotAny(agent: AgentId) {
  const claudeStyle = parseClaudeStyle(agent, COPILOT_TOOLS, ['PreToolUse', 'preToolUse']);
  return (payload: unknown, hook?: HookProcess): ProposedAction[] => {
    const o = requireObject(payload, agent);
    return 'toolName' in o && !('tool_name' in o) ? parseCopilotCli(agent, o, hook) : claudeStyle(o, hook);
  };
}

function renderCopilot(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return SILENT;
  }
  if (d.verdict === 'ask') {
    const r = askText(d);
    return json({ permissionDecision: 'ask', permissionDecisionReason: r, hookSpecificOutput: claudeSpecific('ask', r) });
  }
  const text = denyText(d);
  return denyBoth({ permissionDecision: 'deny', permissionDecisionReason: text, hookSpecificOutput: claudeSpecific('deny', text) }, text);
}

/** VS Code agent mode's hooks (`hooks.PreToolUse`); Copilot CLI runs them too. */
export const copilot: AgentAdapter = {
  id: 'copilot',
  displayName: 'GitHub Copilot',
  tools: COPILOT_TOOLS,
  parse: parseCopilotAny('copilot'),
  render: renderCopilot,
  // Only when Copilot CLI runs this entry: how VS Code handles an ask is not verified here.
  canAskInThisRun: (_payload, _env, hook) => copilotCliCanAsk(hook),
  watchdogMs: WATCHDOG_MS,
  install: {
    kind: 'json',
    file: '.github/hooks/airlock.json',
    entries: (command, timeoutS) => [{ path: ['hooks', 'PreToolUse'], entry: { type: 'command', command, timeout: timeoutS } }],
    signs: ['.github/hooks', '.github/copilot-instructions.md', '.vscode'],
    notes: [],
    timeoutConfigurable: true,
  },
};

export const copilotCli: AgentAdapter = {
  ...copilot,
  id: 'copilot-cli',
  displayName: 'GitHub Copilot CLI',
  unclassified: COPILOT_UNCLASSIFIED,
  parse: parseCopilotAny('copilot-cli'),
  install: {
    kind: 'json',
    file: '.github/hooks/airlock.json',
    base: { version: 1 },
    entries: (command, timeoutS) => [{ path: ['hooks', 'preToolUse'], entry: { type: 'command', bash: command, timeoutSec: timeoutS } }],
    signs: ['.github/hooks', '.github/copilot-instructions.md'],
    notes: ['Copilot CLI loads project hooks only for a trusted folder.'],
    timeoutConfigurable: true,
  },
};
