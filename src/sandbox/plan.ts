/**
 * The sandbox for one `airlock run`, as data: which paths are writable, read-only or hidden (in the
 * order bubblewrap must mount them), the environment, and the network. Built from what the scan
 * found (scan.ts) and the merged `sandbox` policy. Pure: no I/O.
 */
import * as path from 'node:path';
import type { Sourced } from '../policy/sandboxPolicy';
import type { SandboxAgent } from './agents';
import { AGENT_PROFILES, SANDBOX_AGENTS } from './agents';
import type { SandboxRule } from './protectedPaths';
import { BUILTIN_RULES, PRIVATE_DIRS, UNSET_ENV } from './protectedPaths';

/** One path the scan found that the sandbox must protect. */
export interface Finding {
  /** Absolute. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  /** hide: unreadable (and unwritable); readonly: visible, not writable. */
  readonly effect: 'hide' | 'readonly';
  readonly rule: SandboxRule;
}

export type Mount =
  /** A private, empty, writable folder (tmpfs). */
  | { readonly kind: 'tmpfs'; readonly path: string }
  /** The host's path at the same place, writable or not. */
  | { readonly kind: 'bind'; readonly path: string; readonly writable: boolean }
  /** An empty read-only folder over the path. */
  | { readonly kind: 'hide-dir'; readonly path: string }
  /** An unreadable empty file over the path. */
  | { readonly kind: 'hide-file'; readonly path: string };

export interface Writable {
  readonly path: string;
  readonly why: string;
}

export interface SandboxPlan {
  readonly folder: string;
  readonly agent?: SandboxAgent;
  readonly mounts: readonly Mount[];
  readonly writable: readonly Writable[];
  readonly findings: readonly Finding[];
  /** Set in the sandbox (on top of the supervisor's environment minus `unsetEnv`). */
  readonly env: Readonly<Record<string, string>>;
  readonly unsetEnv: readonly string[];
  readonly network: {
    /** Hosts reachable through the proxy. */
    readonly allow: readonly Sourced<string>[];
    /** Ports of the host's loopback forwarded into the sandbox. */
    readonly loopbackPorts: readonly number[];
  };
  readonly unixSockets: boolean;
}

export interface PlanInput {
  /** The workspace folder (absolute, real path). */
  readonly folder: string;
  readonly home: string;
  /** The supervisor's environment. */
  readonly env: NodeJS.ProcessEnv;
  readonly agent?: SandboxAgent;
  /** What the scan found. */
  readonly findings: readonly Finding[];
  /** Git directories of the workspace that lie outside it (a linked worktree's): writable. */
  readonly gitDirsOutside: readonly string[];
  /** Extra writable paths from the policy (that exist). */
  readonly allowWrite: readonly Sourced<string>[];
  /** The running agent's state paths that exist (writable). */
  readonly agentState: readonly string[];
  /** Paths the sandbox needs to see although they lie in a private folder (HOME in /tmp, the CLI). */
  readonly reexpose: readonly string[];
  /** Airlock's folders that must never be writable (extensions, the CLI) even inside a writable path. */
  readonly airlockReadOnly: readonly string[];
  readonly network: { readonly allow: readonly Sourced<string>[]; readonly loopbackPorts: readonly number[] };
  readonly unixSockets: boolean;
  /** Set in the sandbox (the channel's endpoint and token, the proxy). */
  readonly sandboxEnv: Readonly<Record<string, string>>;
  /** Private runtime folders besides PRIVATE_DIRS (XDG_RUNTIME_DIR, AIRLOCK_RUNTIME_DIR elsewhere). */
  readonly extraPrivate: readonly string[];
}

export function isInsideOrSame(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

const depth = (p: string) => p.split('/').filter(Boolean).length;
const byDepth = <T extends { path: string }>(xs: readonly T[]) => [...xs].sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path));

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = key(x);
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

/** The environment variables of agents other than the running one that hold their credentials. */
export function otherAgentsCredentialEnv(agent: SandboxAgent | undefined): string[] {
  return SANDBOX_AGENTS.filter((a) => a !== agent).flatMap((a) => AGENT_PROFILES[a].credentialEnv);
}

