/**
 * Copilot agent mode's own approval settings, generated from the policy. VS Code asks before
 * Copilot's built-in tools edit a file whose glob maps to `false` in `chat.tools.edits.autoApprove`
 * (last match wins), and before a terminal sub-command whose prefix or `/regex/` maps to `false` in
 * `chat.tools.terminal.autoApprove`. Airlock writes only `false` entries (it only ever makes Copilot
 * ask more), remembers which keys it owns, and never removes or overrides an entry the developer
 * wrote. Pure: no I/O (the text edit of settings.json uses jsonc-parser, which keeps comments).
 */
import type { FormattingOptions } from 'jsonc-parser';
import { applyEdits, modify, parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import type { CommandCategory, PathOp, Verdict } from '../core/types';
import { VERDICT_RANK } from '../core/types';
import type { CompiledPathRule, CompiledRuleSet, Policy } from './compile';

export const EDITS_KEY = 'chat.tools.edits.autoApprove';
export const TERMINAL_KEY = 'chat.tools.terminal.autoApprove';

/** The entries Airlock wants in each setting. */
export interface CopilotApprovalEntries {
  readonly edits: Readonly<Record<string, false>>;
  readonly terminal: Readonly<Record<string, false>>;
}

/** The keys Airlock wrote and therefore owns, per setting. */
export interface OwnedKeys {
  readonly edits: readonly string[];
  readonly terminal: readonly string[];
}

const CHANGE_OPS: readonly PathOp[] = ['write', 'create', 'delete'];

/**
 * Command prefixes of each category of destructive operations, for Copilot's terminal setting
 * (VS Code matches them at the start of every sub-command; its own defaults already cover a few).
 */
export const CATEGORY_PREFIXES: Readonly<Record<CommandCategory, readonly string[]>> = {
  'file-destruction': ['rm', 'rmdir', 'shred', 'unlink', 'truncate', 'find -delete'],
  'git-history': ['git reset --hard', 'git push --force', 'git push -f', 'git clean', 'git rebase', 'git filter-branch', 'git filter-repo', 'git branch -D', 'git checkout --', 'git restore', 'git stash drop', 'git stash clear', 'git reflog expire', 'git update-ref -d'],
  publishing: ['npm publish', 'npm unpublish', 'yarn publish', 'pnpm publish', 'cargo publish', 'twine upload', 'gem push', 'docker push', 'git push'],
  infrastructure: ['terraform apply', 'terraform destroy', 'tofu apply', 'tofu destroy', 'pulumi up', 'pulumi destroy', 'kubectl delete', 'kubectl apply', 'helm uninstall', 'aws', 'gcloud', 'az'],
  database: ['psql', 'mysql', 'mongosh', 'redis-cli', 'dropdb', 'sqlite3'],
  system: ['shutdown', 'reboot', 'mkfs', 'dd', 'systemctl', 'kill', 'pkill', 'killall', 'crontab'],
  'remote-code': ['curl', 'wget', 'eval', 'source'],
  exfiltration: ['scp', 'rsync', 'sftp', 'ftp', 'nc', 'ncat'],
  privilege: ['sudo', 'su', 'doas', 'chmod', 'chown', 'setcap'],
};

/** The rule sets that apply to Copilot, layer by layer: each layer's own, then its `agents.copilot`. */
function copilotSets(policy: Policy): { set: CompiledRuleSet; canRelax: boolean }[] {
  return policy.layers.flatMap((l) => {
    const own = { set: l as CompiledRuleSet, canRelax: l.canRelax };
    const agent = l.agents.get('copilot');
    return agent ? [own, { set: agent, canRelax: false }] : [own];
  });
}

const isProtective = (v: Verdict | undefined) => v === 'ask' || v === 'deny';

/** Globs (as VS Code's edit approval matches them) for one protective path rule. */
export function copilotGlobs(rule: Pick<CompiledPathRule, 'pattern' | 'kind' | 'matcher'>): string[] {
  if (rule.kind === 'absolute') {
    // `~/` is expanded by the compiler; the matcher holds the absolute pattern.
    return [rule.matcher.pattern];
  }
  let p = rule.pattern.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (p.endsWith('/')) {
    p = `${p}**`;
  }
  const base = rule.kind === 'name' && !p.includes('/') ? `**/${p}` : p;
  // A name or path without wildcards in its last segment may be a folder: cover what is inside it.
  const last = base.slice(base.lastIndexOf('/') + 1);
  return /[*?[\]{}]/.test(last) ? [base] : [base, `${base}/**`];
}

/** Converts a policy command pattern to a key of `chat.tools.terminal.autoApprove`. */
export function terminalKey(pattern: string): string | undefined {
  const t = pattern.trim();
  if (/^\/.+\/[a-z]*$/s.test(t)) {
    return t;
  }
  const words = t.split(/\s+/).filter(Boolean);
  while (words.length && /^\*+$/.test(words[words.length - 1])) {
    words.pop();
  }
  if (words.length === 0) {
    return undefined;
  }
  if (!words.some((w) => /[*?]/.test(w))) {
    return words.join(' ');
  }
  const re = words
    .map((w) => (/^\*+$/.test(w) ? '\\S+' : w.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '\\S*').replace(/\?/g, '\\S')))
    .join('\\s+');
  return `/^${re}(\\s|$)/`;
}

