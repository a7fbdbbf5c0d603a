/**
 * The one evaluator of "may this action happen" under a folder's policy, used by the VS Code window,
 * the headless hook, `airlock check`, `airlock policy explain` and the guards. It looks up what pure
 * evaluation (evaluate.ts) needs: the folder's compiled policy, the shell analysis of a command (the
 * analyzer is passed in, never plugged in as an import side effect) and path facts (symlink targets,
 * whether a file exists). Tools Airlock does not know are asked here too.
 */
import type { CommandAnalysis, Decision, PathOp, ProposedAction } from '../core/types';
import { strictest } from '../core/types';
import type { Policy } from './compile';
import type { EvaluationContext, PathFact, PathFacts } from './evaluate';
import { evaluate, evaluatePath } from './evaluate';
import { inspectPaths } from './load';
import { deletedContents, expandReadPaths } from './readExpansion';
import type { ContentsLookup } from './readExpansion';

/** Turns a command line into what would run (src/shell in production). */
export type CommandAnalyzer = (line: string, opts: { readonly cwd: string; readonly shell?: 'bash' | 'powershell'; readonly folder?: string }) => CommandAnalysis | Promise<CommandAnalysis>;

/** Looks up path facts for paths relative to `cwd` (see inspectPaths). */
export type FactsLookup = (paths: readonly string[], cwd: string) => PathFacts;

export interface EvaluatorOptions {
  /** The compiled policy of a folder (the caller loads and caches it: the window reloads on change). */
  readonly policyOf: (folder: string) => Policy;
  /** The shell analyzer; without one a command is asked ("could not analyse"). */
  readonly analyze?: CommandAnalyzer;
  /** Default: looked up on disk every time (inspectPaths). */
  readonly facts?: FactsLookup;
  /** What is inside the folders a delete reaches; default: walked every time (deletedContents). */
  readonly contents?: ContentsLookup;
  /** Where the agent runs (under `airlock run` its writes are confined to the workspace). */
  readonly context?: EvaluationContext;
}

/**
 * Path facts remembered per cwd and path: for a batch (`check --jsonl`) that is one moment in time.
 * Never for a long-lived process, where files come and go.
 */
export function cachedFacts(): FactsLookup {
  const cache = new Map<string, readonly [string, PathFact]>();
  return (paths, cwd) => {
    const out = new Map<string, PathFact>();
    for (const p of paths) {
      const key = `${cwd}\u0000${p}`;
      let entry = cache.get(key);
      if (!entry) {
        const [first] = inspectPaths([p], cwd);
        entry = first;
        cache.set(key, entry);
      }
      out.set(entry[0], entry[1]);
    }
    return out;
  };
}

export class ActionEvaluator {
  private readonly facts: FactsLookup;

  constructor(private readonly opts: EvaluatorOptions) {
    this.facts = opts.facts ?? inspectPaths;
  }

  /** The folder's compiled policy. */
  policy(folder: string): Policy {
    return this.opts.policyOf(folder);
  }

  /** The shell analysis of a command line (cwd, shell and folder as the action has them). */
  async analyze(action: ProposedAction, folder: string): Promise<CommandAnalysis | undefined> {
    if (!this.opts.analyze) {
      return undefined;
    }
    return this.opts.analyze(action.command ?? '', { cwd: action.cwd, folder, ...(action.shell ? { shell: action.shell } : {}) });
  }

  /** The decision for one action under `folder`'s policy (commands are analysed first). */
  async evaluate(action: ProposedAction, folder: string): Promise<Decision> {
    if (action.kind === 'command' && !action.unknownTool) {
      return this.decide(action, folder, await this.analyze(action, folder));
    }
    return this.decide(action, folder);
  }

  /** The same, for a command whose analysis is already known (or for an action without a command). */
  decide(action: ProposedAction, folder: string, analysis?: CommandAnalysis): Decision {
    const policy = this.opts.policyOf(folder);
    if (action.unknownTool) {
      return this.unknownTool(policy, action);
    }
    if (action.kind === 'read' && action.paths.some((p) => /[*?[{]/.test(p))) {
      // a search: the files its pattern reaches now, each judged like a Read of it
      const expanded = expandReadPaths(policy, action.paths, action.cwd);
      if (!expanded) {
        const reason = `The ${action.tool ?? 'read'} reaches more files than Airlock can check for protected ones (${action.paths.join(', ')}).`;
        return { verdict: policy.mode === 'audit' ? 'allow' : 'ask', wouldBe: 'ask', mode: policy.mode, reasons: [reason], rules: [{ source: 'built-in', rule: 'read search', verdict: 'ask', reason }] };
      }
      action = { ...action, paths: expanded.length ? expanded : [action.cwd] };
    }
    let a = action.kind === 'command' ? analysis : undefined;
    // deleting a folder deletes what is in it: its protected files are judged one by one
    const deletes = action.kind === 'delete' ? action.paths : (a?.effects.filter((e) => e.op === 'delete').map((e) => e.path) ?? []);
    const inside = deletes.length ? (this.opts.contents ?? deletedContents)(policy, deletes, action.cwd) : undefined;
    if (inside?.paths.length) {
      if (a) {
        a = { ...a, effects: [...a.effects, ...inside.paths.map((p) => ({ path: p, op: 'delete' as const, via: a!.commandLine }))] };
      } else {
        action = { ...action, paths: [...action.paths, ...inside.paths] };
      }
    }
    const facts = this.facts([...action.paths, ...(a?.effects.map((e) => e.path) ?? []), ...(a?.reads?.map((r) => r.path) ?? [])], action.cwd);
    const decision = evaluate(policy, action, a, facts, this.opts.context);
    return inside?.tooMany.length ? tooManyToCheck(policy, decision, `Deleting ${inside.tooMany.join(', ')} reaches more files than Airlock can check for protected ones.`) : decision;
  }

  /** The decision for one path operation in `folder` (the guards, `policy explain --path`). */
  path(folder: string, p: string, op: PathOp, options: { readonly agent?: string; readonly cwd?: string } = {}): Decision {
    const policy = this.opts.policyOf(folder);
    const cwd = options.cwd ?? policy.folder;
    return evaluatePath(policy, p, op, { cwd, facts: this.facts([p], cwd), ...(options.agent !== undefined ? { agent: options.agent } : {}) });
  }

  /**
   * A tool Airlock does not know: asked (the policy's mode still applies: audit mode lets it run),
   * and never looser than a write of every path it names would be.
   */
  private unknownTool(policy: Policy, action: ProposedAction): Decision {
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
    const byPaths = evaluate(policy, asEdit, undefined, this.facts(asEdit.paths, asEdit.cwd));
    return {
      verdict: strictest(asked.verdict, byPaths.verdict),
      wouldBe: strictest(asked.wouldBe, byPaths.wouldBe),
      mode: policy.mode,
      reasons: [...asked.reasons, ...byPaths.reasons],
      rules: [...asked.rules, ...byPaths.rules],
    };
  }
}

/** A decision that would allow is asked instead (and no longer rests on the snapshot alone). */
function tooManyToCheck(policy: Policy, d: Decision, reason: string): Decision {
  if (d.wouldBe !== 'allow') {
    return d;
  }
  const { needsSnapshot: _dropped, ...rest } = d;
  return { ...rest, verdict: policy.mode === 'audit' ? 'allow' : 'ask', wouldBe: 'ask', reasons: [...d.reasons, reason], rules: [...d.rules, { source: 'built-in', rule: 'delete contents', verdict: 'ask', reason }] };
}
