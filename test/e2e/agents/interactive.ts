/**
 * How to start Claude Code and Copilot CLI as a person would, in an interactive terminal, against a
 * scripted model server, with no first-run question in the way (onboarding, folder trust, API key,
 * the bypass-mode warning); and what their ask prompt looks like and which keys answer it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEYS } from './pty';
import { sharedXdgCacheHome } from './provision';
import type { ModelServer } from './scriptedServer';

export interface InteractiveAgent {
  readonly agent: 'claude' | 'copilot-cli';
  /** Writes the HOME files that skip first-run questions for `repo`. */
  prepareHome(home: string, repo: string): void;
  args(prompt: string, flags: readonly string[]): string[];
  env(home: string, server: ModelServer, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv;
  /** Phrases the agent's own ask prompt shows for a hook's ask. */
  readonly askPrompt: readonly string[];
  readonly approve: string;
  readonly refuse: string;
  /** A flag that makes the agent run its tools without asking (Airlock's ask must still be asked). */
  readonly noQuestionsFlag: string;
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function terminalEnv(home: string, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, USERPROFILE: home, LANG: 'C.UTF-8', TERM: 'xterm-256color', TMPDIR: process.env.TMPDIR, ...extra };
  for (const k of Object.keys(env)) {
    if (env[k] === undefined) {
      delete env[k];
    }
  }
  return env;
}

const CLAUDE_KEY = 'sk-ant-scripted-test-key';

export const claudeInteractive: InteractiveAgent = {
  agent: 'claude',
  prepareHome(home, repo) {
    writeJson(path.join(home, '.claude.json'), {
      hasCompletedOnboarding: true,
      theme: 'dark',
      // Claude Code asks once whether to use an API key found in the environment (by its last 20 characters).
      customApiKeyResponses: { approved: [CLAUDE_KEY.slice(-20)], rejected: [] },
      projects: { [fs.realpathSync(repo)]: { hasTrustDialogAccepted: true } },
    });
    writeJson(path.join(home, '.claude', 'settings.json'), { skipDangerousModePermissionPrompt: true });
  },
  args: (prompt, flags) => ['--model', 'claude-sonnet-4-5', ...flags, prompt],
  env: (home, server, extra) =>
    terminalEnv(home, {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: CLAUDE_KEY,
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      // --dangerously-skip-permissions refuses to run as root outside a sandbox it knows of.
      ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
      ...extra,
    }),
  askPrompt: ['Hook PreToolUse:Bash requires confirmation', 'Do you want to proceed?'],
  approve: KEYS.enter,
  refuse: KEYS.escape,
  noQuestionsFlag: '--dangerously-skip-permissions',
};

export const copilotCliInteractive: InteractiveAgent = {
  agent: 'copilot-cli',
  prepareHome(home, repo) {
    writeJson(path.join(home, '.copilot', 'config.json'), { trustedFolders: [fs.realpathSync(repo)] });
  },
  args: (prompt, flags) => ['--no-auto-update', ...flags, '-i', prompt],
  env: (home, server, extra) =>
    terminalEnv(home, {
      XDG_CACHE_HOME: sharedXdgCacheHome(),
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_TYPE: 'anthropic',
      COPILOT_PROVIDER_BASE_URL: server.url,
      COPILOT_PROVIDER_API_KEY: 'scripted-key-7f3c9a1e5b2d4c6e8a0f',
      COPILOT_MODEL: 'claude-sonnet-4.5',
      ...extra,
    }),
  askPrompt: ['Hook permission request', 'Do you want to allow this tool call?'],
  approve: KEYS.enter,
  refuse: KEYS.escape,
  noQuestionsFlag: '--yolo',
};
