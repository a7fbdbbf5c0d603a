/**
 * Cline: an executable `PreToolUse` file in `.clinerules/hooks/`, its payload under `preToolUse`,
 * answered with `{"cancel": bool, "errorMessage"}` (exit code ignored). Its hook timeout cannot be
 * set, so the watchdog is short. An ask is always a deny here.
 */
import type { Decision, ProposedAction } from '../core/types';
import type { AgentAdapter, HookOutput } from './adapter';
import { denyText, PayloadError } from './adapter';
import { LAUNCHER, SHORT_WATCHDOG_MS } from './installSpec';
import { actions, firstRoot, json, optString, reqString, requireObject, toolInput } from './payload';
import type { ToolTable } from './tools';
import { isRecord } from './tools';

const TOOLS: ToolTable = {
  execute_command: 'shell',
  write_to_file: 'write',
  replace_in_file: 'searchReplaceBlocks',
  apply_patch: 'patch',
  read_file: 'read',
  list_files: 'read',
  search_files: 'read',
  list_code_definition_names: 'read',
  ask_followup_question: 'inert',
  attempt_completion: 'inert',
  plan_mode_respond: 'inert',
  focus_chain: 'inert',
};

function parseCline(payload: unknown): ProposedAction[] {
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
  return actions('cline', TOOLS, {
    tool: reqString(pre, 'toolName'),
    input: toolInput(pre.parameters, 'preToolUse.parameters'),
    cwd: firstRoot(o, 'workspaceRoots') || process.cwd(),
    session: optString(o, 'taskId'),
  });
}

function renderCline(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return json({ cancel: false });
  }
  return json({ cancel: true, errorMessage: denyText(d) });
}

const HOOK_FILE = '.clinerules/hooks/PreToolUse';

function clineScript(): string {
  const msg = 'Agent Airlock: the hook launcher .airlock/bin/airlock-hook is missing; run `airlock install-hooks cline` in this workspace.';
  return `#!/bin/sh
# Agent Airlock: Cline PreToolUse hook (written by \`airlock install-hooks cline\`; safe to commit).
l="$(dirname "$0")/../../${LAUNCHER}"
if [ ! -f "$l" ]; then
  printf '%s\\n' '${JSON.stringify({ cancel: true, errorMessage: msg })}'
  exit 0
fi
exec sh "$l" cline
`;
}

export const cline: AgentAdapter = {
  id: 'cline',
  displayName: 'Cline',
  tools: TOOLS,
  parse: parseCline,
  render: renderCline,
  watchdogMs: SHORT_WATCHDOG_MS,
  install: {
    kind: 'script',
    file: HOOK_FILE,
    script: clineScript(),
    signs: ['.clinerules', '.clineignore'],
    notes: ['Cline runs hooks only when "Enable Hooks" is on in its settings (macOS and Linux).'],
    timeoutConfigurable: false,
  },
};
