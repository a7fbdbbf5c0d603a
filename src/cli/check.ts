/**
 * `airlock check`: the verdict for a terminal command under the workspace's policy.
 *
 *   airlock check [--cwd DIR] [--json] [--shell bash|powershell] -- <command line>
 *   airlock check --jsonl [--cwd DIR]      (one {"command","cwd"?,"shell"?} per line in, one verdict per line out)
 */
import * as path from 'node:path';
import type { CommandAnalysis, Decision, ProposedAction, Verdict } from '../core/types';
import { ActionEvaluator, cachedFacts } from '../policy/evaluator';
import { policyFolder } from '../policy/folder';
import type { LoadedPolicy } from '../policy/load';
import { policyCache } from '../policy/load';
import { cachedContents } from '../policy/readExpansion';
import { analyzeCommand, loadShellParser } from '../shell/analyze';
import { createWorkspaceView } from '../shell/workspaceView';
import type { WorkspaceView } from '../shell/workspaceView';
import { ExitCode, registerCommand } from './run';
import type { CliIo } from './run';

export interface CheckResult {
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly analysis: CommandAnalysis;
  readonly decision: Decision;
}

export interface CheckOptions {
  readonly cwd: string;
  readonly shell?: 'bash' | 'powershell';
  readonly home?: string;
}

/**
 * One evaluator per home folder for the life of this process (a batch is one moment in time: the
 * policies, the folder of each cwd and the path facts are looked up once).
 */
interface Checker {
  readonly policies: (folder: string) => LoadedPolicy;
  readonly evaluator: ActionEvaluator;
  readonly folders: Map<string, string>;
  /** The file system and repository of each folder, looked up once for the batch. */
  readonly views: Map<string, WorkspaceView>;
}
const checkers = new Map<string, Checker>();

function checkerFor(home: string | undefined): Checker {
  let c = checkers.get(home ?? '');
  if (!c) {
    const policies = policyCache(home ? { home } : {});
    // The analysis is made here, synchronously (the parsers are loaded once for the whole batch).
    c = { policies, evaluator: new ActionEvaluator({ policyOf: (f) => policies(f).policy, facts: cachedFacts(), contents: cachedContents() }), folders: new Map(), views: new Map() };
    checkers.set(home ?? '', c);
  }
  return c;
}

/**
 * Analyses one command line and decides it under the policy of the folder `cwd` belongs to (the
 * parsers must be loaded: see loadShellParser). This is what `airlock check` and `--jsonl` run.
 */
export function checkCommand(line: string, opts: CheckOptions): CheckResult {
  const c = checkerFor(opts.home);
  let folder = c.folders.get(opts.cwd);
  if (folder === undefined) {
    // Nobody told `check` which folder is the workspace: it is searched for from the cwd.
    folder = policyFolder(opts.cwd, []);
    c.folders.set(opts.cwd, folder);
  }
  const { problems } = c.policies(folder);
  const action: ProposedAction = { kind: 'command', paths: [], command: line, ...(opts.shell ? { shell: opts.shell } : {}), cwd: opts.cwd, agent: 'cli', tool: 'check' };
  let view = c.views.get(folder);
  if (!view) {
    view = createWorkspaceView(folder);
    c.views.set(folder, view);
  }
  const analysis = analyzeCommand(line, { cwd: opts.cwd, shell: opts.shell, home: opts.home, workspace: folder, view });
  const decision = c.evaluator.decide({ ...action, shell: analysis.shell }, folder, analysis);
  const reasons = [...decision.reasons];
  if (problems.some((p) => p.severity === 'error')) {
    reasons.push(`the workspace policy has problems (run \`airlock policy validate --dir ${folder}\`); Airlock used what it could read and never loosens on errors`);
  }
  return { verdict: decision.verdict, reasons, analysis, decision };
}

/** The JSON object `check --json/--jsonl` prints for one result. */
export function resultJson(r: CheckResult): Record<string, unknown> {
  return {
    verdict: r.verdict,
    reasons: r.reasons,
    ...(r.decision.mode === 'audit' ? { mode: 'audit', wouldBe: r.decision.wouldBe } : {}),
    rules: r.decision.rules,
    findings: r.analysis.subcommands.flatMap((s) => s.findings.map((f) => ({ ...f, command: s.text }))),
    effects: r.analysis.effects,
    subcommands: r.analysis.subcommands.map((s) => ({ program: s.program, argv: s.argv, cwd: s.cwd, knowledge: s.knowledge })),
    parseErrors: r.analysis.parseErrors,
  };
}

