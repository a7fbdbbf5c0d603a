/**
 * What makes a command seen in a terminal worth a warning, and whether a terminal looks like an
 * agent's. Pure: the command analysis comes from src/shell.
 */
import * as path from 'node:path';
import type { CommandAnalysis } from '../core/types';

/** Terminal names and environment variables that agents' terminals carry. */
const AGENT_NAME = /\b(claude|codex|gemini|copilot|cursor|aider|cline|goose|amp|windsurf|agent)\b/i;
const AGENT_ENV = ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'GEMINI_CLI', 'CODEX_SANDBOX', 'COPILOT_AGENT', 'AIRLOCK_AGENT'];

export function looksLikeAgent(name: string, env: Readonly<Record<string, string | null | undefined>> = {}): boolean {
  return AGENT_NAME.test(name) || AGENT_ENV.some((k) => env[k] !== undefined && env[k] !== null);
}

/** A path relative to the folder ('/'-separated), or undefined when it lies outside. */
function inside(folder: string, p: string): string | undefined {
  const rel = path.relative(folder, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : undefined;
}

/** The paths (relative to the folder) a command deletes, as far as the analysis knows. */
export function deletedPaths(a: CommandAnalysis, folder: string): string[] {
  return [...new Set(a.effects.filter((e) => e.op === 'delete').map((e) => inside(folder, e.path)).filter((r): r is string => r !== undefined))];
}

/** Plain-language risks: destructive or catastrophic findings, and deletions (named relative to the folder). */
export function risksOf(a: CommandAnalysis, folder?: string): string[] {
  const risks = a.subcommands.flatMap((s) => s.findings.filter((f) => f.severity !== 'caution').map((f) => f.reason));
  const deletes = a.effects.filter((e) => e.op === 'delete').map((e) => (folder ? inside(folder, e.path) : undefined) ?? e.path);
  if (deletes.length && risks.length === 0) {
    risks.push(`It deletes ${deletes.slice(0, 3).join(', ')}${deletes.length > 3 ? ', ...' : ''}.`);
  }
  return [...new Set(risks)];
}
