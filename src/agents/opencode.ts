/**
 * OpenCode (verified with 1.18.33): it has no shell hooks. Its plugins get `tool.execute.before`
 * for every tool call and block one by throwing (the model gets the error's message as the tool's
 * result and the run goes on). Airlock's plugin `.opencode/plugins/airlock.js` hands each call to
 * the committed launcher (`airlock hook opencode`, so the window, the policy and the fail-closed
 * launcher are the same as for every agent) and throws unless the answer is an explicit allow.
 * OpenCode puts no time limit on a plugin, so an ask can wait for the developer in VS Code.
 */
import type { Decision, ProposedAction } from '../core/types';
import type { AgentAdapter, HookOutput, HookProcess } from './adapter';
import { denyText, PayloadError } from './adapter';
import { LAUNCHER, WATCHDOG_MS } from './installSpec';
import { actions, hookCwd, json, optString, reqString, requireObject, toolInput } from './payload';
import type { ToolTable } from './tools';
import { isRecord } from './tools';

/** OpenCode 1.18.33's tools as its plugins name them. */
const TOOLS: ToolTable = {
  bash: 'shell',
  write: 'write',
  edit: 'replace',
  multiedit: 'multiReplace',
  apply_patch: 'patch', // offered instead of edit and write for model ids containing "gpt-"
  patch: 'patch',
  read: 'read',
  glob: 'read',
  grep: 'read',
  list: 'read',
  todowrite: 'inert',
  todoread: 'inert',
  task: 'inert', // a sub-agent: its own tool calls reach the plugin too
  question: 'inert',
};

/** Tools OpenCode offers that Airlock leaves to the policy's unknown-tool default. */
const UNCLASSIFIED = {
  webfetch: 'fetches a URL (what it sends is not analysed)',
  websearch: 'searches the web',
  codesearch: 'searches code on the web',
  skill: 'loads a skill, which may bring its own scripts',
  lsp: 'queries a language server',
};

/** The event name Airlock's plugin sends (OpenCode's hook). */
const EVENT = 'tool.execute.before';

/** Airlock's plugin's payload: OpenCode's `input` and `output.args` as given, plus its directories. */
function parseOpencode(payload: unknown, hook?: HookProcess): ProposedAction[] {
  const o = requireObject(payload, 'opencode');
  const event = reqString(o, 'hook');
  if (event !== EVENT) {
    throw new PayloadError(`unexpected OpenCode hook '${event}' (expected ${EVENT})`);
  }
  const input = o.input;
  const output = o.output;
  if (!isRecord(input) || !isRecord(output)) {
    throw new PayloadError(`fields 'input' and 'output' must be objects (OpenCode's tool.execute.before arguments)`);
  }
  return actions('opencode', TOOLS, {
    tool: reqString(input, 'tool'),
    input: toolInput(output.args, 'output.args'),
    cwd: optString(o, 'directory') || hookCwd(hook),
    session: optString(input, 'sessionID'),
  });
}

/** What Airlock's plugin reads: an explicit allow, or a deny with the reason it throws. */
function renderOpencode(d: Decision): HookOutput {
  if (d.verdict === 'allow') {
    return json({ decision: 'allow' });
  }
  const text = denyText(d);
  return json({ decision: 'deny', reason: text }, 2, `${text}\n`);
}

export const OPENCODE_PLUGIN_FILE = '.opencode/plugins/airlock.js';

/** Kills Airlock this long after the watchdog should have answered (OpenCode itself never gives up). */
const PLUGIN_LIMIT_MS = WATCHDOG_MS + 15_000;

function opencodePluginScript(): string {
  return `// Agent Airlock: OpenCode plugin (written by \`airlock install-hooks opencode\`; safe to commit).
// Hands every tool call to ${LAUNCHER} opencode and blocks it (throws, so the model reads
// why) unless Airlock answers with an explicit allow. See docs/agent-hooks.md.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("../../${LAUNCHER}", import.meta.url));
const LIMIT_MS = ${PLUGIN_LIMIT_MS};

function runAirlock(payload) {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    let done = false;
    let timer;
    const finish = (code, why) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve({ code, out, err: why || err });
      }
    };
    let child;
    try {
      child = spawn("sh", [LAUNCHER, "opencode"], { stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      return finish(-1, String(e));
    }
    timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {}
      finish(-1, "Agent Airlock did not answer in time");
    }, LIMIT_MS);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => finish(-1, String(e)));
    child.on("close", (code) => finish(code));
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(payload));
  });
}

export const AgentAirlock = async ({ directory, worktree }) => ({
  "tool.execute.before": async (input, output) => {
    const r = await runAirlock({ hook: "${EVENT}", input, output: { args: output.args }, directory, worktree });
    let answer;
    try {
      answer = JSON.parse(r.out);
    } catch {}
    if (r.code === 0 && answer && answer.decision === "allow") {
      return;
    }
    const reason = answer && typeof answer.reason === "string" ? answer.reason : "Agent Airlock blocked this tool call: it could not check it (" + (r.err.trim() || "exit " + r.code) + ")";
    throw new Error(reason);
  },
});
`;
}

export const opencode: AgentAdapter = {
  id: 'opencode',
  displayName: 'OpenCode',
  tools: TOOLS,
  unclassified: UNCLASSIFIED,
  parse: parseOpencode,
  render: renderOpencode,
  watchdogMs: WATCHDOG_MS,
  install: {
    kind: 'files',
    files: [{ file: OPENCODE_PLUGIN_FILE, text: opencodePluginScript(), executable: false }],
    signs: ['.opencode', 'opencode.json', 'opencode.jsonc'],
    notes: [
      'OpenCode loads the plugin when it starts (not with --pure); a plugin that fails to load is skipped by OpenCode, so keep it as Airlock wrote it.',
      'OpenCode installs @opencode-ai/plugin into .opencode/ when it starts in a project that has that folder.',
    ],
    timeoutConfigurable: false,
  },
};
