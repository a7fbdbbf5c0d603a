/**
 * Turns policy files into a compiled, layered Policy: globs become minimatch matchers, command
 * patterns become word matchers or regular expressions, and every rule remembers where it is written.
 * Pure: no I/O.
 */
import { Minimatch } from 'minimatch';
import type { CommandCategory, MatchedRule, PathOp, Verdict } from '../core/types';
import { COMMAND_CATEGORIES, VERDICT_RANK } from '../core/types';
import { BUILTIN_POLICY, isFloorPattern, stateDirRules, tempDirRules } from './builtin';
import { mergeMode, mergeSettings } from './settings';
import type { JsonPath, SourcePosition } from './parse';
import { describePath, isRegexPattern } from './parse';
import type { OpVerdicts, PolicyFile, PolicyRuleSet, PolicySettings } from './policyFile';

export const PATH_OPS: readonly PathOp[] = ['read', 'write', 'create', 'delete'];

export type LayerName = 'built-in' | 'team' | 'nested' | 'personal' | 'settings';

/** A rule as evaluation uses it: a MatchedRule plus what evaluation needs to know about it. */
export interface RuleRef extends MatchedRule {
  /** The reason was written in the policy (not a generated one). */
  readonly ownReason: boolean;
  /** No layer may decide below this (built-in guard rules). */
  readonly floor?: Verdict;
}

export interface CompiledPathRule {
  readonly pattern: string;
  /** name: no slash, matches any path segment; relative: from the workspace folder; absolute: / or ~/. */
  readonly kind: 'name' | 'relative' | 'absolute';
  readonly matcher: Minimatch;
  /** Whether a match of an ancestor folder also covers the path (patterns not ending in **). */
  readonly coversContents: boolean;
  /** Anchored patterns that begin with ** also apply outside the workspace folder. */
  readonly floating: boolean;
  readonly ops: { readonly [op in PathOp]?: RuleRef };
  /** Quick filters (lower-case when matching is case-insensitive): every match starts with `prefix`... */
  readonly prefix: string;
  /** ...and, for name patterns, ends with `suffix`. */
  readonly suffix: string;
  /** A name pattern without wildcards: matched by equality. */
  readonly literal?: string;
}

export type WordMatcher = { readonly any: true } | { readonly any: false; readonly re: RegExp | undefined; readonly literal: string };

export interface CompiledCommandRule {
  readonly pattern: string;
  readonly regex?: RegExp;
  readonly words?: readonly WordMatcher[];
  readonly ref: RuleRef;
}

export interface CompiledRuleSet {
  readonly paths: readonly CompiledPathRule[];
  readonly commands: readonly CompiledCommandRule[];
  readonly categories: { readonly [c in CommandCategory]?: RuleRef };
  readonly unknownCommand?: RuleRef;
  readonly gitPush?: RuleRef;
  readonly outsideWorkspace: { readonly [op in PathOp]?: RuleRef };
}

export interface CompiledLayer extends CompiledRuleSet {
  readonly name: LayerName;
  readonly source: string;
  /** Built-in and team layers decide; the later ones (and any layer while a file is invalid) only tighten. */
  readonly canRelax: boolean;
  /** Per-agent rule sets, keyed by lower-case agent name; they only tighten. */
  readonly agents: ReadonlyMap<string, CompiledRuleSet>;
  readonly file: PolicyFile;
}

/** A policy ready for evaluation: one per workspace folder. */
export interface Policy {
  /** The workspace folder, absolute with forward slashes. */
  readonly folder: string;
  /** The folder's real path when it differs (a symlinked workspace). */
  readonly realFolder?: string;
  readonly caseInsensitive: boolean;
  readonly layers: readonly CompiledLayer[];
  readonly mode: 'enforce' | 'audit';
  readonly settings: PolicySettings;
  /** A policy file is invalid: its last valid rules can only tighten the built-in defaults. */
  readonly degraded: boolean;
}

/** One layer's input: a valid policy file (a ParsedPolicy with `file` set fits). */
export interface LayerInput {
  /** Absolute path of the file, or 'settings'. */
  readonly source: string;
  readonly file: PolicyFile;
  readonly locate?: (path: JsonPath) => SourcePosition | undefined;
}

