/**
 * INTERIM, to be replaced by src/policy when it lands on main: a deliberately narrow decision for
 * the headless gate. It allows only what is obviously harmless (reads and edits of ordinary files
 * inside the workspace, a handful of read-only commands written as plain words) and asks for
 * everything else. It never allows more than a real policy would.
 */
import * as path from 'node:path';
import type { Decision, MatchedRule, ProposedAction, Verdict } from '../core/types';
import { strictest } from '../core/types';

const SOURCE = 'built-in (interim)';

/** Paths that hold secrets or Airlock's and the agents' own guard configuration. */
const PROTECTED: readonly { re: RegExp; what: string }[] = [
  { re: /(^|\/)\.env($|\.|\/)/, what: 'an environment file that may hold secrets' },
  { re: /(^|\/)\.airlock(\/|$)/, what: "Airlock's policy and hook launcher" },
  { re: /(^|\/)\.git(\/|$)/, what: "git's internal data" },
  { re: /(^|\/)\.claude\/settings(\.local)?\.json$/, what: "Claude Code's hook configuration" },
  { re: /(^|\/)\.github\/hooks(\/|$)/, what: 'Copilot hook configuration' },
  { re: /(^|\/)\.cursor\/hooks\.json$/, what: "Cursor's hook configuration" },
  { re: /(^|\/)\.gemini\/settings\.json$/, what: "Gemini CLI's hook configuration" },
  { re: /(^|\/)\.codex(\/|$)/, what: "Codex's configuration" },
  { re: /(^|\/)\.windsurf\/hooks\.json$/, what: "Windsurf's hook configuration" },
  { re: /(^|\/)\.clinerules\/hooks(\/|$)/, what: "Cline's hooks" },
  { re: /(^|\/)\.vscode\/settings\.json$/, what: 'VS Code workspace settings' },
  { re: /(^|\/)\.ssh(\/|$)|(^|\/)id_(rsa|ed25519|ecdsa)|\.(pem|key|p12|pfx)$/, what: 'a private key' },
  { re: /(^|\/)\.(npmrc|netrc|pypirc)$|(^|\/)\.aws\/|(^|\/)\.docker\/config\.json$/, what: 'a credentials file' },
];

/** Read-only programs allowed when written as plain words (no quoting, expansion or operators). */
const HARMLESS_PROGRAMS = new Set(['ls', 'pwd', 'echo', 'date', 'whoami', 'true', 'cat', 'head', 'tail', 'wc', 'grep', 'rg', 'which', 'file', 'stat', 'tree', 'du', 'df']);
const HARMLESS_GIT = new Set(['status', 'diff', 'log', 'show', 'blame', 'rev-parse', 'ls-files']);

function protectedWhat(p: string): string | undefined {
  const norm = p.split(path.sep).join('/');
  return PROTECTED.find((x) => x.re.test(norm))?.what;
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

interface One {
  readonly verdict: Verdict;
  readonly reason: string;
  readonly rule: string;
}

function decideCommand(a: ProposedAction, root: string): One {
  const line = (a.command ?? '').trim();
  const words = line.split(/\s+/);
  const plain = /^[A-Za-z0-9_./:=@%+,-]+( +[A-Za-z0-9_./:=@%+,-]+)*$/.test(line);
  const pathArgs = words.slice(1).filter((w) => !w.startsWith('-'));
  const touchesProtected = pathArgs.some((w) => protectedWhat(path.resolve(a.cwd, w)) !== undefined);
  const outside = pathArgs.some((w) => (w.includes('/') || w === '..') && !inside(root, path.resolve(a.cwd, w)));
  const harmless =
    plain &&
    !touchesProtected &&
    !outside &&
    a.shell !== 'powershell' &&
    (HARMLESS_PROGRAMS.has(words[0]) || (words[0] === 'git' && HARMLESS_GIT.has(words[1] ?? '') && !words.includes('--output')));
  return harmless
    ? { verdict: 'allow', reason: '', rule: 'interim: read-only command' }
    : { verdict: 'ask', reason: `the command \`${line.length > 200 ? `${line.slice(0, 200)}…` : line}\` needs approval (only plain read-only commands run without asking until the policy engine is installed)`, rule: 'interim: commands' };
}

function decideOne(a: ProposedAction, root: string): One {
  if (a.unknownTool) {
    return { verdict: 'ask', reason: `the tool '${a.tool ?? '?'}' is not one Airlock knows, so it needs approval`, rule: 'interim: unknown tool' };
  }
  if (a.kind === 'command') {
    return decideCommand(a, root);
  }
  for (const p of a.paths) {
    const what = protectedWhat(p);
    const verb = a.kind === 'read' ? 'reading' : a.kind === 'delete' ? 'deleting' : a.kind === 'rename' ? 'renaming' : a.kind === 'create' ? 'creating' : 'changing';
    if (what !== undefined) {
      return { verdict: 'ask', reason: `${verb} ${path.relative(root, p) || p} (${what}) needs approval`, rule: `interim: protected path ${p}` };
    }
    if (!inside(root, p)) {
      return { verdict: 'ask', reason: `${verb} ${p}, outside the workspace ${root}, needs approval`, rule: 'interim: outside workspace' };
    }
  }
  if (a.kind === 'delete' || a.kind === 'rename') {
    return { verdict: 'ask', reason: `${a.kind === 'delete' ? 'deleting' : 'renaming'} ${a.paths.map((p) => path.relative(root, p)).join(' -> ')} needs approval`, rule: `interim: ${a.kind}` };
  }
  return { verdict: 'allow', reason: '', rule: `interim: ${a.kind} inside the workspace` };
}

/** The interim decision for one action. */
export function interimEvaluate(action: ProposedAction, workspaceRoot: string): Decision {
  const o = decideOne(action, workspaceRoot);
  return { verdict: o.verdict, wouldBe: o.verdict, mode: 'enforce', reasons: o.reason ? [o.reason] : [], rules: [{ source: SOURCE, rule: o.rule, verdict: o.verdict, reason: o.reason }] };
}

/** The interim decision over all actions: the strictest verdict, with its reasons. */
export function interimDecide(actions: readonly ProposedAction[], workspaceRoot: string): Decision {
  const ones = actions.map((a) => decideOne(a, workspaceRoot));
  const verdict = strictest(...ones.map((o) => o.verdict));
  const rules: MatchedRule[] = ones.filter((o) => o.verdict === verdict).map((o) => ({ source: SOURCE, rule: o.rule, verdict: o.verdict, reason: o.reason }));
  const reasons = [...new Set(rules.map((r) => r.reason).filter((r) => r !== ''))];
  return { verdict, wouldBe: verdict, mode: 'enforce', reasons, rules };
}
