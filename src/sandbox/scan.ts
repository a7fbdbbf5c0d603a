/**
 * Finds, before the sandbox starts, every existing path it must protect: in the workspace (walked
 * to any depth, symlinks not followed) Airlock's files, hook configuration, git's hooks and config,
 * and every path the policy keeps from reading (read: ask or deny) or writing (write: deny); in the
 * home folder the known secrets and other agents' credentials. Bubblewrap can only mount over paths
 * that exist, so paths created later are left to the supervisor's checks (check.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Minimatch } from 'minimatch';
import type { CompiledPathRule, Policy } from '../policy/compile';
import { normalizePath } from '../policy/compile';
import { evaluatePath } from '../policy/evaluate';
import type { SandboxAgent } from './agents';
import { AGENT_PROFILES, SANDBOX_AGENTS } from './agents';
import type { Finding } from './plan';
import type { SandboxRule } from './protectedPaths';
import { BUILTIN_RULES, GIT_PROTECTED, HOME_SECRETS, PROTECTED_DIR_NAMES, PROTECTED_NAMES, PROTECTED_PAIRS } from './protectedPaths';

export interface ScanInput {
  readonly folder: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly agent?: SandboxAgent;
  readonly policy: Policy;
  /** Globs the sandbox keeps readable (sandbox.filesystem.allowRead). */
  readonly allowRead: readonly string[];
  /** Airlock's state folder (audit log, shadow repositories): hidden. */
  readonly airlockState: string;
  /** Create git's `refs/airlock` and `packed-refs` when missing (not for a dry run). */
  readonly createMissing?: boolean;
}

export interface ScanResult {
  readonly findings: Finding[];
  /** Git directories of repositories in the workspace (their .git folder, or where a .git file points). */
  readonly gitDirs: string[];
  readonly entries: number;
  readonly ms: number;
}

