/**
 * Evaluation: a pure function from a proposed action (and, for a command, the shell analysis of it)
 * to a Decision. No I/O: symlink targets and whether a file exists come in as PathFacts.
 */
import type {
  CommandAnalysis,
  CommandFinding,
  Decision,
  MatchedRule,
  PathOp,
  ProposedAction,
  SubCommand,
  Verdict,
} from '../core/types';
import { strictest } from '../core/types';
import type { CompiledCommandRule, CompiledPathRule, CompiledRuleSet, Policy, RuleRef, WordMatcher } from './compile';
import { normalizePath, rankOf } from './compile';

/** What the I/O helper (inspectPaths) found out about a path, keyed by its normalised absolute path. */
export interface PathFact {
  /** The real path after resolving symlinks, when it differs. */
  readonly real?: string;
  readonly exists: boolean;
}
export type PathFacts = ReadonlyMap<string, PathFact>;

interface Outcome {
  readonly verdict: Verdict;
  readonly rules: readonly RuleRef[];
  /** Plain-language reasons for this verdict (for ask and deny). */
  readonly reasons: readonly string[];
}

const QUIET_ALLOW: Outcome = { verdict: 'allow', rules: [], reasons: [] };

function outcome(verdict: Verdict, rules: readonly RuleRef[], context?: string): Outcome {
  return { verdict, rules, reasons: verdict === 'allow' ? [] : rules.map((r) => (context ? `${context}: ${r.reason}` : r.reason)) };
}

/** The strictest outcome; on a tie, the rules and reasons of every outcome with that verdict. */
function combine(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.length === 0) {
    return QUIET_ALLOW;
  }
  const v = strictest(...outcomes.map((o) => o.verdict));
  const top = outcomes.filter((o) => o.verdict === v);
  return { verdict: v, rules: unique(top.flatMap((o) => o.rules)), reasons: unique(top.flatMap((o) => o.reasons)) };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * Decides one question through the layers. `pick` returns the rules of a rule set that match.
 * A layer that can relax (built-in, then team) replaces what came before; later layers and every
 * agent's rules only tighten. `fallback` decides when no rule matches. Built-in floors hold last.
 */
