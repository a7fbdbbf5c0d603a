/**
 * The committed hook launcher `.airlock/bin/airlock-hook <agent>`: finds Airlock on each machine
 * (and keeps finding it after updates) and runs `airlock hook <agent>`; when Airlock is missing or
 * crashes it blocks in the agent's own deny format (the agent's renderer writes it), because agents
 * run the tool when a hook fails any other way.
 */
import { AGENT_IDS, ANSWERED_BY_HOOK, denyDecision } from './adapter';
import { ADAPTERS } from './adapters';
import { fastClientPerl } from './fastClient';

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
case "$0" in
  */*) here="\${0%/*}" ;;
  *) here=. ;;
esac
root="$(cd "$here/../.." 2>/dev/null && pwd)"
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

# Whether version $1 is newer than $2: numeric fields compared as numbers, others as text (like sort -V).
newer() {
  a="$1"
  b="$2"
  while [ -n "$a$b" ]; do
    x="\${a%%[.-]*}"
    y="\${b%%[.-]*}"
    if [ "$x" != "$y" ]; then
      case "$x$y" in
        *[!0-9]*) [ "$x" \\> "$y" ]; return ;;
        *) [ "\${x:-0}" -gt "\${y:-0}" ]; return ;;
      esac
    fi
    case "$a" in *[.-]*) a="\${a#*[.-]}" ;; *) a="" ;; esac
    case "$b" in *[.-]*) b="\${b#*[.-]}" ;; *) b="" ;; esac
  done
  return 1
}

# Whether any of the given paths exists (a glob that matched).
any() {
  for f; do
    [ -e "$f" ] && return 0
  done
  return 1
}

# The fast path: when a warm decider is there (the VS Code window that has this folder open, or the
# \`airlock run\` supervisor), perl forwards the payload over its socket and prints its answer, in a
# few milliseconds instead of a Node start. Without one it runs this launcher again with
# AIRLOCK_NO_FAST=1 and the same payload. Its exit 3, or any crash, is a deny. Perl starts only when
# a decider may be there (the terminal's own, or a registration; it checks them).
case "$agent" in
  ${ANSWERED_BY_HOOK.join('|')}) AIRLOCK_NO_FAST=1 ;; # its answer is written by the hook itself
esac
if [ -z "$AIRLOCK_NO_FAST" ] && [ "$AIRLOCK_NO_BRIDGE" != 1 ] && [ -x /usr/bin/perl ] && {
  [ -n "$AIRLOCK_SOCKET" ] ||
    { [ -n "$AIRLOCK_RUNTIME_DIR" ] && any "$AIRLOCK_RUNTIME_DIR"/windows/*.json; } ||
    { [ -z "$AIRLOCK_RUNTIME_DIR" ] && any "\${XDG_RUNTIME_DIR:-/nonexistent}"/agent-airlock-*/windows/*.json "\${TMPDIR:-/tmp}"/agent-airlock-*/windows/*.json /tmp/agent-airlock-*/windows/*.json; }
}; then
  /usr/bin/perl -e '${fastClientPerl()}' "$0" "$agent"
  rc=$?
  case "$rc" in
    0|2) exit "$rc" ;;
  esac
  crashed "$rc"
fi

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
# The newest version wherever it is installed, chosen without starting a process.
best=""
bestv=""
for ext in "$HOME/.vscode/extensions" "$HOME/.vscode-insiders/extensions" "$HOME/.vscode-server/extensions" \\
  "$HOME/.vscode-server-insiders/extensions" "$HOME/.cursor/extensions" "$HOME/.cursor-server/extensions" \\
  "$HOME/.windsurf/extensions" "$HOME/.windsurf-server/extensions" "$HOME/.vscode-oss/extensions" \\
  "$HOME/.local/share/code-server/extensions" "\${VSCODE_EXTENSIONS:-/nonexistent}"; do
  for d in "$ext"/agent-airlock.agent-airlock-*; do
    [ -f "$d/dist/cli.js" ] || continue
    v="\${d##*/agent-airlock.agent-airlock-}"
    if [ -z "$best" ] || newer "$v" "$bestv"; then
      best="$d"
      bestv="$v"
    fi
  done
done
[ -n "$best" ] && run_js "$best/dist/cli.js"
missing
`;
}

