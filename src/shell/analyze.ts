/**
 * Public API of the shell analysis: every sub-command a command line would run, every path it would
 * write or delete, and what the knowledge base knows about each sub-command.
 *
 *   await loadShellParser();             // once (lazy, cached; ~0.1-0.3 s cold)
 *   analyzeCommand(line, { cwd });       // synchronous, ~tens of microseconds
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandAnalysis } from '../core/types';
import { BashWalker } from './bash';
import { collectVars } from './bashScan';
import { NO_STREAM } from './model';
import type { Env } from './model';
import { loadedParser, loadGrammar, parseErrors, withTree } from './parser';
import type { ShellGrammar } from './parser';
import { isWindowsPath, resolvePath } from './paths';
import { analyzePowerShell } from './powershell';
import { programName, runArgv } from './run';
import { createWorkspaceView } from './workspaceView';
import type { WorkspaceView } from './workspaceView';

export interface AnalyzeOptions {
  /** Absolute working directory the command runs in. */
  readonly cwd: string;
  readonly shell?: 'bash' | 'powershell';
  /** The user's home folder; os.homedir() when absent. */
  readonly home?: string;
  /** The workspace root (what Airlock's snapshots cover); cwd when absent. */
  readonly workspace?: string;
  /**
   * The file system and repository at decision time (globs, scripts, what the agent changed).
   * Default: a fresh view of the workspace for this one call. Share one across a batch of
   * decisions made at one moment (`check --jsonl`), never across time.
   */
  readonly view?: WorkspaceView;
}

/** Maximum nesting of `bash -c`, eval, heredocs fed to shells and the like. */
export const MAX_DEPTH = 6;

/** Loads the parsers (bash by default; also PowerShell). Safe to call many times. */
export async function loadShellParser(grammars: readonly ShellGrammar[] = ['bash', 'powershell']): Promise<void> {
  await Promise.all(grammars.map((g) => loadGrammar(g)));
}

/** Loads what is needed and analyses: for callers that analyse one line now and then. */
export async function analyzeCommandAsync(line: string, opts: AnalyzeOptions): Promise<CommandAnalysis> {
  await loadShellParser(opts.shell === 'powershell' ? ['bash', 'powershell'] : ['bash']);
  return analyzeCommand(line, opts);
}

export function analyzeCommand(line: string, opts: AnalyzeOptions): CommandAnalysis {
  const shell = opts.shell ?? 'bash';
  const home = opts.home ?? os.homedir();
  const cwd = isWindowsPath(opts.cwd) ? path.win32.resolve(opts.cwd) : path.posix.resolve(opts.cwd);
  const workspace = opts.workspace ? resolvePath(opts.workspace, cwd, home) : cwd;
  const env = makeEnv(home, workspace, opts.view ?? createWorkspaceView(workspace));
  env.runScript(line, { cwd, cwdKnown: true }, shell);
  env.depth = 0;
  return {
    commandLine: line,
    shell,
    subcommands: env.subcommands,
    effects: dedupeEffects(env.effects),
    reads: dedupeReads(env.reads),
    parseErrors: env.errors,
  };
}

function dedupeEffects(effects: Env['effects']): Env['effects'] {
  const seen = new Set<string>();
  return effects.filter((e) => {
    const k = `${e.op}\u0000${e.path}\u0000${e.via}`;
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

function dedupeReads(reads: Env['reads']): Env['reads'] {
  const seen = new Set<string>();
  return reads.filter((r) => {
    const k = `${r.path}\u0000${r.recursive ? 1 : 0}`;
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

function makeEnv(home: string, workspace: string, view: WorkspaceView): Env {
  const env: Env = {
    home,
    workspace,
    view,
    subcommands: [],
    effects: [],
    reads: [],
    errors: [],
    vars: new Map(),
    functions: new Set(),
    written: new Map(),
    links: new Map(),
    depth: 0,
    runScript(text, scope, grammar, stdin) {
      if (env.depth >= MAX_DEPTH) {
        env.errors.push(`nested shells go deeper than ${MAX_DEPTH} levels; Airlock stops reading there`);
        return;
      }
      const parser = loadedParser(grammar);
      if (!parser) {
        throw new Error(`airlock: the ${grammar} parser is not loaded; call await loadShellParser() first`);
      }
      env.depth++;
      try {
        withTree(parser, text, (tree) => {
          if (grammar === 'powershell') {
            analyzePowerShell(tree.rootNode, scope, env);
          } else {
            const w = new BashWalker(env);
            if (/=|\(\s*\)|\bfunction\b/.test(text)) {
              collectVars(env, tree.rootNode);
            }
            parseErrors(env, tree.rootNode);
            w.walk(tree.rootNode, scope, stdin ?? NO_STREAM);
          }
        });
      } finally {
        env.depth--;
      }
    },
    runArgv(argv, scope, stdin, text) {
      return runArgv(env, argv, scope, stdin, text);
    },
  };
  return env;
}

export { programName, runArgv };
