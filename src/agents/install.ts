/**
 * Installs and removes Airlock's pre-tool hook in each agent's workspace configuration. Merges into
 * existing files (JSONC-aware: comments and formatting are kept), recognises its own entries by
 * the launcher path they run, is idempotent, and removes only its own entries.
 *
 * Every entry runs the committed launcher `.airlock/bin/airlock-hook <agent>`, which finds Airlock
 * on each teammate's machine (and keeps finding it after updates) and fails closed when it is
 * missing. The hook timeout written is longer than Airlock's approval wait.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JSONPath } from 'jsonc-parser';
import { applyEdits, modify, parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import type { AgentId } from './adapter';
import { AGENT_IDS } from './adapter';
import { AGENT_HOOK_TIMEOUT_S } from './adapters';

/** The launcher every hook entry runs, relative to the workspace; also how entries are recognised. */
export const LAUNCHER = '.airlock/bin/airlock-hook';

export class InstallError extends Error {
  override readonly name = 'InstallError';
}

export interface InstallResult {
  readonly agent: AgentId;
  /** Workspace-relative files written or deleted (empty when nothing had to change). */
  readonly changed: readonly string[];
  /** The agent's hook configuration file(s), workspace-relative. */
  readonly files: readonly string[];
  readonly notes: readonly string[];
}

export interface AgentPresence {
  readonly agent: AgentId;
  /** The agent's hook configuration file, workspace-relative. */
  readonly configFile: string;
  /** Some sign of the agent in the workspace (its config folder or file). */
  readonly found: boolean;
  /** Airlock's hook is in the agent's configuration. */
  readonly installed: boolean;
}

/** Environment variables through which agents tell their hooks the project folder. */
const PROJECT_DIR_VAR: Partial<Record<AgentId, string>> = {
  claude: 'CLAUDE_PROJECT_DIR',
  gemini: 'GEMINI_PROJECT_DIR',
  cursor: 'CURSOR_PROJECT_DIR',
};

/**
 * The shell command written into the agent's config: finds the launcher in the agent's project
 * folder (its variable) or the nearest folder up from the current one, in plain sh, and runs it. If the launcher is
 * missing the command exits 2, which blocks for every agent that runs commands.
 */
export function hookCommand(agent: AgentId, timeoutS = AGENT_HOOK_TIMEOUT_S): string {
  const v = PROJECT_DIR_VAR[agent];
  const start = v ? `"\${${v}:-$PWD}"` : '"$PWD"';
  // A non-default agent timeout moves Airlock's watchdog with it, so Airlock always answers first.
  const watchdog = timeoutS === AGENT_HOOK_TIMEOUT_S ? '' : `AIRLOCK_HOOK_WATCHDOG_MS=${(timeoutS - 10) * 1000} `;
  return `d=${start}; while [ ! -f "$d/${LAUNCHER}" ] && [ -n "$d" ]; do d="\${d%/*}"; done; ${watchdog}sh "$d/${LAUNCHER}" ${agent} || exit 2`;
}

/** A JSON(C) hook configuration: entries appended to arrays at paths. */
interface JsonSpec {
  readonly file: string;
  /** Top-level fields the file needs (e.g. `version: 1`), set only when absent. */
  readonly base?: Record<string, unknown>;
  readonly entries: readonly { readonly path: JSONPath; readonly entry: unknown }[];
  /** Folders or files whose presence means the agent is used here. */
  readonly signs: readonly string[];
}

