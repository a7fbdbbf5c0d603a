/**
 * VS Code's own terminal sandbox for Copilot agent mode (`chat.agent.sandbox.*`, preview in VS Code
 * 1.139), set from the same sandbox plan as `airlock run`, for the one agent whose process Airlock
 * cannot wrap. VS Code takes literal paths only (no globs), so the plan's scan supplies them. The
 * merge only tightens what a developer already set: sandbox on, no unsandboxed retries, network
 * only as the policy allows; deny lists are unions, allow lists stay the developer's. Pure: no I/O.
 */
import type { SettingsEdit } from '../policy/copilotSettings';
import { editSettingsText, parseSettings } from '../policy/copilotSettings';
import type { SandboxPlan } from './plan';

export const SANDBOX_ENABLED_KEY = 'chat.agent.sandbox.enabled';
export const SANDBOX_NETWORK_KEY = 'chat.agent.sandbox.allowNetwork';
export const SANDBOX_UNSANDBOXED_KEY = 'chat.agent.sandbox.allowUnsandboxedCommands';
export const SANDBOX_RETRY_NETWORK_KEY = 'chat.agent.sandbox.retryWithAllowNetworkRequests';
export const SANDBOX_FS_KEYS = ['chat.agent.sandbox.fileSystem.linux', 'chat.agent.sandbox.fileSystem.mac'] as const;
/** Application-scoped in VS Code 1.139: honoured from the user settings only. */
export const ALLOWED_DOMAINS_KEY = 'chat.agent.allowedNetworkDomains';

interface FileSystemRules {
  readonly denyRead: readonly string[];
  readonly allowRead: readonly string[];
  readonly allowWrite: readonly string[];
  readonly denyWrite: readonly string[];
}

export interface CopilotSandboxWanted {
  /** For the folder's `.vscode/settings.json`. */
  readonly workspace: Readonly<Record<string, unknown>>;
  /** Hosts for the user-level `chat.agent.allowedNetworkDomains`. */
  readonly allowedDomains: readonly string[];
}

/** What the policy's sandbox means for VS Code's terminal sandbox (`plan` made with no agent). */
export function copilotSandboxWanted(plan: SandboxPlan): CopilotSandboxWanted {
  const fileSystem: FileSystemRules = {
    denyRead: plan.findings.filter((f) => f.effect === 'hide').map((f) => f.path),
    allowRead: [],
    // Empty allowWrite means the workspace folders and VS Code's own temporary folders.
    allowWrite: plan.writable.filter((w) => w.why.startsWith('sandbox.filesystem.allowWrite')).map((w) => w.path),
    denyWrite: plan.findings.filter((f) => f.effect === 'readonly').map((f) => f.path),
  };
  // A plan made without an agent (Copilot's own host is not the terminal's business): the policy's hosts.
  const allowedDomains = plan.network.allow.map((a) => a.value);
  return {
    workspace: {
      [SANDBOX_ENABLED_KEY]: 'on',
      [SANDBOX_UNSANDBOXED_KEY]: false,
      [SANDBOX_RETRY_NETWORK_KEY]: false,
      [SANDBOX_NETWORK_KEY]: false,
      ...Object.fromEntries(SANDBOX_FS_KEYS.map((k) => [k, fileSystem])),
    },
    allowedDomains,
  };
}

const union = (a: unknown, b: readonly string[]) => [...new Set([...(Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : []), ...b])];

/** One setting's value after the merge: never looser than what the developer had. */
function tighten(key: string, current: unknown, wanted: unknown): unknown {
  if ((SANDBOX_FS_KEYS as readonly string[]).includes(key)) {
    const cur = (typeof current === 'object' && current !== null ? current : {}) as Record<string, unknown>;
    const w = wanted as FileSystemRules;
    return {
      denyRead: union(cur.denyRead, w.denyRead),
      allowRead: union(cur.allowRead, []),
      allowWrite: union(cur.allowWrite, w.allowWrite),
      denyWrite: union(cur.denyWrite, w.denyWrite),
    };
  }
  return wanted;
}

/** The edits that bring a settings.json text in step (comments kept); empty when it already is. */
export function sandboxSettingsEdits(text: string, wanted: CopilotSandboxWanted): SettingsEdit[] {
  const current = parseSettings(text);
  const edits: SettingsEdit[] = [];
  for (const [key, value] of Object.entries(wanted.workspace)) {
    const next = tighten(key, current[key], value);
    if (JSON.stringify(next) !== JSON.stringify(current[key])) {
      edits.push([[key], next]);
    }
  }
  return edits;
}

/** settings.json with the sandbox settings in step (the same text when it already is). */
export function withSandboxSettings(text: string, wanted: CopilotSandboxWanted): string {
  const edits = sandboxSettingsEdits(text, wanted);
  return edits.length ? editSettingsText(text, edits) : text;
}

/** The user-level allowed domains after adding the policy's (a union: the developer's stay). */
export function allowedDomainsAfter(current: unknown, wanted: CopilotSandboxWanted): string[] | undefined {
  const next = union(current, wanted.allowedDomains);
  return JSON.stringify(next) === JSON.stringify(Array.isArray(current) ? current : []) ? undefined : next;
}
