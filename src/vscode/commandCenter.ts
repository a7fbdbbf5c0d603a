import * as vscode from 'vscode';
import type { CommandName } from './ids';
import { Commands } from './ids';

/** What a command handler is given and returns (commands are called with any arguments). */
export type CommandHandler = (...args: never[]) => unknown;

/** One component's commands: its name (the log tag) and a handler per command name. */
export interface CommandGroup<N extends CommandName = CommandName> {
  readonly component: string;
  readonly handlers: { readonly [K in N]: CommandHandler };
}

/**
 * An error meant for the developer, at a chosen severity (a warning for "open a folder first", an
 * error for a failed rollback), with an optional button. Anything else thrown is an error.
 */
export class AirlockError extends Error {
  constructor(
    message: string,
    readonly severity: 'info' | 'warning' | 'error' = 'error',
    readonly action?: { readonly title: string; readonly run: () => unknown },
  ) {
    super(message);
  }
}

/**
 * Registers every Airlock command through one wrapper, like the git extension's
 * `CommandCenter.createCommand()`: each call is logged with a `[Component][method]` tag, and every
 * error is caught, logged with its stack, and shown at its severity with **Show Log**. A command
 * never rejects into VS Code (it resolves undefined after an error); a cancellation is silent.
 */
export class CommandCenter implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly registered = new Set<CommandName>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Registers a component's commands; each name may be registered once. */
  register<N extends CommandName>(group: CommandGroup<N>): this {
    for (const name of Object.keys(group.handlers) as N[]) {
      if (this.registered.has(name)) {
        throw new Error(`${Commands[name]} is registered twice`);
      }
      this.registered.add(name);
      this.disposables.push(vscode.commands.registerCommand(Commands[name], this.wrap(group.component, name, group.handlers[name])));
    }
    return this;
  }

  /** The command names registered so far. */
  names(): CommandName[] {
    return [...this.registered];
  }

  private wrap(component: string, method: string, fn: CommandHandler): (...args: unknown[]) => Promise<unknown> {
    const tag = `[${component}][${method}]`;
    return async (...args: unknown[]) => {
      this.log.trace(`${tag} called`);
      try {
        return await (fn as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        this.report(tag, err);
        return undefined;
      }
    };
  }

  /** Logs an error with its tag and shows it to the developer at its severity. */
  report(tag: string, err: unknown): void {
    if (err instanceof vscode.CancellationError) {
      this.log.debug(`${tag} cancelled`);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const severity = err instanceof AirlockError ? err.severity : 'error';
    (severity === 'error' ? this.log.error : severity === 'warning' ? this.log.warn : this.log.info).call(this.log, `${tag} ${message}`);
    if (err instanceof Error && err.stack && !(err instanceof AirlockError)) {
      this.log.debug(`${tag} ${err.stack}`);
    }
    const showLog = vscode.l10n.t('Show Log');
    const extra = err instanceof AirlockError ? err.action : undefined;
    const buttons = extra ? [extra.title, showLog] : [showLog];
    const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(vscode.l10n.t('Airlock: {0}', message), ...buttons).then(
      (pick) => {
        if (pick === showLog) {
          this.log.show(true);
        } else if (extra && pick === extra.title) {
          void Promise.resolve()
            .then(extra.run)
            .catch((e: unknown) => this.report(tag, e));
        }
      },
      () => undefined,
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
  }
}
