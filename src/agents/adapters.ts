/**
 * The registry of agents: one record per agent (its own module says everything about it), read by
 * the hook (`airlock hook`), the installer and `airlock agents`, the VS Code UI (Install Agent
 * Hooks, Timeline, approvals) and the docs. Add an agent here and everything lists it.
 */
import type { AgentAdapter, AgentId } from './adapter';
import { isAgentId } from './adapter';
import { claude } from './claude';
import { cline } from './cline';
import { codex } from './codex';
import { copilot, copilotCli } from './copilot';
import { cursor } from './cursor';
import { gemini } from './gemini';
import { opencode } from './opencode';
import { windsurf } from './windsurf';

export const ADAPTERS: Readonly<Record<AgentId, AgentAdapter>> = {
  claude,
  copilot,
  'copilot-cli': copilotCli,
  cursor,
  gemini,
  codex,
  windsurf,
  cline,
  opencode,
};

/** The name people know an agent by; anything that is not an agent id is returned as it is. */
export function agentDisplayName(agent: string): string {
  return isAgentId(agent) ? ADAPTERS[agent].displayName : agent;
}