/** What Copilot's approval settings should hold for this policy: `false` for every protected path and asked or denied command. */
export function copilotApprovalEntries(policy: Policy): CopilotApprovalEntries {
  const sets = copilotSets(policy);
  const edits: Record<string, false> = {};
  const terminal: Record<string, false> = {};
  for (const { set } of sets) {
    for (const rule of set.paths) {
      if (CHANGE_OPS.some((op) => isProtective(rule.ops[op]?.verdict))) {
        for (const g of copilotGlobs(rule)) {
          edits[g] = false;
        }
      }
    }
    for (const rule of set.commands) {
      const key = isProtective(rule.ref.verdict) ? terminalKey(rule.pattern) : undefined;
      if (key) {
        terminal[key] = false;
      }
    }
  }
  // Categories: asked unless a layer that can relax allows them and nothing later tightens again.
  const categories = Object.keys(CATEGORY_PREFIXES) as CommandCategory[];
  for (const c of categories) {
    let v: Verdict | undefined;
    for (const { set, canRelax } of sets) {
      const r = set.categories[c]?.verdict;
      if (r && (canRelax || v === undefined || VERDICT_RANK[r] > VERDICT_RANK[v])) {
        v = r;
      }
    }
    if (v !== 'allow') {
      for (const prefix of CATEGORY_PREFIXES[c]) {
        terminal[prefix] = false;
      }
    }
  }
  return { edits, terminal };
}

/** The outcome of merging Airlock's entries into one setting's current value. */
export interface MergedSetting {
  /** The new value (undefined: leave the setting absent). */
  readonly value: Record<string, unknown> | undefined;
  /** The keys Airlock owns afterwards. */
  readonly owned: string[];
  /** Keys Airlock wants `false` that the developer set otherwise: their entry stays. */
  readonly conflicts: string[];
  readonly changed: boolean;
}

export class SettingNotAnObjectError extends Error {
  constructor(readonly key: string) {
    super(`${key} in the workspace settings is not an object; Airlock leaves it as it is.`);
  }
}

/**
 * Merges `wanted` into `current`: the developer's entries stay first, in their order (an owned key
 * whose value is no longer Airlock's `false` became the developer's); Airlock's entries follow, so
 * they win over a broad developer glob in the edits setting (last match wins there). Keys Airlock
 * owned and no longer wants are removed; no other key is ever removed or changed.
 */
export function mergeSetting(key: string, current: unknown, owned: readonly string[], wanted: Readonly<Record<string, false>>): MergedSetting {
  if (current !== undefined && (current === null || typeof current !== 'object' || Array.isArray(current))) {
    throw new SettingNotAnObjectError(key);
  }
  const cur = (current ?? {}) as Record<string, unknown>;
  const ownedSet = new Set(owned);
  const developer: [string, unknown][] = Object.entries(cur).filter(([k, v]) => !(ownedSet.has(k) && v === false));
  const devKeys = new Set(developer.map(([k]) => k));
  const ours = Object.keys(wanted).filter((k) => !devKeys.has(k));
  const conflicts = Object.keys(wanted).filter((k) => devKeys.has(k) && cur[k] !== false);
  const next: Record<string, unknown> = Object.fromEntries([...developer, ...ours.map((k) => [k, false] as [string, unknown])]);
  const value = current === undefined && Object.keys(next).length === 0 ? undefined : next;
  const changed = JSON.stringify(value) !== JSON.stringify(current);
  return { value, owned: ours, conflicts, changed };
}

/** Formatting that matches the file: its indentation (tabs or the first indent's width) and line ends. */
export function detectFormatting(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (indent?.startsWith('\t')) {
    return { insertSpaces: false, tabSize: 4, eol };
  }
  return { insertSpaces: true, tabSize: indent ? indent.length : 4, eol };
}

export class SettingsFileError extends Error {}

