/**
 * The small I/O edge of the policy: reading a workspace folder's policy files, and resolving the
 * real paths behind symlinks. Everything else in src/policy is pure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandAnalysis, ProposedAction } from '../core/types';
import type { LayerInput, Policy } from './compile';
import { buildPolicy, normalizePath } from './compile';
import type { PathFact, PathFacts } from './evaluate';
import type { ParsedPolicy, PolicyProblem } from './parse';
import { nestedPolicies } from './nested';
import { parsePolicyText, validatePolicyValue } from './parse';
import { stateDir } from '../util/stateDir';
import type { PolicyFile } from './policyFile';

export const TEAM_POLICY_FILE = path.join('.airlock', 'policy.json');
export const PERSONAL_POLICY_FILE = path.join('.airlock', 'policy.local.json');

export interface LoadedPolicy {
  /** The folder whose policy this is. */
  readonly folder: string;
  readonly policy: Policy;
  /** Problems of every file (and of the settings), with positions. Empty when all is well. */
  readonly problems: readonly PolicyProblem[];
  /** The files that were looked at (absolute paths) and whether each exists. */
  readonly files: readonly { readonly path: string; readonly exists: boolean }[];
  /** The last valid content of each file: what the next load falls back to if a file breaks. */
  readonly lastValid: { readonly team?: LayerInput; readonly personal?: LayerInput };
}

export interface LoadPolicyOptions {
  /** The `airlock.policy` user setting (validated here; an invalid one counts as a problem). */
  readonly settings?: unknown;
  /** The previous load of the same folder: its last valid files are used while a file is invalid. */
  readonly previous?: LoadedPolicy;
  /** Ignore the workspace's own files (an untrusted workspace): built-in defaults and settings only. */
  readonly ignoreWorkspaceFiles?: boolean;
  readonly caseInsensitive?: boolean;
  readonly home?: string;
  /** Temporary directories where scratch files are allowed; default: the OS temp dir and /tmp. */
  readonly tempDirs?: readonly string[];
}

/** The OS temporary directory (and /tmp on Unix), with their real paths. */
export function defaultTempDirs(): string[] {
  const dirs = [os.tmpdir(), ...(process.platform === 'win32' ? [] : ['/tmp', '/var/tmp'])];
  return [...new Set(dirs.flatMap((d) => [d, realpathOrSelf(d)]))];
}

function readIfExists(file: string): { text?: string; error?: string } {
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return {};
    }
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/** Loads the layered policy of one workspace folder. Never throws for bad files: they become problems. */
export function loadPolicy(folder: string, opts: LoadPolicyOptions = {}): LoadedPolicy {
  const problems: PolicyProblem[] = [];
  const files: { path: string; exists: boolean }[] = [];
  let degraded = false;
  const lastValid: { team?: LayerInput; personal?: LayerInput } = {};
  const layer = (rel: string, which: 'team' | 'personal'): LayerInput | undefined => {
    const file = path.join(folder, rel);
    if (opts.ignoreWorkspaceFiles) {
      return undefined;
    }
    const { text, error } = readIfExists(file);
    files.push({ path: file, exists: text !== undefined || error !== undefined });
    if (error !== undefined) {
      problems.push({ file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, length: 0, message: `cannot read the policy file: ${error}`, severity: 'error' });
    }
    if (text === undefined && error === undefined) {
      return undefined;
    }
    const parsed: ParsedPolicy | undefined = text !== undefined ? parsePolicyText(text, file) : undefined;
    problems.push(...(parsed?.problems ?? []));
    if (parsed?.file) {
      const input: LayerInput = { source: file, file: parsed.file, locate: parsed.locate };
      lastValid[which] = input;
      return input;
    }
    degraded = true;
    const previous = opts.previous?.lastValid[which];
    if (previous) {
      lastValid[which] = previous;
    }
    return previous;
  };
  const team = layer(TEAM_POLICY_FILE, 'team');
  const personal = layer(PERSONAL_POLICY_FILE, 'personal');
  let settings: PolicyFile | undefined;
  if (opts.settings !== undefined && opts.settings !== null) {
    const errors = validatePolicyValue(opts.settings);
    if (errors.length === 0) {
      settings = opts.settings as PolicyFile;
    } else {
      degraded = true;
      for (const message of errors) {
        problems.push({ file: 'settings', line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, length: 0, message: `airlock.policy setting: ${message}`, severity: 'error' });
      }
    }
  }
  const realFolder = realpathOrSelf(folder);
  const nested = opts.ignoreWorkspaceFiles ? undefined : nestedPolicies(folder);
  problems.push(...(nested?.problems ?? []));
  const home = opts.home ?? os.homedir();
  const state = stateDir();
  const policy = buildPolicy({
    folder,
    ...(nested?.layers.length ? { nested: nested.layers } : {}),
    ...(state !== path.join(home, '.local', 'state', 'agent-airlock') ? { stateDir: state } : {}),
    ...(realFolder !== folder ? { realFolder } : {}),
    home,
    tempDirs: opts.tempDirs ?? defaultTempDirs(),
    ...(opts.caseInsensitive !== undefined ? { caseInsensitive: opts.caseInsensitive } : {}),
    ...(team ? { team } : {}),
    ...(personal ? { personal } : {}),
    ...(settings ? { settings } : {}),
    degraded,
  });
  return { folder, policy, problems, files, lastValid };
}

