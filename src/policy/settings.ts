/** The non-rule settings of the layers merged (mode, snapshots, approval, budgets). */
import { BUILTIN_POLICY } from './builtin';
import type { CompiledLayer } from './compile';
import type { PolicySettings } from './policyFile';

/** The team (or built-in) mode; personal files and settings may switch audit back to enforce, never the reverse. */
export function mergeMode(layers: readonly CompiledLayer[], degraded: boolean): 'enforce' | 'audit' {
  if (degraded) {
    return 'enforce';
  }
  let mode: 'enforce' | 'audit' = 'enforce';
  for (const l of layers) {
    if (l.canRelax && l.file.mode) {
      mode = l.file.mode;
    } else if (!l.canRelax && l.file.mode === 'enforce') {
      mode = 'enforce';
    }
  }
  return mode;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/**
 * Snapshots: team decides whether they are on, later layers can only turn them on; include lists add
 * up; sizes and retention come from the latest layer that sets them. Approval: the shortest timeout,
 * deny on timeout unless the team chose allow (later layers can only choose deny), allow-for-session
 * only if no layer turns it off. Budgets: the smallest.
 */
export function mergeSettings(layers: readonly CompiledLayer[]): PolicySettings {
  const b = BUILTIN_POLICY;
  let enabled = b.snapshots?.enabled ?? true;
  const include: string[] = [];
  let maxFileSizeMB = b.snapshots?.maxFileSizeMB ?? 10;
  let retention = { maxCount: 200, maxAgeDays: 14, maxSizeMB: 1024, ...b.snapshots?.retention };
  let timeoutSeconds = b.approval?.timeoutSeconds ?? 300;
  let onTimeout: 'deny' | 'allow' = 'deny';
  let allowForSession = true;
  let budgets: PolicySettings['budgets'] = {};
  for (const l of layers) {
    const s = l.file.snapshots;
    if (s?.enabled !== undefined && (l.canRelax || s.enabled)) {
      enabled = s.enabled;
    }
    for (const i of s?.include ?? []) {
      if (!include.includes(i)) {
        include.push(i);
      }
    }
    maxFileSizeMB = s?.maxFileSizeMB ?? maxFileSizeMB;
    retention = { ...retention, ...s?.retention };
    const a = l.file.approval;
    if (a?.timeoutSeconds !== undefined) {
      timeoutSeconds = l.canRelax ? a.timeoutSeconds : Math.min(timeoutSeconds, a.timeoutSeconds);
    }
    if (a?.onTimeout !== undefined && (l.canRelax || a.onTimeout === 'deny')) {
      onTimeout = a.onTimeout;
    }
    if (a?.allowForSession !== undefined && (l.canRelax || !a.allowForSession)) {
      allowForSession = a.allowForSession;
    }
    const bu = l.file.budgets;
    if (bu) {
      budgets = {
        filesChanged: minDefined(budgets.filesChanged, bu.filesChanged),
        filesDeleted: minDefined(budgets.filesDeleted, bu.filesDeleted),
        commands: minDefined(budgets.commands, bu.commands),
        minutes: minDefined(budgets.minutes, bu.minutes),
      };
      budgets = Object.fromEntries(Object.entries(budgets).filter(([, v]) => v !== undefined));
    }
  }
  return { snapshots: { enabled, include, maxFileSizeMB, retention }, approval: { timeoutSeconds, onTimeout, allowForSession }, budgets };
}
