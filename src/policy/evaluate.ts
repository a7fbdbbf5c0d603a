/**
 * Evaluation: a pure function from a proposed action (and, for a command, the shell analysis of it)
 * to a Decision. No I/O: symlink targets and whether a file exists come in as PathFacts.
 */
import type { CommandAnalysis, Decision, MatchedRule, PathOp, ProposedAction } from '../core/types';
import type { Policy, RuleRef } from './compile';
import { decideCommand } from './commandRules';
import type { EvaluationContext } from './commandRules';
import { combine, outcome } from './layers';
import type { Outcome } from './layers';
import { decidePath } from './pathRules';
import type { PathFacts } from './pathRules';

export type { PathFact, PathFacts } from './pathRules';
export { commandRuleMatches } from './commandRules';
export type { EvaluationContext } from './commandRules';

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
export function evaluate(policy: Policy, action: ProposedAction, analysis?: CommandAnalysis, facts?: PathFacts, context: EvaluationContext = {}): Decision {
  let o: Outcome;
  if (action.kind === 'command') {
    o = decideCommand(policy, action, analysis, facts, context);
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
  // Audit mode lets things run and records what enforce mode would do, except the built-in floor
  // (catastrophic commands, Airlock's own files): that holds in every mode.
  const audited = policy.mode === 'audit' && !o.floor;
  return {
    verdict: audited ? 'allow' : o.verdict,
    wouldBe: o.verdict,
    mode: policy.mode,
    reasons: o.reasons,
    rules,
    ...(analysis ? { analysis } : {}),
    ...(o.verdict === 'allow' && o.needsSnapshot ? { needsSnapshot: true } : {}),
  };
}

