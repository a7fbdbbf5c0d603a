/** Commands: command rules, findings by category and severity, unknown programs, the command's effects. */
import type { CommandAnalysis, CommandFinding, ProposedAction, SubCommand } from '../core/types';
import type { CompiledCommandRule, CompiledRuleSet, Policy, RuleRef, WordMatcher } from './compile';
import { combine, layered, outcome, QUIET_ALLOW } from './layers';
import type { Outcome } from './layers';
import { decidePath } from './pathRules';
import type { PathFacts } from './pathRules';

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

/** What the evaluation knows about where the command runs. */
export interface EvaluationContext {
  /**
   * The agent runs under `airlock run`, where the operating system confines its writes to the
   * workspace: a program Airlock does not know can then run with a snapshot before it instead of
   * a question (effects outside the workspace are still judged by their rules).
   */
  readonly confined?: boolean;
}

/** Allowed without a question, on the condition that the snapshot before it is taken. */
const WITH_SNAPSHOT: Outcome = { ...QUIET_ALLOW, needsSnapshot: true };

function decideFinding(policy: Policy, f: CommandFinding, agent: string, context: string): Outcome {
  const pick = (set: CompiledRuleSet): RuleRef[] => {
    const ref = set.categories[f.category];
    return ref ? [ref.ownReason ? ref : { ...ref, reason: `${f.reason} (${ref.reason})` }] : [];
  };
  const fallback = (): Outcome => {
    if (f.recoverable && policy.settings.snapshots.enabled) {
      // everything it changes is in the workspace and in the snapshot taken before it
      return WITH_SNAPSHOT;
    }
    if (f.id === 'git.push') {
      const ref: RuleRef = { source: 'built-in', rule: 'defaults.gitPush', verdict: 'allow', reason: f.reason, ownReason: true };
      return layered(policy, agent, (set) => (set.gitPush ? [{ ...set.gitPush, reason: `${f.reason} (${set.gitPush.reason})` }] : []), () => outcome('allow', [ref], context), context);
    }
    const d = severityDefault(f);
    const o = outcome(d.verdict, [d], context);
    return f.severity === 'catastrophic' ? { ...o, floor: true } : o;
  };
  return layered(policy, agent, pick, fallback, context);
}

function decideSubCommand(policy: Policy, sub: SubCommand, agent: string, ctx: EvaluationContext): Outcome {
  const context = `\`${sub.text}\``;
  const byKnowledge = (): Outcome => {
    const found = sub.findings.map((f) => decideFinding(policy, f, agent, context));
    if (sub.findings.length > 0 && !(sub.knowledge === 'unknown' && sub.unknownReason)) {
      return combine(found);
    }
    if (sub.knowledge !== 'unknown') {
      return QUIET_ALLOW;
    }
    const why = sub.unknownReason ? `${sub.unknownReason}.` : 'Airlock does not know what this command does.';
    const fallback: RuleRef = { source: 'built-in', rule: 'defaults.unknownCommand', verdict: 'ask', reason: why, ownReason: false };
    const decided = layered(policy, agent, (set) => (set.unknownCommand ? [{ ...set.unknownCommand, reason: sub.unknownReason ? `${why} ${set.unknownCommand.reason}` : set.unknownCommand.reason }] : []), () => outcome('ask', [fallback], context), context);
    if (ctx.confined && decided.verdict === 'ask' && decided.rules.every((r) => r.source === 'built-in') && policy.settings.snapshots.enabled) {
      return combine([...found, WITH_SNAPSHOT]);
    }
    // an option Airlock does not know counts whatever else is known about the command
    return combine([...found, decided]);
  };
  const pick = (set: CompiledRuleSet): RuleRef[] => set.commands.filter((r) => commandRuleMatches(r, sub)).map((r) => r.ref);
  let result = layered(policy, agent, pick, byKnowledge, context);
  const catastrophic = sub.findings.find((f) => f.severity === 'catastrophic');
  if (catastrophic && result.verdict === 'allow') {
    // Catastrophic findings are never relaxed below ask (documented in the README's policy file reference).
    const ref: RuleRef = { ...severityDefault(catastrophic), verdict: 'ask', reason: `${catastrophic.reason} (Airlock always asks before this.)` };
    result = { ...outcome('ask', [ref], context), floor: true };
  }
  return result;
}

export function decideCommand(policy: Policy, action: ProposedAction, analysis: CommandAnalysis | undefined, facts: PathFacts | undefined, ctx: EvaluationContext = {}): Outcome {
  const agent = action.agent.toLowerCase();
  if (!analysis) {
    const ref: RuleRef = { source: 'built-in', rule: 'no analysis', verdict: 'ask', reason: 'Airlock could not analyse this command.', ownReason: false };
    return outcome('ask', [ref], action.command ? `\`${action.command}\`` : 'command');
  }
  const parts = analysis.subcommands.map((s) => decideSubCommand(policy, s, agent, ctx));
  for (const e of analysis.effects) {
    parts.push(decidePath(policy, e.path, action.cwd, e.op, agent, facts));
  }
  // reads: the same rule as the Read tool for the same file, whatever program reads it
  for (const r of analysis.reads ?? []) {
    parts.push(decidePath(policy, r.path, action.cwd, 'read', agent, facts, r.recursive));
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

