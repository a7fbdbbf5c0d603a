import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentId } from '../agents/adapter';
import { AirlockError } from './commandCenter';
import type { CommandGroup } from './commandCenter';
import { LAUNCHER } from '../agents/install';
import type { ChangeAttribution } from '../gate/changeAttribution';
import { fileContents } from '../util/fileHash';
import type { GateService } from './gateService';
import type { GuardState } from './guardState';
import { installHooksCommand } from './installHooksCommand';

/** The commented starter policy `Airlock: Create Policy` writes (JSONC, like every policy file). */
export const STARTER_POLICY = `{
  // The team's rules for AI agents in this repository. Commit this file: everyone (and every agent)
  // gets the same rules. Personal rules go in .airlock/policy.local.json and can only tighten these.
  // Airlock's built-in defaults already protect secrets (.env, keys), .git, hook configuration, CI,
  // manifests and lockfiles. Each value is "allow", "ask" or "deny".
  "mode": "enforce", // "audit" logs what it would ask or deny, and allows everything

  "paths": {
    // Globs relative to this folder, per operation (read, write, create, delete).
    // "src/payments/**": { "write": "ask", "delete": "deny", "reason": "Payment code is reviewed by finance." },
    // Tests may change, but deleting one to make a build pass needs a human.
    "**/*.test.*": { "delete": "ask", "reason": "Deleting a test hides a failure." },
  },

  "commands": {
    // Word patterns with * wildcards, matched against every sub-command of a command line,
    // or "/regular expressions/".
    "npm test": "allow",
    "git push *": { "verdict": "ask", "reason": "Pushing shares our work with everyone." },
    "/^npm (publish|unpublish)\\\\b/": { "verdict": "deny", "reason": "Releases are made by CI only." },
  },

  // Categories of destructive operations the shell analysis recognises.
  "categories": { "git-history": "ask", "database": "ask" },

  "defaults": { "unknownCommand": "ask" },

  "snapshots": { "include": [".env"], "retention": { "maxCount": 100, "maxAgeDays": 7 } },
  "approval": { "timeoutSeconds": 120, "onTimeout": "deny", "allowForSession": true },
}
`;

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) {
    return folders[0];
  }
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Which folder?'), ignoreFocusOut: true });
}

/** Writes a starter `.airlock/policy.json` (never over an existing one) and opens it. */
export async function createPolicy(attribution: ChangeAttribution): Promise<vscode.Uri | undefined> {
  const folder = await pickFolder();
  if (!folder) {
    throw new AirlockError(vscode.l10n.t('Open a folder first: the policy lives in its .airlock directory.'), 'warning');
  }
  const uri = vscode.Uri.joinPath(folder.uri, '.airlock', 'policy.json');
  let exists = false;
  try {
    await vscode.workspace.fs.stat(uri);
    exists = true;
  } catch {
    // Airlock's own write: the protected-file watcher must not warn about it.
    attribution.note('airlock', [path.dirname(uri.fsPath), uri.fsPath]);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(STARTER_POLICY, 'utf8'));
    attribution.noteContent('airlock', await fileContents([uri.fsPath]));
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  if (exists) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} already has a policy; it is open for you. Airlock did not change it.', folder.name));
  }
  return uri;
}

/**
 * Sends a harmless demo request through the window's real gate (policy, approval, audit): an edit of
 * `.env.airlock-demo`, which the built-in secrets rule puts to the human. Nothing is written: the
 * gate only decides, and the demo has no agent to act on the answer.
 */
export async function tryApproval(gate: GateService): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    throw new AirlockError(vscode.l10n.t('Open a folder first to try an approval.'), 'warning');
  }
  const file = path.join(folder.uri.fsPath, '.env.airlock-demo');
  void vscode.window.showInformationMessage(vscode.l10n.t('A demo agent asks to change {0}. Review the diff, then click Approve or Deny… in its title bar.', path.basename(file)));
  const result = await gate.decide([
    {
      kind: 'edit',
      paths: [file],
      cwd: folder.uri.fsPath,
      agent: 'airlock-demo',
      tool: 'Write',
      session: 'walkthrough',
      content: '# Written by the Airlock walkthrough\nAPI_TOKEN=demo-not-a-secret\n',
    },
  ]);
  const verdict = result.decision.verdict;
  if (result.decidedBy === 'human' || result.decidedBy === 'timeout') {
    void vscode.window.showInformationMessage(
      verdict === 'allow'
        ? vscode.l10n.t('You approved: an agent would now write the file (the demo writes nothing). See it in the Timeline.')
        : result.message
          ? vscode.l10n.t('You denied; the agent is told: "{0}"', result.message)
          : vscode.l10n.t('Denied: the agent is told it may not do this.'),
    );
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t('Your policy decided without asking ({0}): {1}', verdict, result.decision.reasons.join(' ')));
  }
  return verdict;
}

/**
 * Install Agent Hooks, with the files it writes (each agent's configuration, the launcher in
 * .airlock/bin, and their temporary files) noted as Airlock's own, so the protected-file watcher
 * does not warn about them.
 */
async function installHooks(log: vscode.LogOutputChannel, attribution: ChangeAttribution, state: GuardState, agents?: AgentId[]): Promise<string[]> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const own = (files: readonly string[]) => folders.flatMap((f) => [path.join(f, '.airlock', 'bin'), ...files.map((file) => path.resolve(f, file))]);
  // The install writes synchronously once the agents are picked; the watcher's events come after this note.
  const files = await installHooksCommand(log, agents);
  attribution.note('airlock', own(files));
  attribution.noteContent('airlock', await fileContents(own([...files, LAUNCHER])));
  // The views follow at once (a file created in a new folder may reach no file watcher).
  state.schedule();
  return files;
}

/** The walkthrough's commands: create a policy, install the agents' hooks, try an approval; and Show Log. */
export function firstRunCommands(gate: GateService, attribution: ChangeAttribution, state: GuardState, log: vscode.LogOutputChannel): CommandGroup<'createPolicy' | 'installHooks' | 'tryApproval' | 'showLog'> {
  return {
    component: 'FirstRun',
    handlers: {
      createPolicy: async () => {
        const uri = await createPolicy(attribution);
        state.schedule();
        return uri;
      },
      installHooks: (agents?: AgentId[]) => installHooks(log, attribution, state, agents),
      tryApproval: () => tryApproval(gate),
      showLog: () => log.show(true),
    },
  };
}
