import type { CommandAnalysis, CommandCategory, CommandFinding, PathEffect, ProposedAction, Severity, SubCommand } from '../../src/core/types';
import type { BuildPolicyOptions, LayerInput, Policy } from '../../src/policy/compile';
import { buildPolicy } from '../../src/policy/compile';
import { parsePolicyText } from '../../src/policy/parse';
import type { PolicyFile } from '../../src/policy/policyFile';

export const ROOT = '/home/dev/shop';

/** A layer from JSONC text (so rules have positions) or from an object. */
export function layer(content: string | PolicyFile, source = `${ROOT}/.airlock/policy.json`): LayerInput {
  if (typeof content !== 'string') {
    return { source, file: content };
  }
  const parsed = parsePolicyText(content, source);
  if (!parsed.file) {
    throw new Error(`test policy is invalid: ${parsed.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
  }
  return { source, file: parsed.file, locate: parsed.locate };
}

export function policy(
  team?: string | PolicyFile,
  personal?: string | PolicyFile,
  extra: Partial<BuildPolicyOptions> = {},
): Policy {
  return buildPolicy({
    folder: ROOT,
    home: '/home/dev',
    caseInsensitive: false,
    ...(team !== undefined ? { team: layer(team) } : {}),
    ...(personal !== undefined ? { personal: layer(personal, `${ROOT}/.airlock/policy.local.json`) } : {}),
    ...extra,
  });
}

export function action(kind: ProposedAction['kind'], paths: string[], extra: Partial<ProposedAction> = {}): ProposedAction {
  return { kind, paths, cwd: ROOT, agent: 'claude', ...extra };
}

export function finding(category: CommandCategory, severity: Severity, id = `${category}.test`, reason = `a ${severity} ${category} operation`): CommandFinding {
  return { category, severity, id, reason };
}

export function sub(text: string, opts: { findings?: CommandFinding[]; knowledge?: SubCommand['knowledge']; argv?: string[]; program?: string } = {}): SubCommand {
  const argv = opts.argv ?? text.split(/\s+/).filter(Boolean);
  return {
    text,
    argv,
    program: opts.program ?? (argv[0] ?? '').replace(/^.*\//, ''),
    cwd: ROOT,
    findings: opts.findings ?? [],
    knowledge: opts.knowledge ?? (opts.findings?.length ? 'known' : 'harmless'),
  };
}

export function analysis(subs: SubCommand[], effects: PathEffect[] = [], parseErrors: string[] = []): CommandAnalysis {
  return { commandLine: subs.map((s) => s.text).join(' && '), shell: 'bash', subcommands: subs, effects, parseErrors };
}

export function command(a: CommandAnalysis, agent = 'claude'): ProposedAction {
  return { kind: 'command', paths: [], command: a.commandLine, cwd: ROOT, agent };
}
