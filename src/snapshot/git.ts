/**
 * A small, fast runner for git plumbing: one `spawn` per call, a minimal environment (no inherited
 * GIT_* variables, no user hooks, no auto-gc, no fsmonitor hook, no pager, no prompts), `-z` friendly
 * (stdout is a Buffer). No `vscode` import.
 */
import { spawn } from 'node:child_process';

/** Configuration every Airlock git call runs with: never run user hooks or background work. */
export const SAFE_CONFIG: readonly string[] = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
  '-c', 'core.quotepath=off',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.untrackedCache=false',
  '-c', 'core.splitIndex=false',
  '-c', 'core.safecrlf=false',
  '-c', 'advice.addEmbeddedRepo=false',
  '-c', 'advice.addIgnoredFile=false',
  '-c', 'commit.gpgSign=false',
];

/** AIRLOCK_TRACE_GIT=1 prints each git call's duration, and the snapshot's own steps, to stderr. */
const TRACE = process.env.AIRLOCK_TRACE_GIT === '1';

/** Under AIRLOCK_TRACE_GIT=1, prints the time since `since` with a label (for finding where time goes). */
export function traceStep(label: string, since: number): void {
  if (TRACE) {
    process.stderr.write(`[airlock step] ${(performance.now() - since).toFixed(1)} ms: ${label}\n`);
  }
}

export interface GitCall {
  /** Working directory of the git process. */
  readonly cwd: string;
  /** For a folder outside git: the snapshot store as git dir and the folder as work tree. */
  readonly gitDir?: string;
  readonly workTree?: string;
  /** A temporary index (GIT_INDEX_FILE). */
  readonly indexFile?: string;
  /** Where new objects go (GIT_OBJECT_DIRECTORY): the snapshot store's. */
  readonly objectDir?: string;
  /** Object directories only read from (GIT_ALTERNATE_OBJECT_DIRECTORIES): the workspace repository's. */
  readonly alternates?: string;
  /** Bytes or text written to stdin. */
  readonly input?: string | Buffer;
  /** Exit codes that are not errors (default only 0). */
  readonly okCodes?: readonly number[];
  /** Extra environment (author dates and the like). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface GitResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** The environment a git child gets: only what git needs to find itself and the user's config. */
export function gitEnv(call: Pick<GitCall, 'gitDir' | 'workTree' | 'indexFile' | 'objectDir' | 'alternates' | 'env'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'Path', 'HOME', 'USERPROFILE', 'XDG_CONFIG_HOME', 'SystemRoot', 'TMPDIR', 'TEMP', 'TMP', 'APPDATA', 'LOCALAPPDATA']) {
    const v = process.env[k];
    if (v !== undefined) {
      env[k] = v;
    }
  }
  env.LC_ALL = 'C';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_PAGER = 'cat';
  env.GIT_AUTHOR_NAME = 'Agent Airlock';
  env.GIT_AUTHOR_EMAIL = 'airlock@localhost';
  env.GIT_COMMITTER_NAME = 'Agent Airlock';
  env.GIT_COMMITTER_EMAIL = 'airlock@localhost';
  if (call.gitDir) {
    env.GIT_DIR = call.gitDir;
  }
  if (call.workTree) {
    env.GIT_WORK_TREE = call.workTree;
  }
  if (call.indexFile) {
    env.GIT_INDEX_FILE = call.indexFile;
  }
  if (call.objectDir) {
    env.GIT_OBJECT_DIRECTORY = call.objectDir;
  }
  if (call.alternates) {
    env.GIT_ALTERNATE_OBJECT_DIRECTORIES = call.alternates;
  }
  Object.assign(env, call.env);
  return env;
}

/** A git process already started: write its input when it is known, then wait for it. */
export interface StartedGit {
  /** Writes more input (git reads it as it comes). */
  write(data: string | Buffer): void;
  /** Ends the input and waits; rejects with a GitError on a non-accepted exit code. */
  finish(data?: string | Buffer): Promise<GitResult>;
}

/**
 * Starts `git <args>` now, its input to follow: the process start-up (a few ms) then overlaps
 * whatever the caller does meanwhile.
 */
export function startGit(args: readonly string[], call: GitCall): StartedGit {
  const full = [...SAFE_CONFIG, ...args];
  const started = TRACE ? Date.now() : 0;
  const child = spawn('git', full, { cwd: call.cwd, env: gitEnv(call), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.on('error', () => {
    /* git exited before reading all input: its exit code tells what happened */
  });
  const done = new Promise<GitResult>((resolve, reject) => {
    child.on('error', (e) => reject(new GitError(`could not run git: ${e.message}`, args, -1, '')));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const c = code ?? -1;
      if (TRACE) {
        process.stderr.write(`[airlock git] ${Date.now() - started} ms: git ${args.slice(0, 4).join(' ')}\n`);
      }
      if (c === 0 || call.okCodes?.includes(c)) {
        resolve({ code: c, stdout: Buffer.concat(out), stderr });
      } else {
        reject(new GitError(`git ${args.slice(0, 3).join(' ')} failed (exit ${c}): ${stderr.trim().split('\n').slice(-3).join(' ')}`, args, c, stderr));
      }
    });
  });
  done.catch(() => undefined); // the caller awaits finish(); no unhandled rejection before that
  return {
    write: (data) => {
      child.stdin.write(data);
    },
    finish: (data) => {
      child.stdin.end(data ?? '');
      return done;
    },
  };
}

/** Runs `git <args>`; rejects with a GitError on a non-accepted exit code. */
export function git(args: readonly string[], call: GitCall): Promise<GitResult> {
  return startGit(args, call).finish(call.input);
}

/** Runs git and returns trimmed stdout as text. */
export async function gitText(args: readonly string[], call: GitCall): Promise<string> {
  return (await git(args, call)).stdout.toString('utf8').trim();
}

/** Splits NUL-terminated output into its records (the last empty one dropped). */
export function splitZ(buf: Buffer): string[] {
  if (buf.length === 0) {
    return [];
  }
  const s = buf.toString('utf8');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts;
}
