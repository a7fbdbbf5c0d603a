/**
 * What the hook-path tests share: a project folder where the corpus expects it (a real git repository
 * at <base>/home/dev/project) and the command corpus as agent payloads.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentId } from '../../src/agents/adapter';
import { CORPUS_HOME, loadCorpus } from '../corpus/corpus';
import type { CorpusCase } from '../corpus/corpus';

export const root = path.resolve(__dirname, '..', '..', '..');
export const payloadDir = path.join(root, 'test', 'fixtures', 'payloads');

/** The corpus's lines (test/corpus/corpus.ts); "fixture" lines are judged in the plain project here. */
export type { CorpusCase };

/** One hook call: an agent's payload (JSON text) and where it comes from. */
export interface HookCall {
  readonly name: string;
  readonly agent: AgentId;
  readonly payload: string;
  readonly corpus?: CorpusCase;
}

/**
 * A real git repository at <base>/home/dev/project, with base under ~/.cache: not under the OS temp
 * dir, where the built-in policy lets agents write scratch files (which would make writes outside
 * the workspace look harmless).
 */
export function corpusProject(prefix: string): { base: string; home: string; project: string } {
  fs.mkdirSync(path.join(os.homedir(), '.cache'), { recursive: true });
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.homedir(), '.cache', prefix)));
  const home = path.join(base, 'home', 'dev');
  const project = path.join(home, 'project');
  fs.mkdirSync(project, { recursive: true });
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: project, encoding: 'utf8' });
  git('init', '-q');
  fs.writeFileSync(path.join(project, 'README.md'), '# project\n');
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "project" }\n');
  git('add', '.');
  git('commit', '-qm', 'init');
  return { base, home, project };
}

/**
 * Each corpus line as the recorded Claude Code `Bash` payload (Copilot CLI's `powershell` one for
 * PowerShell lines), its paths moved from the corpus's home to `home` (and its project, when given,
 * to `project`).
 */
export function corpusHookCalls(home: string, project?: string): HookCall[] {
  const inCorpus = path.posix.join(CORPUS_HOME, 'project');
  const mapPath = (s: string) => (project ? s.split(inCorpus).join(project) : s).split(CORPUS_HOME).join(home);
  const claudeBash = JSON.parse(fs.readFileSync(path.join(payloadDir, 'claude', 'Bash.json'), 'utf8')) as { tool_input: object };
  const copilotBash = JSON.parse(fs.readFileSync(path.join(payloadDir, 'copilot-cli', 'bash.json'), 'utf8')) as { toolArgs: object };
  return loadCorpus().map((c) => {
    // a fixture line's cwd may be relative to the fixture's project: here, to this project
    const cwd = mapPath(c.cwd && !c.cwd.startsWith('/') ? path.posix.join(inCorpus, c.cwd) : c.cwd ?? inCorpus);
    const command = mapPath(c.command);
    const powershell = c.shell === 'powershell';
    const payload = powershell ? { ...copilotBash, cwd, toolName: 'powershell', toolArgs: { ...copilotBash.toolArgs, command } } : { ...claudeBash, cwd, tool_input: { ...claudeBash.tool_input, command } };
    return { name: `${c.file}:${c.line} ${c.command}`, agent: powershell ? 'copilot-cli' : 'claude', payload: JSON.stringify(payload), corpus: c };
  });
}

/** Runs a command with `input` on stdin, without blocking this process (a decider may live in it). */
export function runWithInput(cmd: string, args: string[], input: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