/**
 * Loads each folder's policy once (a short-lived process: the hook, `check`, `policy explain`).
 * Bad files become problems, never looser rules.
 */
export function policyCache(opts: LoadPolicyOptions = {}): (folder: string) => LoadedPolicy {
  const loaded = new Map<string, LoadedPolicy>();
  return (folder) => {
    let l = loaded.get(folder);
    if (!l) {
      l = loadPolicy(folder, opts);
      loaded.set(folder, l);
    }
    return l;
  };
}

/** The real path of `p`, also when it does not exist yet (its nearest existing folder is resolved). */
function realPathOf(p: string): { real: string; exists: boolean } {
  let exists = true;
  try {
    fs.lstatSync(p);
  } catch {
    exists = false;
  }
  let dir = p;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = fs.realpathSync.native(dir);
      return { real: rest.length ? path.join(real, ...rest.reverse()) : real, exists };
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) {
        return { real: p, exists };
      }
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/**
 * Looks up what evaluation needs to know about paths: their real path (symlinks resolved) and whether
 * they exist. Keys are the normalised absolute paths evaluation uses.
 */
export function inspectPaths(paths: readonly string[], cwd: string): PathFacts {
  const facts = new Map<string, PathFact>();
  for (const p of paths) {
    const abs = normalizePath(p, cwd);
    if (facts.has(abs)) {
      continue;
    }
    const native = path.resolve(cwd, p);
    const { real, exists } = realPathOf(native);
    const realNorm = normalizePath(real, '/');
    facts.set(abs, realNorm !== abs ? { real: realNorm, exists } : { exists });
  }
  return facts;
}

/** A folder too broad to be anybody's project: the file system root, the home folder or above it. */
export function isBroadRoot(dir: string, home: string = os.homedir()): boolean {
  const d = path.resolve(dir);
  const h = path.resolve(home);
  return path.dirname(d) === d || d === h || h.startsWith(d.endsWith(path.sep) ? d : d + path.sep);
}

/**
 * The workspace folder a path belongs to when no editor says so (the CLI): the nearest folder at or
 * above `start` that has an .airlock policy file, else the nearest with .git, else `start` itself.
 * The home folder, the root and their ancestors are never a workspace (a dotfiles repository in ~
 * must not make ~/.bashrc an ordinary source file): for them this returns a folder inside `start`
 * that holds nothing, so every real path is outside the workspace and asked.
 */
export function searchFolder(start: string): string {
  const from = path.resolve(start);
  let gitRoot: string | undefined;
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, TEAM_POLICY_FILE)) || fs.existsSync(path.join(dir, PERSONAL_POLICY_FILE))) {
      return dir;
    }
    if (gitRoot === undefined && !isBroadRoot(dir) && fs.existsSync(path.join(dir, '.git'))) {
      gitRoot = dir;
    }
    if (path.dirname(dir) === dir) {
      return gitRoot ?? (isBroadRoot(from) ? path.join(from, NO_WORKSPACE) : from);
    }
  }
}

/** The name of the empty pseudo-workspace used when the cwd is too broad to be one. */
export const NO_WORKSPACE = '.airlock-no-workspace';

/** inspectPaths for everything an action touches: its paths and the effects of its command. */
export function inspectAction(action: ProposedAction, analysis?: CommandAnalysis): PathFacts {
  return inspectPaths([...action.paths, ...(analysis?.effects.map((e) => e.path) ?? [])], action.cwd);
}
