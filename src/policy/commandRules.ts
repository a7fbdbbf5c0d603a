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

export function decideCommand(policy: Policy, action: ProposedAction, analysis: CommandAnalysis | undefined, facts: PathFacts | undefined): Outcome {
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

