/**
 * Policy files other than the workspace folder's own: in a folder above it (a monorepo's root, the
 * home folder) or in a folder inside it (a package's `.airlock/policy.json`, which an agent could
 * have just written). They take part in every decision, but only to tighten: their patterns are
 * read relative to their own folder, their settings (mode, snapshots, approval) are not used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LayerInput } from './compile';
import { parsePolicyText } from './parse';
import type { PolicyProblem } from './parse';
import type { PathRuleValue, PolicyFile, PolicyRuleSet } from './policyFile';
import { walkEntries } from './walk';

const FILES = [path.join('.airlock', 'policy.json'), path.join('.airlock', 'policy.local.json')];
/** Most entries looked at below the workspace folder. */
const MAX_ENTRIES = 5000;
/** How deep below the workspace folder policy files are looked for (folder/a/b/c/.airlock at most). */
const MAX_DEPTH = 3;

/** A pattern of a policy file in `dir`, made to mean the same from the workspace folder `folder`. */
export function rebase(pattern: string, dir: string, folder: string): string {
  const p = pattern.trim().replace(/\\/g, '/');
  if (p.startsWith('/') || p.startsWith('~/') || /^[A-Za-z]:\//.test(p) || /^\/.+\/[a-z]*$/.test(p)) {
    return p;
  }
  const rel = path.relative(folder, dir).split(path.sep).join('/');
  if (rel && !rel.startsWith('..')) {
    return `${rel}/${p}`;
  }
  return `${dir.split(path.sep).join('/').replace(/\/$/, '')}/${p}`;
}

function rebaseSet(set: PolicyRuleSet, dir: string, folder: string): PolicyRuleSet {
  if (!set.paths) {
    return set;
  }
  const paths: Record<string, PathRuleValue> = {};
  for (const [k, v] of Object.entries(set.paths)) {
    paths[rebase(k, dir, folder)] = v;
  }
  return { ...set, paths };
}

function rebaseFile(file: PolicyFile, dir: string, folder: string): PolicyFile {
  const agents = file.agents ? Object.fromEntries(Object.entries(file.agents).map(([a, s]) => [a, rebaseSet(s, dir, folder)])) : undefined;
  return { ...rebaseSet(file, dir, folder), ...(agents ? { agents } : {}) };
}

function load(dir: string, folder: string, problems: PolicyProblem[]): LayerInput[] {
  const out: LayerInput[] = [];
  for (const rel of FILES) {
    const file = path.join(dir, rel);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = parsePolicyText(text, file);
    problems.push(...parsed.problems.map((p) => ({ ...p, severity: 'warning' as const })));
    if (parsed.file) {
      out.push({ source: file, file: rebaseFile(parsed.file, dir, folder), locate: parsed.locate });
    }
  }
  return out;
}

/**
 * The policy files above `folder` (up to the root) and below it (a bounded search, three folders
 * deep), as layers that only tighten. `home`'s own policy counts as one above when the folder is inside home.
 */
export function nestedPolicies(folder: string): { layers: LayerInput[]; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const layers: LayerInput[] = [];
  for (let dir = path.dirname(folder); ; dir = path.dirname(dir)) {
    layers.push(...load(dir, folder, problems));
    if (path.dirname(dir) === dir) {
      break;
    }
  }
  // below: a bounded search (a folder too large to search is searched as far as the bound allows)
  const found: string[] = [];
  walkEntries(folder, MAX_ENTRIES, (dir, name) => {
    if (name === '.airlock') {
      if (dir !== folder) {
        found.push(dir);
      }
      return false;
    }
    // packages sit near the top (pkg/, packages/x/, apps/x/y/): deeper folders are not searched, so a
    // large tree costs every hook call little
    return path.relative(folder, dir).split(path.sep).filter(Boolean).length < MAX_DEPTH;
  });
  for (const dir of found) {
    layers.push(...load(dir, folder, problems));
  }
  return { layers, problems };
}
