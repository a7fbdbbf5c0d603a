/**
 * The built-in defaults: what protects a workspace that has no policy file at all. A team file may
 * relax any of them explicitly, except the floors: Airlock's own files and the agents' hook
 * configuration are always at least asked before a change (an agent must not be able to loosen its
 * own leash), and catastrophic command findings are always at least asked (see evaluate.ts).
 */
import type { PolicyFile } from './policyFile';

export const SECRET_PATTERNS = [
  '.env*',
  '*.env',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
  '*.kdbx',
  '*.asc',
  '*.gpg',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.ssh',
  '.gnupg',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.git-credentials',
  '.dockercfg',
  '**/.docker/config.json',
  '**/.aws/credentials',
  '**/.aws/config',
  '.azure',
  '**/.config/gcloud',
  '**/.kube/config',
  'credentials.json',
  'service-account*.json',
  'secrets.json',
  'secrets.yml',
  'secrets.yaml',
  'secrets.toml',
  'secrets.env',
  '*.tfvars',
  '*.tfstate',
] as const;

/**
 * Airlock's files and every agent's hook configuration, at any depth (an agent working in a
 * sub-folder reads the configuration found there) and in the home folder: never below ask.
 */
export const GUARD_PATTERNS = [
  '**/.airlock/**',
  '**/.claude/**',
  '**/.github/hooks/**',
  '**/.cursor/**',
  '**/.gemini/**',
  '**/.codex/**',
  '**/.windsurf/**',
  '**/.clinerules/hooks/**',
  '**/.cline/**',
  '**/.opencode/**',
  '**/opencode.json',
  '**/opencode.jsonc',
  '**/.vscode/settings.json',
  '~/.copilot/**',
  '~/.config/github-copilot/**',
] as const;

export const CI_PATTERNS = [
  '.github/workflows/**',
  '.github/actions/**',
  '.gitlab-ci.yml',
  '.circleci/**',
  '.buildkite/**',
  'azure-pipelines.yml',
  'Jenkinsfile',
  '.travis.yml',
  'bitbucket-pipelines.yml',
] as const;

/** Files that run code on a developer's machine when opened, built or committed. */
export const EXECUTABLE_CONFIG_PATTERNS = ['.vscode/tasks.json', '.vscode/launch.json', '.husky/**', '.mcp.json', '.envrc'] as const;

export const MANIFEST_PATTERNS = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'bun.lockb',
  'bun.lock',
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'requirements*.txt',
  'Pipfile',
  'Pipfile.lock',
  'poetry.lock',
  'uv.lock',
  'Cargo.toml',
  'Cargo.lock',
  'go.mod',
  'go.sum',
  'Gemfile',
  'Gemfile.lock',
  'composer.json',
  'composer.lock',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'gradle.lockfile',
  '*.csproj',
  'packages.lock.json',
  'Directory.Packages.props',
] as const;

const SECRET_REASON = 'This file may hold secrets (keys, tokens, passwords).';
const GUARD_REASON = "This is Airlock's or an agent's own configuration; changing it could switch the guard off.";
const CI_REASON = 'This is CI configuration: it runs with the repository\'s credentials.';
const EXEC_REASON = 'This file makes tools run commands on your machine.';
const MANIFEST_REASON = 'This is a manifest or lockfile: a change can pull in new code.';
const GIT_REASON = "These are git's internals (history, hooks, configuration).";

function rules(patterns: readonly string[], value: PolicyFile['paths'] extends Readonly<Record<string, infer V>> | undefined ? V : never) {
  return Object.fromEntries(patterns.map((p) => [p, value]));
}

/** Devices that commands read and write all the time (`2>/dev/null`): never a question. */
export const DEVICE_PATHS = ['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/tty', '/dev/fd/**', '/dev/zero', '/dev/random', '/dev/urandom'] as const;

/**
 * Rules added to the built-in layer for the temporary directories given to buildPolicy: they are
 * scratch space, so reading, writing, creating and deleting there is allowed (the temporary folder
 * itself, or everything in it, is still asked by the command analysis); secret-looking names and
 * Airlock's own runtime folders are still asked or denied. A symlink in a temporary directory is
 * checked at its target too, so it cannot be used to reach elsewhere.
 */
export function tempDirRules(dirs: readonly string[], home?: string): NonNullable<PolicyFile['paths']> {
  return Object.fromEntries(
    dirs.map((d) => {
      const dir = d.replace(/[\\/]+$/, '');
      // a temp dir that holds the home folder (a sandbox's) is no scratch space for deletes
      const holdsHome = home !== undefined && (home + '/').toLowerCase().startsWith((dir + '/').toLowerCase());
      return [`${dir}/**`, { read: 'allow', write: 'allow', create: 'allow', ...(holdsHome ? {} : { delete: 'allow' }), reason: 'This is a temporary directory.' } as const];
    }),
  );
}

