import * as vscode from 'vscode';
import { ADAPTERS } from '../agents/adapters';
import type { AgentId } from '../agents/adapter';
import { detectAgents, installHooks } from '../agents/install';

/**
 * "Airlock: Install Agent Hooks": offers every agent, the ones found in the folder picked already,
 * and merges Airlock's hook into each one's configuration (idempotent, other hooks kept).
 */
export async function installHooksCommand(log: vscode.LogOutputChannel, agents?: AgentId[]): Promise<string[]> {
  const folder =
    (vscode.workspace.workspaceFolders?.length ?? 0) > 1
      ? await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Install agent hooks in which folder?'), ignoreFocusOut: true })
      : vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    return [];
  }
  const dir = folder.uri.fsPath;
  let chosen = agents;
  if (!chosen) {
    const presence = detectAgents(dir);
    type Item = vscode.QuickPickItem & { agent: AgentId };
    const items: Item[] = presence.map((p) => ({
      agent: p.agent,
      label: p.name,
      description: p.installed ? vscode.l10n.t('guarded already') : p.found ? vscode.l10n.t('found in this folder') : '',
      detail: p.configFile,
      picked: p.found || p.installed,
    }));
    const picks = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      // Opened from the walkthrough, the page takes the focus back at once: without this the pick closes unseen.
      ignoreFocusOut: true,
      title: vscode.l10n.t('Guard which agents in {0}?', folder.name),
      placeHolder: vscode.l10n.t('Airlock adds its pre-tool hook to each agent configuration; other hooks are kept'),
    });
    if (!picks) {
      return [];
    }
    chosen = picks.map((p) => p.agent);
  }
  const files: string[] = [];
  for (const agent of chosen) {
    try {
      const r = installHooks(agent, dir);
      files.push(...r.files);
      log.info(`[install] ${agent}: ${r.changed.length ? 'installed' : 'already installed'} (${r.files.join(', ')})${r.notes.length ? ` — ${r.notes.join(' ')}` : ''}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error(`[install] ${agent}: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Airlock could not install the {0} hook: {1}', ADAPTERS[agent].displayName, message));
    }
  }
  if (files.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Airlock now guards {0}. Commit {1} so your team is guarded too.', chosen.map((a) => ADAPTERS[a].displayName).join(', '), [...new Set(files)].map((f) => vscode.workspace.asRelativePath(f)).join(', ')));
  }
  return files;
}