function typeOf(p: string): 'file' | 'dir' | undefined {
  try {
    const st = fs.statSync(p);
    return st.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/** Compiles allowRead globs the way path rules are written (name anywhere, relative, ~/ or absolute). */
function allowReadMatcher(globs: readonly string[], folder: string, home: string): (abs: string) => boolean {
  const ms = globs.map((g) => {
    let p = g.trim().replace(/\\/g, '/');
    let name = false;
    if (p.startsWith('~/')) {
      p = `${normalizePath(home, '/')}/${p.slice(2)}`;
    } else if (!p.startsWith('/')) {
      name = !p.replace(/\/+$/, '').includes('/');
      p = name ? p : `${normalizePath(folder, '/')}/${p.replace(/^(\.\/)+/, '')}`;
    }
    return { name, m: new Minimatch(p.replace(/\/+$/, ''), { dot: true }) };
  });
  return (abs) => ms.some(({ name, m }) => (name ? m.match(path.posix.basename(abs)) : m.match(abs)));
}

/** Path rules that can hide or protect something: read ask/deny or write deny in some layer. */
function relevantRules(policy: Policy, agent: string | undefined): CompiledPathRule[] {
  const sets = policy.layers.flatMap((l) => [l, ...(agent && l.agents.get(agent) ? [l.agents.get(agent)!] : [])]);
  return sets.flatMap((s) => s.paths).filter((r) => (r.ops.read && r.ops.read.verdict !== 'allow') || r.ops.write?.verdict === 'deny');
}

/** A cheap test whether a rule may match `rel` (relative to the folder) or `name`; evaluatePath decides. */
function mayMatch(rule: CompiledPathRule, rel: string, name: string, nocase: boolean): boolean {
  const f = (s: string) => (nocase ? s.toLowerCase() : s);
  if (rule.kind === 'name') {
    const n = f(name);
    if (rule.literal !== undefined) {
      return n === rule.literal;
    }
    return n.startsWith(rule.prefix) && n.endsWith(rule.suffix) && rule.matcher.match(name);
  }
  if (rule.kind === 'relative') {
    return rule.matcher.match(rel) || rule.matcher.match(`${rel}/airlock-contents-probe`);
  }
  return false;
}

function describeRule(d: ReturnType<typeof evaluatePath>, what: string, how: string): SandboxRule {
  const r = d.rules[0];
  if (!r) {
    return { what, source: 'built-in', rule: 'policy', how };
  }
  return { what, source: r.line !== undefined ? `${r.source}:${r.line}` : r.source, rule: `${r.rule} (${r.verdict})`, how };
}

const READ_HOW = 'To let sandboxed agents read it, add it to `sandbox.filesystem.allowRead` in .airlock/policy.json and restart `airlock run`.';
const WRITE_HOW = 'The policy forbids writing it; change that rule in .airlock/policy.json (outside the sandbox) and restart `airlock run`.';

export function scanSandbox(input: ScanInput): ScanResult {
  const started = Date.now();
  const findings: Finding[] = [];
  const gitDirs: string[] = [];
  const agentLc = input.agent?.toLowerCase();
  const rules = relevantRules(input.policy, agentLc);
  const allowRead = allowReadMatcher(input.allowRead, input.folder, input.home);
  const nocase = input.policy.caseInsensitive;
  let entries = 0;

  /**
   * Policy verdicts for one path: hidden (read not allowed), read-only (write denied). `mount` is
   * where the finding goes (a symlink's target; the path the agent names decides).
   */
  const policyCheck = (abs: string, rel: string, name: string, type: 'file' | 'dir', mount = abs): 'hide' | 'readonly' | undefined => {
    if (!rules.some((r) => mayMatch(r, rel, name, nocase))) {
      return undefined;
    }
    const probe = type === 'dir' ? `${abs}/airlock-contents-probe` : abs;
    const opts = { ...(agentLc ? { agent: agentLc } : {}) };
    // A folder is hidden when what is inside it may not be read (`.ssh`, `secrets/**`).
    const read = evaluatePath(input.policy, probe, 'read', opts);
    const hideBy = read.wouldBe !== 'allow' ? read : undefined;
    if (hideBy && !allowRead(abs)) {
      findings.push({ path: mount, type, effect: 'hide', rule: describeRule(hideBy, 'a path the policy protects from reading', READ_HOW) });
      return 'hide';
    }
    const write = evaluatePath(input.policy, probe, 'write', opts);
    if (write.wouldBe === 'deny') {
      findings.push({ path: mount, type, effect: 'readonly', rule: describeRule(write, 'a path the policy forbids writing', WRITE_HOW) });
      return 'readonly';
    }
    return undefined;
  };

  const walk = (dir: string, rel: string, parentName: string) => {
    let list: fs.Dirent[];
    try {
      list = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of list) {
      entries++;
      const abs = `${dir}/${e.name}`;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git') {
        const g = gitDirOf(abs);
        if (g) {
          gitDirs.push(g);
        }
        continue;
      }
      if (e.isSymbolicLink()) {
        // A link is not followed; a protected name on it protects what it points to, when that exists.
        const target = realpathOrUndefined(abs);
        const t = target ? typeOf(target) : undefined;
        if (target && t) {
          const rule = PROTECTED_NAMES[e.name] ?? PROTECTED_PAIRS[`${parentName}/${e.name}`] ?? PROTECTED_DIR_NAMES[e.name];
          const verdict = policyCheck(abs, r, e.name, t, target);
          if (!verdict && rule) {
            findings.push({ path: target, type: t, effect: 'readonly', rule });
          }
        }
        continue;
      }
      const type = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : undefined;
      if (!type) {
        continue;
      }
      const verdict = policyCheck(abs, r, e.name, type);
      if (verdict === 'hide') {
        continue;
      }
      const rule = verdict ? undefined : (PROTECTED_NAMES[e.name] ?? PROTECTED_PAIRS[`${parentName}/${e.name}`] ?? (type === 'dir' ? PROTECTED_DIR_NAMES[e.name] : undefined));
      if (rule) {
        findings.push({ path: abs, type, effect: 'readonly', rule });
      }
      if (type === 'dir') {
        walk(abs, r, e.name);
      }
    }
  };
  walk(input.folder, '', path.basename(input.folder));
  const rootGit = gitDirOf(path.join(input.folder, '.git'));
  if (rootGit && !gitDirs.includes(rootGit)) {
    gitDirs.push(rootGit);
  }
  for (const g of gitDirs) {
    for (const p of gitProtected(g, input.createMissing ?? true)) {
      findings.push({ path: p.path, type: p.type, effect: 'readonly', rule: BUILTIN_RULES.git });
    }
  }

  // The home folder: known secrets, other agents' credentials, secret-looking names at its top.
  const home = input.home;
  const hide = (abs: string, rule: SandboxRule) => {
    const t = typeOf(abs);
    if (t && !allowRead(abs) && !findings.some((f) => f.path === abs)) {
      findings.push({ path: abs, type: t, effect: 'hide', rule });
    }
  };
  const own = new Set(input.agent ? AGENT_PROFILES[input.agent].credentials({ home, env: input.env }) : []);
  for (const rel of HOME_SECRETS) {
    const abs = path.join(home, rel);
    if (!own.has(abs)) {
      hide(abs, BUILTIN_RULES.homeSecret);
    }
  }
  for (const a of SANDBOX_AGENTS.filter((x) => x !== input.agent)) {
    for (const c of AGENT_PROFILES[a].credentials({ home, env: input.env })) {
      if (!own.has(c)) {
        hide(c, BUILTIN_RULES.otherAgent);
      }
    }
  }
  hide(input.airlockState, BUILTIN_RULES.airlockState);
  if (!isInside(input.folder, home)) {
    let names: fs.Dirent[] = [];
    try {
      names = fs.readdirSync(home, { withFileTypes: true });
    } catch {
      // no home folder to look at
    }
    for (const e of names) {
      const abs = path.join(home, e.name);
      if (own.has(abs) || e.isSymbolicLink() || findings.some((f) => f.path === abs)) {
        continue;
      }
      const type = e.isDirectory() ? 'dir' : 'file';
      const sets = rules.filter((r) => r.kind === 'name' && mayMatch(r, e.name, e.name, nocase));
      if (sets.length) {
        const d = evaluatePath(input.policy, type === 'dir' ? `${abs}/airlock-contents-probe` : abs, 'read', agentLc ? { agent: agentLc } : {});
        if (d.wouldBe !== 'allow' && !allowRead(abs)) {
          findings.push({ path: abs, type, effect: 'hide', rule: describeRule(d, 'a path the policy protects from reading', READ_HOW) });
        }
      }
    }
  }
  return { findings, gitDirs, entries, ms: Date.now() - started };
}

function isInside(dir: string, p: string): boolean {
  return p === dir || p.startsWith(`${dir}/`);
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** The git directory a `.git` entry stands for: the folder itself, or where a `.git` file points. */
export function gitDirOf(dotGit: string): string | undefined {
  const t = typeOf(dotGit);
  if (t === 'dir') {
    return realpathOrUndefined(dotGit);
  }
  if (t === 'file') {
    try {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      return m ? realpathOrUndefined(path.resolve(path.dirname(dotGit), m[1])) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The common git directory of a git directory (a linked worktree's main .git). */
export function gitCommonDir(gitDir: string): string {
  try {
    const rel = fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim();
    return realpathOrUndefined(path.resolve(gitDir, rel)) ?? gitDir;
  } catch {
    return gitDir;
  }
}

/**
 * What stays read-only in a git directory (and its common directory): hooks, config, packed refs
 * and Airlock's snapshot refs. `refs/airlock` and `packed-refs` are created when missing, so that the
 * agent cannot create them (forged snapshots) where nothing could be mounted.
 */
function gitProtected(gitDir: string, create: boolean): { path: string; type: 'file' | 'dir' }[] {
  const out: { path: string; type: 'file' | 'dir' }[] = [];
  for (const dir of [...new Set([gitDir, gitCommonDir(gitDir)])]) {
    try {
      if (!create) {
        throw new Error('dry run');
      }
      fs.mkdirSync(path.join(dir, 'refs', 'airlock'), { recursive: true });
      const packed = path.join(dir, 'packed-refs');
      if (!fs.existsSync(packed)) {
        fs.writeFileSync(packed, '# pack-refs with: peeled fully-peeled sorted \n', { flag: 'wx' });
      }
    } catch {
      // a read-only repository: nothing can be written there anyway
    }
    for (const rel of GIT_PROTECTED) {
      const p = path.join(dir, rel);
      const t = typeOf(p);
      if (t) {
        out.push({ path: p, type: t });
      }
    }
    const modules = path.join(dir, 'modules');
    if (typeOf(modules) === 'dir') {
      for (const sub of listGitDirs(modules)) {
        out.push(...gitProtected(sub, create));
      }
    }
  }
  return out;
}

/** Git directories of submodules below `.git/modules` (a folder with a HEAD file). */
function listGitDirs(dir: string, depth = 0): string[] {
  if (depth > 4) {
    return [];
  }
  let list: fs.Dirent[];
  try {
    list = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  if (list.some((e) => e.name === 'HEAD' && e.isFile())) {
    return [dir];
  }
  return list.filter((e) => e.isDirectory()).flatMap((e) => listGitDirs(path.join(dir, e.name), depth + 1));
}
