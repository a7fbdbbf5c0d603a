/**
 * Deciding one question through the policy's layers: built-in and team layers decide, later ones
 * and every agent's rules only tighten, the built-in floors hold last. Shared by paths and commands.
 */
import type { Verdict } from '../core/types';
import { strictest } from '../core/types';
import type { CompiledRuleSet, Policy, RuleRef } from './compile';
import { rankOf } from './compile';

export interface Outcome {
  readonly verdict: Verdict;
  readonly rules: readonly RuleRef[];
  /** Plain-language reasons for this verdict (for ask and deny). */
  readonly reasons: readonly string[];
  /** Allowed only with the snapshot taken before it (a change the snapshot can undo). */
  readonly needsSnapshot?: boolean;
  /** Decided by a built-in floor (Airlock's own files, catastrophic commands): audit mode keeps it. */
  readonly floor?: boolean;
}

export const QUIET_ALLOW: Outcome = { verdict: 'allow', rules: [], reasons: [] };

export function outcome(verdict: Verdict, rules: readonly RuleRef[], context?: string): Outcome {
  return { verdict, rules, reasons: verdict === 'allow' ? [] : rules.map((r) => (context ? `${context}: ${r.reason}` : r.reason)) };
}

/** The strictest outcome; on a tie, the rules and reasons of every outcome with that verdict. */
export function combine(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.length <= 1) {
    return outcomes[0] ?? QUIET_ALLOW;
  }
  let v: Verdict = 'allow';
  let needsSnapshot = false;
  for (const o of outcomes) {
    v = strictest(v, o.verdict);
    needsSnapshot ||= o.needsSnapshot === true;
  }
  const top = outcomes.filter((o) => o.verdict === v);
  const quiet = top.every((o) => o.rules.length === 0 && o.reasons.length === 0 && !o.floor);
  if (quiet && v === 'allow') {
    return needsSnapshot ? { ...QUIET_ALLOW, needsSnapshot } : QUIET_ALLOW;
  }
  return {
    verdict: v,
    rules: unique(top.flatMap((o) => o.rules)),
    reasons: unique(top.flatMap((o) => o.reasons)),
    ...(needsSnapshot ? { needsSnapshot: true } : {}),
    ...(top.some((o) => o.floor) ? { floor: true } : {}),
  };
}

export function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * Decides one question through the layers. `pick` returns the rules of a rule set that match.
 * A layer that can relax (built-in, then team) replaces what came before; later layers and every
 * agent's rules only tighten. `fallback` decides when no rule matches. Built-in floors hold last.
 */
export function layered(policy: Policy, agent: string, pick: (set: CompiledRuleSet) => readonly RuleRef[], fallback: () => Outcome, context: string): Outcome {
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
  return f?.floor && result.verdict !== 'allow' ? { ...result, floor: true } : result;
}

