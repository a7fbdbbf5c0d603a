/**
 * The `sandbox` section of the layered policy, merged: what `airlock run` lets the sandboxed agent
 * reach beyond its built-in rules. Layers that can relax (built-in, then the team's file) set each
 * list; later layers (the personal file, the `airlock.policy` setting, and any layer while a file is
 * invalid) can only narrow it: they keep the entries they name that an earlier layer allowed, and
 * whatever else they name is ignored and reported. Pure: no I/O.
 */
import * as path from 'node:path';
import type { Policy } from './compile';
import { normalizePath } from './compile';
import type { SandboxSection } from './policyFile';

/** One value with the policy file (or 'built-in' / 'settings') it comes from. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

export interface SandboxPolicy {
  /** Hosts reachable through the proxy (`host`, `*.domain`, optionally `:port`), lower-case. */
  readonly networkAllow: readonly Sourced<string>[];
  readonly loopbackPorts: readonly Sourced<number>[];
  /** Extra writable paths, absolute and normalised (forward slashes). */
  readonly allowWrite: readonly Sourced<string>[];
  /** Globs kept readable although a read rule or the built-in secrets list would hide them. */
  readonly allowRead: readonly Sourced<string>[];
  readonly unixSockets: Sourced<boolean>;
  /** Entries a narrowing layer named that no earlier layer allowed: ignored, shown to the user. */
  readonly ignored: readonly string[];
}

interface ParsedHost {
  readonly wildcard: boolean;
  /** Without the `*.` of a wildcard. */
  readonly name: string;
  readonly port?: number;
}

export function parseHostPattern(p: string): ParsedHost {
  const m = /^(\*\.)?(.+?)(?::(\d{1,5}))?$/.exec(p.trim().toLowerCase());
  if (!m) {
    return { wildcard: false, name: p.toLowerCase() };
  }
  return { wildcard: m[1] !== undefined, name: m[2], ...(m[3] !== undefined ? { port: Number(m[3]) } : {}) };
}

/** Whether a host name (and port) is allowed by one pattern: `*.a.com` allows `b.a.com`, not `a.com`. */
export function hostMatches(pattern: string, host: string, port: number): boolean {
  const p = parseHostPattern(pattern);
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p.port !== undefined && p.port !== port) {
    return false;
  }
  return p.wildcard ? h.endsWith(`.${p.name}`) : h === p.name;
}

/** Whether every host `inner` allows is also allowed by `outer`. */
export function hostCovers(outer: string, inner: string): boolean {
  const o = parseHostPattern(outer);
  const i = parseHostPattern(inner);
  if (o.port !== undefined && o.port !== i.port) {
    return false;
  }
  if (!o.wildcard) {
    return !i.wildcard && i.name === o.name;
  }
  return i.name.endsWith(`.${o.name}`);
}

/** An allowWrite entry as an absolute, normalised path: `~/x` from home, relative from the workspace. */
export function resolveSandboxPath(p: string, root: string, home: string): string {
  const t = p.trim();
  if (t === '~' || t.startsWith('~/')) {
    return normalizePath(path.posix.join(normalizePath(home, '/'), t.slice(1)), '/');
  }
  return normalizePath(t, root);
}

function within(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
}

/** One layer's list: a relaxing layer sets it; a narrowing one keeps what it names that was allowed. */
function mergeList<V>(
  current: readonly Sourced<V>[],
  named: readonly V[] | undefined,
  layer: { readonly canRelax: boolean; readonly source: string },
  covers: (outer: V, inner: V) => boolean,
  ignore: (value: V) => void,
): readonly Sourced<V>[] {
  if (named === undefined) {
    return current;
  }
  if (layer.canRelax) {
    return named.map((value) => ({ value, source: layer.source }));
  }
  const kept: Sourced<V>[] = [];
  for (const value of named) {
    const outer = current.find((c) => covers(c.value, value));
    if (outer) {
      kept.push({ value, source: outer.source });
    } else {
      ignore(value);
    }
  }
  return kept;
}

/** Merges the `sandbox` sections of the policy's layers. `home` resolves `~/` in allowWrite. */
export function sandboxPolicy(policy: Policy, home: string): SandboxPolicy {
  let networkAllow: readonly Sourced<string>[] = [];
  let loopbackPorts: readonly Sourced<number>[] = [];
  let allowWrite: readonly Sourced<string>[] = [];
  let allowRead: readonly Sourced<string>[] = [];
  let unixSockets: Sourced<boolean> = { value: false, source: 'built-in' };
  const ignored: string[] = [];
  for (const layer of policy.layers) {
    const s: SandboxSection | undefined = layer.file.sandbox;
    if (!s) {
      continue;
    }
    const ignore = (key: string) => (value: unknown) =>
      ignored.push(`${layer.source}: sandbox.${key} ${JSON.stringify(value)} is ignored: only the team's policy can allow it; a ${layer.name} layer can only narrow the sandbox`);
    networkAllow = mergeList(networkAllow, s.network?.allow?.map((h) => h.trim().toLowerCase()), layer, hostCovers, ignore('network.allow'));
    loopbackPorts = mergeList(loopbackPorts, s.network?.loopbackPorts, layer, (a, b) => a === b, ignore('network.loopbackPorts'));
    const writes = s.filesystem?.allowWrite?.map((p) => resolveSandboxPath(p, policy.folder, home));
    allowWrite = mergeList(allowWrite, writes, layer, within, ignore('filesystem.allowWrite'));
    allowRead = mergeList(allowRead, s.filesystem?.allowRead, layer, (a, b) => a === b, ignore('filesystem.allowRead'));
    if (s.unixSockets !== undefined) {
      if (layer.canRelax || !s.unixSockets) {
        unixSockets = { value: s.unixSockets, source: layer.source };
      } else if (!unixSockets.value) {
        ignore('unixSockets')(true);
      }
    }
  }
  return { networkAllow, loopbackPorts, allowWrite, allowRead, unixSockets, ignored };
}
