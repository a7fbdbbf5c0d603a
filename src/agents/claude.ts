/**
 * Claude Code: `.claude/settings.json` PreToolUse hooks, Claude-style payloads, answers in
 * `hookSpecificOutput.permissionDecision`. Its hooks are also run by VS Code (with
 * `chat.useClaudeHooks` on, with VS Code's tool names) and by Copilot CLI (with Claude's names and
 * Copilot's argument keys), so its tool table holds theirs too.
 */
import type { Decision } from '../core/types';
import type { AgentAdapter, HookOutput, HookProcess } from './adapter';
import { askText, denyText } from './adapter';
import { COPILOT_CLI_CLAUDE_NAMES, copilotCliCanAsk, VSCODE_TOOLS } from './copilot';
import { WATCHDOG_MS } from './installSpec';
import { claudeSpecific, denyBoth, json, parseClaudeStyle, SILENT } from './payload';
import type { ToolTable } from './tools';
import { isRecord } from './tools';

/** Claude Code's own tools (2.1.330 and earlier versions). */
const CLAUDE_CODE_TOOLS: ToolTable = {
  Bash: 'shell',
  Write: 'write',
  Edit: 'replace',
  MultiEdit: 'multiReplace',
  NotebookEdit: 'sketch',
  Read: 'read',
  NotebookRead: 'read',
  Grep: 'read',
  Glob: 'read',
  LS: 'read',
  TodoWrite: 'inert',
  Task: 'inert', // a sub-agent: its own tool calls are hooked too
  Agent: 'inert', // Task's newer name
  ExitPlanMode: 'inert',
  AskUserQuestion: 'inert',
  BashOutput: 'inert', // output of a background shell the agent started
  KillShell: 'inert',
  KillBash: 'inert',
  ToolSearch: 'inert', // loads the schemas of deferred tools
  ListAgents: 'inert',
  SendMessage: 'inert',
  TaskCreate: 'inert', // the task list
  TaskGet: 'inert',
  TaskList: 'inert',
  TaskUpdate: 'inert',
  TaskStop: 'inert',
};

/** Tools Claude Code 2.1.330 offers that Airlock leaves to the policy's unknown-tool default. */
const CLAUDE_UNCLASSIFIED = {
  WebFetch: 'fetches a URL (what it sends is not analysed)',
  WebSearch: 'searches the web',
  EnterWorktree: 'creates a git worktree',
  ExitWorktree: 'removes or leaves a git worktree',
  Monitor: 'watches a process or command',
  Skill: 'loads a skill, which may bring its own scripts',
  Workflow: 'runs a workflow',
  ScheduleWakeup: 'schedules a later turn',
  CronCreate: 'schedules prompts',
  CronDelete: 'schedules prompts',
  CronList: 'schedules prompts',
  ReportFindings: 'reports to another agent',
  DeferredToolPlaceholder: 'stands for tools not loaded yet',
};

/**
 * Permission modes in which Claude Code 2.1.330 puts a hook's ask in front of the person at the
 * terminal (measured in an interactive session: default, acceptEdits, plan, dontAsk, and
 * bypassPermissions too). Others (auto, newer ones) are not verified: ask becomes a deny there.
 */
const ASKING_MODES: ReadonlySet<string> = new Set(['default', 'acceptEdits', 'plan', 'dontAsk', 'bypassPermissions']);

/**
 * Claude Code tells its hooks whether a person attends the session: CLAUDE_CODE_SESSION_ATTENDED=1
 * in an interactive terminal (CLAUDE_CODE_ENTRYPOINT=cli), 0 in `-p` runs (sdk-cli), which refuse
 * an ask. Its VS Code extension and desktop app attend too, but are not verified (the extension was
 * reported to run an asked tool without asking), so only the terminal counts. A Claude-style payload
 * without `permission_mode` comes from Copilot CLI running Claude's hooks: its rule applies.
 */
function claudeCanAsk(payload: unknown, env: NodeJS.ProcessEnv, hook: HookProcess): boolean {
  if (!isRecord(payload)) {
    return false;
  }
  const mode = payload.permission_mode;
  if (mode === undefined) {
    return copilotCliCanAsk(hook);
  }
  return typeof mode === 'string' && ASKING_MODES.has(mode) && env.CLAUDE_CODE_ENTRYPOINT === 'cli' && env.CLAUDE_CODE_SESSION_ATTENDED === '1';
}

function renderClaude(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return SILENT;
  }
  if (d.verdict === 'ask') {
    return json({ hookSpecificOutput: claudeSpecific('ask', askText(d)) });
  }
  const text = denyText(d);
  return denyBoth({ hookSpecificOutput: claudeSpecific('deny', text) }, text);
}

const TOOLS: ToolTable = { ...VSCODE_TOOLS, ...COPILOT_CLI_CLAUDE_NAMES, ...CLAUDE_CODE_TOOLS };

export const claude: AgentAdapter = {
  id: 'claude',
  displayName: 'Claude Code',
  tools: TOOLS,
  unclassified: CLAUDE_UNCLASSIFIED,
  parse: parseClaudeStyle('claude', TOOLS, ['PreToolUse']),
  render: renderClaude,
  canAskInThisRun: claudeCanAsk,
  watchdogMs: WATCHDOG_MS,
  install: {
    kind: 'json',
    file: '.claude/settings.json',
    entries: (command, timeoutS) => [{ path: ['hooks', 'PreToolUse'], entry: { matcher: '*', hooks: [{ type: 'command', command, timeout: timeoutS }] } }],
    signs: ['.claude', 'CLAUDE.md'],
    projectDirVar: 'CLAUDE_PROJECT_DIR',
    notes: [],
    timeoutConfigurable: true,
  },
};
