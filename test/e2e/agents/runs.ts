/**
 * What the end-to-end tests with real agent CLIs share: running an agent against a scripted model
 * server, reading what happened (files, snapshots, tool results), and Airlock's CLI.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDriver, AgentRunResult, RunOptions } from './drivers';
import type { ProvisionedAgent } from './provision';
import type { Sandbox } from './sandbox';
import type { ModelServer, ToolResult, Turn } from './scriptedServer';

export const projectRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const cli = path.join(projectRoot, 'dist', 'cli.js');
export const fixturesDir = path.join(projectRoot, 'test', 'fixtures', 'payloads');
export const PROMPT = 'Carry out the scripted task.';

/** The agent under test, provisioned once, and this test's sandbox. */
export interface AgentContext {
  readonly agent: ProvisionedAgent;
  readonly sb: Sandbox;
}

/** Figures printed at the end (never asserted). */
export const timings: string[] = [];

export interface Outcome {
  readonly result: AgentRunResult;
  readonly server: ModelServer;
  /** Tool results in the last model request that carried any. */
  readonly toolResults: ToolResult[];
}

export async function runAgent(
  driver: AgentDriver,
  agent: ProvisionedAgent,
  sb: Sandbox,
  script: readonly Turn[],
  env?: Record<string, string>,
): Promise<Outcome> {
  const server = await driver.startServer(script);
  try {
    driver.prepareHome(sb.home, sb.repo, server);
    const result = await driver.run({ binary: agent.binary, repo: sb.repo, home: sb.home, server, prompt: PROMPT, env });
    timings.push(`${driver.agent}: one run ${result.ms} ms (${server.requests.length} model requests)`);
    return { result, server, toolResults: server.toolResults() };
  } finally {
    await server.close();
  }
}

export interface ScriptedRun {
  readonly script: readonly Turn[];
  /** The model server (default the driver's, with `script`). */
  readonly startServer?: (script: readonly Turn[]) => Promise<ModelServer>;
  readonly env?: Record<string, string>;
  /** After the driver's HOME files, before the run (extra config such as an MCP server). */
  readonly prepare?: (server: ModelServer) => void;
  /** The run itself (default the driver's). */
  readonly run?: (o: RunOptions) => Promise<AgentRunResult>;
}

/** Runs the agent against a scripted server, with more control than runAgent. */
export async function runScripted(driver: AgentDriver, agent: ProvisionedAgent, sb: Sandbox, r: ScriptedRun): Promise<Outcome> {
  const server = await (r.startServer ?? driver.startServer)(r.script);
  try {
    driver.prepareHome(sb.home, sb.repo, server);
    r.prepare?.(server);
    const opts: RunOptions = { binary: agent.binary, repo: sb.repo, home: sb.home, server, prompt: PROMPT, env: r.env };
    const result = await (r.run ?? ((o: RunOptions) => driver.run(o)))(opts);
    timings.push(`${driver.agent}: one run ${result.ms} ms (${server.requests.length} model requests)`);
    return { result, server, toolResults: server.toolResults() };
  } finally {
    await server.close();
  }
}

/**
 * A stand-in for Airlock's CLI (AIRLOCK_CLI) that saves every payload it is given into `dir` and
 * then runs the real CLI on it: real decisions, and the payloads a real agent sent to Airlock.
 */
export function writeRecordingCli(dir: string): { readonly cli: string; payloads(): unknown[] } {
  fs.mkdirSync(path.join(dir, 'payloads'), { recursive: true });
  const file = path.join(dir, 'recording-cli.js');
  fs.writeFileSync(
    file,
    `const fs = require("node:fs");
const { spawnSync } = require("node:child_process");
const input = fs.readFileSync(0);
const dir = ${JSON.stringify(path.join(dir, 'payloads'))};
fs.writeFileSync(dir + "/" + String(Date.now()).padStart(15, "0") + "-" + process.pid + ".json", input);
const r = spawnSync(process.execPath, [${JSON.stringify(cli)}, ...process.argv.slice(2)], { input, stdio: ["pipe", "inherit", "inherit"] });
process.exit(r.status === null ? 3 : r.status);
`,
  );
  return {
    cli: file,
    payloads: () =>
      fs
        .readdirSync(path.join(dir, 'payloads'))
        .sort()
        .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'payloads', f), 'utf8')) as unknown),
  };
}

/** Adds tools to the agent's tools.json fixture (only when AIRLOCK_WRITE_FIXTURES=1): one list over all its runs. */
export function saveToolsFixture(agent: string, version: string, tools: readonly string[]): void {
  const file = path.join(fixturesDir, agent, 'tools.json');
  let before: string[] = [];
  try {
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string; tools?: string[] };
    before = old.version === version ? (old.tools ?? []) : [];
  } catch {
    /* a first recording */
  }
  saveFixture(agent, 'tools', { agent, version, tools: [...new Set([...before, ...tools])].sort() });
}

export function describeRun(o: Outcome): string {
  return `exit ${o.result.code}\nstdout: ${o.result.stdout.slice(-3000)}\nstderr: ${o.result.stderr.slice(-3000)}\nrequests: ${o.server.requests
    .map((r) => `${r.method} ${r.url}`)
    .join(', ')}\ntool results: ${JSON.stringify(o.toolResults).slice(0, 3000)}`;
}

export function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Saves a real payload as a fixture (only when AIRLOCK_WRITE_FIXTURES=1). */
export function saveFixture(agent: string, name: string, payload: unknown): void {
  if (process.env.AIRLOCK_WRITE_FIXTURES !== '1') {
    return;
  }
  const file = path.join(fixturesDir, agent, `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
}

export function airlock(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** Commands dist/cli.js does not offer (from its --help), so a stale build fails with a clear message. */
let helpText: string | undefined;
export function missingCliCommands(names: readonly string[]): string[] {
  if (helpText === undefined) {
    const help = airlock('--help');
    helpText = `${help.stdout}${help.stderr}`;
  }
  const text = helpText;
  return names.filter((n) => !text.split('\n').some((line) => line.trimStart().startsWith(`airlock ${n} `) || line.trim() === `airlock ${n}`));
}

export interface SnapshotEntry {
  readonly id: string;
  readonly commit: string;
  readonly label?: string;
  readonly agent?: string;
  readonly tool?: string;
  readonly kind?: string;
}

export function listSnapshots(repo: string): SnapshotEntry[] {
  const r = airlock('snapshots', '--cwd', repo, '--json');
  assert.equal(r.status, 0, `airlock snapshots failed: ${r.stderr}`);
  const list = JSON.parse(r.stdout) as unknown;
  assert.ok(Array.isArray(list), `airlock snapshots --json did not print an array: ${r.stdout}`);
  return list as SnapshotEntry[];
}

/** A file's content in a snapshot commit (undefined when absent). */
export function gitShow(repo: string, commit: string, file: string): string | undefined {
  const r = spawnSync('git', ['show', `${commit}:${file}`], { cwd: repo, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/** Every file under the repository (outside .git) with its content. */
export function treeState(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(repo, abs).split(path.sep).join('/');
      if (rel === '.git') {
        continue;
      }
      if (e.isDirectory()) {
        walk(abs);
      } else {
        out[rel] = fs.readFileSync(abs).toString('base64');
      }
    }
  };
  walk(repo);
  return out;
}
