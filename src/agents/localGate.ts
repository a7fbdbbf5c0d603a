/**
 * The headless gate: decides with the folder's policy alone, for when VS Code cannot be reached,
 * through the same gate orchestration as the window (src/gate: policy, snapshot before a change that
 * may go ahead, audit). No human in VS Code can approve here: an 'ask' goes to the agent's own user
 * when the agent can ask in this run, and otherwise becomes a deny that says how to approve.
 */
import { appendAudit } from '../audit/log';
import type { GateResult, ProposedAction } from '../core/types';
import type { Gate, GateContext, GateDeps } from '../gate/gate';
import { decide } from '../gate/gate';
import { shellAnalyzer } from '../gate/shellAnalyzer';
import type { CommandAnalyzer } from '../policy/evaluator';
import { ActionEvaluator } from '../policy/evaluator';
import { policyFolder } from '../policy/folder';
import type { LoadedPolicy } from '../policy/load';
import { policyCache } from '../policy/load';
import { HOW_TO_APPROVE } from './adapter';

export interface LocalGateOptions {
  /** Where audit entries go (default: the per-user state dir); false to keep no audit. */
  readonly audit?: false | ((entry: Parameters<NonNullable<GateDeps['audit']>>[0]) => void);
  /** false: take no snapshots (tests of decisions alone). */
  readonly snapshots?: false;
  /** The shell analyzer (default: src/shell, loaded when a command comes). */
  readonly analyze?: CommandAnalyzer;
  /** The user's home folder for policies and analysis (default: os.homedir()). */
  readonly home?: string;
  /** Why no window could be reached (where Airlock looked): told to the agent with how to approve. */
  readonly unreachable?: string;
}

export class LocalGate implements Gate {
  private readonly policies: (folder: string) => LoadedPolicy;
  private readonly evaluator: ActionEvaluator;

  constructor(private readonly opts: LocalGateOptions = {}) {
    this.policies = policyCache(opts.home ? { home: opts.home } : {});
    this.evaluator = new ActionEvaluator({ policyOf: (f) => this.policies(f).policy, analyze: opts.analyze ?? shellAnalyzer(opts.home ? { home: opts.home } : {}) });
  }

  async decide(actions: readonly ProposedAction[], ctx: GateContext): Promise<GateResult> {
    if (actions.length === 0) {
      return { decision: { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] }, decidedBy: 'policy' };
    }
    const known = ctx.installedFor ? [ctx.installedFor] : [];
    const folders = new Map<string, string>();
    const folder = (a: ProposedAction) => {
      let f = folders.get(a.cwd);
      if (f === undefined) {
        f = policyFolder(a.cwd, known);
        folders.set(a.cwd, f);
      }
      return f;
    };
    const deps: GateDeps = {
      evaluate: (a) => this.evaluator.evaluate(a, folder(a)),
      agentCanAsk: ctx.canAsk,
      howToApprove: this.opts.unreachable ? `${this.opts.unreachable}. ${HOW_TO_APPROVE}` : HOW_TO_APPROVE,
      folder,
      snapshot: async (f, label, action) => {
        const settings = this.evaluator.policy(f).settings.snapshots;
        if (!settings.enabled || this.opts.snapshots === false) {
          return undefined;
        }
        const { snapshotOptionsFromPolicy, takeSnapshot } = await import('../snapshot/snapshot.js');
        const r = await takeSnapshot(f, { label, agent: action.agent, tool: action.tool }, snapshotOptionsFromPolicy(settings));
        return r.id;
      },
      via: 'cli',
      ...(this.opts.audit === false ? {} : { audit: this.opts.audit ?? ((e) => void appendAudit(e)) }),
    };
    return decide(actions, deps, ctx.signal);
  }
}
