/**
 * What git does beyond its sub-command's own meaning: the options it is given (checked against
 * its specs: an unknown one is asked), programs it is told to run (--upload-pack, ext:: URLs,
 * hooks in .git/hooks or core.hooksPath), files it prints from history (`git show HEAD:.env`),
 * Airlock's own snapshot refs, and whether the snapshot before it covers what it discards.
 */
import * as path from 'node:path';
import { compileSpec, parseWithSpec } from '../capabilities';
import type { ProgramSpec, SpecParse } from '../capabilities';
import { finding, lit } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { inlineCode, SHELLS } from './code';
import { add, display, readTarget, resolveWord } from './common';
import { appliesPatch } from './edits';
import { applyOptionRoles, unknownOptions } from './specs';
import { GIT_GLOBAL, GIT_SUBCOMMANDS } from './specsGit';

/** The hooks each sub-command runs, and the option that skips them. */
const HOOKS: Readonly<Record<string, { hooks: string[]; skip?: string[] }>> = {
  commit: { hooks: ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit'], skip: ['n', 'no-verify'] },
  merge: { hooks: ['pre-merge-commit', 'commit-msg', 'post-merge'], skip: ['no-verify'] },
  pull: { hooks: ['pre-merge-commit', 'post-merge', 'post-checkout'], skip: ['no-verify'] },
  push: { hooks: ['pre-push'], skip: ['no-verify'] },
  checkout: { hooks: ['post-checkout'] },
  switch: { hooks: ['post-checkout'] },
  rebase: { hooks: ['pre-rebase', 'post-rewrite', 'post-checkout'], skip: ['no-verify'] },
  am: { hooks: ['applypatch-msg', 'pre-applypatch', 'post-applypatch'], skip: ['no-verify'] },
  'cherry-pick': { hooks: ['prepare-commit-msg', 'post-commit'] },
  revert: { hooks: ['prepare-commit-msg', 'commit-msg', 'post-commit'] },
};

/** Options that make git run a program of the caller's choosing for the remote side. */
const REMOTE_PROGRAM = new Set(['upload-pack', 'receive-pack', 'exec', 'u']);
/** Options that make git run a program for what it shows. */
const SHOW_PROGRAM = new Set(['O', 'open-files-in-pager']);

/** Checks git's global options and the sub-command's against their specs; applies their roles. */
const globalSpec = compileSpec(GIT_GLOBAL);
const subSpecs = new Map<string, ProgramSpec>();

export function checkGitOptions(inv: Invocation, out: Outcome, global: readonly Word[], sub: string, rest: readonly Word[]): SpecParse | undefined {
  if (global.length) {
    unknownOptions(inv, out, globalSpec, parseWithSpec(globalSpec, global), 'git');
  }
  const opts = Object.prototype.hasOwnProperty.call(GIT_SUBCOMMANDS, sub) ? GIT_SUBCOMMANDS[sub] : undefined;
  if (opts === undefined) {
    return undefined;
  }
  let spec = subSpecs.get(sub);
  if (!spec) {
    spec = compileSpec({ can: 'rwx', opts });
    subSpecs.set(sub, spec);
  }
  const p = parseWithSpec(spec, rest);
  applyOptionRoles(inv, out, p, `git ${sub}`);
  unknownOptions(inv, out, spec, p, `git ${sub}`);
  for (const o of p.options) {
    if (REMOTE_PROGRAM.has(o.spec.name) && o.value && ['fetch', 'pull', 'clone', 'push', 'ls-remote', 'archive'].includes(sub)) {
      add(out, finding('remote-code', 'caution', 'git.remote-program', `git ${sub} ${o.text}: git runs ${o.value.value} in place of its own helper for the remote`));
    }
  }
  for (const o of p.options) {
    if (SHOW_PROGRAM.has(o.spec.name)) {
      add(out, finding('remote-code', 'caution', 'git.show-program', `git ${sub} ${o.text}: git opens what it finds with ${o.value?.value ?? 'a program set elsewhere'}`));
    }
  }
  for (const w of p.operands) {
    if (/^ext::/i.test(w.value)) {
      add(out, finding('remote-code', 'caution', 'git.ext-url', `git ${sub} ${w.value.slice(0, 40)}: an ext:: address makes git run that command as the remote`));
    }
  }
  return p;
}

/** Files git prints from its history or index: `git show HEAD:.env`, `git cat-file -p :x`, `git diff --no-index a b`. */
export function gitReads(inv: Invocation, out: Outcome, sub: string, p: SpecParse | undefined): void {
  if (!p) {
    return;
  }
  const root = { ...inv, scope: { cwd: inv.env.workspace, cwdKnown: true } };
  if (['show', 'cat-file', 'grep'].includes(sub)) {
    for (const w of p.operands) {
      const m = /^[^:]*:(?:\d:)?(.+)$/.exec(w.value);
      if (m && w.literal && !/^[a-z+]+:\/\//i.test(w.value)) {
        const rel = m[1].startsWith('./') || m[1].startsWith('../') ? m[1] : m[1];
        readTarget(m[1].startsWith('./') || m[1].startsWith('../') ? inv : root, out, lit(rel), `git ${sub}`);
      }
    }
  }
  const patches = p.options.some((o) => ['p', 'u', 'patch', 'L', 'W', 'function-context'].includes(o.spec.name));
  if (['diff', 'show', 'grep', 'blame', 'difftool'].includes(sub) || (['log', 'whatchanged'].includes(sub) && patches)) {
    // pathspecs whose content the command prints: after `--`, or naming a file that is there
    const dd = inv.argv.findIndex((w) => w.value === '--');
    for (const w of p.operands) {
      const after = dd >= 0 && inv.argv.indexOf(w) > dd;
      const abs = w.literal ? resolveWord(inv, w) : undefined;
      if (after || (abs !== undefined && !w.value.includes(':') && inv.env.view.exists(abs))) {
        readTarget(inv, out, w, `git ${sub}`);
      }
    }
  }
  if (sub === 'diff' && p.options.some((o) => o.spec.name === 'no-index')) {
    for (const w of p.operands) {
      readTarget(inv, out, w, 'git diff --no-index');
    }
  }
  if (sub === 'blame') {
    for (const w of p.operands.slice(-1)) {
      readTarget(inv, out, w, 'git blame');
    }
  }
}

/** `git apply x.patch`: the files the patch names are written (not with --check, --stat, --cached). */
export function gitApply(inv: Invocation, out: Outcome, sub: string, p: SpecParse | undefined): void {
  if (sub !== 'apply' || !p || p.options.some((o) => ['check', 'stat', 'numstat', 'summary', 'cached'].includes(o.spec.name))) {
    return;
  }
  const strip = Number(p.options.find((o) => o.spec.name === 'p')?.value?.value ?? 1);
  const files = p.operands.length ? p.operands.map((w) => resolveWord(inv, w)) : [inv.stdin.file];
  for (const f of files) {
    appliesPatch(inv, out, f, strip, 'git apply');
  }
}

/** Hooks git will run for this sub-command, judged by what they contain. */
export function gitHooks(inv: Invocation, out: Outcome, sub: string, p: SpecParse | undefined): void {
  const h = HOOKS[sub];
  if (!h || (h.skip && p?.options.some((o) => h.skip!.includes(o.spec.name)))) {
    return;
  }
  const gitDir = path.join(inv.env.workspace, '.git');
  if (!inv.env.view.isDir(gitDir)) {
    return;
  }
  const config = inv.env.view.read(path.join(gitDir, 'config')) ?? '';
  const custom = /^\s*hookspath\s*=\s*(.+?)\s*$/im.exec(config)?.[1];
  const dir = custom ? path.resolve(inv.env.workspace, custom.replace(/^~(?=\/)/, inv.env.home)) : path.join(gitDir, 'hooks');
  for (const name of h.hooks) {
    const file = path.join(dir, name);
    if (!inv.env.view.exists(file)) {
      continue;
    }
    const text = inv.env.view.read(file);
    const shebang = /^#!\s*(?:\/usr\/bin\/env\s+)?\S*?([\w.-]+)(\s|$)/.exec(text ?? '')?.[1] ?? 'sh';
    if (text === undefined) {
      out.unknownReason ??= `git ${sub} runs the hook ${display(file, inv)}, which Airlock cannot read`;
    } else if (SHELLS.has(shebang)) {
      inv.env.runScript(text, { cwd: inv.env.workspace, cwdKnown: true }, 'bash');
    } else {
      const judged: Outcome = { findings: [], knowledge: 'known', stdout: out.stdout };
      inlineCode(judged, text, shebang);
      if (judged.knowledge === 'unknown') {
        add(out, finding('remote-code', 'caution', 'git.hook', `git ${sub} runs the hook ${display(file, inv)}, a ${shebang} program that can change files or run programs`));
      }
    }
  }
}

/** A finding when a command reaches Airlock's snapshot refs (refs/airlock/...). */
export function snapshotRefs(out: Outcome, sub: string, operands: readonly Word[]): void {
  if (['update-ref', 'symbolic-ref', 'branch', 'tag', 'replace', 'pack-refs', 'reflog', 'notes'].includes(sub) && operands.some((w) => /(^|\/)refs\/airlock(\/|$)|^airlock\//.test(w.value))) {
    add(out, finding('git-history', 'catastrophic', 'airlock.snapshot-refs', `git ${sub} changes Airlock's snapshots (refs/airlock/...), which only Airlock may change`));
  }
}

/** The branch checked out now (from .git/HEAD), when it can be read. */
export function currentBranch(inv: Invocation): string | undefined {
  const head = inv.env.view.read(path.join(inv.env.workspace, '.git', 'HEAD'));
  return head ? /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head)?.[1] : undefined;
}

/** Whether a name given to git push is a tag here (or looks like a release version). */
export function isTagName(inv: Invocation, name: string): boolean {
  const ref = name.replace(/^\+/, '').split(':')[0];
  if (ref.startsWith('refs/tags/')) {
    return true;
  }
  if (ref.startsWith('refs/heads/') || ref === 'HEAD' || ref === '') {
    return false;
  }
  const gitDir = path.join(inv.env.workspace, '.git');
  if (inv.env.view.exists(path.join(gitDir, 'refs', 'tags', ref)) || (inv.env.view.read(path.join(gitDir, 'packed-refs')) ?? '').includes(` refs/tags/${ref}\n`)) {
    return true;
  }
  return !inv.env.view.exists(path.join(gitDir, 'refs', 'heads', ref)) && /^v?\d+(\.\d+)+([-.+][\w.]+)?$/.test(ref);
}

export { SHELLS };