export interface BuildPolicyOptions {
  /** The workspace folder (absolute). */
  readonly folder: string;
  /** Its real path, when it is reached through a symlink. */
  readonly realFolder?: string;
  /** The user's home directory, for ~/ patterns; rules with ~/ are ignored without it. */
  readonly home?: string;
  /** Default: true on Windows and macOS. */
  readonly caseInsensitive?: boolean;
  /** The team's .airlock/policy.json. */
  readonly team?: LayerInput;
  /** The personal .airlock/policy.local.json. */
  readonly personal?: LayerInput;
  /** The user's settings (`airlock.policy`), already validated. */
  readonly settings?: PolicyFile;
  /** True while a policy file is invalid: the given (last valid) files may then only tighten. */
  readonly degraded?: boolean;
  /** Temporary directories (absolute): scratch space where reading, writing, creating and deleting is allowed. */
  readonly tempDirs?: readonly string[];
  /** Airlock's state folder, when it is not the default ~/.local/state/agent-airlock. */
  readonly stateDir?: string;
  /** Policy files of folders above the workspace folder or below it on the way to the agent's cwd: they only tighten. */
  readonly nested?: readonly LayerInput[];
}

export function defaultCaseInsensitive(): boolean {
  return process.platform === 'win32' || process.platform === 'darwin';
}

/** Absolute, normalised, forward slashes; resolves `.` and `..`. Relative paths are taken from `cwd`. */
export function normalizePath(p: string, cwd: string): string {
  const win = /^[A-Za-z]:[\\/]/.test(p) || /^[A-Za-z]:[\\/]/.test(cwd) || p.startsWith('\\\\');
  const sep = (s: string) => (win ? s.replace(/\\/g, '/') : s);
  const input = sep(p);
  const base = sep(cwd);
  const isAbs = input.startsWith('/') || /^[A-Za-z]:\//.test(input);
  const joined = isAbs ? input : `${base.replace(/\/+$/, '')}/${input}`;
  const driveMatch = /^([A-Za-z]:)(\/.*)?$/.exec(joined);
  const prefix = driveMatch ? driveMatch[1].toUpperCase() : '';
  const rest = driveMatch ? (driveMatch[2] ?? '/') : joined;
  const out: string[] = [];
  for (const seg of rest.split('/')) {
    if (seg === '' || seg === '.') {
      continue;
    }
    if (seg === '..') {
      out.pop();
    } else {
      out.push(seg);
    }
  }
  return `${prefix}/${out.join('/')}`;
}

const OP_VERB: Record<PathOp, string> = { read: 'reading', write: 'changing', create: 'creating', delete: 'deleting' };

function verdictWords(v: Verdict): string {
  return v === 'deny' ? 'forbids' : v === 'ask' ? 'asks before' : 'allows';
}

function wordMatcher(word: string, nocase: boolean): WordMatcher {
  if (word === '*' || word === '**') {
    return { any: true };
  }
  if (!/[*?]/.test(word)) {
    return { any: false, re: undefined, literal: word };
  }
  const source = word.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, nocase ? 'i' : '');
  return { any: false, re: re || undefined, literal: word };
}

