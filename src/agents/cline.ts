/**
 * Cline: the Cline CLI (3.x, verified with 3.0.65) and Cline for VS Code share the hook file
 * `.clinerules/hooks/PreToolUse` (JSON in on stdin, JSON out; the exit code is ignored). The CLI also
 * loads Airlock's plugin `.cline/plugins/airlock.js` and runs it right after the hook for every tool
 * call; see clinePlugin.ts for why both and how they work together.
 *
 * The CLI's payload carries `tool_call {id, name, input}`; Cline for VS Code sends only
 * `preToolUse {toolName, parameters}` (documented, not run here). Their answers differ: the CLI
 * aborts the whole run on `cancel`, so a CLI deny replaces the tool's input with a marker the
 * plugin turns into a clean refusal (the run goes on); Cline for VS Code gets `cancel`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Decision, GateResult, ProposedAction } from '../core/types';
import type { AgentAdapter, HookOutput, HookProcess } from './adapter';
import { denyText, PayloadError } from './adapter';
import { CLINE_DENIED_KEY, CLINE_HOOK_FILE, CLINE_PLUGIN_FILE, clineHookScript, clinePluginScript } from './clinePlugin';
import { SHORT_WATCHDOG_MS } from './installSpec';
import type { Extracted } from './payload';
import { actions, firstRoot, hookCwd, json, optString, requireObject, toolInput } from './payload';
import { passKey, writePass } from './toolCallPass';
import type { ToolTable } from './tools';
import { isRecord, readCurrent, toolActions } from './tools';

/** Cline CLI 3.0.65's tools (`-y` offers editor, read_files, run_commands and submit_and_exit). */
const CLI_TOOLS: ToolTable = {
  run_commands: 'shell', // `commands`: one action per command line
  editor: 'write', // replace, insert or create: see editorActions
  read_files: 'read', // `files: [{path}]`
  apply_patch: 'patch', // offered instead of editor for model ids containing gpt or codex
  search_codebase: 'read', // regex queries over the workspace
  ask_question: 'inert',
  spawn_agent: 'inert', // a sub-agent: its own tool calls run the hook and the plugin too
  submit_and_exit: 'inert',
};

/** Cline for VS Code's tools (from its documentation; not run here). */
const EXTENSION_TOOLS: ToolTable = {
  execute_command: 'shell',
  write_to_file: 'write',
  replace_in_file: 'searchReplaceBlocks',
  read_file: 'read',
  list_files: 'read',
  search_files: 'read',
  list_code_definition_names: 'read',
  ask_followup_question: 'inert',
  attempt_completion: 'inert',
  plan_mode_respond: 'inert',
  focus_chain: 'inert',
};

const TOOLS: ToolTable = { ...EXTENSION_TOOLS, ...CLI_TOOLS };

const TEAM = 'coordinates a team of Cline agents (not verified to run each member\'s tools through the hook)';

/** Tools Cline CLI 3.0.65 offers that Airlock leaves to the policy's unknown-tool default. */
const UNCLASSIFIED = {
  fetch_web_content: 'fetches URLs (what it sends is not analysed)',
  ...Object.fromEntries(
    [
      'team_attach_outcome_fragment',
      'team_await_runs',
      'team_broadcast',
      'team_cancel_run',
      'team_cleanup',
      'team_create_outcome',
      'team_finalize_outcome',
      'team_list_outcomes',
      'team_list_runs',
      'team_mission_log',
      'team_read_mailbox',
      'team_review_outcome_fragment',
      'team_run_task',
      'team_send_message',
      'team_shutdown_teammate',
      'team_spawn_teammate',
      'team_status',
      'team_task',
    ].map((t) => [t, TEAM]),
  ),
};

/**
 * Tools that fail on the deny marker as their input (a schema error; spawn_agent: its own error on
 * the missing task), verified with the real CLI: a denied call of one of them does nothing even if
 * Airlock's plugin is not loaded.
 */
const REJECTS_MARKER: ReadonlySet<string> = new Set(['run_commands', 'editor', 'read_files', 'apply_patch', 'search_codebase', 'fetch_web_content', 'ask_question', 'spawn_agent', 'submit_and_exit']);

