/**
 * How to run each real agent CLI headless against a scripted model server, in a given repository
 * with its own HOME: the environment, the arguments, the config files it needs, where its hook
 * configuration lives, and the names and inputs of its edit and shell tools.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startAnthropicServer } from './anthropicServer';
import { startGeminiServer } from './geminiServer';
import { startOpenAIResponsesServer } from './openaiResponsesServer';
import type { AgentName, HookCommandAgent } from './provision';
import { sharedXdgCacheHome } from './provision';
import type { ModelServer, Turn } from './scriptedServer';

export interface AgentRunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly binary: string;
  readonly repo: string;
  readonly home: string;
  readonly server: ModelServer;
  readonly prompt: string;
  /** Added to the agent's environment (e.g. AIRLOCK_CLI). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Codex only: false runs without --dangerously-bypass-hook-trust (hooks nobody trusted yet). */
  readonly trustHooks?: boolean;
  /** A command that runs the agent (e.g. `node dist/cli.js run --`): the agent's binary and arguments follow it. */
  readonly prefix?: readonly string[];
}

export interface AgentDriver<A extends AgentName = AgentName> {
  readonly agent: A;
  startServer(script: readonly Turn[]): Promise<ModelServer>;
  /**
   * Writes into the repository what the agent itself would write there on its first start (after
   * Airlock's hook is installed), so a test's "before" already has it.
   */
  prepareRepo?(repo: string): void;
  /** Writes the files the agent needs in HOME (auth, provider, trust) before a run. */
  prepareHome(home: string, repo: string, server: ModelServer): void;
  /** Installs `command` as the agent's pre-tool hook for `repo` (the stand-in hooks use this). */
  installHook(repo: string, home: string, command: string): void;
  /** The project file holding the hook configuration (what a hook-config rewrite targets). */
  hookConfigFile(repo: string): string;
  run(opts: RunOptions): Promise<AgentRunResult>;
  /** A tool call that creates a new file. */
  create(absPath: string, content: string): Turn;
  /** Tool calls that edit an existing file (Claude Code must Read a file before editing it). */
  edit(absPath: string, oldText: string, newText: string): Turn[];
  /** Tool calls that replace the whole content of an existing file (its write tool where it has one). */
  overwrite(absPath: string, oldContent: string, newContent: string): Turn[];
  shell(command: string): Turn;
}

/** Environment shared by every run: no proxies, no telemetry, no update checks. */
export function baseEnv(home: string, extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: '1',
    TMPDIR: process.env.TMPDIR,
    ...extra,
  };
  for (const k of Object.keys(env)) {
    if (env[k] === undefined) {
      delete env[k];
    }
  }
  return env;
}

export function runProcess(binary: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<AgentRunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = () => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(kill, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      kill(); // leave nothing behind (agents may start helpers)
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs the agent's binary, behind `o.prefix` when there is one. */
export function runAgentProcess(o: RunOptions, args: string[], env: NodeJS.ProcessEnv, timeoutMs = TIMEOUT): Promise<AgentRunResult> {
  const [cmd, ...pre] = o.prefix?.length ? [...o.prefix, o.binary] : [o.binary];
  return runProcess(cmd, [...pre, ...args], o.repo, env, o.timeoutMs ?? timeoutMs);
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const TIMEOUT = 120_000;

export const claudeDriver: AgentDriver<'claude'> = {
  agent: 'claude',
  startServer: startAnthropicServer,
  prepareHome(home) {
    // Skip the first-run onboarding.
    writeJson(path.join(home, '.claude.json'), { hasCompletedOnboarding: true, theme: 'dark' });
  },
  installHook(repo, _home, command) {
    const file = path.join(repo, '.claude', 'settings.json');
    const settings = readJson(file);
    settings.hooks = { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command, timeout: 60 }] }] };
    writeJson(file, settings);
  },
  hookConfigFile: (repo) => path.join(repo, '.claude', 'settings.json'),
  run(o) {
    const env = baseEnv(o.home, {
      ANTHROPIC_BASE_URL: o.server.url,
      ANTHROPIC_API_KEY: 'sk-ant-scripted-test-key',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...o.env,
    });
    // The tools are allowed up front so that only the hook can stop them.
    const args = ['-p', o.prompt, '--output-format', 'json', '--model', 'claude-sonnet-4-5', '--allowedTools', 'Bash,Write,Edit,Read'];
    return runAgentProcess(o, args, env);
  },
  create: (file, content) => ({ tool: 'Write', input: { file_path: file, content } }),
  edit: (file, oldText, newText) => [
    { tool: 'Read', input: { file_path: file } },
    { tool: 'Edit', input: { file_path: file, old_string: oldText, new_string: newText, replace_all: false } },
  ],
  overwrite: (file, _old, content) => [
    { tool: 'Read', input: { file_path: file } },
    { tool: 'Write', input: { file_path: file, content } },
  ],
  shell: (command) => ({ tool: 'Bash', input: { command, description: 'scripted command' } }),
};

