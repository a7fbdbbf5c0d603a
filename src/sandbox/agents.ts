/**
 * What the sandbox must know about each agent it runs: the state it writes (or it will not start),
 * the hook and settings files in that state that stay read-only, its own credentials (readable for
 * it, hidden from every other agent), the hosts of its API, and the environment variables that move
 * all of these. Data and small pure helpers: no I/O.
 */
import * as path from 'node:path';

export type SandboxAgent = 'claude' | 'gemini' | 'codex' | 'copilot-cli' | 'cline' | 'opencode';
export const SANDBOX_AGENTS: readonly SandboxAgent[] = ['claude', 'gemini', 'codex', 'copilot-cli', 'cline', 'opencode'];

export interface AgentProfile {
  readonly id: SandboxAgent;
  readonly displayName: string;
  /** Executable names that identify it on a command line (`claude`, `/usr/bin/claude`). */
  readonly binaries: readonly string[];
  /** Writable state (absolute). The first folder is created when missing (the agent would create it). */
  state(env: AgentEnv): string[];
  /** Every folder of its state is created when missing (it exits when it cannot make one at start). */
  readonly createAllState?: boolean;
  /**
   * Files or folders in its state that stay read-only: hooks and settings that could switch them
   * off, and what makes it start programs (MCP servers, plugins, extensions) that would run outside
   * the sandbox the next time it runs without one. Created (empty) when missing.
   */
  protectedConfig(env: AgentEnv): string[];
  /** Its own credentials: readable when it runs, unreadable for every other agent. */
  credentials(env: AgentEnv): string[];
  /** Environment variables holding its credentials (removed when another agent runs). */
  readonly credentialEnv: readonly string[];
  /** Hosts of its API and sign-in. */
  readonly hosts: readonly string[];
  /** Environment variables holding a base URL that points it at another API host. */
  readonly baseUrlEnv: readonly string[];
  /** Base URLs in its own configuration files (`read` gives a file's text, undefined when missing). */
  configuredBaseUrls?(env: AgentEnv, read: (file: string) => string | undefined): string[];
}

export interface AgentEnv {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
}

const xdg = (e: AgentEnv, name: 'XDG_CONFIG_HOME' | 'XDG_CACHE_HOME' | 'XDG_STATE_HOME' | 'XDG_DATA_HOME', fallback: string) => {
  const v = e.env[name];
  return v && path.isAbsolute(v) ? v : path.join(e.home, fallback);
};
const dirFromEnv = (e: AgentEnv, name: string, fallback: string) => {
  const v = e.env[name];
  return v && path.isAbsolute(v) ? v : path.join(e.home, fallback);
};

const claudeDir = (e: AgentEnv) => dirFromEnv(e, 'CLAUDE_CONFIG_DIR', '.claude');
const codexHome = (e: AgentEnv) => dirFromEnv(e, 'CODEX_HOME', '.codex');
const geminiDir = (e: AgentEnv) => path.join(e.env.GEMINI_CLI_HOME && path.isAbsolute(e.env.GEMINI_CLI_HOME) ? e.env.GEMINI_CLI_HOME : e.home, '.gemini');
const copilotDir = (e: AgentEnv) => dirFromEnv(e, 'COPILOT_HOME', '.copilot');
const clineDir = (e: AgentEnv) => dirFromEnv(e, 'CLINE_DIR', '.cline');
const clineData = (e: AgentEnv) => (e.env.CLINE_DATA_DIR && path.isAbsolute(e.env.CLINE_DATA_DIR) ? e.env.CLINE_DATA_DIR : path.join(clineDir(e), 'data'));
const opencodeConfigDirs = (e: AgentEnv) => [path.join(xdg(e, 'XDG_CONFIG_HOME', '.config'), 'opencode'), ...(e.env.OPENCODE_CONFIG_DIR && path.isAbsolute(e.env.OPENCODE_CONFIG_DIR) ? [e.env.OPENCODE_CONFIG_DIR] : [])];

