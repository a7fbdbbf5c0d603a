/**
 * One action under the workspace policy (src/policy), for the headless gate: loads the layered
 * policy once per workspace folder, analyses commands, resolves paths (symlinks, existence), and
 * decides tools Airlock does not know.
 */
import type { CommandAnalysis, Decision, ProposedAction } from '../core/types';
import { strictest } from '../core/types';
import type { Policy } from '../policy/compile';
import { evaluate } from '../policy/evaluate';
import type { LoadedPolicy } from '../policy/load';
import { findWorkspaceRoot, inspectAction, loadPolicy } from '../policy/load';
import type { CommandAnalyzer } from '../policy/naiveAnalysis';

/** The shell analyzer (src/shell), loaded with its parsers only when a command is to be decided. */
const shellAnalyzer: CommandAnalyzer = async (line, opts) => {
  const { analyzeCommandAsync } = await import('../shell/analyze.js');
  return analyzeCommandAsync(line, { ...opts, workspace: findWorkspaceRoot(opts.cwd) });
};

let analyzer: CommandAnalyzer = shellAnalyzer;

/** Replaces the command analyzer (tests, or a build without the shell parser). */
export function setHookCommandAnalyzer(fn: CommandAnalyzer): void {
  analyzer = fn;
}

export class PolicyEvaluator {
  private readonly loaded = new Map<string, LoadedPolicy>();

  /** The policy of a workspace folder (loaded once; bad files become problems, never looser rules). */
  policyOf(root: string): LoadedPolicy {
    let l = this.loaded.get(root);
    if (!l) {
      l = loadPolicy(root);
      this.loaded.set(root, l);
    }
    return l;
  }

  async evaluate(action: ProposedAction, root: string): Promise<Decision> {
    const { policy } = this.policyOf(root);
    if (action.unknownTool) {
      return evaluateUnknownTool(policy, action);
    }
    if (action.kind === 'command') {
      const analysis: CommandAnalysis = await analyzer(action.command ?? '', { cwd: action.cwd, ...(action.shell ? { shell: action.shell } : {}) });
      return evaluate(policy, action, analysis, inspectAction(action, analysis));
    }
    return evaluate(policy, action, undefined, inspectAction(action));
  }
}

/**
 * A tool Airlock does not know: asked (the policy's mode still applies: audit mode lets it run),
 * and never looser than a write of every path it names would be.
 */
export function evaluateUnknownTool(policy: Policy, action: ProposedAction): Decision {
  const reason = `Airlock does not know the tool '${action.tool ?? '?'}' of ${action.agent}, so a human has to approve it.`;
  const asked: Decision = {
    verdict: policy.mode === 'audit' ? 'allow' : 'ask',
    wouldBe: 'ask',
    mode: policy.mode,
    reasons: [reason],
    rules: [{ source: 'built-in', rule: 'unknown tool', verdict: 'ask', reason }],
  };
  if (action.paths.length === 0) {
    return asked;
  }
  const asEdit: ProposedAction = { ...action, kind: 'edit', unknownTool: false };
  const byPaths = evaluate(policy, asEdit, undefined, inspectAction(asEdit));
  return {
    verdict: strictest(asked.verdict, byPaths.verdict),
    wouldBe: strictest(asked.wouldBe, byPaths.wouldBe),
    mode: policy.mode,
    reasons: [...asked.reasons, ...byPaths.reasons],
    rules: [...asked.rules, ...byPaths.rules],
  };
}