function jsonSpec(agent: Exclude<AgentId, 'cline'>, timeoutS: number): JsonSpec {
  const command = hookCommand(agent, timeoutS);
  switch (agent) {
    case 'claude':
      return {
        file: '.claude/settings.json',
        entries: [{ path: ['hooks', 'PreToolUse'], entry: { matcher: '*', hooks: [{ type: 'command', command, timeout: timeoutS }] } }],
        signs: ['.claude', 'CLAUDE.md'],
      };
    case 'copilot':
      return {
        file: '.github/hooks/airlock.json',
        entries: [{ path: ['hooks', 'PreToolUse'], entry: { type: 'command', command, timeout: timeoutS } }],
        signs: ['.github/hooks', '.github/copilot-instructions.md', '.vscode'],
      };
    case 'copilot-cli':
      return {
        file: '.github/hooks/airlock.json',
        base: { version: 1 },
        entries: [{ path: ['hooks', 'preToolUse'], entry: { type: 'command', bash: command, timeoutSec: timeoutS } }],
        signs: ['.github/hooks', '.github/copilot-instructions.md'],
      };
    case 'cursor': {
      const entry = { command, timeout: timeoutS, failClosed: true };
      return {
        file: '.cursor/hooks.json',
        base: { version: 1 },
        entries: ['preToolUse', 'beforeShellExecution', 'beforeReadFile', 'beforeMCPExecution'].map((e) => ({ path: ['hooks', e], entry })),
        signs: ['.cursor', '.cursorrules'],
      };
    }
    case 'gemini':
      return {
        file: '.gemini/settings.json',
        entries: [{ path: ['hooks', 'BeforeTool'], entry: { matcher: '*', hooks: [{ name: 'agent-airlock', type: 'command', command, timeout: timeoutS * 1000 }] } }],
        signs: ['.gemini', 'GEMINI.md'],
      };
    case 'codex':
      return {
        file: '.codex/hooks.json',
        entries: [{ path: ['hooks', 'PreToolUse'], entry: { hooks: [{ type: 'command', command, timeout: timeoutS }] } }],
        signs: ['.codex', 'AGENTS.md'],
      };
    case 'windsurf':
      return {
        file: '.windsurf/hooks.json',
        entries: ['pre_run_command', 'pre_write_code', 'pre_read_code', 'pre_mcp_tool_use'].map((e) => ({ path: ['hooks', e], entry: { command } })),
        signs: ['.windsurf', '.windsurfrules'],
      };
  }
}

const CLINE_HOOK = '.clinerules/hooks/PreToolUse';

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

/** The deny each agent honours, for the launcher when Airlock itself is missing. */
function missingDeny(agent: AgentId, msg: string): string {
  const claude = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: msg } };
  switch (agent) {
    case 'claude':
    case 'codex':
      return JSON.stringify(claude);
    case 'copilot':
    case 'copilot-cli':
      return JSON.stringify({ permissionDecision: 'deny', permissionDecisionReason: msg, ...claude });
    case 'cursor':
      return JSON.stringify({ permission: 'deny', user_message: msg, agent_message: msg, userMessage: msg, agentMessage: msg });
    case 'gemini':
      return JSON.stringify({ decision: 'deny', reason: msg });
    case 'cline':
      return JSON.stringify({ cancel: true, errorMessage: msg });
    case 'windsurf':
      return '';
  }
}

/** Shell `case` arms that print the agent's deny for a fixed message and exit the way it blocks. */
function denyCases(msg: string): string {
  return AGENT_IDS.map((a) => {
    const out = missingDeny(a, msg);
    return `    ${a}) ${out ? `printf '%s\\n' '${out}'; ` : ''}${a === 'cline' ? 'exit 0' : 'exit 2'} ;;`;
  }).join('\n');
}

