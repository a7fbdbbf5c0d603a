/**
 * The sandbox's built-in lists: what stays read-only inside the writable workspace whatever the policy
 * says (Airlock's own files, every agent's hook configuration, files that make tools outside the
 * sandbox run code later), which secrets in the home folder are hidden, and which runtime folders
 * (sockets of other programs) are replaced by empty ones. Data: no I/O.
 */

/** Where a rule of the sandbox is written, and how to change it: for messages to the agent and the human. */
export interface SandboxRule {
  /** What the rule protects, in a few words ("Airlock's own files"). */
  readonly what: string;
  /** 'built-in', or the policy file (with `:line` when known) the rule comes from. */
  readonly source: string;
  /** The rule as the policy writes it (`paths[".env*"].read`), or the built-in list's name. */
  readonly rule: string;
  /** How to change it (a sentence). */
  readonly how: string;
}

const OUTSIDE = 'Make this change outside `airlock run` (in your own terminal or editor).';

export const BUILTIN_RULES = {
  airlock: { what: "Airlock's own files", source: 'built-in', rule: 'sandbox: .airlock/** is read-only', how: OUTSIDE },
  hooks: { what: "an agent's hook configuration", source: 'built-in', rule: 'sandbox: agent hook configuration is read-only', how: OUTSIDE },
  runsCode: { what: 'a file that makes tools run commands outside the sandbox', source: 'built-in', rule: 'sandbox: files that run code when opened or committed are read-only', how: OUTSIDE },
  git: { what: "git's hooks, configuration and Airlock's snapshot refs", source: 'built-in', rule: 'sandbox: .git/hooks, .git/config and refs/airlock are read-only', how: OUTSIDE },
  agentConfig: { what: "the agent's own settings and hooks", source: 'built-in', rule: "sandbox: the agent's settings are read-only", how: OUTSIDE },
  homeSecret: {
    what: 'a secret in your home folder',
    source: 'built-in',
    rule: 'sandbox: credentials in the home folder are unreadable',
    how: 'To let sandboxed agents read it, add it to `sandbox.filesystem.allowRead` in .airlock/policy.json and restart `airlock run`.',
  },
  otherAgent: {
    what: "another agent's credentials",
    source: 'built-in',
    rule: "sandbox: other agents' credentials are unreadable",
    how: 'Run that agent under `airlock run` to use its credentials.',
  },
  airlockState: { what: "Airlock's state (audit log, snapshots, approval channel)", source: 'built-in', rule: "sandbox: Airlock's state is unreadable", how: OUTSIDE },
  outside: {
    what: 'a path outside the writable folders',
    source: 'built-in',
    rule: 'sandbox: only the workspace, a private temporary folder and the agent\'s own state are writable',
    how: 'To let sandboxed agents write there, add the folder to `sandbox.filesystem.allowWrite` in .airlock/policy.json and restart `airlock run`.',
  },
} as const satisfies Record<string, SandboxRule>;

/** Folder names whose whole content is read-only wherever they are in the workspace. */
export const PROTECTED_DIR_NAMES: Readonly<Record<string, SandboxRule>> = {
  '.airlock': BUILTIN_RULES.airlock,
  '.husky': BUILTIN_RULES.runsCode,
};

/** `parent/name` pairs (any depth) that are read-only: hook configuration and the like. */
export const PROTECTED_PAIRS: Readonly<Record<string, SandboxRule>> = {
  '.claude/settings.json': BUILTIN_RULES.hooks,
  '.claude/settings.local.json': BUILTIN_RULES.hooks,
  '.github/hooks': BUILTIN_RULES.hooks,
  '.cursor/hooks.json': BUILTIN_RULES.hooks,
  '.gemini/settings.json': BUILTIN_RULES.hooks,
  '.codex/hooks.json': BUILTIN_RULES.hooks,
  '.codex/config.toml': BUILTIN_RULES.hooks,
  '.windsurf/hooks.json': BUILTIN_RULES.hooks,
  '.clinerules/hooks': BUILTIN_RULES.hooks,
  '.vscode/settings.json': BUILTIN_RULES.hooks,
  '.vscode/tasks.json': BUILTIN_RULES.runsCode,
  '.vscode/launch.json': BUILTIN_RULES.runsCode,
  '.vscode/mcp.json': BUILTIN_RULES.runsCode,
  '.cline/plugins': BUILTIN_RULES.hooks,
  '.cline/hooks': BUILTIN_RULES.hooks,
  '.opencode/plugins': BUILTIN_RULES.hooks,
  '.opencode/plugin': BUILTIN_RULES.hooks,
};

/** File names (any depth) that are read-only. */
export const PROTECTED_NAMES: Readonly<Record<string, SandboxRule>> = {
  '.mcp.json': BUILTIN_RULES.runsCode,
  'opencode.json': BUILTIN_RULES.hooks,
  'opencode.jsonc': BUILTIN_RULES.hooks,
  '.envrc': BUILTIN_RULES.runsCode,
};

/** Inside each git directory: read-only (created when missing, so the agent cannot create them). */
export const GIT_PROTECTED = ['hooks', 'config', 'config.worktree', 'packed-refs', 'refs/airlock'] as const;

/** Secrets in the home folder (relative to it) that are hidden from every sandboxed agent. */
export const HOME_SECRETS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker/config.json',
  '.netrc',
  '_netrc',
  '.git-credentials',
  '.config/git/credentials',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.gem/credentials',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.m2/settings-security.xml',
  '.gradle/gradle.properties',
  '.config/hub',
  '.password-store',
  '.local/share/keyrings',
  '.pki',
  '.vault-token',
  '.terraform.d/credentials.tfrc.json',
  '.config/op',
  '.mozilla',
  '.thunderbird',
  '.config/google-chrome',
  '.config/chromium',
  '.config/BraveSoftware',
  '.config/microsoft-edge',
  '.config/vivaldi',
  '.config/opera',
  'snap/firefox',
  'snap/chromium',
  '.var/app/org.mozilla.firefox',
  '.var/app/com.google.Chrome',
  '.var/app/org.chromium.Chromium',
];

/** Folders replaced by an empty private one (other programs' sockets and temporary files live there). */
export const PRIVATE_DIRS = ['/tmp', '/var/tmp', '/run', '/dev/shm'] as const;

/** Environment variables that lead out of the sandbox (sockets of VS Code, agents, desktop) and are removed. */
export const UNSET_ENV = [
  'AIRLOCK_SOCKET',
  'AIRLOCK_TOKEN',
  'AIRLOCK_RUNTIME_DIR',
  'VSCODE_IPC_HOOK_CLI',
  'VSCODE_GIT_IPC_HANDLE',
  'VSCODE_GIT_ASKPASS_MAIN',
  'VSCODE_GIT_ASKPASS_NODE',
  'VSCODE_GIT_ASKPASS_EXTRA_ARGS',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'SSH_AUTH_SOCK',
  'GPG_AGENT_INFO',
  'DBUS_SESSION_BUS_ADDRESS',
  'XDG_RUNTIME_DIR',
  'ELECTRON_RUN_AS_NODE',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'TMUX',
  'STY',
] as const;
