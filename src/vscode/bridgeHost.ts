import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { hookHandler } from '../agents/hookService';
import { newSocketPath, newToken, register, unregister } from '../bridge/registry';
import { BridgeError } from '../bridge/protocol';
import type { DecideHandler } from '../bridge/server';
import { BridgeServer } from '../bridge/server';
import type { ConfigWatcher } from './config';
import type { GateService } from './gateService';

function realFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => {
      try {
        return fs.realpathSync.native(f.uri.fsPath);
      } catch {
        return f.uri.fsPath;
      }
    });
}

/**
 * This window's end of the hook bridge: a private socket with a fresh token, a registration that
 * hooks started anywhere can find by their cwd, and AIRLOCK_SOCKET / AIRLOCK_TOKEN in the
 * environment of the integrated terminals this window opens.
 */
export class BridgeHost implements vscode.Disposable {
  private registration: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly server: BridgeServer,
    private readonly token: string,
    private readonly version: string,
    env: vscode.GlobalEnvironmentVariableCollection,
  ) {
    env.persistent = false;
    env.description = vscode.l10n.t('Lets agents started in this terminal reach Agent Airlock in this window.');
    env.replace('AIRLOCK_SOCKET', server.socketPath);
    env.replace('AIRLOCK_TOKEN', token);
    this.reregister();
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.reregister()));
  }

  static async start(context: vscode.ExtensionContext, onDecide: DecideHandler, onError: (m: string) => void): Promise<BridgeHost> {
    const token = newToken();
    const version = String(context.extension.packageJSON.version);
    const socketPath = newSocketPath();
    // Thin hook clients send whole hook calls: the adapter reads and renders here, the gate is onDecide's.
    const onHook = hookHandler({ decide: onDecide, socketPath: () => socketPath });
    const server = await BridgeServer.listen({ socketPath, token, folders: realFolders, version, onDecide, onHook, onError });
    return new BridgeHost(server, token, version, context.environmentVariableCollection);
  }

  /**
   * Starts this window's bridge and answers every hook through the window's gate (a window whose
   * `airlock.enabled` is off answers that it is disabled: the hook then decides alone). Returns
   * undefined, after logging why, when the bridge cannot start: hooks then decide without the window.
   */
  static async serve(context: vscode.ExtensionContext, gate: GateService, config: ConfigWatcher, log: vscode.LogOutputChannel): Promise<BridgeHost | undefined> {
    try {
      const bridge = await BridgeHost.start(
        context,
        async (req, signal) => {
          if (!config.current.enabled) {
            throw new BridgeError('disabled', 'Airlock is turned off in this window (airlock.enabled)');
          }
          return gate.decide(req.actions, signal, req.installedFor);
        },
        (m) => log.error(`[Bridge] ${m}`),
      );
      log.info(`[Bridge] listening on ${bridge.socketPath}`);
      return bridge;
    } catch (err) {
      log.error(`[Bridge] could not start: ${err instanceof Error ? err.message : String(err)}; hooks decide without this window`);
      return undefined;
    }
  }

  get socketPath(): string {
    return this.server.socketPath;
  }

  private reregister(): void {
    if (this.registration) {
      unregister(this.registration);
    }
    this.registration = register({ pid: process.pid, socket: this.server.socketPath, token: this.token, folders: realFolders(), version: this.version, createdAt: new Date().toISOString() });
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
    if (this.registration) {
      unregister(this.registration);
    }
    void this.server.close();
  }
}