/**
 * Airlock's own state outside the workspace: the approval channel's registrations and sockets
 * (runtime dir) and the audit logs and shadow repositories (state dir). An agent that could write
 * there could register a fake window that approves everything, or erase the history.
 */
export const AIRLOCK_STATE_PATTERNS = [
  '~/.local/state/agent-airlock/**',
  '/tmp/agent-airlock-*/**',
  '/run/user/*/agent-airlock-*/**',
  // Airlock's snapshots in the repository
  '.git/refs/airlock/**',
  '**/.git/refs/airlock/**',
  // the extension itself, wherever an editor keeps its extensions
  '~/.vscode/extensions/agent-airlock.*/**',
  '~/.vscode-insiders/extensions/agent-airlock.*/**',
  '~/.vscode-server/extensions/agent-airlock.*/**',
  '~/.vscode-oss/extensions/agent-airlock.*/**',
  '~/.cursor/extensions/agent-airlock.*/**',
  '~/.cursor-server/extensions/agent-airlock.*/**',
  '~/.windsurf/extensions/agent-airlock.*/**',
  '~/.local/share/code-server/extensions/agent-airlock.*/**',
] as const;
const STATE_REASON = "This is Airlock's own state (its approval channel, audit log and snapshots): an agent must not change it.";

/**
 * Rules for Airlock's state folder when it is not the default one ($AIRLOCK_HOME, $XDG_STATE_HOME):
 * as protected as the default.
 */
export function stateDirRules(dir: string | undefined): NonNullable<PolicyFile['paths']> {
  return dir ? { [`${dir.replace(/[\\/]+$/, '')}/**`]: { write: 'deny', create: 'deny', delete: 'deny', reason: STATE_REASON } } : {};
}

/** System files anyone on the machine may read: reading them is quiet (a few below are not). */
export const SYSTEM_READ_PATTERNS = ['/etc/**', '/usr/**', '/opt/**', '/bin/**', '/sbin/**', '/lib/**', '/lib32/**', '/lib64/**', '/proc/**', '/sys/**', '/var/log/**', '/nix/**', '/snap/**', '/Library/**', '/System/**', '/Applications/**'] as const;
/** System files that hold secrets: reading them is asked like reading .env. */
export const SYSTEM_SECRET_PATTERNS = ['/etc/shadow*', '/etc/gshadow*', '/etc/sudoers*', '/etc/ssl/private/**', '/etc/ssh/ssh_host_*', '/proc/*/environ', '/proc/*/mem'] as const;

/** The built-in layer, written like any policy file. */
export const BUILTIN_POLICY: PolicyFile = {
  mode: 'enforce',
  paths: {
    ...rules(SECRET_PATTERNS, { read: 'ask', write: 'ask', create: 'ask', delete: 'ask', reason: SECRET_REASON }),
    '.git': { write: 'ask', create: 'ask', delete: 'ask', reason: GIT_REASON },
    ...rules(GUARD_PATTERNS, { write: 'ask', create: 'ask', delete: 'ask', reason: GUARD_REASON }),
    ...rules(CI_PATTERNS, { write: 'ask', create: 'ask', delete: 'ask', reason: CI_REASON }),
    ...rules(EXECUTABLE_CONFIG_PATTERNS, { write: 'ask', create: 'ask', delete: 'ask', reason: EXEC_REASON }),
    ...rules(MANIFEST_PATTERNS, { write: 'ask', delete: 'ask', reason: MANIFEST_REASON }),
    ...rules(DEVICE_PATHS, { read: 'allow', write: 'allow', create: 'allow' }),
    ...rules(AIRLOCK_STATE_PATTERNS, { write: 'deny', create: 'deny', delete: 'deny', reason: STATE_REASON }),
    ...rules(SYSTEM_READ_PATTERNS, { read: 'allow' }),
    ...rules(SYSTEM_SECRET_PATTERNS, { read: 'ask', reason: SECRET_REASON }),
  },
  defaults: {
    unknownCommand: 'ask',
    outsideWorkspace: 'ask',
    gitPush: 'allow',
  },
  snapshots: { enabled: true, include: [], maxFileSizeMB: 10, retention: { maxCount: 200, maxAgeDays: 14, maxSizeMB: 1024 } },
  approval: { timeoutSeconds: 300, onTimeout: 'deny', allowForSession: true },
};

/** Built-in path rules that no layer can relax below ask for write, create and delete. */
export const FLOOR_PATTERNS: ReadonlySet<string> = new Set([...GUARD_PATTERNS, ...AIRLOCK_STATE_PATTERNS]);

/** Whether a built-in path rule is a floor (the state-folder rules made at load time are too). */
export function isFloorPattern(pattern: string, stateDir?: string): boolean {
  return FLOOR_PATTERNS.has(pattern) || (stateDir !== undefined && pattern === `${stateDir.replace(/[\\/]+$/, '')}/**`);
}
