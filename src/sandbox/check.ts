/**
 * The supervisor's check before an agent's action is decided: would the sandbox block it? Such an
 * action is refused at once with a message that names the sandbox's rule and how to change it,
 * rather than asked (an approval could not make it possible: the sandbox's mounts are fixed for the
 * session). It also refuses, by name, what the mounts cannot cover because it does not exist yet
 * (a new `.airlock/policy.json` or hook configuration in a new folder). Pure: no I/O.
 */
import * as path from 'node:path';
import type { SandboxPlan } from './plan';
import { findingFor, isInsideOrSame, writableFor } from './plan';
import type { SandboxRule } from './protectedPaths';
import { BUILTIN_RULES, PRIVATE_DIRS, PROTECTED_DIR_NAMES, PROTECTED_NAMES, PROTECTED_PAIRS } from './protectedPaths';

export interface PathOperation {
  /** Absolute. */
  readonly path: string;
  readonly op: 'read' | 'write';
}

export interface SandboxBlock {
  readonly path: string;
  readonly op: 'read' | 'write';
  readonly rule: SandboxRule;
  /** For the agent and the audit log: what is blocked, by which rule, and how to change it. */
  readonly message: string;
}

/** A protected name anywhere in the path (`.airlock/...`, `.claude/settings.json`, `.git/hooks/...`). */
export function protectedByName(p: string): SandboxRule | undefined {
  const parts = p.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i];
    const pair = i > 0 ? `${parts[i - 1]}/${name}` : '';
    if (PROTECTED_DIR_NAMES[name]) {
      return PROTECTED_DIR_NAMES[name];
    }
    const r = PROTECTED_PAIRS[pair] ?? (i === parts.length - 1 ? PROTECTED_NAMES[name] : undefined);
    if (r) {
      return r;
    }
    if (name === '.git' && (parts[i + 1] === 'hooks' || (parts[i + 1] === 'config' && i + 2 === parts.length) || (parts[i + 1] === 'refs' && parts[i + 2] === 'airlock'))) {
      return BUILTIN_RULES.git;
    }
  }
  return undefined;
}

function message(p: string, op: 'read' | 'write', rule: SandboxRule): string {
  const verb = op === 'read' ? 'read' : 'change';
  const where = rule.source === 'built-in' ? rule.rule : `${rule.rule} in ${rule.source}`;
  return `Agent Airlock's sandbox does not let the agent ${verb} ${p}: it is ${rule.what} (${where}). ${rule.how}`;
}

function inPrivateDir(p: string): boolean {
  return PRIVATE_DIRS.some((d) => isInsideOrSame(d, p));
}

/** Whether the sandbox blocks one operation, and why. */
export function checkOperation(plan: SandboxPlan, o: PathOperation): SandboxBlock | undefined {
  const p = path.posix.normalize(o.path);
  const block = (rule: SandboxRule): SandboxBlock => ({ path: p, op: o.op, rule, message: message(p, o.op, rule) });
  const hidden = findingFor(plan, p, 'hide');
  if (hidden) {
    return block(hidden.rule);
  }
  if (o.op === 'read') {
    return undefined;
  }
  const ro = findingFor(plan, p, 'readonly');
  if (ro) {
    return block(ro.rule);
  }
  const w = writableFor(plan, p);
  if (!w && !inPrivateDir(p)) {
    return block(BUILTIN_RULES.outside);
  }
  const byName = protectedByName(w ? p.slice(w.path.length) : p);
  return byName ? block(byName) : undefined;
}

/** The first operation the sandbox blocks, if any. */
export function checkOperations(plan: SandboxPlan, ops: readonly PathOperation[]): SandboxBlock | undefined {
  for (const o of ops) {
    const b = checkOperation(plan, o);
    if (b) {
      return b;
    }
  }
  return undefined;
}