/** The committed launcher: finds Airlock on this machine and runs `airlock hook <agent>`; fails closed. */
export function launcherScript(): string {
  const missing =
    'Agent Airlock is not installed on this machine (or Node.js is missing), so this action is blocked. Install the Agent Airlock extension in VS Code (or npm install -g agent-airlock), or set AIRLOCK_CLI to the path of its dist/cli.js.';
  const crashed = 'Agent Airlock failed while checking this action, so it is blocked. Reinstall or update Agent Airlock; run the agent again to retry.';
  return `#!/bin/sh
# Agent Airlock hook launcher (written by \`airlock install-hooks\`; commit it with the hook configs).
# Usage: airlock-hook <agent>   (the agent's pre-tool payload on stdin)
# Finds the Airlock CLI on this machine and runs \`airlock hook <agent>\`: $AIRLOCK_CLI,
# \`airlock\` on PATH, then the newest Agent Airlock extension installed in VS Code, VS Code Insiders, VS Code Server, Cursor, Windsurf or code-server. If none is found, or
# Airlock exits in a way the agent would not treat as a block (a crash), it blocks the action in the
# agent's own format: agents run the tool when a hook fails any other way.
agent="$1"
here="$(cd "$(dirname "$0")" 2>/dev/null && pwd)"
root="$(dirname "$(dirname "$here")")"
# The folder this hook was installed for: its policy applies (a folder the agent creates never does).
AIRLOCK_WORKSPACE="$root"
export AIRLOCK_WORKSPACE

missing() {
  printf '%s\\n' '${missing}' >&2
  case "$agent" in
${denyCases(missing)}
  esac
  exit 2
}

crashed() {
  printf '%s (exit %s)\\n' '${crashed}' "$1" >&2
  case "$agent" in
${denyCases(crashed)}
  esac
  exit 2
}

# Runs Airlock; 0 and 2 are its answers, anything else (a crash, a kill) becomes a deny.
run() {
  "$@" hook "$agent"
  rc=$?
  case "$rc" in
    0|2) exit "$rc" ;;
  esac
  crashed "$rc"
}

run_js() {
  command -v node >/dev/null 2>&1 || missing
  run node "$1"
}

if [ -n "$AIRLOCK_CLI" ]; then
  case "$AIRLOCK_CLI" in
    *.js) [ -f "$AIRLOCK_CLI" ] && run_js "$AIRLOCK_CLI" ;;
    *) [ -x "$AIRLOCK_CLI" ] && run "$AIRLOCK_CLI" ;;
  esac
fi
# Never anything inside the workspace (such as node_modules/.bin/airlock): the agent can write there.
if command -v airlock >/dev/null 2>&1; then
  run airlock
fi
tab="$(printf '\\t')"
found=""
for ext in "$HOME/.vscode/extensions" "$HOME/.vscode-insiders/extensions" "$HOME/.vscode-server/extensions" \\
  "$HOME/.vscode-server-insiders/extensions" "$HOME/.cursor/extensions" "$HOME/.cursor-server/extensions" \\
  "$HOME/.windsurf/extensions" "$HOME/.windsurf-server/extensions" "$HOME/.vscode-oss/extensions" \\
  "$HOME/.local/share/code-server/extensions" "\${VSCODE_EXTENSIONS:-/nonexistent}"; do
  for d in "$ext"/agent-airlock.agent-airlock-*; do
    [ -f "$d/dist/cli.js" ] && found="$found
\${d##*/agent-airlock.agent-airlock-}$tab$d"
  done
done
if [ -n "$found" ]; then
  # The newest version wherever it is installed (sort -V where available, else plain order).
  newest="$(printf '%s\\n' "$found" | sed '/^$/d' | sort -t "$tab" -k1,1V 2>/dev/null | tail -n 1 | cut -f2-)"
  [ -n "$newest" ] || newest="$(printf '%s\\n' "$found" | sed '/^$/d' | tail -n 1 | cut -f2-)"
  run_js "$newest/dist/cli.js"
fi
missing
`;
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

function parseConfig(text: string, file: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const v: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    throw new InstallError(`${file} is not valid JSON (${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}); fix it first, Airlock will not overwrite it`);
  }
  if (text.trim() === '') {
    return {};
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InstallError(`${file} must hold a JSON object; Airlock will not overwrite it`);
  }
  return v as Record<string, unknown>;
}

