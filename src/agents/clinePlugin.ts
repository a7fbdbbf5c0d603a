/**
 * The two files `airlock install-hooks cline` writes, and why two. Measured with Cline CLI 3.0.65:
 *
 * - Hook files fail open: when `.clinerules/hooks/PreToolUse` crashes, prints no JSON or passes
 *   Cline's 120 s limit, the tool runs; and its only block, `cancel`, aborts the whole run. But it
 *   may take up to 120 s, long enough to ask the developer in VS Code.
 * - A plugin's `beforeTool` refuses one call cleanly (`{skip: true, reason}`: the model gets the
 *   reason and the run goes on). When it throws or passes Cline's fixed 3 s limit, the run stops and
 *   the tool does not run. 3 s is too short to wait for a person.
 *
 * So the hook file decides (`airlock hook cline`, which may ask in VS Code), and Cline runs the
 * plugin right after it for the same call: the plugin lets the call run only when it finds the pass
 * the hook wrote for exactly this call (toolCallPass.ts), and refuses it otherwise, with the hook's
 * reason when the hook denied (the marker input below) or, when the hook did not run, failed or
 * timed out, with the reason that nothing approved it. The plugin itself never waits on anything.
 */
import { LAUNCHER } from './installSpec';
import { PASS_PLUGIN_JS } from './toolCallPass';

export const CLINE_HOOK_FILE = '.clinerules/hooks/PreToolUse';
export const CLINE_PLUGIN_FILE = '.cline/plugins/airlock.js';

/** The key of the input a denying hook puts in place of the tool's own (the plugin refuses it). */
export const CLINE_DENIED_KEY = 'airlock_denied';

/** The hook file: runs the committed launcher, or cancels when the launcher is missing. */
export function clineHookScript(): string {
  const msg = `Agent Airlock: the hook launcher ${LAUNCHER} is missing; run \`airlock install-hooks cline\` in this workspace.`;
  return `#!/bin/sh
# Agent Airlock: Cline PreToolUse hook (written by \`airlock install-hooks cline\`; safe to commit).
# Runs ${LAUNCHER} cline; Airlock's plugin ${CLINE_PLUGIN_FILE} then lets only what it allowed run.
l="$(dirname "$0")/../../${LAUNCHER}"
if [ ! -f "$l" ]; then
  cat >/dev/null
  printf '%s\\n' '${JSON.stringify({ cancel: true, errorMessage: msg })}'
  exit 0
fi
exec sh "$l" cline
`;
}

const NOT_APPROVED =
  `Agent Airlock blocked this tool call: its Cline hook (${CLINE_HOOK_FILE}, which runs ${LAUNCHER}) did not approve it. ` +
  'The hook did not run, failed or timed out. Run `airlock install-hooks cline` in this workspace and keep Cline\'s hooks on.';

/** The plugin (an ES module Cline loads from `.cline/plugins/`; plain Node, nothing to install). */
export function clinePluginScript(): string {
  return `// Agent Airlock: Cline plugin (written by \`airlock install-hooks cline\`; safe to commit).
// Cline runs the hook ${CLINE_HOOK_FILE} (which runs ${LAUNCHER} cline) and then this
// plugin for every tool call. A call runs only when the hook approved exactly this call; anything
// else is refused here, with the reason the model then reads. See docs/agent-hooks.md.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

${PASS_PLUGIN_JS}
const NOT_APPROVED = ${JSON.stringify(NOT_APPROVED)};

function beforeTool(ctx) {
  try {
    const input = ctx.input;
    if (input && typeof input === "object" && typeof input.${CLINE_DENIED_KEY} === "string") {
      return { skip: true, reason: input.${CLINE_DENIED_KEY} };
    }
    if (takePass(passKey(ctx.toolCall.toolCallId, ctx.toolCall.toolName, input))) {
      return undefined;
    }
    return { skip: true, reason: NOT_APPROVED };
  } catch (err) {
    return { skip: true, reason: NOT_APPROVED + " (" + (err && err.message ? err.message : String(err)) + ")" };
  }
}

export default {
  name: "agent-airlock",
  manifest: { capabilities: ["hooks"] },
  hooks: { beforeTool: async (ctx) => beforeTool(ctx) },
};
`;
}
