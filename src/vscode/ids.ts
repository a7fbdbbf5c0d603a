/** Every command, view, setting and context-key id Airlock uses, declared once. */
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

export const Views = {
  container: 'airlock',
  status: 'airlock.status',
  pending: 'airlock.pending',
  timeline: 'airlock.timeline',
} as const;

/** Contributed terminal profiles. */
export const TerminalProfiles = {
  sandboxedShell: 'airlock.sandboxedShell',
} as const;

export const ContextKeys = {
  pendingCount: 'airlock.pendingCount',
} as const;

/** The URI scheme of the read-only documents an approval diff shows (current and proposed). */
export const PROPOSED_SCHEME = 'airlock-proposed';

export const ConfigSection = 'airlock';

/** The URI scheme of the read-only "after" document of a settings sync preview. */
export const SETTINGS_PREVIEW_SCHEME = 'airlock-settings-preview';
