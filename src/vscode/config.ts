import * as vscode from 'vscode';
import { ConfigSection } from './ids';

/** Typed view of the `airlock.*` settings; mirrors `contributes.configuration` in package.json. */
export interface AirlockConfig {
  readonly enabled: boolean;
  readonly logLevel: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export function readConfig(scope?: vscode.ConfigurationScope): AirlockConfig {
  const c = vscode.workspace.getConfiguration(ConfigSection, scope);
  return {
    enabled: c.get<boolean>('enabled', true),
    logLevel: c.get<AirlockConfig['logLevel']>('logLevel', 'info'),
  };
}

/** Calls `listener` with the new configuration whenever an `airlock.*` setting changes. */
export function onConfigChange(listener: (config: AirlockConfig) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(ConfigSection)) {
      listener(readConfig());
    }
  });
}
