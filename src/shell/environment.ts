/**
 * Environment variables that change what programs do: a library loaded into every process
 * (LD_PRELOAD), a script every shell runs (BASH_ENV), options that load code (NODE_OPTIONS),
 * git configuration and the programs git runs (GIT_CONFIG_*, GIT_SSH_COMMAND, GIT_PAGER),
 * where programs are looked up (PATH). Set before a command, exported, or assigned in the line.
 */
import type { CommandFinding } from '../core/types';
import { finding, lit, NO_STREAM } from './model';
import type { Env, Scope, Word } from './model';
import { isInside, locate, resolvePath } from './paths';

/** Variables whose value is a command line some program runs. */
const COMMAND_VARS = new Set(['GIT_EXTERNAL_DIFF', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_PAGER', 'PAGER', 'MANPAGER', 'SYSTEMD_PAGER', 'GIT_EDITOR', 'EDITOR', 'VISUAL', 'GIT_SEQUENCE_EDITOR', 'GIT_ASKPASS', 'SSH_ASKPASS', 'SUDO_ASKPASS', 'GIT_PROXY_COMMAND', 'LESSOPEN', 'LESSCLOSE', 'BROWSER', 'CC', 'CXX', 'CPP', 'LD', 'AR', 'HOSTCC', 'RUSTC', 'RUSTC_WRAPPER', 'RUSTC_WORKSPACE_WRAPPER', 'RUSTDOC', 'CARGO_BUILD_RUSTC', 'CARGO_BUILD_RUSTC_WRAPPER', 'CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER', 'CARGO_BUILD_RUSTDOC']);
/** Cargo's per-target programs (CARGO_TARGET_<triple>_RUNNER / _LINKER): command lines too. */
const CARGO_TARGET_PROGRAM = /^CARGO_TARGET_\w+_(RUNNER|LINKER)$/;
/** Variables that load code into the programs that start. */
const PRELOAD = /^(LD_PRELOAD|LD_AUDIT|LD_LIBRARY_PATH|DYLD_INSERT_LIBRARIES|DYLD_LIBRARY_PATH|DYLD_FRAMEWORK_PATH)$/;
/** Variables naming a script a shell runs when it starts. */
const STARTUP = /^(BASH_ENV|ENV|PROMPT_COMMAND|PS0|PS4|ZDOTDIR)$/;
/** Variables that change which repository git works on or where it finds its programs. */
const GIT_PLACE = /^(GIT_DIR|GIT_WORK_TREE|GIT_INDEX_FILE|GIT_OBJECT_DIRECTORY|GIT_ALTERNATE_OBJECT_DIRECTORIES|GIT_EXEC_PATH|GIT_TEMPLATE_DIR|GIT_COMMON_DIR)$/;
const GIT_CONFIG = /^(GIT_CONFIG_COUNT|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_CONFIG_PARAMETERS|GIT_CONFIG|GIT_CONFIG_GLOBAL|GIT_CONFIG_SYSTEM)$/;
/** Interpreter options in the environment that load code. */
const CODE_OPTIONS: Readonly<Record<string, RegExp>> = {
  NODE_OPTIONS: /(^|\s)(-r|--require|--import|--loader|--experimental-loader|--env-file)\b/,
  PERL5OPT: /-[mMI]|-d/,
  RUBYOPT: /-r|-I/,
  JAVA_TOOL_OPTIONS: /-javaagent|-agentlib|-agentpath|@/,
  _JAVA_OPTIONS: /-javaagent|-agentlib|-agentpath|@/,
  JDK_JAVA_OPTIONS: /-javaagent|-agentlib|-agentpath|@/,
  MAKEFLAGS: /--eval|(^|\s)-?E\b|-f\b|--file|SHELL=/,
  MFLAGS: /--eval|-f\b|--file/,
};
/** Path lists whose entries outside the workspace make programs import code from there. */
const CODE_PATHS = /^(PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|PERL5LIB|PERLLIB|RUBYLIB|NODE_PATH|MAKEFILES|CLASSPATH)$/;

/**
 * Findings for one assignment (`NAME=value` before a command, exported, or alone). Variables whose
 * value is a command are judged as that command, by running it through the analysis.
 */
export function judgeAssignment(env: Env, name: string, value: Word, scope: Scope, text: string): CommandFinding[] {
  const out: CommandFinding[] = [];
  const show = `${name}=${value.value.length > 60 ? value.value.slice(0, 60) + '...' : value.value}`;
  if (COMMAND_VARS.has(name) || CARGO_TARGET_PROGRAM.test(name)) {
    if (value.literal) {
      env.runScript(value.value, { ...scope }, 'bash');
    } else {
      out.push(finding('remote-code', 'caution', 'env.command', `${show} makes programs run a command that is only known when the line runs`));
    }
  } else if (PRELOAD.test(name)) {
    out.push(finding('remote-code', 'caution', 'env.preload', `${show} makes every program started from here load code from ${value.value}`));
  } else if (STARTUP.test(name)) {
    out.push(finding('remote-code', 'caution', 'env.startup-script', `${show} makes shells run ${value.value} when they start`));
    if (value.literal && /^(BASH_ENV|ENV)$/.test(name)) {
      env.runArgv([lit('sh'), value], { ...scope }, NO_STREAM, text);
    }
  } else if (GIT_CONFIG.test(name)) {
    out.push(finding('remote-code', 'caution', 'git.config-exec', `${show} sets git configuration through the environment, which can make git run programs`));
  } else if (GIT_PLACE.test(name)) {
    out.push(finding('remote-code', 'caution', 'env.git-place', `${show} changes which repository git works on, or where it finds its programs`));
  } else if (name in CODE_OPTIONS) {
    if (!value.literal || CODE_OPTIONS[name].test(value.value)) {
      out.push(finding('remote-code', 'caution', 'env.code-options', `${show} makes the program load code given in the environment`));
    }
  } else if (CODE_PATHS.test(name)) {
    if (!value.literal || value.value.split(':').some((p) => p !== '' && !insideWorkspace(env, p, scope))) {
      out.push(finding('remote-code', 'caution', 'env.code-path', `${show} makes programs load code from outside the workspace`));
    }
  } else if (name === 'PATH') {
    const before = value.value.split(/\$\{?PATH\}?/)[0];
    if (before.split(':').some((p) => p !== '' && !isSystemDir(env, p))) {
      out.push(finding('remote-code', 'caution', 'env.path', `${show} makes the shell run programs found in ${before.replace(/:$/, '')} first`));
    }
  } else if (/^npm_config_(script_shell|node_options|git|userconfig|globalconfig|prefix|registry|init_module)$/i.test(name)) {
    out.push(finding('remote-code', 'caution', 'npm.config-supply-chain', `${show} changes how npm runs scripts or where packages come from`));
  }
  return out;
}

function insideWorkspace(env: Env, p: string, scope: Scope): boolean {
  if (/\$|`/.test(p) || (!scope.cwdKnown && !p.startsWith('/'))) {
    return false;
  }
  return isInside(resolvePath(p, scope.cwd, env.home), env.workspace);
}

/** A folder of installed programs: system folders and the usual ones under home (~/.local/bin, ~/go/bin). */
function isSystemDir(env: Env, p: string): boolean {
  if (/\$|`/.test(p) || !(p.startsWith('/') || p.startsWith('~'))) {
    return false;
  }
  const abs = resolvePath(p, '/', env.home);
  const loc = locate(abs, env.workspace, env.home);
  return loc === 'system' || loc === 'system-top' || /\/(\.local|go|\.cargo|\.bun|\.deno|\.volta|\.nvm|\.pyenv|\.rbenv|\.asdf|\.npm-global|\.yarn)\//.test(abs + '/') || /^\/(usr|opt|nix|snap)\//.test(abs + '/');
}