/** The content after inserting `text` before one-based line `n` (line count + 1 appends). */
function insertAt(current: string, n: number, text: string): string {
  const lines = current.split('\n');
  const at = Math.max(0, Math.min(lines.length, n - 1));
  return [...lines.slice(0, at), text.replace(/\n$/, ''), ...lines.slice(at)].join('\n');
}

/** Cline CLI's editor: replace old_text (exactly once), insert at insert_line, or create the file. */
function editorActions(x: Extracted): ProposedAction[] {
  const { input } = x;
  const file = typeof input.path === 'string' ? input.path : undefined;
  const newText = typeof input.new_text === 'string' ? input.new_text : undefined;
  if (file === undefined || file === '' || newText === undefined) {
    throw new PayloadError(`editor: the tool input needs a 'path' and a 'new_text' string`);
  }
  const call = { agent: 'cline', tool: x.tool, cwd: x.cwd, ...(x.session !== undefined ? { session: x.session } : {}) };
  if (typeof input.old_text === 'string') {
    return toolActions({ ...call, input: { file_path: file, old_string: input.old_text, new_string: newText } }, { [x.tool]: 'replace' });
  }
  if (typeof input.insert_line === 'number') {
    const [action] = toolActions({ ...call, input: { file_path: file } }, { [x.tool]: 'sketch' });
    const current = readCurrent(action.paths[0]);
    return [{ ...action, kind: 'edit', ...(current !== undefined ? { content: insertAt(current, input.insert_line, newText) } : {}) }];
  }
  return toolActions({ ...call, input: { file_path: file, content: newText } }, { [x.tool]: 'write' });
}

/** A tool call of the CLI or the extension as proposed actions. */
function clineActions(x: Extracted): ProposedAction[] {
  switch (x.tool) {
    case 'run_commands': {
      // Cline also runs a lone string as one command.
      const cmds: unknown = typeof x.input.commands === 'string' ? [x.input.commands] : x.input.commands;
      if (!Array.isArray(cmds) || cmds.length === 0 || !cmds.every((c) => typeof c === 'string')) {
        throw new PayloadError(`run_commands: the tool input has no 'commands' array of strings`);
      }
      return cmds.flatMap((command: string) => actions('cline', TOOLS, { ...x, input: { command } }));
    }
    case 'editor':
      return editorActions(x);
    case 'read_files': {
      const files = x.input.files;
      if (!Array.isArray(files) || !files.every((f) => isRecord(f) && typeof f.path === 'string')) {
        throw new PayloadError(`read_files: the tool input has no 'files' array of {path}`);
      }
      return actions('cline', TOOLS, { ...x, input: { paths: files.map((f: Record<string, unknown>) => f.path) } });
    }
    default:
      return actions('cline', TOOLS, x);
  }
}

/** The CLI's tool call in a hook payload, when it is one (Cline for VS Code sends none). */
function cliToolCall(o: Record<string, unknown>): { id: string; name: string; input: unknown } | undefined {
  const tc = o.tool_call;
  if (tc === undefined) {
    return undefined;
  }
  if (!isRecord(tc) || typeof tc.id !== 'string' || typeof tc.name !== 'string' || tc.name === '') {
    throw new PayloadError(`field 'tool_call' must be an object with the strings id and name`);
  }
  return { id: tc.id, name: tc.name, input: tc.input };
}

const AFTER_HOOKS = /^(PostToolUse|TaskStart|TaskResume|TaskCancel|TaskComplete|TaskError|UserPromptSubmit|PreCompact|SessionShutdown|tool_result|agent_start|agent_resume|agent_end|agent_error|agent_abort|prompt_submit)$/;

