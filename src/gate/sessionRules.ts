/**
 * "Allow for this session": what the human allowed for one agent session. Keyed by the agent, its
 * session id and what was asked (the exact command line, or the operation on one path), so an
 * allowance never spreads to another agent, another session, another command or another file.
 * Denials from the policy (deny) are never affected: only asks can be remembered.
 */
import type { ProposedAction } from '../core/types';

export function sessionKey(action: ProposedAction): string | undefined {
  if (!action.session) {
    return undefined;
  }
  // The tool, the working directory and every path are part of what was allowed: approving an MCP
  // tool on notes.md must not approve it on .env, nor `rm -rf *` in another directory.
  const paths = [...action.paths].sort().join('\u0000');
  const what =
    action.kind === 'command'
      ? `command:${action.tool ?? ''}:${action.cwd}:${(action.command ?? '').trim()}:${paths}`
      : `${action.kind}:${action.tool ?? ''}:${paths}`;
  return `${action.agent}\u0000${action.session}\u0000${what}`;
}

export class SessionRules {
  private readonly allowed = new Set<string>();

  allow(action: ProposedAction): boolean {
    const k = sessionKey(action);
    if (k) {
      this.allowed.add(k);
    }
    return k !== undefined;
  }

  isAllowed(action: ProposedAction): boolean {
    const k = sessionKey(action);
    return k !== undefined && this.allowed.has(k);
  }

  clear(): void {
    this.allowed.clear();
  }

  get size(): number {
    return this.allowed.size;
  }
}
