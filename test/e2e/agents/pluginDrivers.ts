/**
 * Drivers for the agents Airlock guards through plugins: Cline CLI (a hook file plus a plugin) and
 * OpenCode (a plugin). Both speak OpenAI Chat Completions to the scripted server, run headless in
 * the repository with their own HOME, and never touch the network (see
 * /work/shared/notes/cline-opencode-offline.md for the facts behind each setting).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDriver, AgentRunResult, RunOptions } from './drivers';
import { baseEnv, runAgentProcess, writeJson } from './drivers';
import { startOpenAIChatServer } from './openaiChatServer';
import type { ModelServer } from './scriptedServer';

/**
 * Kills every process still running with this HOME (Linux): a Cline run can leave its hub daemon
 * behind in a session of its own, out of reach of the run's process group.
 */
export function killLeftovers(home: string): number {
  if (process.platform !== 'linux') {
    return 0;
  }
  let killed = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (env.includes(`HOME=${home}`) && Number(pid) !== process.pid) {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      }
    } catch {
      /* gone, or not ours */
    }
  }
  return killed;
}

/** The model id the scripted server is known by (without "gpt" in it: see the notes). */
export const FAKE_MODEL = 'fake-model';

/** Cline's provider file: an OpenAI-compatible endpoint (`updatedAt` is required, or Cline rewrites it). */
export function clineProviders(server: ModelServer, model = FAKE_MODEL): unknown {
  return {
    version: 1,
    lastUsedProvider: 'openai-compatible',
    modes: {},
    providers: {
      'openai-compatible': {
        settings: { provider: 'openai-compatible', apiKey: 'scripted-key', model, baseUrl: `${server.url}/v1` },
        updatedAt: '2026-01-01T00:00:00.000Z',
        tokenSource: 'manual',
      },
    },
  };
}

export function clineDataDir(home: string): string {
  return path.join(home, '.cline', 'data');
}

/** Cline CLI in `-y` (yolo) mode: no approvals at all, so only Airlock stands between a tool call and its effect. */
export const clineDriver: AgentDriver<'cline'> & { readonly pluginFile: (repo: string) => string; runWith(o: RunOptions, args: readonly string[]): Promise<AgentRunResult> } = {
  agent: 'cline',
  startServer: startOpenAIChatServer,
  prepareHome(home, _repo, server) {
    writeJson(path.join(clineDataDir(home), 'settings', 'providers.json'), clineProviders(server));
    // Cline's checkpoints run git commit-tree: without an identity its log fills with warnings.
    fs.writeFileSync(path.join(home, '.gitconfig'), '[user]\n\tname = e2e\n\temail = e2e@example.invalid\n');
  },
  installHook(repo, _home, command) {
    const file = path.join(repo, '.clinerules', 'hooks', 'PreToolUse');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/bin/sh\nexec ${command}\n`, { mode: 0o755 });
  },
  hookConfigFile: (repo) => path.join(repo, '.clinerules', 'hooks', 'PreToolUse'),
  pluginFile: (repo) => path.join(repo, '.cline', 'plugins', 'airlock.js'),
  run(o) {
    return clineDriver.runWith(o, ['-y', '--json']);
  },
  async runWith(o, args) {
    const env = baseEnv(o.home, o.env);
    // --data-dir: the local backend, so no hub daemon is started (one would outlive the run).
    const r = await runAgentProcess(o, [...args, '--data-dir', clineDataDir(o.home), o.prompt], env, 90_000);
    killLeftovers(o.home);
    return r;
  },
  create: (file, content) => ({ tool: 'editor', input: { path: file, new_text: content } }),
  edit: (file, oldText, newText) => [{ tool: 'editor', input: { path: file, old_text: oldText, new_text: newText } }],
  overwrite: (file, oldContent, newContent) => [{ tool: 'editor', input: { path: file, old_text: oldContent, new_text: newContent } }],
  shell: (command) => ({ tool: 'run_commands', input: { commands: [command] } }),
};

/**
 * Keeps OpenCode from installing @opencode-ai/plugin from npm into a config folder at start (it
 * skips the install when node_modules exists and package-lock.json lists the package).
 */
export function seedOpencodeConfigDir(dir: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  writeJson(path.join(dir, 'package-lock.json'), { packages: { '': { dependencies: { '@opencode-ai/plugin': '*' } } } });
  // What OpenCode 1.18.33 writes there on start when it is missing.
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) {
    fs.writeFileSync(ignore, 'node_modules\npackage.json\npackage-lock.json\nbun.lock\n.gitignore');
  }
}

export function opencodeConfig(server: ModelServer, model = FAKE_MODEL): unknown {
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      scripted: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted',
        options: { baseURL: `${server.url}/v1`, apiKey: 'scripted-key' },
        models: { [model]: { name: 'Scripted model', tool_call: true, limit: { context: 128000, output: 4096 } } },
      },
    },
    model: `scripted/${model}`,
    small_model: `scripted/${model}`,
    // Everything allowed up front, so that only Airlock's plugin can stop a tool.
    permission: { edit: 'allow', bash: 'allow', webfetch: 'allow' },
    autoupdate: false,
    share: 'disabled',
  };
}

export const opencodeDriver: AgentDriver<'opencode'> = {
  agent: 'opencode',
  startServer: startOpenAIChatServer,
  prepareRepo(repo) {
    if (fs.existsSync(path.join(repo, '.opencode'))) {
      seedOpencodeConfigDir(path.join(repo, '.opencode'));
    }
  },
  prepareHome(home, repo, server) {
    // The provider in the user's config, so the repository holds only what a project would commit.
    const config = path.join(home, '.config', 'opencode');
    writeJson(path.join(config, 'opencode.json'), opencodeConfig(server));
    seedOpencodeConfigDir(config);
    if (fs.existsSync(path.join(repo, '.opencode'))) {
      seedOpencodeConfigDir(path.join(repo, '.opencode'));
    }
  },
  installHook() {
    throw new Error('OpenCode has no hook commands: its plugins are tested instead');
  },
  hookConfigFile: (repo) => path.join(repo, '.opencode', 'plugins', 'airlock.js'),
  run(o) {
    const env = baseEnv(o.home, {
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      // Offline: any npm install OpenCode still tried would fail fast instead of reaching a registry.
      npm_config_registry: 'http://127.0.0.1:9/',
      ...o.env,
    });
    // Never --pure: it turns plugins off.
    return runAgentProcess(o, ['run', '--format', 'json', o.prompt], env, 120_000);
  },
  create: (file, content) => ({ tool: 'write', input: { filePath: file, content } }),
  edit: (file, oldText, newText) => [{ tool: 'edit', input: { filePath: file, oldString: oldText, newString: newText } }],
  overwrite: (file, _old, content) => [{ tool: 'write', input: { filePath: file, content } }],
  shell: (command) => ({ tool: 'bash', input: { command, description: 'scripted command' } }),
};
