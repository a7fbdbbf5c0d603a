/**
 * The committed hook launcher `.airlock/bin/airlock-hook <agent>`: finds Airlock on each machine
 * (and keeps finding it after updates) and runs `airlock hook <agent>`; when Airlock is missing or
 * crashes it blocks in the agent's own deny format (the agent's renderer writes it), because agents
 * run the tool when a hook fails any other way.
 */
import { AGENT_IDS, denyDecision } from './adapter';
import { ADAPTERS } from './adapters';

/** Shell `case` arms that print each agent's deny of a fixed message and exit the way it blocks. */
function denyCases(msg: string): string {
  return AGENT_IDS.map((a) => {
    const out = ADAPTERS[a].render(denyDecision(msg));
    const stdout = out.stdout.trim();
    if (stdout.includes("'")) {
      throw new Error(`the launcher's deny for ${a} cannot be quoted for sh`);
    }
    return `    ${a}) ${stdout ? `printf '%s\\n' '${stdout}'; ` : ''}exit ${out.exitCode} ;;`;
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