function parseCline(payload: unknown, proc?: HookProcess): ProposedAction[] {
  const o = requireObject(payload, 'cline');
  const hook = optString(o, 'hookName');
  // Only Cline's after-events carry nothing to stop; any other name (in any case) is judged or denied.
  if (hook !== undefined && AFTER_HOOKS.test(hook)) {
    return [];
  }
  if (hook !== undefined && !['pretooluse', 'tool_call'].includes(hook.toLowerCase())) {
    throw new PayloadError(`unknown Cline hook '${hook}'`);
  }
  const cwd = firstRoot(o, 'workspaceRoots') || hookCwd(proc);
  const session = optString(o, 'taskId');
  const tc = cliToolCall(o);
  if (tc !== undefined) {
    // The CLI's own input (its preToolUse.parameters has every value turned into a string).
    return clineActions({ tool: tc.name, input: toolInput(tc.input, 'tool_call.input'), cwd, session });
  }
  const pre = o.preToolUse;
  if (!isRecord(pre)) {
    throw new PayloadError(`field 'preToolUse' must be an object with toolName and parameters`);
  }
  const tool = pre.toolName;
  if (typeof tool !== 'string' || tool === '') {
    throw new PayloadError(`field 'toolName' is missing`);
  }
  return clineActions({ tool, input: toolInput(pre.parameters, 'preToolUse.parameters'), cwd, session });
}

/** Cline for VS Code (and any answer without a CLI payload): cancel blocks the tool. */
function renderCline(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return json({ cancel: false });
  }
  return json({ cancel: true, errorMessage: denyText(d) });
}

/**
 * The answer to the CLI: an allow leaves a pass for Airlock's plugin (no pass, no run); a deny
 * replaces the input with the marker the plugin refuses with its reason.
 */
function answerCline(result: GateResult, payload: unknown): HookOutput {
  let tc: ReturnType<typeof cliToolCall>;
  try {
    tc = isRecord(payload) ? cliToolCall(payload) : undefined;
  } catch {
    tc = undefined;
  }
  if (tc === undefined) {
    return renderCline(result.decision);
  }
  const d = result.decision;
  if (d.verdict === 'allow') {
    try {
      writePass(passKey(tc.id, tc.name, tc.input));
    } catch (err) {
      return answerCline({ decision: { ...d, verdict: 'deny', reasons: [`Agent Airlock could not record its approval for its Cline plugin (${err instanceof Error ? err.message : String(err)})`] }, decidedBy: 'error' }, payload);
    }
    return json({ cancel: false });
  }
  const text = denyText(d);
  // Without Airlock's plugin as written, a tool not known to fail on the marker could run with it:
  // then the run is cancelled (Cline's only other way to stop a call).
  const safe = REJECTS_MARKER.has(tc.name) || pluginIntact(payload);
  return json({ overrideInput: { [CLINE_DENIED_KEY]: text }, context: text, ...(safe ? {} : { cancel: true, errorMessage: text }) });
}

const PLUGIN_TEXT = clinePluginScript();

/** Whether the workspace has Airlock's Cline plugin exactly as Airlock writes it (so Cline loads it). */
function pluginIntact(payload: unknown): boolean {
  try {
    const root = isRecord(payload) ? firstRoot(payload, 'workspaceRoots') : undefined;
    return root !== undefined && fs.readFileSync(path.join(root, CLINE_PLUGIN_FILE), 'utf8') === PLUGIN_TEXT;
  } catch {
    return false;
  }
}

export const cline: AgentAdapter = {
  id: 'cline',
  displayName: 'Cline',
  tools: TOOLS,
  unclassified: UNCLASSIFIED,
  parse: parseCline,
  render: renderCline,
  answer: answerCline,
  watchdogMs: SHORT_WATCHDOG_MS,
  install: {
    kind: 'files',
    files: [
      { file: CLINE_HOOK_FILE, text: clineHookScript(), executable: true },
      { file: CLINE_PLUGIN_FILE, text: PLUGIN_TEXT, executable: false },
    ],
    signs: ['.clinerules', '.clineignore', '.cline'],
    notes: [
      'Cline CLI runs the hook file and then Airlock\'s plugin for every tool call; the plugin lets a call run only when the hook approved it (Node.js must be on PATH for Cline to load plugins).',
      'Cline for VS Code runs the hook file only when "Enable Hooks" is on in its settings (macOS and Linux).',
    ],
    timeoutConfigurable: false,
  },
};
