import * as vscode from 'vscode';
import { BridgeError } from './bridge/protocol';
import { ChangeAttribution } from './gate/changeAttribution';
import { shellAnalyzer } from './gate/shellAnalyzer';
import { snapshotOptionsFromPolicy, takeSnapshot } from './snapshot/snapshot';
import { ApprovalUi } from './vscode/approvals';
import { BridgeHost } from './vscode/bridgeHost';
import { registerFirstRunCommands } from './vscode/firstRun';
import { onConfigChange, readConfig } from './vscode/config';
import { CopilotSandboxSettings } from './vscode/copilotSandboxSync';
import { CopilotSettingsSync } from './vscode/copilotSync';
import { GateService } from './vscode/gateService';
import { installHooksCommand } from './vscode/installHooksCommand';
import { registerGuardCommands } from './vscode/guardCommands';
import { GuardSnapshots } from './vscode/guardSnapshots';
import { Commands, TerminalProfiles, Views } from './vscode/ids';
import { DenialNotifier } from './vscode/notifications';
import { PolicyService } from './vscode/policyService';
import { ProtectedPathWatcher } from './vscode/protectedWatcher';
import { SnapshotCommands } from './vscode/snapshotCommands';
import { AirlockStatusBar } from './vscode/statusBar';
import { runAgentInSandbox, SandboxSessions, sandboxedShellProfile } from './vscode/sandboxRun';
import { StatusViewProvider } from './vscode/statusView';
import { TerminalGuard } from './vscode/terminalGuard';
import { TimelineProvider } from './vscode/timeline';
import { registerTimelineCommands } from './vscode/timelineCommands';

/** What the extension exports to other extensions and to its own integration tests. */
export interface AirlockApi {
  readonly log: vscode.LogOutputChannel;
  /** The policy of each workspace folder: `policy.evaluate(folder, action, analysis?)`. */
  readonly policy: PolicyService;
  /** The window's gate: pending approvals (`gate.queue`) and decisions (`gate.onDidDecide`). */
  readonly gate: GateService;
  /** The socket hooks reach this window on (undefined when the bridge could not start). */
  readonly bridgeSocket: () => string | undefined;
  /** The guards beyond hooks: Copilot's approval settings, the protected-path watcher, the terminal observer. */
  readonly guards: { readonly copilot: CopilotSettingsSync; readonly watcher: ProtectedPathWatcher; readonly terminal: TerminalGuard };
  /** The running `airlock run` sessions in this window's folders. */
  readonly sandboxes: SandboxSessions;
}

/** Composition root: build the services in dependency order and register each as it is made. */
export async function activate(context: vscode.ExtensionContext): Promise<AirlockApi> {
  const log = vscode.window.createOutputChannel('Airlock', { log: true });
  context.subscriptions.push(log);
  let config = readConfig();
  log.info(`Agent Airlock ${context.extension.packageJSON.version} activating in VS Code ${vscode.version}`);

  const analyze = shellAnalyzer();
  const policy = new PolicyService(log, analyze);
  context.subscriptions.push(policy);

  const gate = new GateService(policy, {
    take: async (folder, label, action) => (await takeSnapshot(folder, { label, agent: action.agent, tool: action.tool }, snapshotOptionsFromPolicy(policy.policy(folder).settings.snapshots))).id,
  }, log);
  context.subscriptions.push(gate);

  const approvals = new ApprovalUi(gate.queue, log);
  context.subscriptions.push(approvals);

  const attribution = new ChangeAttribution();
  const timeline = new TimelineProvider();
  const snapshots = new SnapshotCommands(timeline, log, attribution);
  context.subscriptions.push(timeline, snapshots, ...registerTimelineCommands(timeline, snapshots, log));

  const guardSnapshots = new GuardSnapshots(policy);
  const cli = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
  const copilotSandbox = new CopilotSandboxSettings(cli, log);
  const copilot = new CopilotSettingsSync(policy, context.workspaceState, context.globalState, attribution, log, () => config.copilotSync, copilotSandbox);
  const watcher = new ProtectedPathWatcher(policy, gate, attribution, guardSnapshots, log, () => config.enabled && config.watchProtectedPaths);
  const terminal = new TerminalGuard(gate, analyze, attribution, guardSnapshots, log, () => ({ enabled: config.enabled, intervalSeconds: config.terminalSnapshotIntervalSeconds }));
  context.subscriptions.push(copilotSandbox, copilot, watcher, terminal, ...registerGuardCommands(copilot, watcher, terminal, log));

  const sandboxes = new SandboxSessions();
  context.subscriptions.push(
    sandboxes,
    vscode.commands.registerCommand(Commands.runAgentInSandbox, (agentPath?: string) => runAgentInSandbox(cli, log, agentPath)),
    vscode.window.registerTerminalProfileProvider(TerminalProfiles.sandboxedShell, sandboxedShellProfile(cli)),
    sandboxes.onDidAudit(() => timeline.refresh()),
  );

  const statusView = new StatusViewProvider(config, sandboxes);
  context.subscriptions.push(statusView, vscode.window.registerTreeDataProvider(Views.status, statusView));

  const statusBar = new AirlockStatusBar(config);
  const notifier = new DenialNotifier(log);
  context.subscriptions.push(statusBar, notifier, ...registerFirstRunCommands(gate));

  let bridge: BridgeHost | undefined;
  try {
    bridge = await BridgeHost.start(
      context,
      async (req, signal) => {
        if (!readConfig().enabled) {
          throw new BridgeError('disabled', 'Airlock is turned off in this window (airlock.enabled)');
        }
        return gate.decide(req.actions, signal, req.installedFor);
      },
      (m) => log.error(`[bridge] ${m}`),
    );
    context.subscriptions.push(bridge);
    log.info(`[bridge] listening on ${bridge.socketPath}`);
  } catch (err) {
    log.error(`[bridge] could not start: ${err instanceof Error ? err.message : String(err)}; hooks decide without this window`);
  }

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showLog, () => log.show(true)),
    vscode.commands.registerCommand(Commands.installHooks, (agents?: Parameters<typeof installHooksCommand>[1]) => installHooksCommand(log, agents)),
    gate.queue.onDidChange(() => statusBar.setPending(gate.queue.size)),
    gate.onDidDecide((e) => {
      timeline.refresh();
      notifier.onDecide(e);
    }),
    onConfigChange((next) => {
      if (next.copilotSync !== config.copilotSync) {
        config = next;
        copilot.resyncAll();
      }
      config = next;
      terminal.configure();
      log.info(`configuration changed: enabled=${config.enabled}`);
      statusView.update(config);
      statusBar.update(config);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => statusView.update(config)),
    sandboxes.onDidChange(() => statusView.update(config)),
  );
  return { log, policy, gate, bridgeSocket: () => bridge?.socketPath, guards: { copilot, watcher, terminal }, sandboxes };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