function getAt(root: unknown, p: JSONPath): unknown {
  let v = root;
  for (const k of p) {
    if (typeof v !== 'object' || v === null) {
      return undefined;
    }
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function isOurs(v: unknown): boolean {
  return JSON.stringify(v ?? null).includes(LAUNCHER);
}

/** Removes Airlock's entries from the array at p (and our hooks inside mixed groups). */
function removeOurs(text: string, p: JSONPath, file: string): string {
  for (let guard = 0; guard < 1000; guard++) {
    const arr = getAt(parseConfig(text, file), p);
    if (!Array.isArray(arr)) {
      return text;
    }
    const i = arr.findIndex(isOurs);
    if (i < 0) {
      if (arr.length === 0) {
        text = applyEdits(text, modify(text, p, undefined, {}));
      }
      return text;
    }
    const e: unknown = arr[i];
    const inner = typeof e === 'object' && e !== null ? (e as Record<string, unknown>).hooks : undefined;
    if (Array.isArray(inner) && inner.some((h) => !isOurs(h))) {
      text = applyEdits(text, modify(text, [...p, i, 'hooks', inner.findIndex(isOurs)], undefined, {}));
    } else {
      text = applyEdits(text, modify(text, [...p, i], undefined, {}));
    }
  }
  throw new InstallError(`${file}: too many Airlock entries to remove`);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw err;
  }
}

function writeIfChanged(file: string, text: string, before: string | undefined, mode?: number): boolean {
  if (text === before) {
    return false;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write to a temporary file and rename, so an interrupted install never leaves half a config.
  const tmp = `${file}.airlock-${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, mode !== undefined ? { mode } : {});
  if (mode !== undefined) {
    fs.chmodSync(tmp, mode);
  }
  fs.renameSync(tmp, file);
  return true;
}

function installJson(dir: string, spec: JsonSpec): boolean {
  const file = path.join(dir, spec.file);
  const before = readText(file);
  let text = before ?? '{}\n';
  let root = parseConfig(text, spec.file);
  if (before !== undefined && before.trim() === '') {
    text = '{}\n';
  }
  for (const [k, v] of Object.entries(spec.base ?? {})) {
    if (!(k in root)) {
      text = applyEdits(text, modify(text, [k], v, FORMAT));
    }
  }
  for (const { path: p, entry } of spec.entries) {
    root = parseConfig(text, spec.file);
    const arr = getAt(root, p);
    if (arr !== undefined && !Array.isArray(arr)) {
      throw new InstallError(`${spec.file}: ${p.join('.')} must be an array; Airlock will not overwrite it`);
    }
    const ours = Array.isArray(arr) ? arr.filter(isOurs) : [];
    if (ours.length === 1 && sameJson(ours[0], entry)) {
      continue;
    }
    text = removeOurs(text, p, spec.file);
    const now = getAt(parseConfig(text, spec.file), p);
    // First in the array: comments trailing the existing last entry stay with it.
    text = Array.isArray(now)
      ? applyEdits(text, modify(text, [...p, 0], entry, { ...FORMAT, isArrayInsertion: true }))
      : applyEdits(text, modify(text, p, [entry], FORMAT));
  }
  if (!text.endsWith('\n')) {
    text += '\n';
  }
  return writeIfChanged(file, text, before);
}

function uninstallJson(dir: string, spec: JsonSpec): 'unchanged' | 'changed' | 'deleted' {
  const file = path.join(dir, spec.file);
  const before = readText(file);
  if (before === undefined) {
    return 'unchanged';
  }
  let text = before;
  for (const { path: p } of spec.entries) {
    if (isOurs(getAt(parseConfig(text, spec.file), p))) {
      text = removeOurs(text, p, spec.file);
      // Remove parents left empty by the removal (e.g. "hooks": {}).
      for (let n = p.length - 1; n >= 1; n--) {
        const parent = getAt(parseConfig(text, spec.file), p.slice(0, n));
        if (typeof parent === 'object' && parent !== null && Object.keys(parent).length === 0) {
          text = applyEdits(text, modify(text, p.slice(0, n), undefined, {}));
        }
      }
    }
  }
  if (text === before) {
    return 'unchanged';
  }
  const rest = Object.keys(parseConfig(text, spec.file)).filter((k) => !(k === 'version' || k in (spec.base ?? {})));
  if (rest.length === 0 && !/\/\/|\/\*/.test(text)) {
    removeFile(dir, spec.file);
    return 'deleted';
  }
  writeIfChanged(file, text, before);
  return 'changed';
}

/** Deletes a file Airlock wrote and the folders it leaves empty, up to the workspace. */
function removeFile(ws: string, rel: string): void {
  fs.rmSync(path.join(ws, rel), { force: true });
  for (let d = path.dirname(path.join(ws, rel)); d.startsWith(ws + path.sep); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      break;
    }
  }
}

function configFile(agent: AgentId): string {
  return agent === 'cline' ? CLINE_HOOK : jsonSpec(agent, AGENT_HOOK_TIMEOUT_S).file;
}

function installLauncher(dir: string): boolean {
  const file = path.join(dir, LAUNCHER);
  return writeIfChanged(file, launcherScript(), readText(file), 0o755);
}

export interface InstallOptions {
  /** The agent's hook timeout in seconds (default 300: longer than Airlock's approval wait). */
  readonly timeoutS?: number;
}

/** Installs Airlock's hook for one agent in the workspace `dir` (idempotent). */
export function installHooks(agent: AgentId, dir: string, opts: InstallOptions = {}): InstallResult {
  const ws = path.resolve(dir);
  if (!fs.existsSync(ws) || !fs.statSync(ws).isDirectory()) {
    throw new InstallError(`${ws} is not a folder`);
  }
  const changed: string[] = [];
  const notes: string[] = [];
  if (agent === 'cline') {
    const file = path.join(ws, CLINE_HOOK);
    const before = readText(file);
    if (before !== undefined && !before.includes(LAUNCHER)) {
      throw new InstallError(`${CLINE_HOOK} already exists and is not Airlock's; add the line \`sh ${LAUNCHER} cline\` to it yourself (its stdin must be passed on)`);
    }
    if (writeIfChanged(file, clineScript(), before, 0o755)) {
      changed.push(CLINE_HOOK);
    }
    notes.push('Cline runs hooks only when "Enable Hooks" is on in its settings (macOS and Linux).');
  } else {
    const spec = jsonSpec(agent, opts.timeoutS ?? AGENT_HOOK_TIMEOUT_S);
    if (installJson(ws, spec)) {
      changed.push(spec.file);
    }
    if (agent === 'codex') {
      notes.push('Codex loads a project .codex/hooks.json only for a trusted project with hooks trusted.');
    }
    if (agent === 'copilot-cli') {
      notes.push('Copilot CLI loads project hooks only for a trusted folder.');
    }
  }
  // After the config (which may refuse to be changed); until then the entry fails closed.
  if (installLauncher(ws)) {
    changed.unshift(LAUNCHER);
  }
  return { agent, changed, files: [configFile(agent)], notes };
}

