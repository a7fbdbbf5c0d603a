/**
 * The headless gate: decides with the workspace policy alone, for when VS Code cannot be reached,
 * through the same gate orchestration as the extension (src/gate: policy, snapshot before an allowed
 * change, audit). No human can approve here, so an 'ask' becomes a deny that says how to approve.
 */
import { appendAudit } from '../audit/log';
import type { ProposedAction } from '../core/types';
import type { GateDeps } from '../gate/gate';
import { decide } from '../gate/gate';
import { HOW_TO_APPROVE } from './adapter';
import type { Gate, GateAnswer, GateContext } from './gate';
import { findWorkspaceRoot } from '../policy/load';
import { PolicyEvaluator } from './policyEvaluator';
import type { SnapshotService } from '../snapshot/service';

export interface LocalGateOptions {
  /** Where audit entries go (default: the per-user state dir); false to keep no audit. */
  readonly audit?: false | ((entry: Parameters<NonNullable<GateDeps['audit']>>[0]) => void);
  /** false: take no snapshots (tests of decisions alone). */
  readonly snapshots?: false;
}

export class LocalGate implements Gate {
  private readonly policy = new PolicyEvaluator();
  private snapshots: SnapshotService | undefined;

  constructor(private readonly opts: LocalGateOptions = {}) {}

  async decide(actions: readonly ProposedAction[], ctx: GateContext): Promise<GateAnswer> {
    if (actions.length === 0) {
      return { decision: { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] } };
    }
    const roots = new Map<string, string>();
    const folderOf = (a: ProposedAction) => {
      let r = roots.get(a.cwd);
      if (r === undefined) {
        r = findWorkspaceRoot(a.cwd);
        roots.set(a.cwd, r);
      }
      return r;
    };
    const deps: GateDeps = {
      evaluate: (a) => this.policy.evaluate(a, folderOf(a)),
      howToApprove: HOW_TO_APPROVE,
      folderOf,
      snapshot: async (folder, label, action) => {
        if (this.opts.snapshots === false) {
          return undefined;
        }
        // The one snapshot service (loaded only when a snapshot is due), with this folder's policy settings.
        const { SnapshotService } = await import('../snapshot/service.js');
        this.snapshots ??= new SnapshotService({ settings: (f) => this.policy.policyOf(f).policy.settings.snapshots });
        return this.snapshots.forGate(folder, label, action);
      },
      via: 'cli',
      ...(this.opts.audit === false ? {} : { audit: this.opts.audit ?? ((e) => void appendAudit(e)) }),
    };
    const r = await decide(actions, deps, ctx.signal);
    return { decision: r.decision, ...(r.snapshotId !== undefined ? { snapshotId: r.snapshotId } : {}), ...(r.snapshotError !== undefined ? { snapshotError: r.snapshotError } : {}) };
  }
}
