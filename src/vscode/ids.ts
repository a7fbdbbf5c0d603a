/**
 * Every id Airlock's VS Code layer uses, declared once: commands, views, tree item context values,
 * context keys, settings, URI schemes and storage keys. No other file spells one of these strings
 * (a unit test checks the source and package.json against this module).
 */
export const EXTENSION_ID = 'agent-airlock.agent-airlock';

export const Commands = {
  showLog: 'airlock.showLog',
  approve: 'airlock.approve',
  allowForSession: 'airlock.allowForSession',
  deny: 'airlock.deny',
  denyWithReason: 'airlock.denyWithReason',
  reviewRequest: 'airlock.reviewRequest',
  rollback: 'airlock.rollback',
  undoRollback: 'airlock.undoRollback',
  showChanges: 'airlock.showChanges',
  restoreFile: 'airlock.restoreFile',
  refreshTimeline: 'airlock.refreshTimeline',
  filterTimeline: 'airlock.filterTimeline',
  clearTimelineFilter: 'airlock.clearTimelineFilter',
  exportAudit: 'airlock.exportAudit',
  takeSnapshot: 'airlock.takeSnapshot',
  installHooks: 'airlock.installHooks',
  syncCopilotSettings: 'airlock.syncCopilotSettings',
  revertProtectedChange: 'airlock.revertProtectedChange',
  keepProtectedChange: 'airlock.keepProtectedChange',
  rollbackTerminalCommand: 'airlock.rollbackTerminalCommand',
  createPolicy: 'airlock.createPolicy',
  tryApproval: 'airlock.tryApproval',
  runAgentInSandbox: 'airlock.runAgentInSandbox',
} as const;

/** The name of a command in `Commands` (used as the `[Component][method]` tag of its log lines). */
export type CommandName = keyof typeof Commands;
export type CommandId = (typeof Commands)[CommandName];

export const Views = {
  container: 'airlock',
  status: 'airlock.status',
  pending: 'airlock.pending',
  timeline: 'airlock.timeline',
} as const;

/** Commands VS Code itself makes for Airlock's views and view container. */
export const ViewCommands = {
  focus: (view: (typeof Views)[Exclude<keyof typeof Views, 'container'>]) => `${view}.focus`,
  openContainer: `workbench.view.extension.${Views.container}`,
} as const;

/** Contributed terminal profiles. */
export const TerminalProfiles = {
  sandboxedShell: 'airlock.sandboxedShell',
} as const;

/** The `contextValue` of tree items (`viewItem == ...` in package.json menus). */
export const ViewItems = {
  pending: 'airlock.pending',
  pendingWithSession: 'airlock.pending.session',
  session: 'airlock.session',
  action: 'airlock.action',
  actionWithSnapshot: 'airlock.action.snapshot',
  rollback: 'airlock.rollback',
  rollbackUndone: 'airlock.rollback.undone',
} as const;

export const ContextKeys = {
  pendingCount: 'airlock.pendingCount',
  timelineFiltered: 'airlock.timelineFiltered',
  /** A request appeared a moment ago: Approve is disabled until the developer has had a look. */
  arming: 'airlock.arming',
  /** Some agent's hook is installed in a workspace folder (the Timeline's empty state stops offering it). */
  hooksInstalled: 'airlock.hooksInstalled',
} as const;

/** The `airlock.*` settings: `Settings.section` + '.' + a key. */
export const Settings = {
  section: 'airlock',
  enabled: 'enabled',
  logLevel: 'logLevel',
  policy: 'policy',
  copilotSync: 'copilot.syncApprovalSettings',
  watchProtectedPaths: 'watchProtectedPaths',
  terminalSnapshotInterval: 'terminal.snapshotIntervalSeconds',
} as const;

/** The full id of an `airlock.*` setting, e.g. `airlock.enabled`. */
export function settingId(key: Exclude<(typeof Settings)[keyof typeof Settings], 'airlock'>): string {
  return `${Settings.section}.${key}`;
}

export const Schemes = {
  /** The read-only documents an approval diff shows (current and proposed). */
  proposed: 'airlock-proposed',
  /** The read-only "after" document of a settings sync preview. */
  settingsPreview: 'airlock-settings-preview',
  /** Files as a snapshot holds them. */
  snapshot: 'airlock-snapshot',
} as const;

/** Keys in the extension's Memento storage. */
export const StateKeys = {
  /** workspaceState: the Copilot settings entries Airlock wrote, per folder. */
  copilotOwnedKeys: 'airlock.copilot.ownedKeys',
  /** globalState: the keys of the user-level edits setting each workspace owns. */
  copilotOwnedEditKeys: 'airlock.copilot.ownedEditKeys',
  /** workspaceState: the developer put off the offer to sync Copilot's settings. */
  copilotOfferDismissed: 'airlock.copilot.offerDismissed',
} as const;

export const StatusBarItems = {
  shield: 'airlock.status',
} as const;

/** The view types of Airlock's webview panels. */
export const WebviewTypes = {
  /** A request that has no diff (a command, a read, a rename): what it does, and the answers. */
  approval: 'airlock.approval',
} as const;

/** The settings section (the policy service reads `airlock.policy` through it). */
export const ConfigSection = Settings.section;
