/**
 * The shape of a policy file (`.airlock/policy.json`, `.airlock/policy.local.json`) and of the
 * `airlock.policy` user setting, as described by schemas/policy.schema.json (the one source of truth).
 */
import type { CommandCategory, PathOp, Verdict } from '../core/types';

export type PathRuleValue = Verdict | ({ readonly [op in PathOp]?: Verdict } & { readonly reason?: string });
export type CommandRuleValue = Verdict | { readonly verdict: Verdict; readonly reason?: string };
export type OpVerdicts = Verdict | { readonly [op in PathOp]?: Verdict };

export interface PolicyDefaults {
  readonly unknownCommand?: Verdict;
  readonly outsideWorkspace?: OpVerdicts;
  /** A plain `git push` of branches (no force, deletion or tags); allow by default. */
  readonly gitPush?: Verdict;
}

/** The rule sets a file and each of its agents may have. */
export interface PolicyRuleSet {
  readonly paths?: Readonly<Record<string, PathRuleValue>>;
  readonly commands?: Readonly<Record<string, CommandRuleValue>>;
  readonly categories?: { readonly [c in CommandCategory]?: CommandRuleValue };
  readonly defaults?: PolicyDefaults;
}

export interface SnapshotSettings {
  readonly enabled?: boolean;
  readonly include?: readonly string[];
  readonly maxFileSizeMB?: number;
  readonly retention?: { readonly maxCount?: number; readonly maxAgeDays?: number; readonly maxSizeMB?: number };
}

export interface ApprovalSettings {
  readonly timeoutSeconds?: number;
  readonly onTimeout?: 'deny' | 'allow';
  readonly allowForSession?: boolean;
}

export interface BudgetSettings {
  readonly filesChanged?: number;
  readonly filesDeleted?: number;
  readonly commands?: number;
  readonly minutes?: number;
}

/** The `sandbox` section: what `airlock run` lets the sandboxed agent reach beyond the built-in rules. */
export interface SandboxSection {
  readonly network?: { readonly allow?: readonly string[]; readonly loopbackPorts?: readonly number[] };
  readonly filesystem?: { readonly allowWrite?: readonly string[]; readonly allowRead?: readonly string[] };
  readonly unixSockets?: boolean;
}

export interface PolicyFile extends PolicyRuleSet {
  readonly $schema?: string;
  readonly mode?: 'enforce' | 'audit';
  readonly agents?: Readonly<Record<string, PolicyRuleSet>>;
  readonly snapshots?: SnapshotSettings;
  readonly approval?: ApprovalSettings;
  readonly budgets?: BudgetSettings;
  readonly sandbox?: SandboxSection;
}

/** The merged non-rule settings of all layers, with every default filled in. */
export interface PolicySettings {
  readonly snapshots: {
    readonly enabled: boolean;
    readonly include: readonly string[];
    readonly maxFileSizeMB: number;
    readonly retention: { readonly maxCount: number; readonly maxAgeDays: number; readonly maxSizeMB: number };
  };
  readonly approval: { readonly timeoutSeconds: number; readonly onTimeout: 'deny' | 'allow'; readonly allowForSession: boolean };
  readonly budgets: BudgetSettings;
}