function usage(io: CliIo, msg: string): number {
  io.stderr(`airlock check: ${msg}\nUsage: airlock check [--cwd DIR] [--json] [--shell bash|powershell] -- <command line>\n       airlock check --jsonl [--cwd DIR]\n`);
  return ExitCode.usage;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function runCheck(args: string[], io: CliIo, stdin: () => Promise<string> = readStdin): Promise<number> {
  let cwd = process.cwd();
  let json = false;
  let jsonl = false;
  let shell: 'bash' | 'powershell' | undefined;
  let command: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      command = args.slice(i + 1);
      break;
    } else if (a === '--cwd') {
      if (args[i + 1] === undefined) {
        return usage(io, '--cwd needs a folder');
      }
      cwd = path.resolve(args[++i]);
    } else if (a.startsWith('--cwd=')) {
      cwd = path.resolve(a.slice(6));
    } else if (a === '--json') {
      json = true;
    } else if (a === '--jsonl') {
      jsonl = true;
    } else if (a === '--shell') {
      const s = args[++i];
      if (s !== 'bash' && s !== 'powershell') {
        return usage(io, `--shell must be bash or powershell, not ${s ?? 'nothing'}`);
      }
      shell = s;
    } else if (a === '-h' || a === '--help') {
      io.stdout('Usage: airlock check [--cwd DIR] [--json] [--shell bash|powershell] -- <command line>\n       airlock check --jsonl [--cwd DIR]\nExit codes: 0 allow, 1 ask or deny, 2 bad usage.\n');
      return ExitCode.ok;
    } else if (!a.startsWith('-') && command === undefined) {
      command = args.slice(i);
      break;
    } else {
      return usage(io, `unknown option ${a}`);
    }
  }
  if (jsonl) {
    if (command !== undefined) {
      return usage(io, '--jsonl reads commands from stdin; do not also give one after --');
    }
    await loadShellParser();
    const text = await stdin();
    const out: string[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) {
        continue;
      }
      out.push(JSON.stringify(checkJsonLine(line, cwd)));
    }
    io.stdout(out.length ? out.join('\n') + '\n' : '');
    return ExitCode.ok;
  }
  if (command === undefined || command.length === 0 || command.join(' ').trim() === '') {
    return usage(io, 'give the command line after --');
  }
  await loadShellParser(shell === 'powershell' ? ['bash', 'powershell'] : ['bash']);
  const r = checkCommand(command.join(' '), { cwd, shell });
  if (json) {
    io.stdout(JSON.stringify(resultJson(r), null, 2) + '\n');
  } else {
    io.stdout(`${r.verdict}: ${command.join(' ')}\n${r.reasons.map((x) => `  - ${x}\n`).join('')}`);
  }
  return r.verdict === 'allow' ? ExitCode.ok : ExitCode.refused;
}

/** One line of `check --jsonl`: never throws; bad input is denied with the reason. */
export function checkJsonLine(line: string, defaultCwd: string): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    return { verdict: 'deny', reasons: [`malformed input: not JSON (${(e as Error).message})`] };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { verdict: 'deny', reasons: ['malformed input: expected an object like {"command": "...", "cwd": "..."}'] };
  }
  const o = obj as Record<string, unknown>;
  if (typeof o.command !== 'string') {
    return { verdict: 'deny', reasons: ['malformed input: "command" must be a string'] };
  }
  if (o.cwd !== undefined && (typeof o.cwd !== 'string' || !(path.isAbsolute(o.cwd) || path.win32.isAbsolute(o.cwd)))) {
    return { verdict: 'deny', reasons: ['malformed input: "cwd" must be an absolute path'] };
  }
  if (o.shell !== undefined && o.shell !== 'bash' && o.shell !== 'powershell') {
    return { verdict: 'deny', reasons: ['malformed input: "shell" must be "bash" or "powershell"'] };
  }
  try {
    return resultJson(checkCommand(o.command, { cwd: (o.cwd as string | undefined) ?? defaultCwd, shell: o.shell as 'bash' | 'powershell' | undefined }));
  } catch (e) {
    return { verdict: 'deny', reasons: [`internal error while checking the command (denied to be safe): ${(e as Error).message}`] };
  }
}

registerCommand({
  name: 'check',
  summary: 'the verdict for a terminal command (exit 0 allow, 1 ask/deny)',
  usage: 'check [--cwd DIR] [--json] -- <command line>',
  run: (args, io) => runCheck(args, io),
});