/** A JSON file's value, or undefined when it is missing or not JSON. */
const jsonOf = (text: string | undefined): unknown => {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
};
/** The string values of `key` at every level of a JSON value (up to four levels down). */
const stringsAt = (v: unknown, key: string, depth = 0): string[] =>
  typeof v !== 'object' || v === null || depth > 4
    ? []
    : Object.entries(v).flatMap(([k, child]) => (k === key && typeof child === 'string' ? [child] : stringsAt(child, key, depth + 1)));

export const AGENT_PROFILES: Readonly<Record<SandboxAgent, AgentProfile>> = {
  claude: {
    id: 'claude',
    displayName: 'Claude Code',
    binaries: ['claude'],
    state: (e) => [
      claudeDir(e),
      path.join(e.home, '.claude.json'),
      path.join(e.home, '.claude.json.backup'),
      path.join(xdg(e, 'XDG_CACHE_HOME', '.cache'), 'claude'),
      path.join(xdg(e, 'XDG_DATA_HOME', '.local/share'), 'claude'),
      path.join(xdg(e, 'XDG_STATE_HOME', '.local/state'), 'claude'),
      path.join(xdg(e, 'XDG_CONFIG_HOME', '.config'), 'claude'),
    ],
    protectedConfig: (e) => [path.join(claudeDir(e), 'settings.json'), path.join(claudeDir(e), 'settings.local.json'), path.join(claudeDir(e), 'plugins')],
    credentials: (e) => [path.join(claudeDir(e), '.credentials.json')],
    credentialEnv: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'],
    hosts: ['api.anthropic.com', 'console.anthropic.com', 'statsig.anthropic.com', 'claude.ai'],
    baseUrlEnv: ['ANTHROPIC_BASE_URL'],
  },
  gemini: {
    id: 'gemini',
    displayName: 'Gemini CLI',
    binaries: ['gemini'],
    state: (e) => [geminiDir(e), path.join(xdg(e, 'XDG_CACHE_HOME', '.cache'), 'gemini')],
    // Extensions can start MCP servers: ones planted there would run outside the sandbox later.
    protectedConfig: (e) => [path.join(geminiDir(e), 'settings.json'), path.join(geminiDir(e), 'extensions')],
    credentials: (e) => ['oauth_creds.json', 'google_accounts.json', 'mcp-oauth-tokens.json'].map((f) => path.join(geminiDir(e), f)),
    credentialEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    hosts: ['generativelanguage.googleapis.com', 'cloudcode-pa.googleapis.com', 'oauth2.googleapis.com'],
    baseUrlEnv: ['GOOGLE_GEMINI_BASE_URL', 'GOOGLE_VERTEX_BASE_URL'],
  },
  codex: {
    id: 'codex',
    displayName: 'Codex',
    binaries: ['codex'],
    state: (e) => [codexHome(e)],
    protectedConfig: (e) => ['config.toml', 'hooks.json', 'requirements.toml', 'managed_config.toml'].map((f) => path.join(codexHome(e), f)),
    credentials: (e) => [path.join(codexHome(e), 'auth.json')],
    credentialEnv: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
    hosts: ['api.openai.com', 'chatgpt.com', 'auth.openai.com'],
    baseUrlEnv: ['OPENAI_BASE_URL'],
    configuredBaseUrls: (e, read) => codexBaseUrls(read(path.join(codexHome(e), 'config.toml')) ?? ''),
  },
  'copilot-cli': {
    id: 'copilot-cli',
    displayName: 'Copilot CLI',
    binaries: ['copilot'],
    state: (e) => [
      copilotDir(e),
      path.join(xdg(e, 'XDG_CACHE_HOME', '.cache'), 'copilot'),
      path.join(xdg(e, 'XDG_STATE_HOME', '.local/state'), '.copilot'),
      path.join(xdg(e, 'XDG_CONFIG_HOME', '.config'), '.copilot'),
    ],
    protectedConfig: (e) => [path.join(copilotDir(e), 'hooks'), path.join(copilotDir(e), 'settings.json'), path.join(copilotDir(e), 'mcp-config.json'), path.join(copilotDir(e), 'installed-plugins')],
    credentials: (e) => [path.join(xdg(e, 'XDG_CONFIG_HOME', '.config'), 'gh')],
    credentialEnv: ['COPILOT_PROVIDER_API_KEY', 'COPILOT_GITHUB_TOKEN'],
    hosts: ['api.githubcopilot.com', '*.githubcopilot.com', 'api.github.com', 'github.com'],
    baseUrlEnv: ['COPILOT_PROVIDER_BASE_URL'],
  },
  cline: {
    id: 'cline',
    displayName: 'Cline CLI',
    binaries: ['cline'],
    state: (e) => [clineDir(e), clineData(e)],
    // Its global hooks and plugins run outside the sandbox the next time; so would MCP servers.
    protectedConfig: (e) => [path.join(clineDir(e), 'hooks'), path.join(clineDir(e), 'plugins'), path.join(clineData(e), 'settings', 'cline_mcp_settings.json')],
    credentials: (e) => [e.env.CLINE_PROVIDER_SETTINGS_PATH && path.isAbsolute(e.env.CLINE_PROVIDER_SETTINGS_PATH) ? e.env.CLINE_PROVIDER_SETTINGS_PATH : path.join(clineData(e), 'settings', 'providers.json'), path.join(clineData(e), 'secrets.json')],
    credentialEnv: ['CLINE_API_KEY'],
    hosts: ['api.cline.bot', 'app.cline.bot'],
    baseUrlEnv: [],
    configuredBaseUrls: (e, read) => stringsAt(jsonOf(read(AGENT_PROFILES.cline.credentials(e)[0])), 'baseUrl'),
  },
  opencode: {
    id: 'opencode',
    displayName: 'OpenCode',
    binaries: ['opencode'],
    createAllState: true,
    // Its configuration folder stays read-only (plugins there would run outside the sandbox later);
    // OpenCode then skips installing its plugin package there.
    state: (e) => [
      path.join(xdg(e, 'XDG_DATA_HOME', '.local/share'), 'opencode'),
      path.join(xdg(e, 'XDG_CACHE_HOME', '.cache'), 'opencode'),
      path.join(xdg(e, 'XDG_STATE_HOME', '.local/state'), 'opencode'),
    ],
    protectedConfig: () => [],
    credentials: (e) => ['auth.json', 'mcp-auth.json'].map((f) => path.join(xdg(e, 'XDG_DATA_HOME', '.local/share'), 'opencode', f)),
    credentialEnv: ['OPENCODE_API_KEY'],
    hosts: ['opencode.ai', 'api.opencode.ai', 'models.dev'],
    baseUrlEnv: [],
    configuredBaseUrls: (e, read) => opencodeConfigDirs(e).flatMap((d) => ['opencode.json', 'config.json'].flatMap((f) => stringsAt(jsonOf(read(path.join(d, f))), 'baseURL'))),
  },
};

/** The agent a command line starts (by its executable's name), if it is one Airlock knows. */
export function detectAgent(command: readonly string[]): SandboxAgent | undefined {
  const exe = command[0];
  if (!exe) {
    return undefined;
  }
  const base = path.basename(exe).replace(/\.(cmd|exe|js|mjs)$/i, '');
  return SANDBOX_AGENTS.find((a) => AGENT_PROFILES[a].binaries.includes(base));
}

/** `host[:port]` of a base URL, or undefined when it is not an http(s) URL. */
export function hostOfUrl(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return undefined;
    }
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return { host, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
  } catch {
    return undefined;
  }
}

/** Base URLs in a Codex config.toml (`base_url = "..."` in any provider table). */
export function codexBaseUrls(toml: string): string[] {
  return [...toml.matchAll(/^\s*base_url\s*=\s*["']([^"']+)["']/gm)].map((m) => m[1]);
}

/** Whether a host name or address is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1' || h === '0:0:0:0:0:0:0:1';
}
