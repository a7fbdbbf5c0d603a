/** Path rules: which rules decide an operation on a path, inside the workspace folder or outside it. */
import type { PathOp } from '../core/types';
import type { CompiledPathRule, CompiledRuleSet, Policy, RuleRef } from './compile';
import { normalizePath } from './compile';
import { combine, layered, outcome, QUIET_ALLOW } from './layers';
import type { Outcome } from './layers';

/** What the I/O helper (inspectPaths) found out about a path, keyed by its normalised absolute path. */
export interface PathFact {
  /** The real path after resolving symlinks, when it differs. */
  readonly real?: string;
  readonly exists: boolean;
}
export type PathFacts = ReadonlyMap<string, PathFact>;

// ---------------------------------------------------------------------------------------------
// Paths

export interface PathLocation {
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

export function locate(policy: Policy, abs: string): PathLocation {
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

export function nameMatches(rule: CompiledPathRule, loc: PathLocation): boolean {
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
/**
 * `contents`: the operation reaches everything inside the path too (deleting a folder, reading a
 * folder with everything below it).
 */
export function mayMatch(rule: CompiledPathRule, folded: string, contents: boolean): boolean {
  return folded.startsWith(rule.prefix) || (contents && rule.prefix.startsWith(`${folded}/`));
}

/** A name standing for "something inside this folder". */
const CONTENTS_PROBE = 'airlock-contents-probe';

export function matchesAnchored(rule: CompiledPathRule, target: string, contents: boolean): boolean {
  if (rule.matcher.match(target)) {
    return true;
  }
  if (contents && rule.matcher.match(`${target}/${CONTENTS_PROBE}`)) {
    // Deleting (or reading everything in) a folder reaches what a `folder/**` rule protects.
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

export function pathRuleMatches(rule: CompiledPathRule, loc: PathLocation, op: PathOp, contents: boolean, scope: 'inside' | 'outside-abs' | 'outside-float'): boolean {
  switch (rule.kind) {
    case 'name':
      return scope !== 'outside-abs' && nameMatches(rule, loc);
    case 'relative':
      if (scope === 'inside') {
        if (loc.rel === '') {
          // reading the whole folder: an anchored rule names something inside it (not a **/ one:
          // those are judged on the files the read is found to reach); deleting it is asked below
          return contents && op === 'read' && !rule.floating;
        }
        return loc.rel !== undefined && mayMatch(rule, loc.foldedRel ?? '', contents) && matchesAnchored(rule, loc.rel, contents);
      }
      return scope === 'outside-float' && rule.floating && matchesAnchored(rule, loc.abs.replace(/^([A-Za-z]:)?\//, ''), contents);
    case 'absolute':
      return scope !== 'outside-float' && mayMatch(rule, loc.foldedAbs, contents) && matchesAnchored(rule, loc.abs, contents);
  }
}

/** The rules of a rule set that decide an operation (most rules decide only some). */
const byOp = new WeakMap<CompiledRuleSet, Map<PathOp, readonly CompiledPathRule[]>>();

function rulesFor(set: CompiledRuleSet, op: PathOp): readonly CompiledPathRule[] {
  let m = byOp.get(set);
  if (!m) {
    m = new Map();
    byOp.set(set, m);
  }
  let rules = m.get(op);
  if (!rules) {
    rules = set.paths.filter((r) => r.ops[op]);
    m.set(op, rules);
  }
  return rules;
}

export function pickPaths(loc: PathLocation, op: PathOp, scope: 'inside' | 'outside-abs' | 'outside-float', contents = op === 'delete') {
  return (set: CompiledRuleSet): RuleRef[] => {
    const out: RuleRef[] = [];
    for (const rule of rulesFor(set, op)) {
      if (pathRuleMatches(rule, loc, op, contents, scope)) {
        out.push(rule.ops[op]!);
      }
    }
    return out;
  };
}

const OP_LABEL: Record<PathOp, string> = { read: 'Reading', write: 'Changing', create: 'Creating', delete: 'Deleting' };

export const OUTSIDE_FALLBACK: RuleRef = {
  source: 'built-in',
  rule: 'defaults.outsideWorkspace',
  verdict: 'ask',
  reason: 'This is outside the workspace folder.',
  ownReason: false,
};

/** One path operation through the layers (no symlink resolution: see evaluatePath). */
export function decidePathOnce(policy: Policy, abs: string, op: PathOp, agent: string, recursive = false): Outcome {
  const contents = op === 'delete' || recursive;
  const loc = locate(policy, abs);
  const shown = loc.rel !== undefined ? loc.rel || '.' : abs;
  const context = `${OP_LABEL[op]} ${shown}`;
  if (loc.rel !== undefined) {
    const decided = layered(policy, agent, pickPaths(loc, op, 'inside', contents), () => QUIET_ALLOW, context);
    if (loc.rel === '' && op === 'delete' && decided.verdict === 'allow') {
      const ref: RuleRef = { source: 'built-in', rule: 'workspace folder', verdict: 'ask', reason: 'This is the whole workspace folder.', ownReason: false };
      return outcome('ask', [ref], context);
    }
    return decided;
  }
  const outsideDefault = () => layered(policy, agent, (set) => (set.outsideWorkspace[op] ? [set.outsideWorkspace[op]!] : []), () => outcome('ask', [OUTSIDE_FALLBACK], context), context);
  const byAbsolute = layered(policy, agent, pickPaths(loc, op, 'outside-abs', contents), outsideDefault, context);
  // Name patterns (*.pem, .env*) and **/ patterns still tighten outside the workspace; they never relax it.
  const byName = layered(policy, agent, pickPaths(loc, op, 'outside-float', contents), () => QUIET_ALLOW, context);
  return combine([byAbsolute, byName]);
}

export function decidePath(policy: Policy, path: string, cwd: string, op: PathOp, agent: string, facts?: PathFacts, recursive = false): Outcome {
  const abs = normalizePath(path, cwd);
  const fact = facts?.get(abs);
  const effectiveOp: PathOp = op === 'create' && fact?.exists ? 'write' : op;
  const parts = [decidePathOnce(policy, abs, effectiveOp, agent, recursive)];
  if (fact?.real && fact.real !== abs) {
    // An edit through a link is an edit of its target.
    parts.push(decidePathOnce(policy, normalizePath(fact.real, '/'), effectiveOp, agent, recursive));
  }
  return combine(parts);
}