function compileRuleSet(set: PolicyRuleSet, ctx: CompileContext, base: JsonPath, isBuiltin: boolean): CompiledRuleSet {
  const loc = (path: JsonPath) => ctx.locate?.(path);
  const ref = (path: JsonPath, verdict: Verdict, reason: string | undefined, fallbackReason: string, floor?: Verdict): RuleRef => {
    const pos = loc(path);
    return {
      source: ctx.source,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      rule: describePath(path),
      verdict,
      reason: reason ?? fallbackReason,
      ownReason: reason !== undefined,
      ...(floor ? { floor } : {}),
    };
  };

  const paths: CompiledPathRule[] = [];
  for (const [rawPattern, value] of Object.entries(set.paths ?? {})) {
    const ops: { [op in PathOp]?: RuleRef } = {};
    const reason = typeof value === 'string' ? undefined : value.reason;
    const floor = isBuiltin && isFloorPattern(rawPattern, ctx.stateDir) ? 'ask' : undefined;
    for (const op of PATH_OPS) {
      const v = typeof value === 'string' ? value : value[op];
      if (v) {
        const path = typeof value === 'string' ? [...base, 'paths', rawPattern] : [...base, 'paths', rawPattern, op];
        const text = `The policy ${verdictWords(v)} ${OP_VERB[op]} files matching ${rawPattern}.`;
        ops[op] = ref(path, v, reason, text, floor && op !== 'read' ? floor : undefined);
      }
    }
    const compiled = compilePathPattern(rawPattern, ctx, ops);
    if (compiled) {
      paths.push(compiled);
    }
  }

  const commands: CompiledCommandRule[] = [];
  for (const [pattern, value] of Object.entries(set.commands ?? {})) {
    const v = typeof value === 'string' ? value : value.verdict;
    const reason = typeof value === 'string' ? undefined : value.reason;
    const r = ref([...base, 'commands', pattern], v, reason, `The policy ${verdictWords(v)} running \`${pattern}\`.`);
    if (isRegexPattern(pattern)) {
      const m = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
      try {
        commands.push({ pattern, regex: new RegExp(m![1], m![2].replace(/[gy]/g, '')), ref: r });
      } catch {
        // Reported by parse.ts; an uncompilable rule matches nothing.
      }
    } else {
      const words = pattern.trim().split(/\s+/).filter(Boolean);
      if (words.length) {
        commands.push({ pattern, words: words.map((w) => wordMatcher(w, false)), ref: r });
      }
    }
  }

  const categories: { [c in CommandCategory]?: RuleRef } = {};
  for (const c of COMMAND_CATEGORIES) {
    const value = set.categories?.[c];
    if (value) {
      const v = typeof value === 'string' ? value : value.verdict;
      const reason = typeof value === 'string' ? undefined : value.reason;
      categories[c] = ref([...base, 'categories', c], v, reason, `The policy ${verdictWords(v)} ${c} operations.`);
    }
  }

  const d = set.defaults;
  const unknownCommand = d?.unknownCommand
    ? ref([...base, 'defaults', 'unknownCommand'], d.unknownCommand, undefined, unknownReason(d.unknownCommand))
    : undefined;
  const outsideWorkspace: { [op in PathOp]?: RuleRef } = {};
  const ow: OpVerdicts | undefined = d?.outsideWorkspace;
  if (ow) {
    for (const op of PATH_OPS) {
      const v = typeof ow === 'string' ? ow : ow[op];
      if (v) {
        const path = typeof ow === 'string' ? [...base, 'defaults', 'outsideWorkspace'] : [...base, 'defaults', 'outsideWorkspace', op];
        outsideWorkspace[op] = ref(path, v, undefined, `This is outside the workspace folder; the policy ${verdictWords(v)} ${OP_VERB[op]} files there.`);
      }
    }
  }
  const gitPush = d?.gitPush ? ref([...base, 'defaults', 'gitPush'], d.gitPush, undefined, `The policy ${verdictWords(d.gitPush)} pushing branches with git push.`) : undefined;
  return { paths, commands, categories, ...(unknownCommand ? { unknownCommand } : {}), ...(gitPush ? { gitPush } : {}), outsideWorkspace };
}

function unknownReason(v: Verdict): string {
  return v === 'allow'
    ? 'Airlock does not know this command; the policy allows unknown commands.'
    : `Airlock does not know what this command does, so the policy ${v === 'deny' ? 'refuses' : 'asks'}.`;
}

interface CompileContext {
  readonly source: string;
  readonly locate?: (path: JsonPath) => SourcePosition | undefined;
  readonly nocase: boolean;
  readonly home?: string;
  /** Airlock's state folder when it is not the default one (its rule is a floor too). */
  readonly stateDir?: string;
}

function compilePathPattern(raw: string, ctx: CompileContext, ops: CompiledPathRule['ops']): CompiledPathRule | undefined {
  let p = raw.trim().replace(/\\/g, '/');
  let kind: CompiledPathRule['kind'];
  if (p.startsWith('~/')) {
    if (!ctx.home) {
      return undefined;
    }
    p = `${normalizePath(ctx.home, '/')}/${p.slice(2)}`.replace(/\/{2,}/g, '/');
    kind = 'absolute';
  } else if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) {
    kind = 'absolute';
    if (/^[a-z]:\//.test(p)) {
      p = p[0].toUpperCase() + p.slice(1);
    }
  } else {
    p = p.replace(/^(\.\/)+/, '');
    kind = p.replace(/\/+$/, '').includes('/') ? 'relative' : 'name';
  }
  if (p.endsWith('/')) {
    p = `${p}**`;
    if (kind === 'name') {
      kind = 'relative';
      p = `**/${p}`;
    }
  }
  const glob = p;
  let matcher: Minimatch | undefined;
  const fold = (x: string) => (ctx.nocase ? x.toLowerCase() : x);
  // Only plain * and ? wildcards allow the quick prefix/suffix filters; anything fancier goes to minimatch alone.
  const simple = !/[[\]{}()!+@\\]/.test(p);
  const firstMagic = p.search(/[*?]/);
  const lastMagic = Math.max(p.lastIndexOf('*'), p.lastIndexOf('?'));
  const prefix = simple ? fold(firstMagic < 0 ? p : p.slice(0, firstMagic)) : '';
  const suffix = simple && kind === 'name' && lastMagic >= 0 ? fold(p.slice(lastMagic + 1)) : '';
  const literal = simple && kind === 'name' && firstMagic < 0 ? fold(p) : undefined;
  return {
    pattern: raw,
    kind,
    // Built when first matched: most paths are told apart by the quick filters, and a hook call
    // should not compile every glob of the policy to decide one Read.
    get matcher() {
      matcher ??= new Minimatch(glob, { dot: true, nocase: ctx.nocase, nonegate: true, nocomment: true, windowsPathsNoEscape: false, platform: 'linux' });
      return matcher;
    },
    ops,
    coversContents: !p.endsWith('/**'),
    floating: kind === 'relative' && p.startsWith('**/'),
    prefix: kind === 'name' || !p.startsWith('**/') ? prefix : '',
    suffix,
    ...(literal !== undefined ? { literal } : {}),
  };
}

