import * as vscode from 'vscode';
import type { HumanAnswer } from './gate/approvalQueue';
import { ChangeAttribution } from './gate/changeAttribution';
import { shellAnalyzer } from './gate/shellAnalyzer';
import { ChangeJournal } from './snapshot/journal';
import { SnapshotService } from './snapshot/service';
import { ApprovalUi } from './vscode/approvals';
import { BridgeHost } from './vscode/bridgeHost';
import { CommandCenter } from './vscode/commandCenter';
import { ConfigWatcher } from './vscode/config';
import { CopilotSandboxSettings } from './vscode/copilotSandboxSync';
import { CopilotSettingsSync } from './vscode/copilotSync';
import { firstRunCommands } from './vscode/firstRun';
import { GateService } from './vscode/gateService';
import { guardCommands } from './vscode/guardCommands';
import { GuardSnapshots } from './vscode/guardSnapshots';
import { GuardState } from './vscode/guardState';
import { DenialNotifier } from './vscode/notifications';
import { PolicyService } from './vscode/policyService';
import { ProtectedPathWatcher } from './vscode/protectedWatcher';
import { SnapshotCommands } from './vscode/snapshotCommands';
import { SnapshotJournalWatcher } from './vscode/snapshotJournalWatcher';
import { AirlockStatusBar } from './vscode/statusBar';
import { TerminalProfiles } from './vscode/ids';
import { sandboxCommands, sandboxedShellProfile, SandboxSessions } from './vscode/sandboxRun';
import { StatusViewProvider } from './vscode/statusView';
import { TerminalGuard } from './vscode/terminalGuard';
import { TimelineProvider } from './vscode/timeline';
import { timelineCommands } from './vscode/timelineCommands';

/**
 * What the extension exports to its own integration tests (only when VS Code runs it for tests: the
 * gate's queue can answer requests, and approvals come only from the human in the UI, so no other
 * extension gets it).
 */
export interface AirlockApi {
  readonly log: vscode.LogOutputChannel;
  /** The folder of Airlock's log file (`Airlock.log`). */
  readonly logUri: vscode.Uri;
  /** The policy of each workspace folder: `policy.evaluate(folder, action, analysis?)`. */
  readonly policy: PolicyService;
  /** The window's gate: pending approvals (`gate.queue`) and decisions (`gate.onDidDecide`). */
  readonly gate: GateService;
  /** The socket hooks reach this window on (undefined when the bridge could not start). */
  readonly bridgeSocket: () => string | undefined;
  /** The one snapshot service (take, list, verify, roll back), with the window's change journal. */
  readonly snapshots: SnapshotService;
  /** The guards beyond hooks: Copilot's approval settings, the protected-path watcher, the terminal observer. */
  readonly guards: { readonly copilot: CopilotSettingsSync; readonly watcher: ProtectedPathWatcher; readonly terminal: TerminalGuard };
  /** The Timeline view (its filter and rows). */
  readonly timeline: TimelineProvider;
  /** The names of the commands registered (each through the one command wrapper). */
  readonly commands: () => readonly string[];
  /** The running `airlock run` sessions in this window's folders. */
  readonly sandboxes: SandboxSessions;
  /** Answers a pending request as the developer would (commands called with an id only show it). */
  readonly answerForTest: (id: string, answer: Omit<HumanAnswer, 'by'>) => boolean;
  /** The confirmations Airlock asked for (in tests they are refused: nobody can answer a modal dialog). */
  readonly confirmationsForTest: () => readonly string[];
}

/** Composition root: build the services in dependency order and register each as it is made. */
export async function activate(context: vscode.ExtensionContext): Promise<AirlockApi | undefined> {
  const own = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);
  const log = own(vscode.window.createOutputChannel('Airlock', { log: true }));
  log.info(`Agent Airlock ${context.extension.packageJSON.version} activating in VS Code ${vscode.version}`);
  const config = own(new ConfigWatcher(log));
  const analyze = shellAnalyzer();
  const policy = own(new PolicyService(log, analyze));
  // The one snapshot service: every snapshot of this window goes through it, with the folder's policy
  // applied; the file watcher's change journal makes a snapshot cost what the changed files cost.
  const journal = new ChangeJournal();
  const snapshotService = new SnapshotService({
    settings: (folder) => policy.policy(folder).settings.snapshots,
    journal,
    onVerified: (folder, missed) => missed && log.warn(`[snapshot] the file watcher missed a change in ${folder}; the background check caught it`),
  });
  own(new SnapshotJournalWatcher(journal));
  own({ dispose: () => snapshotService.dispose() });
  const gate = own(new GateService(policy, snapshotService, log));
  const approvals = own(new ApprovalUi(gate.queue, log, context.extensionUri));
  const attribution = new ChangeAttribution();
  const timeline = own(new TimelineProvider(gate));
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  // In tests nobody can answer a modal dialog: a confirmation is recorded and refused.
  const asked: string[] = [];
  const snapshots = own(new SnapshotCommands(snapshotService, timeline, log, attribution, testMode ? async (m) => (asked.push(m), false) : undefined));
  const guardSnapshots = new GuardSnapshots(snapshotService);
  const cli = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
  const copilot = own(new CopilotSettingsSync(policy, context.workspaceState, context.globalState, attribution, log, config, own(new CopilotSandboxSettings(cli, log))));
  const watcher = own(new ProtectedPathWatcher(policy, gate, attribution, guardSnapshots, log, () => config.current.enabled && config.current.watchProtectedPaths));
  const terminal = own(new TerminalGuard(gate, analyze, attribution, guardSnapshots, log, config));
  const state = own(new GuardState(policy, config));
  const sandboxes = own(new SandboxSessions());
  own(sandboxes.onDidAudit(() => timeline.refresh()));
  own(vscode.window.registerTerminalProfileProvider(TerminalProfiles.sandboxedShell, sandboxedShellProfile(cli)));
  own(new StatusViewProvider(state, sandboxes));
  own(new AirlockStatusBar(state, gate.queue));
  own(new DenialNotifier(gate, log));
  const commands = own(new CommandCenter(log))
    .register(approvals.commands())
    .register(timelineCommands(timeline, snapshots, testMode))
    .register(guardCommands(copilot, watcher, terminal))
    .register(firstRunCommands(gate, attribution, state, log))
    .register(sandboxCommands(cli, log));
  const bridge = await BridgeHost.serve(context, gate, config, log);
  if (bridge) {
    own(bridge);
  }
  if (!testMode) {
    return undefined;
  }
  return { log, logUri: context.logUri, policy, gate, snapshots: snapshotService, bridgeSocket: () => bridge?.socketPath, guards: { copilot, watcher, terminal }, timeline, commands: () => commands.names(), answerForTest: (id, answer) => approvals.answerForTest(id, answer), confirmationsForTest: () => [...asked], sandboxes };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
