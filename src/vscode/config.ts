import * as vscode from 'vscode';
import { ConfigSection } from './ids';

/** Typed view of the `airlock.*` settings; mirrors `contributes.configuration` in package.json. */
export interface AirlockConfig {
  readonly enabled: boolean;
  readonly logLevel: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Keep Copilot's approval settings in step with the policy: off, ask first, or automatically. */
  readonly copilotSync: 'off' | 'ask' | 'auto';
  /** Warn when a protected file changes without an approved action. */
  readonly watchProtectedPaths: boolean;
  /** Snapshot interval while an agent session is active (seconds; 0 turns periodic snapshots off). */
  readonly terminalSnapshotIntervalSeconds: number;
}

export function readConfig(scope?: vscode.ConfigurationScope): AirlockConfig {
  const c = vscode.workspace.getConfiguration(ConfigSection, scope);
  return {
    enabled: c.get<boolean>('enabled', true),
    logLevel: c.get<AirlockConfig['logLevel']>('logLevel', 'info'),
    copilotSync: oneOf(c.get<string>('copilot.syncApprovalSettings'), ['off', 'ask', 'auto'] as const, 'ask'),
    watchProtectedPaths: c.get<boolean>('watchProtectedPaths', true),
    terminalSnapshotIntervalSeconds: Math.max(0, Number(c.get<number>('terminal.snapshotIntervalSeconds', 60)) || 0),
  };
}

function oneOf<T extends string>(v: string | undefined, options: readonly T[], fallback: T): T {
  return options.includes(v as T) ? (v as T) : fallback;
}

/** Calls `listener` with the new configuration whenever an `airlock.*` setting changes. */
export function onConfigChange(listener: (config: AirlockConfig) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(ConfigSection)) {
      listener(readConfig());
    }
  });
}