/** Removes Airlock's hook for one agent; the launcher goes too once no agent uses it. */
export function uninstallHooks(agent: AgentId, dir: string): InstallResult {
  const ws = path.resolve(dir);
  const changed: string[] = [];
  if (agent === 'cline') {
    const file = path.join(ws, CLINE_HOOK);
    const before = readText(file);
    if (before !== undefined && before.includes(LAUNCHER)) {
      removeFile(ws, CLINE_HOOK);
      changed.push(CLINE_HOOK);
    }
  } else {
    const spec = jsonSpec(agent, AGENT_HOOK_TIMEOUT_S);
    if (uninstallJson(ws, spec) !== 'unchanged') {
      changed.push(spec.file);
    }
  }
  if (detectAgents(ws).every((p) => !p.installed) && fs.existsSync(path.join(ws, LAUNCHER))) {
    removeFile(ws, LAUNCHER);
    changed.push(LAUNCHER);
  }
  return { agent, changed, files: [configFile(agent)], notes: [] };
}

function agentInstalled(ws: string, agent: AgentId): boolean {
  const text = readText(path.join(ws, configFile(agent)));
  if (text === undefined || !text.includes(LAUNCHER)) {
    return false;
  }
  if (agent === 'cline') {
    return true;
  }
  let root: Record<string, unknown>;
  try {
    root = parseConfig(text, configFile(agent));
  } catch {
    return false;
  }
  return jsonSpec(agent, AGENT_HOOK_TIMEOUT_S).entries.some((e) => isOurs(getAt(root, e.path)));
}

/** Which agents show signs of use in the workspace, and whether Airlock's hook is installed. */
export function detectAgents(dir: string): AgentPresence[] {
  const ws = path.resolve(dir);
  return AGENT_IDS.map((agent) => {
    const file = configFile(agent);
    const signs = agent === 'cline' ? ['.clinerules', '.clineignore'] : jsonSpec(agent, AGENT_HOOK_TIMEOUT_S).signs;
    const found = fs.existsSync(path.join(ws, file)) || signs.some((s) => fs.existsSync(path.join(ws, s)));
    return { agent, configFile: file, found, installed: agentInstalled(ws, agent) };
  });
}
