import * as path from 'node:path';
import type { AgentId } from '../agents/adapter';
import { AGENT_IDS, isAgentId } from '../agents/adapter';
import type { InstallResult } from '../agents/install';
import type { CliIo } from './run';
import { ExitCode, registerCommand } from './run';

interface Parsed {
  readonly agents: AgentId[];
  readonly dir: string;
  readonly list: boolean;
  readonly json: boolean;
  readonly timeoutS?: number;
}

function parseArgs(args: string[], io: CliIo, cmd: string): Parsed | undefined {
  const agents: AgentId[] = [];
  let dir = process.cwd();
  let list = false;
  let json = false;
  let timeoutS: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--dir' || a === '--cwd') {
      const v = args[++i];
      if (v === undefined) {
        io.stderr(`airlock ${cmd}: ${a} needs a folder\n`);
        return undefined;
      }
      dir = path.resolve(v);
    } else if (a === '--list') {
      list = true;
    } else if (a === '--json') {
      json = true;
    } else if (a === '--timeout') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 30 || v > 3600) {
        io.stderr(`airlock ${cmd}: --timeout needs whole seconds between 30 and 3600\n`);
        return undefined;
      }
      timeoutS = v;
    } else if (a === '--all') {
      agents.push(...AGENT_IDS);
    } else if (isAgentId(a)) {
      agents.push(a);
    } else {
      io.stderr(`airlock ${cmd}: unknown agent or option '${a}' (agents: ${AGENT_IDS.join(', ')})\n`);
      return undefined;
    }
  }
  return { agents: [...new Set(agents)], dir, list, json, ...(timeoutS !== undefined ? { timeoutS } : {}) };
}

/** Loaded only by these commands, so that `airlock hook` does not pay for jsonc-parser. */
function loadInstall() {
  return import('../agents/install.js');
}

async function listAgents(dir: string, json: boolean, io: CliIo): Promise<number> {
  const rows = (await loadInstall()).detectAgents(dir);
  if (json) {
    io.stdout(`${JSON.stringify(rows)}\n`);
    return ExitCode.ok;
  }
  io.stdout(`Agents in ${dir}:\n`);
  for (const r of rows) {
    const state = r.installed ? 'Airlock hook installed' : r.found ? 'found, not guarded' : 'not found';
    io.stdout(`  ${r.agent.padEnd(12)} ${r.name.padEnd(19)} ${state.padEnd(24)} ${r.configFile}\n`);
  }
  return ExitCode.ok;
}

function report(results: InstallResult[], verb: string, json: boolean, io: CliIo): void {
  if (json) {
    io.stdout(`${JSON.stringify(results)}\n`);
    return;
  }
  for (const r of results) {
    io.stdout(`${r.agent}: ${r.changed.length ? `${verb} (${r.changed.join(', ')})` : 'already up to date'}\n`);
    for (const n of r.notes) {
      io.stdout(`  note: ${n}\n`);
    }
  }
}

function run(cmd: 'install-hooks' | 'uninstall-hooks') {
  return async (args: string[], io: CliIo): Promise<number> => {
    const p = parseArgs(args, io, cmd);
    if (!p) {
      return ExitCode.usage;
    }
    if (p.list) {
      return listAgents(p.dir, p.json, io);
    }
    if (p.agents.length === 0) {
      io.stderr(`airlock ${cmd}: name an agent (${AGENT_IDS.join(', ')}), --all, or --list\n`);
      return ExitCode.usage;
    }
    const { installHooks, uninstallHooks, InstallError } = await loadInstall();
    const results: InstallResult[] = [];
    try {
      for (const a of p.agents) {
        results.push(cmd === 'install-hooks' ? installHooks(a, p.dir, p.timeoutS !== undefined ? { timeoutS: p.timeoutS } : {}) : uninstallHooks(a, p.dir));
      }
    } catch (err) {
      report(results, cmd === 'install-hooks' ? 'installed' : 'removed', p.json, io);
      io.stderr(`airlock ${cmd}: ${err instanceof InstallError ? err.message : String(err)}\n`);
      return err instanceof InstallError ? ExitCode.refused : ExitCode.usage;
    }
    report(results, cmd === 'install-hooks' ? 'installed' : 'removed', p.json, io);
    return ExitCode.ok;
  };
}

registerCommand({
  name: 'install-hooks',
  summary: "install Airlock's pre-tool hook in an agent's workspace config",
  usage: 'airlock install-hooks <agent...|--all|--list> [--dir DIR]',
  run: run('install-hooks'),
});

registerCommand({
  name: 'uninstall-hooks',
  summary: "remove Airlock's hook from an agent's workspace config",
  usage: 'airlock uninstall-hooks <agent...|--all> [--dir DIR]',
  run: run('uninstall-hooks'),
});

registerCommand({
  name: 'agents',
  summary: 'list the agents found in a workspace and whether they are guarded',
  usage: 'airlock agents [--dir DIR] [--json]',
  async run(args, io) {
    const p = parseArgs(args, io, 'agents');
    return p ? listAgents(p.dir, p.json, io) : ExitCode.usage;
  },
});
