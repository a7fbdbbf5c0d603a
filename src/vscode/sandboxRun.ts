/**
 * `airlock run` from VS Code: "Airlock: Run Agent in Sandbox…" (an agent CLI found on PATH, in an
 * integrated terminal under `airlock run`), the "Sandboxed Shell (Airlock)" terminal profile, and
 * the live sandboxed sessions (for the Status view; a session's refusals reach the Timeline through
 * the audit log, which is watched).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { auditFile } from '../audit/log';
import { ensurePrivateDir, runtimeDir } from '../bridge/registry';
import type { SandboxAgent } from '../sandbox/agents';
import { AGENT_PROFILES, SANDBOX_AGENTS } from '../sandbox/agents';
import type { SandboxSessionInfo } from '../sandbox/sessions';
import type { CommandGroup } from './commandCenter';
import { listSandboxSessions, sessionsDir } from '../sandbox/sessions';
import { findOnPath } from '../util/fsProbe';

export interface AgentOnPath {
  readonly agent: SandboxAgent;
  readonly path: string;
}

/** The agent CLIs Airlock knows that are on PATH. */
export function agentsOnPath(env: NodeJS.ProcessEnv = process.env): AgentOnPath[] {
  const out: AgentOnPath[] = [];
  for (const agent of SANDBOX_AGENTS) {
    for (const bin of AGENT_PROFILES[agent].binaries) {
      const found = findOnPath(bin, env);
      if (found) {
        out.push({ agent, path: found });
        break;
      }
    }
  }
  return out;
}

const NOT_LINUX = () => vscode.l10n.t("Airlock's sandbox (airlock run) needs Linux with bubblewrap; on this system agents are guarded by their hooks only.");

/** A terminal's program and arguments for `airlock run` (node runs the CLI; Electron as node). */
function airlockRun(cli: string, folder: string, command: readonly string[], agent?: string): { shellPath: string; shellArgs: string[]; env: Record<string, string> } {
  return {
    shellPath: process.execPath,
    shellArgs: [cli, 'run', '--cwd', folder, ...(agent ? ['--agent', agent] : []), '--', ...command],
    env: { ELECTRON_RUN_AS_NODE: '1' },
  };
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) {
    return folders[0];
  }
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Which folder should the sandboxed agent work in?') });
}

/**
 * "Airlock: Run Agent in Sandbox…". `agentPath` (for tests and keybindings) skips the pick. Returns
 * the terminal it opened.
 */
export async function runAgentInSandbox(cli: string, log: vscode.LogOutputChannel, agentPath?: string): Promise<vscode.Terminal | undefined> {
  if (process.platform !== 'linux') {
    void vscode.window.showWarningMessage(NOT_LINUX());
    return undefined;
  }
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: the sandboxed agent works in it.'));
    return undefined;
  }
  let pick: AgentOnPath | undefined;
  if (agentPath) {
    const agent = SANDBOX_AGENTS.find((a) => AGENT_PROFILES[a].binaries.includes(path.basename(agentPath)));
    pick = agent ? { agent, path: agentPath } : undefined;
  } else {
    const found = agentsOnPath();
    if (found.length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('No agent CLI found on PATH (claude, gemini, codex, copilot). Install one, or run `airlock run -- <agent>` in a terminal.'),
      );
      return undefined;
    }
    const item = await vscode.window.showQuickPick(
      found.map((f) => ({ label: AGENT_PROFILES[f.agent].displayName, description: f.path, f })),
      { placeHolder: vscode.l10n.t('Which agent should run inside the sandbox?') },
    );
    pick = item?.f;
  }
  if (!pick) {
    return undefined;
  }
  const name = vscode.l10n.t('{0} (sandboxed)', AGENT_PROFILES[pick.agent].displayName);
  log.info(`[sandbox] ${name} in ${folder.uri.fsPath}: airlock run -- ${pick.path}`);
  const terminal = vscode.window.createTerminal({
    name,
    cwd: folder.uri.fsPath,
    iconPath: new vscode.ThemeIcon('shield'),
    ...airlockRun(cli, folder.uri.fsPath, [pick.path], pick.agent),
  });
  terminal.show();
  return terminal;
}