export const geminiDriver: AgentDriver<'gemini'> = {
  agent: 'gemini',
  startServer: startGeminiServer,
  prepareHome(home) {
    // API-key auth (else headless auth fails); no update checks or usage statistics (offline).
    writeJson(path.join(home, '.gemini', 'settings.json'), {
      security: { auth: { selectedType: 'gemini-api-key' } },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    });
  },
  installHook(repo, _home, command) {
    const file = path.join(repo, '.gemini', 'settings.json');
    const settings = readJson(file);
    settings.hooks = { BeforeTool: [{ matcher: '*', hooks: [{ type: 'command', command, timeout: 60000 }] }] };
    writeJson(file, settings);
  },
  hookConfigFile: (repo) => path.join(repo, '.gemini', 'settings.json'),
  run(o) {
    const env = baseEnv(o.home, {
      GOOGLE_GEMINI_BASE_URL: o.server.url,
      GEMINI_API_KEY: 'scripted-test-key',
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      // Not GEMINI_CLI_NO_RELAUNCH: it would save a third of the start time, but it changes how
      // a headless run ends when a hook answers "ask" (it exits instead of hanging as users see).
      ...o.env,
    });
    const args = ['-m', 'gemini-2.5-pro', '-p', o.prompt, '--yolo', '--output-format', 'json'];
    return runAgentProcess(o, args, env);
  },
  create: (file, content) => ({ tool: 'write_file', input: { file_path: file, content } }),
  edit: (file, oldText, newText) => [{ tool: 'replace', input: { file_path: file, old_string: oldText, new_string: newText, instruction: 'scripted edit' } }],
  overwrite: (file, _old, content) => [{ tool: 'write_file', input: { file_path: file, content } }],
  shell: (command) => ({ tool: 'run_shell_command', input: { command, description: 'scripted command' } }),
};

function codexHome(home: string): string {
  return path.join(home, '.codex');
}

/** A patch in Codex's apply_patch format that replaces one line of a file. */
function codexPatch(file: string, oldText: string, newText: string): string {
  const minus = oldText.split('\n').map((l) => `-${l}`);
  const plus = newText.split('\n').map((l) => `+${l}`);
  return ['*** Begin Patch', `*** Update File: ${file}`, '@@', ...minus, ...plus, '*** End Patch'].join('\n');
}

export const codexDriver: AgentDriver<'codex'> = {
  agent: 'codex',
  startServer: startOpenAIResponsesServer,
  prepareHome(home, repo, server) {
    const dir = codexHome(home);
    fs.mkdirSync(dir, { recursive: true });
    const toml = [
      'model = "gpt-5.5"',
      'model_provider = "scripted"',
      'approval_policy = "never"',
      'sandbox_mode = "danger-full-access"',
      '',
      '[model_providers.scripted]',
      'name = "scripted"',
      `base_url = "${server.url}/v1"`,
      'wire_api = "responses"',
      'env_key = "SCRIPTED_API_KEY"',
      '',
      `[projects.${JSON.stringify(fs.realpathSync(repo))}]`,
      'trust_level = "trusted"',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'config.toml'), toml);
  },
  installHook(repo, _home, command) {
    const file = path.join(repo, '.codex', 'hooks.json');
    writeJson(file, { hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command, timeout: 60 }] }] } });
  },
  hookConfigFile: (repo) => path.join(repo, '.codex', 'hooks.json'),
  run(o) {
    const env = baseEnv(o.home, { CODEX_HOME: codexHome(o.home), SCRIPTED_API_KEY: 'scripted-test-key', ...o.env });
    const args = ['exec', '--skip-git-repo-check', ...(o.trustHooks === false ? [] : ['--dangerously-bypass-hook-trust']), '--json', o.prompt];
    return runAgentProcess(o, args, env);
  },
  create: (file, content) => ({
    tool: 'apply_patch',
    input: ['*** Begin Patch', `*** Add File: ${file}`, ...content.replace(/\n$/, '').split('\n').map((l) => `+${l}`), '*** End Patch'].join('\n'),
  }),
  edit: (file, oldText, newText) => [{ tool: 'apply_patch', input: codexPatch(file, oldText, newText) }],
  overwrite: (file, oldContent, newContent) => [
    { tool: 'apply_patch', input: codexPatch(file, oldContent.replace(/\n$/, ''), newContent.replace(/\n$/, '')) },
  ],
  shell: (command) => ({ tool: 'exec_command', input: { cmd: command } }),
};

export const copilotCliDriver: AgentDriver<'copilot-cli'> = {
  agent: 'copilot-cli',
  startServer: startAnthropicServer,
  prepareHome() {
    /* nothing: offline mode needs no login */
  },
  installHook(repo, _home, command) {
    writeJson(path.join(repo, '.github', 'hooks', 'airlock.json'), {
      version: 1,
      hooks: { preToolUse: [{ type: 'command', bash: command, timeoutSec: 60 }] },
    });
  },
  hookConfigFile: (repo) => path.join(repo, '.github', 'hooks', 'airlock.json'),
  run(o) {
    const env = baseEnv(o.home, {
      XDG_CACHE_HOME: sharedXdgCacheHome(),
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_TYPE: 'anthropic',
      COPILOT_PROVIDER_BASE_URL: o.server.url,
      // Copilot masks this string wherever it appears in its output: keep it long and unusual.
      COPILOT_PROVIDER_API_KEY: 'scripted-key-7f3c9a1e5b2d4c6e8a0f',
      COPILOT_MODEL: 'claude-sonnet-4.5',
      ...o.env,
    });
    const args = ['-p', o.prompt, '--allow-all-tools', '--trust-folder', '--no-auto-update', '--output-format', 'json'];
    return runAgentProcess(o, args, env);
  },
  create: (file, content) => ({ tool: 'create', input: { path: file, file_text: content } }),
  edit: (file, oldText, newText) => [{ tool: 'edit', input: { path: file, old_str: oldText, new_str: newText } }],
  // Copilot CLI has no tool that overwrites an existing file: its edit tool replaces the content.
  overwrite: (file, oldContent, newContent) => [{ tool: 'edit', input: { path: file, old_str: oldContent, new_str: newContent } }],
  shell: (command) => ({ tool: 'bash', input: { command, description: 'scripted command' } }),
};

/** The agents whose hooks are shell commands in a config file. */
export const DRIVERS: readonly AgentDriver<HookCommandAgent>[] = [claudeDriver, geminiDriver, codexDriver, copilotCliDriver];
