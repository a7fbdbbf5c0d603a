/**
 * What bubblewrap's mounts cannot cover by themselves, because it does not exist yet or must stay
 * writable, and that would make tools outside the sandbox run code later:
 * - protected folders missing at the workspace's top (`.vscode`, `.claude`, `.github/hooks`, ...):
 *   created empty for the session and mounted read-only, so the agent cannot plant settings, tasks or
 *   hooks in them; removed afterwards when still empty (only what was created here). Not done while
 *   a VS Code window has the folder open: its protected-file watcher warns about what appears (with
 *   Revert), and would warn about the stand-ins too;
 * - what did appear there during the session anyway is reported at its end;
 * - MCP servers in an agent state file that must stay writable (`~/.claude.json`): recorded at the
 *   start and put back at the end if the session changed them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SandboxAgent } from './agents';
import type { Finding } from './plan';
import { BUILTIN_RULES } from './protectedPaths';

/** Protected folders at the top of the workspace that get an empty read-only stand-in when missing. */
export const TOP_PLACEHOLDERS: readonly string[] = ['.airlock', '.claude', '.gemini', '.codex', '.cursor', '.windsurf', '.cline', '.opencode', '.vscode', '.husky', '.github/hooks', '.clinerules/hooks'];

export interface Placeholders {
  readonly findings: Finding[];
  /** Every folder created, parents first. */
  readonly created: string[];
}

export function createPlaceholders(folder: string): Placeholders {
  const findings: Finding[] = [];
  const created: string[] = [];
  for (const rel of TOP_PLACEHOLDERS) {
    const target = path.join(folder, rel);
    if (fs.existsSync(target)) {
      continue;
    }
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const dir = path.join(folder, ...parts.slice(0, i));
      if (!fs.existsSync(dir)) {
        try {
          fs.mkdirSync(dir);
          created.push(dir);
        } catch {
          break;
        }
      }
    }
    if (fs.existsSync(target)) {
      findings.push({ path: target, type: 'dir', effect: 'readonly', rule: rel === '.airlock' ? BUILTIN_RULES.airlock : rel === '.vscode' || rel === '.husky' ? BUILTIN_RULES.runsCode : BUILTIN_RULES.hooks });
    }
  }
  return { findings, created };
}

/** Protected paths at the top of the workspace that exist now (to compare before and after a session). */
export function topProtected(folder: string): Set<string> {
  const names = [...TOP_PLACEHOLDERS, '.mcp.json', '.envrc', 'opencode.json', 'opencode.jsonc', '.vscode/settings.json', '.vscode/tasks.json', '.vscode/launch.json', '.vscode/mcp.json', '.airlock/policy.json', '.airlock/policy.local.json'];
  return new Set(names.filter((n) => fs.existsSync(path.join(folder, n))));
}

/** Removes the folders createPlaceholders made, deepest first, where they are still empty. */
export function removePlaceholders(created: readonly string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // not empty (something was put there from outside the sandbox), or gone: leave it
    }
  }
}

/** The JSON state file of an agent that holds MCP servers, if it has one. */
function agentJsonFile(agent: SandboxAgent, home: string, env: NodeJS.ProcessEnv): string | undefined {
  if (agent === 'claude') {
    return env.CLAUDE_CONFIG_DIR && path.isAbsolute(env.CLAUDE_CONFIG_DIR) ? path.join(env.CLAUDE_CONFIG_DIR, '.claude.json') : path.join(home, '.claude.json');
  }
  return undefined;
}

/** Every `mcpServers` value in a JSON document (up to three levels down), by its path. */
export function mcpServersOf(doc: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, at: string[], depth: number) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || depth > 3) {
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      const p = [...at, k];
      if (k === 'mcpServers') {
        out.set(JSON.stringify(p), JSON.stringify(child));
      } else {
        walk(child, p, depth + 1);
      }
    }
  };
  walk(doc, [], 0);
  return out;
}

export interface JsonGuard {
  readonly file: string;
  readonly before: Map<string, string>;
}

export function captureAgentJson(agent: SandboxAgent | undefined, home: string, env: NodeJS.ProcessEnv): JsonGuard | undefined {
  const file = agent ? agentJsonFile(agent, home, env) : undefined;
  if (!file) {
    return undefined;
  }
  try {
    return { file, before: mcpServersOf(JSON.parse(fs.readFileSync(file, 'utf8'))) };
  } catch {
    return { file, before: new Map() };
  }
}

/**
 * Puts back the MCP servers the session added, changed or removed; returns a line per change undone.
 * A file that is no longer JSON is left alone and reported.
 */
export function restoreAgentJson(guard: JsonGuard | undefined): string[] {
  if (!guard) {
    return [];
  }
  let text: string;
  try {
    text = fs.readFileSync(guard.file, 'utf8');
  } catch {
    return [];
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return guard.before.size ? [`${guard.file} is no longer valid JSON; check its mcpServers before running the agent outside the sandbox`] : [];
  }
  const after = mcpServersOf(doc);
  const undone: string[] = [];
  for (const key of new Set([...guard.before.keys(), ...after.keys()])) {
    if (guard.before.get(key) === after.get(key)) {
      continue;
    }
    const p = JSON.parse(key) as string[];
    let parent: Record<string, unknown> = doc;
    for (const seg of p.slice(0, -1)) {
      const next = parent[seg];
      if (typeof next !== 'object' || next === null) {
        parent[seg] = {};
      }
      parent = parent[seg] as Record<string, unknown>;
    }
    const was = guard.before.get(key);
    if (was === undefined) {
      delete parent[p[p.length - 1]];
    } else {
      parent[p[p.length - 1]] = JSON.parse(was);
    }
    undone.push(`${guard.file}: ${p.join('.')} put back as it was before the session`);
  }
  if (undone.length) {
    const tmp = `${guard.file}.airlock-${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: fs.statSync(guard.file).mode & 0o777 });
    fs.renameSync(tmp, guard.file);
  }
  return undone;
}