export function buildPlan(input: PlanInput): SandboxPlan {
  const privates = uniqueBy(
    [...PRIVATE_DIRS, ...input.extraPrivate].map((p) => ({ path: p })),
    (x) => x.path,
  );
  const writable: Writable[] = uniqueBy(
    [
      { path: input.folder, why: 'the workspace folder' },
      ...input.gitDirsOutside.map((p) => ({ path: p, why: "the workspace's git directory" })),
      ...input.agentState.map((p) => ({ path: p, why: `${input.agent ? AGENT_PROFILES[input.agent].displayName : 'the agent'}'s own state` })),
      ...input.allowWrite.map((w) => ({ path: w.value, why: `sandbox.filesystem.allowWrite in ${w.source}` })),
    ],
    (w) => w.path,
  );
  const inPrivate = (p: string) => privates.some((d) => isInsideOrSame(d.path, p));
  const reexpose = uniqueBy(
    input.reexpose.filter(inPrivate).map((p) => ({ path: p })),
    (x) => x.path,
  ).filter((r) => !writable.some((w) => isInsideOrSame(w.path, r.path)));
  const readonly: Finding[] = [
    ...input.findings.filter((f) => f.effect === 'readonly'),
    // Airlock's own folders stay read-only even when a writable path contains them.
    ...input.airlockReadOnly
      .filter((p) => writable.some((w) => isInsideOrSame(w.path, p) && w.path !== p))
      .map((p): Finding => ({ path: p, type: 'dir', effect: 'readonly', rule: BUILTIN_RULES.airlock })),
  ];
  const hidden = input.findings.filter((f) => f.effect === 'hide');
  // A folder that holds a mount can still be renamed (`mv .git .git-old`, then a fresh .git with
  // hooks): every folder between a writable root and a read-only path is bound onto itself, and a
  // mount point cannot be renamed or removed.
  const pinned = new Set<string>();
  for (const f of readonly) {
    const root = writable.filter((w) => isInsideOrSame(w.path, f.path) && w.path !== f.path).sort((a, b) => b.path.length - a.path.length)[0];
    for (let d = path.posix.dirname(f.path); root && d.length > root.path.length && isInsideOrSame(root.path, d); d = path.posix.dirname(d)) {
      pinned.add(d);
    }
  }
  const mounts: Mount[] = [
    ...byDepth(privates).map((p): Mount => ({ kind: 'tmpfs', path: p.path })),
    ...byDepth(reexpose).map((p): Mount => ({ kind: 'bind', path: p.path, writable: false })),
    ...byDepth([...writable, ...[...pinned].filter((d) => !writable.some((w) => w.path === d)).map((d) => ({ path: d }))]).map((w): Mount => ({ kind: 'bind', path: w.path, writable: true })),
    ...byDepth(uniqueBy(readonly, (f) => f.path)).map((f): Mount => ({ kind: 'bind', path: f.path, writable: false })),
    ...byDepth(uniqueBy(hidden, (f) => f.path)).map((f): Mount => ({ kind: f.type === 'dir' ? 'hide-dir' : 'hide-file', path: f.path })),
  ];
  const unsetEnv = [...UNSET_ENV, ...otherAgentsCredentialEnv(input.agent)].filter((k) => !(k in input.sandboxEnv));
  return {
    folder: input.folder,
    ...(input.agent ? { agent: input.agent } : {}),
    mounts,
    writable,
    findings: [...readonly, ...hidden],
    env: { TMPDIR: '/tmp', AIRLOCK_SANDBOX: '1', ...input.sandboxEnv },
    unsetEnv,
    network: { allow: input.network.allow, loopbackPorts: [...new Set(input.network.loopbackPorts)].sort((a, b) => a - b) },
    unixSockets: input.unixSockets,
  };
}

/** The writable folder that contains `p`, if any (the deepest). */
export function writableFor(plan: SandboxPlan, p: string): Writable | undefined {
  return plan.writable.filter((w) => isInsideOrSame(w.path, p)).sort((a, b) => b.path.length - a.path.length)[0];
}

/** The finding that covers `p` (the path itself or a folder above it), the deepest first. */
export function findingFor(plan: SandboxPlan, p: string, effect?: Finding['effect']): Finding | undefined {
  return plan.findings
    .filter((f) => (effect === undefined || f.effect === effect) && (f.path === p || (f.type === 'dir' && isInsideOrSame(f.path, p))))
    .sort((a, b) => b.path.length - a.path.length)[0];
}
