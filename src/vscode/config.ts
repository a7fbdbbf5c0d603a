import * as vscode from 'vscode';
import { Settings } from './ids';

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
  const c = vscode.workspace.getConfiguration(Settings.section, scope);
  return {
    enabled: c.get<boolean>(Settings.enabled, true),
    logLevel: c.get<AirlockConfig['logLevel']>(Settings.logLevel, 'info'),
    copilotSync: oneOf(c.get<string>(Settings.copilotSync), ['off', 'ask', 'auto'] as const, 'ask'),
    watchProtectedPaths: c.get<boolean>(Settings.watchProtectedPaths, true),
    terminalSnapshotIntervalSeconds: Math.max(0, Number(c.get<number>(Settings.terminalSnapshotInterval, 60)) || 0),
  };
}

function oneOf<T extends string>(v: string | undefined, options: readonly T[], fallback: T): T {
  return options.includes(v as T) ? (v as T) : fallback;
}

/** The current `airlock.*` settings, read once per change; services listen to `onDidChange`. */
export class ConfigWatcher implements vscode.Disposable {
  private config = readConfig();
  private readonly changed = new vscode.EventEmitter<{ readonly config: AirlockConfig; readonly previous: AirlockConfig }>();
  /** Fires after any `airlock.*` setting changed, with the new and the previous values. */
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(log: vscode.LogOutputChannel) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(Settings.section)) {
        const previous = this.config;
        this.config = readConfig();
        log.info(`[Config] changed: enabled=${this.config.enabled}`);
        this.warnIfGuardOff(previous, log);
        this.changed.fire({ config: this.config, previous });
      }
    });
  }

  /**
   * Whoever writes the user settings file can switch a guard off (an agent's script can): say so,
   * with a way back, instead of going quiet.
   */
  private warnIfGuardOff(previous: AirlockConfig, log: vscode.LogOutputChannel): void {
    const off = [
      previous.enabled && !this.config.enabled ? `${Settings.section}.${Settings.enabled}` : undefined,
      previous.watchProtectedPaths && !this.config.watchProtectedPaths ? `${Settings.section}.${Settings.watchProtectedPaths}` : undefined,
    ].filter((k): k is string => k !== undefined);
    if (off.length === 0) {
      return;
    }
    log.warn(`[Config] a guard was turned off in the user settings: ${off.join(', ')}`);
    const back = vscode.l10n.t('Turn Back On');
    void vscode.window
      .showWarningMessage(vscode.l10n.t('Airlock: {0} was turned off in your user settings. If you did not do this, an agent may have: turn it back on.', off.join(', ')), back)
      .then((pick) => {
        if (pick === back) {
          const c = vscode.workspace.getConfiguration(Settings.section);
          for (const k of off) {
            void c.update(k.slice(Settings.section.length + 1), undefined, vscode.ConfigurationTarget.Global);
          }
        }
      });
  }

  get current(): AirlockConfig {
    return this.config;
  }

  /** Updates one setting in the user settings. */
  async update(key: keyof typeof SETTING_KEYS, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration(Settings.section).update(SETTING_KEYS[key], value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

const SETTING_KEYS = { copilotSync: Settings.copilotSync, enabled: Settings.enabled } as const;
