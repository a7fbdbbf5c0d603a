/** Resolving the paths a command names, and where they are (workspace, temp, home, system). */
import * as path from 'node:path';

export function isWindowsPath(p: string): boolean {
  return /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function api(p: string): typeof path.posix {
  return isWindowsPath(p) ? path.win32 : path.posix;
}

/** Expands a leading `~` (not `~user`) and resolves against cwd; returns a normalised absolute path. */
export function resolvePath(p: string, cwd: string, home: string): string {
  let s = p;
  if (s === '~' || s.startsWith('~/') || s.startsWith('~\\')) {
    s = home + s.slice(1);
  }
  const a = isWindowsPath(s) || isWindowsPath(cwd) ? path.win32 : path.posix;
  const r = a.resolve(cwd, s);
  return r.length > 1 && (r.endsWith('/') || r.endsWith('\\')) && !/^[a-zA-Z]:[\\/]$/.test(r) ? r.slice(0, -1) : r;
}

function norm(p: string): string {
  return isWindowsPath(p) ? p.toLowerCase().replace(/\//g, '\\') : p;
}

/** True when `inner` is `outer` or below it. */
export function isInside(inner: string, outer: string): boolean {
  const i = norm(inner);
  const o = norm(outer);
  if (i === o) {
    return true;
  }
  const sep = isWindowsPath(o) ? '\\' : '/';
  return i.startsWith(o.endsWith(sep) ? o : o + sep);
}

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

const SYSTEM_POSIX = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/boot', '/var', '/opt', '/sys', '/proc', '/dev', '/root', '/srv', '/snap', '/System', '/Library', '/Applications', '/private', '/Volumes', '/mnt', '/media', '/home', '/Users', '/nix', '/run'];
const SYSTEM_WIN = ['c:\\windows', 'c:\\program files', 'c:\\program files (x86)', 'c:\\programdata', 'c:\\users'];
const TEMP = ['/tmp', '/var/tmp', '/private/tmp', '/private/var/folders', '/var/folders', '/dev/shm'];
const HOME_CONFIG = ['.ssh', '.gnupg', '.aws', '.azure', '.kube', '.docker', '.config', '.bashrc', '.bash_profile', '.profile', '.zshrc', '.zprofile', '.zshenv', '.bash_logout', '.gitconfig', '.npmrc', '.pypirc', '.netrc', '.bash_history', '.zsh_history', '.local', '.cargo', '.m2', '.gradle', 'Library', 'AppData', '.vscode', '.claude', '.cursor', '.gemini', '.codex'];
/** Folders whose contents are rebuilt by tools: deleting them is routine. */
const REGENERABLE = new Set(['node_modules', 'dist', 'build', 'out', 'target', 'coverage', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache', '.parcel-cache', '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.nyc_output', '.gradle', '.angular', '.expo', 'storybook-static', '.vite', '.eslintcache', '.tsbuildinfo', 'tsconfig.tsbuildinfo', '.DS_Store', 'tmp', '.tmp', 'temp', 'logs', '.venv', 'venv', '.dart_tool', '.terraform', 'vendor-cache', '.docusaurus', '.serverless', '.webpack', '.output', 'htmlcov', '.hypothesis', '.benchmarks', 'bin-debug', 'obj']);

export type Location =
  | 'null-device'
  | 'device'
  | 'root'
  | 'home'
  | 'home-ancestor'
  | 'home-config'
  | 'system'
  | 'system-top'
  | 'temp-root'
  | 'temp'
  | 'workspace-ancestor'
  | 'workspace-root'
  | 'workspace-all'
  | 'workspace-git'
  | 'workspace-regenerable'
  | 'workspace'
  | 'outside';

/** Where an absolute path is. Globs are judged by the folder they expand in. */
export function locate(abs: string, workspace: string, home: string): Location {
  const p = abs;
  const a = api(p);
  if (/^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/.test(p) || /^nul$/i.test(p)) {
    return 'null-device';
  }
  if (p.startsWith('/dev/')) {
    return 'device';
  }
  if (p === '/' || /^[a-zA-Z]:\\?$/.test(p) || /^\/\*/.test(p) || /^[a-zA-Z]:\\\*/.test(p)) {
    return 'root';
  }
  const h = home;
  if (norm(p) === norm(h) || (hasGlob(a.basename(p)) && norm(a.dirname(p)) === norm(h))) {
    return 'home';
  }
  if (isInside(h, p)) {
    return 'home-ancestor';
  }
  if (isInside(p, workspace)) {
    if (norm(p) === norm(workspace) || (hasGlob(a.basename(p)) && norm(a.dirname(p)) === norm(workspace) && /^\.[*.?]*$/.test(a.basename(p)) && a.basename(p) !== '..')) {
      return 'workspace-root';
    }
    if (hasGlob(a.basename(p)) && norm(a.dirname(p)) === norm(workspace) && /^[*?]+$/.test(a.basename(p))) {
      return 'workspace-all';
    }
    const rel = a.relative(workspace, p);
    const parts = rel.split(/[\\/]/);
    if (parts[0] === '.git') {
      return 'workspace-git';
    }
    if (parts.some((x) => REGENERABLE.has(x)) || /\.(pyc|pyo|o|obj|class|log|tsbuildinfo)$/.test(p)) {
      return 'workspace-regenerable';
    }
    return 'workspace';
  }
  if (isInside(workspace, p)) {
    return 'workspace-ancestor';
  }
  // a home folder inside a temporary folder (a sandbox's) is still the home folder
  if (isInside(p, h)) {
    const first = a.relative(h, p).split(/[\\/]/)[0];
    if (HOME_CONFIG.includes(first)) {
      return 'home-config';
    }
    return 'outside';
  }
  for (const t of TEMP) {
    if (norm(p) === t || (hasGlob(a.basename(p)) && a.dirname(p) === t)) {
      return 'temp-root';
    }
    if (isInside(p, t)) {
      return 'temp';
    }
  }
  if (/^[a-zA-Z]:\\(windows\\)?temp\\/i.test(p) || /\\appdata\\local\\temp\\/i.test(p)) {
    return 'temp';
  }
  if (isWindowsPath(p)) {
    const n = norm(p);
    for (const s of SYSTEM_WIN) {
      if (n === s) {
        return 'system-top';
      }
      if (n.startsWith(s + '\\')) {
        return 'system';
      }
    }
    return 'outside';
  }
  for (const s of SYSTEM_POSIX) {
    if (p === s || (hasGlob(a.basename(p)) && a.dirname(p) === s)) {
      return 'system-top';
    }
    if (isInside(p, s)) {
      return 'system';
    }
  }
  return 'outside';
}