/** The sandbox's commands, for the CommandCenter. */
export function sandboxCommands(cli: string, log: vscode.LogOutputChannel): CommandGroup<'runAgentInSandbox'> {
  return { component: 'Sandbox', handlers: { runAgentInSandbox: (agentPath?: string) => runAgentInSandbox(cli, log, agentPath) } };
}

/** The "Sandboxed Shell (Airlock)" profile: the user's shell under `airlock run` (no agent's state is writable). */
export function sandboxedShellProfile(cli: string): vscode.TerminalProfileProvider {
  return {
    provideTerminalProfile() {
      if (process.platform !== 'linux') {
        throw new Error(NOT_LINUX());
      }
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        throw new Error(vscode.l10n.t('Open a folder first: the sandboxed shell works in it.'));
      }
      const shell = process.env.SHELL && path.isAbsolute(process.env.SHELL) ? process.env.SHELL : '/bin/bash';
      return new vscode.TerminalProfile({
        name: vscode.l10n.t('Sandboxed Shell'),
        cwd: folder.uri.fsPath,
        iconPath: new vscode.ThemeIcon('shield'),
        ...airlockRun(cli, folder.uri.fsPath, [shell], 'none'),
      });
    },
  };
}

/**
 * The running `airlock run` sessions (from their registrations in Airlock's runtime directory),
 * and a watch on the folders' audit logs: a sandboxed session writes its refusals there.
 */
export class SandboxSessions implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a session starts or ends. */
  readonly onDidChange = this.changed.event;
  private readonly audited = new vscode.EventEmitter<void>();
  /** Fires (debounced) when a folder's audit log grows outside this window (a supervisor, a hook). */
  readonly onDidAudit = this.audited.event;
  private readonly watchers: fs.FSWatcher[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private sessions: SandboxSessionInfo[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    this.refresh();
    try {
      const dir = ensurePrivateDir(sessionsDir(ensurePrivateDir(runtimeDir(env))));
      this.watchers.push(fs.watch(dir, () => this.debounce('sessions', () => this.refresh())));
    } catch {
      // no runtime directory: no live sessions to show
    }
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      this.watchAudit(f.uri.fsPath);
    }
  }

  private watchAudit(folder: string): void {
    const file = auditFile(folder, this.env);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.watchers.push(fs.watch(path.dirname(file), (_e, name) => name === path.basename(file) && this.debounce(`audit:${folder}`, () => this.audited.fire())));
    } catch {
      // the Timeline still refreshes on the window's own decisions
    }
  }

  private debounce(key: string, fn: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, 150),
    );
  }

  refresh(): void {
    const next = listSandboxSessions(runtimeDir(this.env));
    if (JSON.stringify(next) !== JSON.stringify(this.sessions)) {
      this.sessions = next;
      this.changed.fire();
    }
  }

  /** The live sessions in this window's folders. */
  get current(): readonly SandboxSessionInfo[] {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return this.sessions.filter((s) => folders.some((f) => s.folder === f || s.folder.startsWith(`${f}${path.sep}`) || f.startsWith(`${s.folder}${path.sep}`)));
  }

  dispose(): void {
    this.watchers.forEach((w) => w.close());
    this.timers.forEach((t) => clearTimeout(t));
    this.changed.dispose();
    this.audited.dispose();
  }
}

/** Rows for the Status view: one per confined session. */
export function sandboxStatusItems(sessions: readonly SandboxSessionInfo[]): { label: string; description?: string; icon: string; tooltip?: string }[] {
  return sessions.map((s) => {
    const agent = SANDBOX_AGENTS.includes(s.agent as SandboxAgent) ? AGENT_PROFILES[s.agent as SandboxAgent].displayName : path.basename(s.command[0] ?? '');
    return {
      label: vscode.l10n.t('Sandboxed: {0}', agent),
      description: `${path.basename(s.folder)} · ${new Date(s.startedAt).toLocaleTimeString()}`,
      icon: 'shield',
      tooltip: vscode.l10n.t('{0} runs under airlock run (pid {1}): the operating system confines it to the sandbox built from the policy.', s.command.join(' '), s.pid),
    };
  });
}