function layered(policy: Policy, agent: string, pick: (set: CompiledRuleSet) => readonly RuleRef[], fallback: () => Outcome, context: string): Outcome {
  let cur: Outcome | undefined;
  let floor: RuleRef | undefined;
  const apply = (matches: readonly RuleRef[], canRelax: boolean) => {
    if (matches.length === 0) {
      return;
    }
    for (const m of matches) {
      if (m.floor && (!floor || rankOf(m.floor) > rankOf(floor.floor!))) {
        floor = m;
      }
    }
    const v = strictest(...matches.map((m) => m.verdict));
    const deciding = matches.filter((m) => m.verdict === v);
    if (canRelax) {
      cur = outcome(v, deciding, context);
      return;
    }
    cur ??= fallback();
    if (rankOf(v) > rankOf(cur.verdict)) {
      cur = outcome(v, deciding, context);
    } else if (v === cur.verdict && v !== 'allow') {
      cur = combine([cur, outcome(v, deciding, context)]);
    }
  };
  for (const layer of policy.layers) {
    apply(pick(layer), layer.canRelax);
    const agentSet = layer.agents.get(agent);
    if (agentSet) {
      apply(pick(agentSet), false);
    }
  }
  let result = cur ?? fallback();
  const f = floor as RuleRef | undefined;
  if (f?.floor && rankOf(f.floor) > rankOf(result.verdict)) {
    result = outcome(f.floor, [{ ...f, verdict: f.floor, reason: `${f.reason} (Airlock never allows this without asking.)` }], context);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Paths

interface PathLocation {
  readonly abs: string;
  /** Relative to the workspace folder, when inside it ('' for the folder itself). */
  readonly rel?: string;
  /** Path segments to test name patterns against. */
  readonly segments: readonly string[];
  /** The same, lower-case when matching is case-insensitive. */
  readonly folded: readonly string[];
  readonly foldedRel?: string;
  readonly foldedAbs: string;
}

function locate(policy: Policy, abs: string): PathLocation {
  const fold = (s: string) => (policy.caseInsensitive ? s.toLowerCase() : s);
  const a = fold(abs);
  for (const folder of [policy.folder, policy.realFolder]) {
    if (!folder) {
      continue;
    }
    const r = fold(folder);
    if (a === r) {
      return { abs, rel: '', segments: [], folded: [], foldedRel: '', foldedAbs: a };
    }
    const prefix = r.endsWith('/') ? r : `${r}/`;
    if (a.startsWith(prefix)) {
      const rel = abs.slice(prefix.length);
      const foldedRel = a.slice(prefix.length);
      return { abs, rel, segments: rel.split('/'), folded: foldedRel.split('/'), foldedRel, foldedAbs: a };
    }
  }
  const segments = abs.replace(/^[A-Za-z]:/, '').split('/').filter(Boolean);
  return { abs, segments, folded: segments.map(fold), foldedAbs: a };
}

function nameMatches(rule: CompiledPathRule, loc: PathLocation): boolean {
  for (let i = 0; i < loc.segments.length; i++) {
    const f = loc.folded[i];
    if (rule.literal !== undefined) {
      if (f === rule.literal) {
        return true;
      }
    } else if (f.startsWith(rule.prefix) && f.endsWith(rule.suffix) && f.length >= rule.prefix.length + rule.suffix.length && rule.matcher.match(loc.segments[i])) {
      return true;
    }
  }
  return false;
}

/** Whether an anchored rule can match `folded` (the target), something above it, or (for a delete) something inside it. */
function mayMatch(rule: CompiledPathRule, folded: string, op: PathOp): boolean {
  return folded.startsWith(rule.prefix) || (op === 'delete' && rule.prefix.startsWith(`${folded}/`));
}

/** A name standing for "something inside this folder". */
const CONTENTS_PROBE = 'airlock-contents-probe';

function matchesAnchored(rule: CompiledPathRule, target: string, op: PathOp): boolean {
  if (rule.matcher.match(target)) {
    return true;
  }
  if (op === 'delete' && rule.matcher.match(`${target}/${CONTENTS_PROBE}`)) {
    // Deleting a folder deletes what a `folder/**` rule protects.
    return true;
  }
  if (rule.coversContents) {
    // A pattern that names a folder covers everything inside it.
    let i = target.lastIndexOf('/');
    while (i > 0) {
      const prefix = target.slice(0, i);
      if (rule.matcher.match(prefix)) {
        return true;
      }
      i = prefix.lastIndexOf('/');
    }
  }
  return false;
}

function pathRuleMatches(rule: CompiledPathRule, loc: PathLocation, op: PathOp, scope: 'inside' | 'outside-abs' | 'outside-float'): boolean {
  switch (rule.kind) {
    case 'name':
      return scope !== 'outside-abs' && nameMatches(rule, loc);
    case 'relative':
      if (scope === 'inside') {
        return loc.rel !== undefined && loc.rel !== '' && mayMatch(rule, loc.foldedRel ?? '', op) && matchesAnchored(rule, loc.rel, op);
      }
      return scope === 'outside-float' && rule.floating && matchesAnchored(rule, loc.abs.replace(/^([A-Za-z]:)?\//, ''), op);
    case 'absolute':
      return scope !== 'outside-float' && mayMatch(rule, loc.foldedAbs, op) && matchesAnchored(rule, loc.abs, op);
  }
}

function pickPaths(loc: PathLocation, op: PathOp, scope: 'inside' | 'outside-abs' | 'outside-float') {
  return (set: CompiledRuleSet): RuleRef[] => {
    const out: RuleRef[] = [];
    for (const rule of set.paths) {
      const ref = rule.ops[op];
      if (ref && pathRuleMatches(rule, loc, op, scope)) {
        out.push(ref);
      }
    }
    return out;
  };
}

const OP_LABEL: Record<PathOp, string> = { read: 'Reading', write: 'Changing', create: 'Creating', delete: 'Deleting' };

const OUTSIDE_FALLBACK: RuleRef = {
  source: 'built-in',
  rule: 'defaults.outsideWorkspace',
  verdict: 'ask',
  reason: 'This is outside the workspace folder.',
  ownReason: false,
};

/** One path operation through the layers (no symlink resolution: see evaluatePath). */
function decidePathOnce(policy: Policy, abs: string, op: PathOp, agent: string): Outcome {
  const loc = locate(policy, abs);
  const shown = loc.rel !== undefined ? loc.rel || '.' : abs;
  const context = `${OP_LABEL[op]} ${shown}`;
  if (loc.rel !== undefined) {
    const decided = layered(policy, agent, pickPaths(loc, op, 'inside'), () => QUIET_ALLOW, context);
    if (loc.rel === '' && op === 'delete' && decided.verdict === 'allow') {
      const ref: RuleRef = { source: 'built-in', rule: 'workspace folder', verdict: 'ask', reason: 'This is the whole workspace folder.', ownReason: false };
      return outcome('ask', [ref], context);
    }
    return decided;
  }
  const outsideDefault = () => layered(policy, agent, (set) => (set.outsideWorkspace[op] ? [set.outsideWorkspace[op]!] : []), () => outcome('ask', [OUTSIDE_FALLBACK], context), context);
  const byAbsolute = layered(policy, agent, pickPaths(loc, op, 'outside-abs'), outsideDefault, context);
  // Name patterns (*.pem, .env*) and **/ patterns still tighten outside the workspace; they never relax it.
  const byName = layered(policy, agent, pickPaths(loc, op, 'outside-float'), () => QUIET_ALLOW, context);
  return combine([byAbsolute, byName]);
}

function decidePath(policy: Policy, path: string, cwd: string, op: PathOp, agent: string, facts?: PathFacts): Outcome {
  const abs = normalizePath(path, cwd);
  const fact = facts?.get(abs);
  const effectiveOp: PathOp = op === 'create' && fact?.exists ? 'write' : op;
  const parts = [decidePathOnce(policy, abs, effectiveOp, agent)];
  if (fact?.real && fact.real !== abs) {
    // An edit through a link is an edit of its target.
    parts.push(decidePathOnce(policy, normalizePath(fact.real, '/'), effectiveOp, agent));
  }
  return combine(parts);
}

// ---------------------------------------------------------------------------------------------
// Commands

function matchWords(pattern: readonly WordMatcher[], pi: number, argv: readonly string[], ai: number, first: string | undefined): boolean {
  if (pi === pattern.length) {
    return ai === argv.length;
  }
  const w = pattern[pi];
  if (w.any) {
    for (let k = ai; k <= argv.length; k++) {
      if (matchWords(pattern, pi + 1, argv, k, undefined)) {
        return true;
      }
    }
    return false;
  }
  if (ai >= argv.length) {
    return false;
  }
  const test = (s: string) => (w.re ? w.re.test(s) : w.literal === s);
  if (!test(argv[ai]) && !(ai === 0 && first !== undefined && test(first))) {
    return false;
  }
  return matchWords(pattern, pi + 1, argv, ai + 1, undefined);
}

export function commandRuleMatches(rule: CompiledCommandRule, sub: SubCommand): boolean {
  if (rule.regex) {
    return rule.regex.test(sub.text);
  }
  return rule.words ? matchWords(rule.words, 0, sub.argv, 0, sub.program || undefined) : false;
}

function severityDefault(f: CommandFinding): RuleRef {
  return {
    source: 'built-in',
    rule: `finding ${f.id} (${f.category}, ${f.severity})`,
    verdict: f.severity === 'catastrophic' ? 'deny' : 'ask',
    reason: f.reason,
    ownReason: true,
  };
}

function decideFinding(policy: Policy, f: CommandFinding, agent: string, context: string): Outcome {
  const pick = (set: CompiledRuleSet): RuleRef[] => {
    const ref = set.categories[f.category];
    return ref ? [ref.ownReason ? ref : { ...ref, reason: `${f.reason} (${ref.reason})` }] : [];
  };
  return layered(policy, agent, pick, () => outcome(severityDefault(f).verdict, [severityDefault(f)], context), context);
}

function decideSubCommand(policy: Policy, sub: SubCommand, agent: string): Outcome {
  const context = `\`${sub.text}\``;
  const byKnowledge = (): Outcome => {
    if (sub.findings.length > 0) {
      return combine(sub.findings.map((f) => decideFinding(policy, f, agent, context)));
    }
    if (sub.knowledge !== 'unknown') {
      return QUIET_ALLOW;
    }
    const fallback: RuleRef = { source: 'built-in', rule: 'defaults.unknownCommand', verdict: 'ask', reason: 'Airlock does not know what this command does.', ownReason: false };
    return layered(policy, agent, (set) => (set.unknownCommand ? [set.unknownCommand] : []), () => outcome('ask', [fallback], context), context);
  };
  const pick = (set: CompiledRuleSet): RuleRef[] => set.commands.filter((r) => commandRuleMatches(r, sub)).map((r) => r.ref);
  let result = layered(policy, agent, pick, byKnowledge, context);
  const catastrophic = sub.findings.find((f) => f.severity === 'catastrophic');
  if (catastrophic && result.verdict === 'allow') {
    // Catastrophic findings are never relaxed below ask (documented in the README's policy file reference).
    const ref: RuleRef = { ...severityDefault(catastrophic), verdict: 'ask', reason: `${catastrophic.reason} (Airlock always asks before this.)` };
    result = outcome('ask', [ref], context);
  }
  return result;
}

function decideCommand(policy: Policy, action: ProposedAction, analysis: CommandAnalysis | undefined, facts: PathFacts | undefined): Outcome {
  const agent = action.agent.toLowerCase();
  if (!analysis) {
    const ref: RuleRef = { source: 'built-in', rule: 'no analysis', verdict: 'ask', reason: 'Airlock could not analyse this command.', ownReason: false };
    return outcome('ask', [ref], action.command ? `\`${action.command}\`` : 'command');
  }
  const parts = analysis.subcommands.map((s) => decideSubCommand(policy, s, agent));
  for (const e of analysis.effects) {
    parts.push(decidePath(policy, e.path, action.cwd, e.op, agent, facts));
  }
  if (analysis.parseErrors.length > 0) {
    const ref: RuleRef = {
      source: 'built-in',
      rule: 'parse errors',
      verdict: 'ask',
      reason: `Airlock could not fully understand this command line (${analysis.parseErrors.join('; ')}), so it asks.`,
      ownReason: false,
    };
    parts.push(outcome('ask', [ref]));
  }
  if (analysis.subcommands.length === 0 && analysis.parseErrors.length === 0 && analysis.commandLine.trim() !== '') {
    parts.push(layered(policy, agent, (set) => (set.unknownCommand ? [set.unknownCommand] : []), () => QUIET_ALLOW, `\`${analysis.commandLine}\``));
  }
  return combine(parts);
}

// ---------------------------------------------------------------------------------------------

function pathOps(action: ProposedAction): { path: string; op: PathOp }[] {
  switch (action.kind) {
    case 'edit':
      return action.paths.map((path) => ({ path, op: 'write' }));
    case 'create':
      return action.paths.map((path) => ({ path, op: 'create' }));
    case 'delete':
      return action.paths.map((path) => ({ path, op: 'delete' }));
    case 'read':
      return action.paths.map((path) => ({ path, op: 'read' }));
    case 'rename': {
      const [from, to] = action.paths;
      const out: { path: string; op: PathOp }[] = [];
      if (from !== undefined) {
        out.push({ path: from, op: 'delete' });
      }
      if (to !== undefined) {
        out.push({ path: to, op: 'create' });
      }
      return out;
    }
    default:
      return [];
  }
}

/** The decision for one path operation, without an action around it (the UI, snapshots, watchers). */
export function evaluatePath(policy: Policy, path: string, op: PathOp, options: { agent?: string; cwd?: string; facts?: PathFacts } = {}): Decision {
  const o = decidePath(policy, path, options.cwd ?? policy.folder, op, (options.agent ?? '').toLowerCase(), options.facts);
  return toDecision(policy, o);
}

/**
 * The decision for an action. For a command, pass the shell analysis of `action.command` (without
 * one a command is asked). `facts` (from inspectPaths) resolves symlinks and turns a create of an
 * existing file into a write.
 */
export function evaluate(policy: Policy, action: ProposedAction, analysis?: CommandAnalysis, facts?: PathFacts): Decision {
  let o: Outcome;
  if (action.kind === 'command') {
    o = decideCommand(policy, action, analysis, facts);
  } else {
    const ops = pathOps(action);
    if (ops.length === 0 || (action.kind === 'rename' && ops.length < 2)) {
      const ref: RuleRef = { source: 'built-in', rule: 'malformed action', verdict: 'ask', reason: `The agent's ${action.kind} names no file${action.kind === 'rename' ? ' pair' : ''}.`, ownReason: false };
      o = outcome('ask', [ref]);
    } else {
      const agent = action.agent.toLowerCase();
      o = combine(ops.map(({ path, op }) => decidePath(policy, path, action.cwd || policy.folder, op, agent, facts)));
    }
  }
  return toDecision(policy, o, action.kind === 'command' ? analysis : undefined);
}

function toDecision(policy: Policy, o: Outcome, analysis?: CommandAnalysis): Decision {
  const rules: MatchedRule[] = o.rules.map(({ source, line, column, rule, verdict, reason }) => ({
    source,
    ...(line !== undefined ? { line, column } : {}),
    rule,
    verdict,
    reason,
  }));
  return {
    verdict: policy.mode === 'audit' ? 'allow' : o.verdict,
    wouldBe: o.verdict,
    mode: policy.mode,
    reasons: o.reasons,
    rules,
    ...(analysis ? { analysis } : {}),
  };
}
