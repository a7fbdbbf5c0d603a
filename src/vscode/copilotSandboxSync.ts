/**
 * What Copilot agent mode's terminal sandbox (`chat.agent.sandbox.*`) should say for a folder: the
 * sandbox plan that `airlock run` would build there (worked out by the CLI in a child process, so a
 * large workspace's scan never blocks the extension host), turned into VS Code's settings by
 * src/sandbox/copilotSandbox.ts. CopilotSettingsSync puts them in the folder's settings.json with
 * the approval settings, through the same preview. They are worked out in the background and
 * cached, so a sync never waits for them: when they change, the folder is synced again.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { CopilotSandboxWanted } from '../sandbox/copilotSandbox';
import { copilotSandboxWanted } from '../sandbox/copilotSandbox';
import type { SandboxPlan } from '../sandbox/plan';

/** VS Code's terminal sandbox exists on Linux and macOS (Windows has its own, not covered here). */
export function copilotSandboxSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' || platform === 'darwin';
}

/** The wanted settings for a folder, or undefined when they cannot be worked out (a broken policy). */
export function copilotSandboxFor(cli: string, folder: string): Promise<CopilotSandboxWanted | undefined> {
  if (!copilotSandboxSupported()) {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'run', '--dry-run', '--json', '--agent', 'none', '--cwd', folder, '--', 'true'],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => {
        if (err) {
          resolve(undefined);
          return;
        }
        try {
          resolve(copilotSandboxWanted(JSON.parse(stdout) as SandboxPlan));
        } catch {
          resolve(undefined);
        }
      },
    );
  });
}

/** The wanted settings per folder, worked out again whenever the folder's policy changes. */
export class CopilotSandboxSettings implements vscode.Disposable {
  private readonly cache = new Map<string, string>();
  private readonly values = new Map<string, CopilotSandboxWanted>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a folder's path when its wanted settings changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly cli: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * The settings last worked out for the folder, refreshed in the background (a change fires
   * onDidChange); the first time, they are waited for, so the first offer already holds them.
   */
  async wanted(folder: string): Promise<CopilotSandboxWanted | undefined> {
    const refreshing = this.refresh(folder);
    if (!this.values.has(folder)) {
      await refreshing;
    }
    return this.values.get(folder);
  }

  /** Works the folder's settings out again (one at a time per folder). */
  private refresh(folder: string): Promise<void> {
    const busy = this.running.get(folder);
    if (busy) {
      return busy;
    }
    const run = copilotSandboxFor(this.cli, folder)
      .then((w) => {
        if (!w) {
          return;
        }
        const key = JSON.stringify(w);
        if (this.cache.get(folder) !== key) {
          this.cache.set(folder, key);
          this.values.set(folder, w);
          this.log.info(`[copilot] ${folder}: terminal sandbox settings worked out (${w.workspace ? Object.keys(w.workspace).length : 0} keys)`);
          this.changed.fire(folder);
        }
      })
      .finally(() => this.running.delete(folder));
    this.running.set(folder, run);
    return run;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