export function compileLayer(name: LayerName, input: LayerInput, opts: { nocase: boolean; home?: string; canRelax: boolean; stateDir?: string }): CompiledLayer {
  const ctx: CompileContext = { source: input.source, nocase: opts.nocase, ...(input.locate ? { locate: input.locate } : {}), ...(opts.home ? { home: opts.home } : {}), ...(opts.stateDir ? { stateDir: opts.stateDir } : {}) };
  const isBuiltin = name === 'built-in';
  const own = compileRuleSet(input.file, ctx, [], isBuiltin);
  const agents = new Map<string, CompiledRuleSet>();
  for (const [agent, set] of Object.entries(input.file.agents ?? {})) {
    agents.set(agent.toLowerCase(), compileRuleSet(set, ctx, ['agents', agent], false));
  }
  return { ...own, name, source: input.source, canRelax: opts.canRelax, agents, file: input.file };
}

let builtinCache: { key: string; layer: CompiledLayer } | undefined;

function builtinLayer(nocase: boolean, home: string | undefined, tempDirs: readonly string[], stateDir?: string): CompiledLayer {
  const temps = [...new Set(tempDirs.map((d) => normalizePath(d, '/')))].filter((d) => d !== '/');
  const state = stateDir ? normalizePath(stateDir, '/') : undefined;
  const key = JSON.stringify([nocase, home ?? '', temps, state ?? '']);
  if (builtinCache?.key !== key) {
    const file: PolicyFile = { ...BUILTIN_POLICY, paths: { ...BUILTIN_POLICY.paths, ...tempDirRules(temps, home === undefined ? undefined : normalizePath(home, '/')), ...stateDirRules(state) } };
    builtinCache = { key, layer: compileLayer('built-in', { source: 'built-in', file }, { nocase, home, canRelax: true, ...(state ? { stateDir: state } : {}) }) };
  }
  return builtinCache.layer;
}

/** Builds the layered policy of one workspace folder: built-in < team < personal < settings. */
export function buildPolicy(opts: BuildPolicyOptions): Policy {
  const nocase = opts.caseInsensitive ?? defaultCaseInsensitive();
  const folder = normalizePath(opts.folder, '/');
  const realFolder = opts.realFolder ? normalizePath(opts.realFolder, '/') : undefined;
  const degraded = opts.degraded ?? false;
  const layers: CompiledLayer[] = [builtinLayer(nocase, opts.home, opts.tempDirs ?? [], opts.stateDir)];
  if (opts.team) {
    layers.push(compileLayer('team', opts.team, { nocase, home: opts.home, canRelax: !degraded }));
  }
  for (const n of opts.nested ?? []) {
    // policy files of folders above this one, or of the folder the agent works in below it: their
    // rules only tighten (an agent can write one), their settings are not used
    const { paths, commands, categories, defaults, agents } = n.file;
    const rulesOnly: PolicyFile = { ...(paths ? { paths } : {}), ...(commands ? { commands } : {}), ...(categories ? { categories } : {}), ...(defaults ? { defaults } : {}), ...(agents ? { agents } : {}) };
    layers.push(compileLayer('nested', { ...n, file: rulesOnly }, { nocase, home: opts.home, canRelax: false }));
  }
  if (opts.personal) {
    layers.push(compileLayer('personal', opts.personal, { nocase, home: opts.home, canRelax: false }));
  }
  if (opts.settings) {
    layers.push(compileLayer('settings', { source: 'settings', file: opts.settings }, { nocase, home: opts.home, canRelax: false }));
  }
  return {
    folder,
    ...(realFolder && realFolder !== folder ? { realFolder } : {}),
    caseInsensitive: nocase,
    layers,
    mode: mergeMode(layers, degraded),
    settings: mergeSettings(layers),
    degraded,
  };
}

export function rankOf(v: Verdict): number {
  return VERDICT_RANK[v];
}
