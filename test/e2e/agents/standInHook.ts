/**
 * Stand-in hooks: tiny sh scripts that save every payload they receive and answer with a fixed
 * output and exit code. They prove what each real agent sends to its hook and which answers it
 * honours, independently of Airlock's own hook command.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HookCommandAgent } from './provision';

export interface StandInAnswer {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

export interface StandInHook {
  /** The command line to put in the agent's hook configuration. */
  readonly command: string;
  /** Payloads received so far, parsed, in order. */
  payloads(): unknown[];
}

/** Writes a stand-in hook into `dir` (created) that answers every call with `answer`. */
export function makeStandInHook(dir: string, answer: StandInAnswer): StandInHook {
  fs.mkdirSync(path.join(dir, 'payloads'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'stdout'), answer.stdout ?? '');
  fs.writeFileSync(path.join(dir, 'stderr'), answer.stderr ?? '');
  const script = path.join(dir, 'hook.sh');
  fs.writeFileSync(
    script,
    [
      '#!/bin/sh',
      `d='${dir.replace(/'/g, `'\\''`)}'`,
      'n=$(ls "$d/payloads" | wc -l)',
      'cat > "$d/payloads/$(printf %04d "$n")-$$.json"',
      'cat "$d/stdout"',
      'cat "$d/stderr" >&2',
      `exit ${answer.exitCode ?? 0}`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    command: `sh '${script.replace(/'/g, `'\\''`)}'`,
    payloads: () =>
      fs
        .readdirSync(path.join(dir, 'payloads'))
        .sort()
        .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'payloads', f), 'utf8')) as unknown),
  };
}

export interface HookFormats {
  /** The JSON deny this agent honours. */
  deny(reason: string): string;
  /** The JSON allow this agent honours (undefined: it has no explicit allow). */
  allow: string | undefined;
  /** A deny in another agent's shape, which this agent ignores (the tool runs). */
  foreignDeny(reason: string): string;
  /** The "ask" answer in its format. */
  ask: string;
  /**
   * What a headless run does when the hook answers "ask": `runs` the tool, `refuses` it, or `hangs`
   * waiting for a confirmation nobody can give. Only `refuses` is safe; an adapter must turn ask
   * into deny for the others.
   */
  readonly askBehaviour: 'runs' | 'refuses' | 'hangs';
  /** Whether the stderr of an exit-2 hook reaches the model (else the agent sends a generic message). */
  readonly exit2ReasonReachesModel: boolean;
  /** Whether a hook that exits 1 blocks the tool (fail closed) rather than letting it run. */
  readonly errorExitBlocks: boolean;
  /** Name of the tool field and input field in its payload. */
  readonly toolField: string;
  readonly inputField: string;
}

const claudeDeny = (reason: string) =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });
const copilotDeny = (reason: string) => JSON.stringify({ permissionDecision: 'deny', permissionDecisionReason: reason });

export const HOOK_FORMATS: Readonly<Record<HookCommandAgent, HookFormats>> = {
  claude: {
    deny: claudeDeny,
    allow: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: 'stand-in allows' } }),
    foreignDeny: copilotDeny,
    ask: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: 'stand-in asks' } }),
    askBehaviour: 'refuses',
    exit2ReasonReachesModel: true,
    errorExitBlocks: false,
    toolField: 'tool_name',
    inputField: 'tool_input',
  },
  gemini: {
    deny: (reason) => JSON.stringify({ decision: 'deny', reason }),
    allow: JSON.stringify({ decision: 'allow', reason: 'stand-in allows' }),
    foreignDeny: claudeDeny,
    ask: JSON.stringify({ decision: 'ask', reason: 'stand-in asks' }),
    askBehaviour: 'hangs',
    exit2ReasonReachesModel: true,
    errorExitBlocks: false,
    toolField: 'tool_name',
    inputField: 'tool_input',
  },
  codex: {
    deny: claudeDeny,
    allow: undefined,
    // Claude's shape plus one field Codex does not know: Codex then treats the output as invalid.
    foreignDeny: (reason) =>
      JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason }, airlock: true }),
    ask: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: 'stand-in asks' } }),
    askBehaviour: 'runs',
    exit2ReasonReachesModel: true,
    errorExitBlocks: false,
    toolField: 'tool_name',
    inputField: 'tool_input',
  },
  'copilot-cli': {
    deny: copilotDeny,
    allow: JSON.stringify({ permissionDecision: 'allow', permissionDecisionReason: 'stand-in allows' }),
    foreignDeny: claudeDeny,
    ask: JSON.stringify({ permissionDecision: 'ask', permissionDecisionReason: 'stand-in asks' }),
    askBehaviour: 'refuses',
    exit2ReasonReachesModel: false,
    errorExitBlocks: true,
    toolField: 'toolName',
    inputField: 'toolArgs',
  },
};
