/**
 * The headless gate: decides with the workspace policy alone, for when VS Code cannot be reached.
 * No human can approve here, so an 'ask' becomes a deny whose message says how to approve.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Decision, ProposedAction } from '../core/types';
import { HOW_TO_APPROVE, reasonText } from './adapter';
import type { Gate, GateContext } from './gate';
import { interimDecide } from './interimPolicy';

/** The workspace of a working directory: the nearest folder up with `.airlock` or `.git`, else cwd. */
export function findWorkspaceRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.airlock')) || fs.existsSync(path.join(dir, '.git'))) {
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) {
      return path.resolve(cwd);
    }
    dir = up;
  }
}

export class LocalGate implements Gate {
  async decide(actions: readonly ProposedAction[], ctx: GateContext): Promise<Decision> {
    if (actions.length === 0) {
      return { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] };
    }
    const root = findWorkspaceRoot(ctx.cwd);
    const d = interimDecide(actions, root);
    if (d.verdict !== 'ask') {
      return d;
    }
    return {
      ...d,
      verdict: 'deny',
      reasons: [`approval required, and no approver is reachable (VS Code with Agent Airlock is not running for ${root}): ${reasonText(d, 'the policy asks for approval')}. ${HOW_TO_APPROVE}`],
    };
  }
}