/** Reads a settings.json text (JSONC); throws SettingsFileError when it cannot be parsed safely. */
export function parseSettings(text: string): Record<string, unknown> {
  if (text.trim() === '') {
    return {};
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split('\n').length;
    throw new SettingsFileError(`settings.json has a syntax error (${printParseErrorCode(e.error)} on line ${line}); Airlock does not change it until it is fixed.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingsFileError('settings.json does not hold an object; Airlock does not change it.');
  }
  return value as Record<string, unknown>;
}

/** One jsonc-parser edit: set (or, with undefined, remove) the value at `path`. */
export type SettingsEdit = readonly [path: readonly string[], value: unknown];

/**
 * The edits that turn one setting's `current` object into `next` entry by entry, so comments inside
 * the object survive. Airlock's keys must come last: when a developer entry follows one of them,
 * Airlock's are removed and appended again.
 */
export function settingEdits(key: string, current: unknown, next: Record<string, unknown> | undefined): SettingsEdit[] {
  if (current === undefined || next === undefined) {
    return [[[key], next]];
  }
  const cur = current as Record<string, unknown>;
  const edits: SettingsEdit[] = [];
  const kept = Object.keys(cur).filter((k) => k in next);
  for (const k of Object.keys(cur)) {
    if (!(k in next)) {
      edits.push([[key, k], undefined]);
    }
  }
  const order = Object.keys(next);
  const inOrder = kept.every((k, i) => order[i] === k);
  if (inOrder) {
    for (const k of order.slice(kept.length)) {
      edits.push([[key, k], next[k]]);
    }
    return edits;
  }
  // Move the entries that are out of place (Airlock's, which must stay last) to the end.
  const firstMoved = kept.findIndex((k, i) => order[i] !== k);
  const stay = new Set(order.slice(0, firstMoved));
  for (const k of kept.filter((k) => !stay.has(k))) {
    edits.push([[key, k], undefined]);
  }
  for (const k of order.filter((k) => !stay.has(k))) {
    edits.push([[key, k], next[k]]);
  }
  return edits;
}

/** Applies edits to a settings.json text, keeping its comments and formatting. */
export function editSettingsText(text: string, edits: readonly SettingsEdit[]): string {
  const formattingOptions = detectFormatting(text);
  let out = text.trim() === '' ? '{}' : text;
  for (const [path, value] of edits) {
    out = applyEdits(out, modify(out, [...path], value, { formattingOptions }));
  }
  if (text.trim() === '' && !out.endsWith('\n')) {
    out += '\n';
  }
  return out;
}

/** The result of planning a sync of one settings.json. */
export interface SettingsPlan {
  readonly before: string;
  readonly after: string;
  readonly changed: boolean;
  readonly owned: OwnedKeys;
  readonly conflicts: readonly string[];
}

/** Plans the new settings.json text for the wanted entries (throws SettingsFileError / SettingNotAnObjectError). */
export function planSettings(text: string, owned: OwnedKeys, wanted: CopilotApprovalEntries): SettingsPlan {
  const current = parseSettings(text);
  const edits = mergeSetting(EDITS_KEY, current[EDITS_KEY], owned.edits, wanted.edits);
  const terminal = mergeSetting(TERMINAL_KEY, current[TERMINAL_KEY], owned.terminal, wanted.terminal);
  const ops: SettingsEdit[] = [
    ...(edits.changed ? settingEdits(EDITS_KEY, current[EDITS_KEY], edits.value) : []),
    ...(terminal.changed ? settingEdits(TERMINAL_KEY, current[TERMINAL_KEY], terminal.value) : []),
  ];
  const after = ops.length ? editSettingsText(text, ops) : text;
  return {
    before: text,
    after,
    changed: after !== text,
    owned: { edits: edits.owned, terminal: terminal.owned },
    conflicts: [...edits.conflicts.map((k) => `${EDITS_KEY}: ${k}`), ...terminal.conflicts.map((k) => `${TERMINAL_KEY}: ${k}`)],
  };
}

/** The keys each workspace (by an id of its own) owns in a user-level setting. */
export type OwnedByWorkspace = Readonly<Record<string, readonly string[]>>;

/** The outcome of planning a user-level setting shared by every workspace. */
export interface SharedPlan {
  readonly before: unknown;
  readonly after: Record<string, unknown> | undefined;
  readonly changed: boolean;
  /** The ownership record to store afterwards. */
  readonly owned: Record<string, string[]>;
  readonly conflicts: readonly string[];
}

/**
 * Plans a user-level setting (VS Code reads `chat.tools.edits.autoApprove` from user settings only):
 * every workspace's Airlock keys live side by side, so this workspace keeps the keys other
 * workspaces own and removes only keys that no workspace wants any more.
 */
export function planSharedSetting(key: string, current: unknown, owned: OwnedByWorkspace, me: string, wanted: Readonly<Record<string, false>>): SharedPlan {
  const others = Object.entries(owned).filter(([w]) => w !== me);
  const allOwned = [...new Set(Object.values(owned).flat())];
  const keep: Record<string, false> = Object.fromEntries(others.flatMap(([, keys]) => keys.map((k) => [k, false] as const)));
  const merged = mergeSetting(key, current, allOwned, { ...keep, ...wanted });
  const ownedAfter = new Set(merged.owned);
  const next: Record<string, string[]> = {};
  for (const [w, keys] of others) {
    next[w] = keys.filter((k) => ownedAfter.has(k));
  }
  next[me] = Object.keys(wanted).filter((k) => ownedAfter.has(k));
  return { before: current, after: merged.value, changed: merged.changed, owned: next, conflicts: merged.conflicts.filter((k) => k in wanted) };
}
