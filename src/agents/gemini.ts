/**
 * Gemini CLI: `BeforeTool` hooks in `.gemini/settings.json` (Claude-style payload, timeout in ms),
 * answered with `{"decision": "deny", "reason"}`; it ignores Claude's `permissionDecision`. A
 * headless run hangs on an ask: an ask is always a deny here.
 */
import type { Decision } from '../core/types';
import type { AgentAdapter, HookOutput } from './adapter';
import { denyText } from './adapter';
import { WATCHDOG_MS } from './installSpec';
import { denyBoth, parseClaudeStyle, SILENT } from './payload';
import type { ToolTable } from './tools';

/** Gemini CLI's tools (0.61.0 and earlier names). */
const TOOLS: ToolTable = {
  run_shell_command: 'shell',
  write_file: 'write',
  replace: 'replace',
  read_file: 'read',
  read_many_files: 'read',
  list_directory: 'read',
  search_file_content: 'read',
  grep_search: 'read',
  glob: 'read',
  write_todos: 'inert',
  update_topic: 'inert',
  enter_plan_mode: 'inert',
  list_background_processes: 'inert',
  read_background_output: 'inert', // output of a background shell the agent started
};

/** Tools Gemini CLI 0.61.0 offers that Airlock leaves to the policy's unknown-tool default. */
const UNCLASSIFIED = {
  web_fetch: 'fetches a URL (what it sends is not analysed)',
  google_web_search: 'searches the web',
  invoke_agent: 'starts another agent',
  activate_skill: 'loads a skill, which may bring its own scripts',
};

function renderGemini(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return SILENT;
  }
  const text = denyText(d);
  return denyBoth({ decision: 'deny', reason: text }, text);
}

export const gemini: AgentAdapter = {
  id: 'gemini',
  displayName: 'Gemini CLI',
  tools: TOOLS,
  unclassified: UNCLASSIFIED,
  parse: parseClaudeStyle('gemini', TOOLS, ['BeforeTool']),
  render: renderGemini,
  watchdogMs: WATCHDOG_MS,
  install: {
    kind: 'json',
    file: '.gemini/settings.json',
    entries: (command, timeoutS) => [{ path: ['hooks', 'BeforeTool'], entry: { matcher: '*', hooks: [{ name: 'agent-airlock', type: 'command', command, timeout: timeoutS * 1000 }] } }],
    signs: ['.gemini', 'GEMINI.md'],
    projectDirVar: 'GEMINI_PROJECT_DIR',
    notes: [],
    timeoutConfigurable: true,
  },
};
