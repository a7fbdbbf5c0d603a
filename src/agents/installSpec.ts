/**
 * How an agent's hook is installed, as data each agent module gives (the engine is install.ts), and
 * the hook timeouts every agent module shares.
 */

/** The hook timeout Airlock writes into agent configs, in seconds (approval waits are shorter). */
export const AGENT_HOOK_TIMEOUT_S = 300;
/** The watchdog answers deny this long before the configured hook timeout. */
export const WATCHDOG_MS = (AGENT_HOOK_TIMEOUT_S - 20) * 1000;
/** For agents whose hook timeout Airlock cannot configure (and may be as short as 30 s). */
export const SHORT_WATCHDOG_MS = 25_000;

/** The launcher every hook entry runs, relative to the workspace; also how entries are recognised. */
export const LAUNCHER = '.airlock/bin/airlock-hook';

/** One entry appended to the array at `path` in a JSON(C) hook configuration. */
export interface JsonEntry {
  readonly path: readonly (string | number)[];
  readonly entry: unknown;
}

interface CommonSpec {
  /** Folders or files whose presence means the agent is used here (workspace-relative). */
  readonly signs: readonly string[];
  /** The environment variable through which the agent tells its hooks the project folder. */
  readonly projectDirVar?: string;
  /** What a user must know for the installed hook to run (trust prompts, settings). */
  readonly notes: readonly string[];
  /** Whether the hook timeout can be written into the config (else the agent's own default applies). */
  readonly timeoutConfigurable: boolean;
}

/** A JSON(C) config file Airlock merges its entries into (comments and other hooks are kept). */
export interface JsonInstallSpec extends CommonSpec {
  readonly kind: 'json';
  /** Workspace-relative. */
  readonly file: string;
  /** Top-level fields the file needs (e.g. `version: 1`), set only when absent. */
  readonly base?: Readonly<Record<string, unknown>>;
  /** The entries that run `command` with the hook timeout `timeoutS` (seconds). */
  entries(command: string, timeoutS: number): readonly JsonEntry[];
}

/** One file Airlock writes whole (a hook script, a plugin). */
export interface InstallFile {
  /** Workspace-relative. */
  readonly file: string;
  readonly text: string;
  readonly executable: boolean;
}

/**
 * Hook files or plugins Airlock writes whole (and refuses to overwrite when they are not Airlock's:
 * each one names the launcher). The first is the one shown as the agent's hook configuration.
 */
export interface FilesInstallSpec extends CommonSpec {
  readonly kind: 'files';
  readonly files: readonly [InstallFile, ...InstallFile[]];
}

export type InstallSpec = JsonInstallSpec | FilesInstallSpec;

/** The agent's hook configuration file shown to people (the JSON config, or the first file written). */
export function configFile(spec: InstallSpec): string {
  return spec.kind === 'json' ? spec.file : spec.files[0].file;
}

/**
 * The shell command written into the agent's config: finds the launcher in the agent's project
 * folder (its variable) or the nearest folder up from the current one, in plain sh, and runs it. If
 * the launcher is missing the command exits 2, which blocks for every agent that runs commands.
 */
export function hookCommand(agent: string, projectDirVar: string | undefined, timeoutS = AGENT_HOOK_TIMEOUT_S): string {
  const start = projectDirVar ? `"\${${projectDirVar}:-$PWD}"` : '"$PWD"';
  // A non-default agent timeout moves Airlock's watchdog with it, so Airlock always answers first.
  const watchdog = timeoutS === AGENT_HOOK_TIMEOUT_S ? '' : `AIRLOCK_HOOK_WATCHDOG_MS=${(timeoutS - 10) * 1000} `;
  return `d=${start}; while [ ! -f "$d/${LAUNCHER}" ] && [ -n "$d" ]; do d="\${d%/*}"; done; ${watchdog}sh "$d/${LAUNCHER}" ${agent} || exit 2`;
}
