/**
 * `airlock check`: the verdict for a terminal command under the workspace's policy.
 *
 *   airlock check [--cwd DIR] [--json] [--shell bash|powershell] -- <command line>
 *   airlock check --jsonl [--cwd DIR]      (one {"command","cwd"?,"shell"?} per line in, one verdict per line out)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import type { CommandAnalysis, Verdict } from '../core/types';
import { strictest } from '../core/types';
import { analyzeCommand, loadShellParser } from '../shell/analyze';
import { ExitCode, registerCommand } from './run';
import type { CliIo } from './run';

export interface CheckResult {
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly analysis: CommandAnalysis;
}

export interface CheckOptions {
  readonly cwd: string;
  readonly shell?: 'bash' | 'powershell';
  readonly home?: string;
}

const workspaceCache = new Map<string, string>();

/** The workspace a cwd belongs to: the nearest folder above it with .airlock or .git, else cwd. */
export function findWorkspace(cwd: string): string {
  const hit = workspaceCache.get(cwd);
  if (hit) {
    return hit;
  }
  let ws = cwd;
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    try {
      if (fs.existsSync(path.join(dir, '.airlock')) || fs.existsSync(path.join(dir, '.git'))) {
        ws = dir;
        break;
      }
    } catch {
      break;
    }
    if (path.dirname(dir) === dir) {
      break;
    }
  }
  workspaceCache.set(cwd, ws);
  return ws;
}

// ---------------------------------------------------------------------------------------------
// SEAM: until the policy engine (src/policy) lands, this interim combination decides. It follows
// the built-in defaults of design.md: catastrophic -> deny, destructive/caution -> ask, unknown
// programs -> ask, parse errors -> ask, writes/deletes of protected paths -> ask.
// ---------------------------------------------------------------------------------------------
const PROTECTED = ['**/.env', '**/.env.*', '**/.env*', '.git/**', '.git', '.airlock/**', '.claude/**', '.github/hooks/**', '.github/workflows/**', '.vscode/settings.json', '.vscode/tasks.json', '.cursor/**', '.gemini/**', '.codex/**', '.husky/**', '.gitlab-ci.yml', '.circleci/**', 'azure-pipelines.yml', 'Jenkinsfile', '**/package-lock.json', '**/yarn.lock', '**/pnpm-lock.yaml', '**/Cargo.lock', '**/poetry.lock', '**/Gemfile.lock', '**/go.sum', '**/composer.lock', '**/uv.lock', '**/bun.lockb'];

function interimDecide(a: CommandAnalysis, workspace: string): { verdict: Verdict; reasons: string[] } {
  const verdicts: Verdict[] = ['allow'];
  const reasons: string[] = [];
  const reason = (v: Verdict, r: string) => {
    verdicts.push(v);
    if (!reasons.includes(r)) {
      reasons.push(r);
    }
  };
  for (const e of a.parseErrors) {
    reason('ask', `Airlock could not read the whole command line: ${e}`);
  }
  for (const s of a.subcommands) {
    for (const f of s.findings) {
      reason(f.severity === 'catastrophic' ? 'deny' : 'ask', `${s.program || s.argv[0] || 'command'}: ${f.reason} [${f.id}]`);
    }
    if (s.knowledge === 'unknown' && s.findings.length === 0) {
      reason('ask', s.program ? `${s.program} is not a program Airlock knows, so it asks (the policy's default)` : `${s.argv[0] ?? s.text} names its program through a variable or expansion, so Airlock cannot tell what runs`);
    }
  }
  for (const e of a.effects) {
    const rel = path.relative(workspace, e.path);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      continue;
    }
    if (PROTECTED.some((p) => minimatch(rel, p, { dot: true }))) {
      reason('ask', `${e.op === 'delete' ? 'deletes' : 'writes'} the protected path ${rel}`);
    }
  }
  return { verdict: strictest(...verdicts), reasons };
}
// ------------------------------------------------------------------------------ end of SEAM --

/** Analyses and decides one command line (parsers must be loaded: see loadShellParser). */
export function checkCommand(line: string, opts: CheckOptions): CheckResult {
  const workspace = findWorkspace(opts.cwd);
  const analysis = analyzeCommand(line, { cwd: opts.cwd, shell: opts.shell, home: opts.home, workspace });
  const d = interimDecide(analysis, workspace);
  return { verdict: d.verdict, reasons: d.reasons, analysis };
}

/** The JSON object `check --json/--jsonl` prints for one result. */
export function resultJson(r: CheckResult): Record<string, unknown> {
  return {
    verdict: r.verdict,
    reasons: r.reasons,
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
