/** git: history, uncommitted work, refs, remotes, and the programs git can be told to run. */
import { has, parseArgs, value } from '../args';
import { finding, lit, NO_STREAM } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { add, deleteTarget, recoverableIf, resolveWord, words, writeTarget } from './common';
import { checkGitOptions, currentBranch, gitApply, gitHooks, gitReads, isTagName, snapshotRefs } from './gitChecks';
import type { Handler } from './common';
import { copyLike } from './files';

/** An editor or pager git may run (a command line, run by the shell): a known program with plain options. */
const PLAIN_EDITOR = /^(vim?|nvim|gvim|nano|pico|micro|emacs(client)?|ed|mg|kak|hx|helix|code|code-insiders|codium|cursor|windsurf|subl|mate|atom|zed|gedit|kate|notepad(\+\+)?|open|less|more|most|cat|bat|delta|diff-so-fancy|diff-highlight|ydiff)( +(-{1,2}[\w-]+(=[\w.-]+)?|\+\w*))*$/;

/** Sub-commands that change nothing in the working tree, the index or the refs. */
const READ_ONLY_SUBS = new Set(['', 'status', 'log', 'diff', 'show', 'blame', 'annotate', 'grep', 'ls-files', 'ls-tree', 'ls-remote', 'rev-parse', 'rev-list', 'describe', 'shortlog', 'cat-file', 'for-each-ref', 'show-ref', 'show-branch', 'merge-base', 'count-objects', 'fsck', 'help', 'version', '--version', '--help', 'whatchanged', 'cherry', 'range-diff', 'name-rev', 'var', 'check-ignore', 'check-attr', 'diff-tree', 'diff-files', 'diff-index', 'verify-commit', 'verify-tag', 'show-index']);

const git: Handler = (inv, out) => {
  const args = inv.argv.slice(1);
  const scope = { ...inv.scope };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i].value;
    if (a === '-C') {
      const d = args[i + 1] ? resolveWord(inv, args[i + 1]) : undefined;
      scope.cwd = d ?? scope.cwd;
      scope.cwdKnown = d !== undefined && inv.scope.cwdKnown !== false;
      i++;
    } else if (a === '-c') {
      const kv = args[i + 1]?.value ?? '';
      if (/^(alias\.|core\.(pager|sshcommand|editor|hookspath|fsmonitor|gitproxy|askpass|attributesfile|excludesfile)|credential\.|diff\.(external|\w+\.(textconv|command))|merge\.\w+\.driver|filter\.|uploadpack|receivepack|protocol\.|include\.|includeif\.|sequence\.editor|gpg\.(\w+\.)?program|ssh\.variant|http\.\w*proxy|remote\.\w+\.(uploadpack|receivepack|proxy|vcs)|url\.)/i.test(kv) || kv.includes('!')) {
        add(out, finding('remote-code', 'caution', 'git.config-exec', `sets git configuration that runs a program (${kv.slice(0, 60)})`));
      }
      i++;
    } else if (a === '--git-dir' || a === '--work-tree' || a === '--namespace' || a === '--exec-path' || a === '--config-env') {
      i++;
    } else if (a.startsWith('-')) {
      continue;
    } else {
      break;
    }
  }
  const sub = args[i]?.value ?? '';
  const rest = args.slice(i + 1);
  const restv = words(rest);
  const sinv: Invocation = { ...inv, scope };
  const p = parseArgs(rest, ['m', 'message', 'C', 'c', 'F', 'file', 'b', 'B', 'o', 'origin', 'u', 'upstream', 'S', 'source', 'format', 'pretty', 'n', 'depth', 'branch', 'j', 'jobs', 'template', 'reference', 'since', 'until', 'author', 'grep', 'date', 'e', 'A', 'L', 'x', 'exec', 'strategy', 's', 'X', 'strategy-option', 'onto', 'repo', 'push-option', 'receive-pack', 'exclude', 'config', 'separate-git-dir', 'filter', 'sort', 'contains', 'points-at', 'merged', 'no-merged', 'set-upstream-to', 'track', 'pathspec-from-file', 'conflict', 'orphan', 'expire', 'expire-unreachable', 'prune']);
  const f = (sev: 'catastrophic' | 'destructive' | 'caution', id: string, reason: string, cat: 'git-history' | 'publishing' = 'git-history') => add(out, finding(cat, sev, id, reason));
  /** A change to tracked files only: the snapshot before it has them all, in a git repository. */
  const tracked = (sev: 'destructive' | 'caution', id: string, reason: string) => {
    const here = sinv.scope.cwdKnown && (sinv.scope.cwd === sinv.env.workspace || sinv.scope.cwd.startsWith(`${sinv.env.workspace}/`));
    const repo = here && sinv.env.view.uncovered(sinv.env.workspace) !== undefined;
    add(out, repo ? { ...finding('git-history', sev, id, `${reason} (the snapshot taken before it can restore them)`), recoverable: true } : finding('git-history', sev, id, reason));
  };
  out.knowledge = 'known';
  const KNOWN_SUBS = /^(status|log|diff|show|blame|annotate|grep|ls-files|ls-tree|ls-remote|rev-parse|rev-list|describe|shortlog|cat-file|for-each-ref|show-ref|show-branch|merge-base|count-objects|fsck|help|version|whatchanged|reflog|cherry|range-diff|name-rev|var|check-ignore|check-attr|diff-tree|diff-files|diff-index|verify-commit|verify-tag|format-patch|request-pull|bugreport|instaweb|difftool|citool|gui|gitk|--version|--help|fetch|add|commit|init|clone|pull|merge|cherry-pick|revert|am|apply|mv|bisect|notes|archive|bundle|submodule|lfs|worktree|sparse-checkout|maintenance|range-diff|switch|mergetool|stage|sh-ref|rerere|shortlog|blame|show-index|hash-object|mktree|commit-tree|write-tree|read-tree|symbolic-ref|pack-refs|repack|prune-packed|count|credential-cache|remote|config|stash|tag|branch|checkout|restore|reset|clean|push|rebase|gc|prune|filter-branch|filter-repo|update-ref|rm|replace|fast-import|)$/;
  if (!KNOWN_SUBS.test(sub) && sub !== '') {
    out.knowledge = 'unknown';
    return;
  }
  const dryRun = has(p, 'n', 'dry-run') && !['commit', 'log', 'show'].includes(sub);
  const given = checkGitOptions(sinv, out, args.slice(0, i), sub, rest);
  gitReads(sinv, out, sub, given);
  gitHooks(sinv, out, sub, given);
  gitApply(sinv, out, sub, given);
  snapshotRefs(out, sub, rest);
  // commands that git runs for you
  if (sub === 'submodule' && restv.includes('foreach')) {
    const k = restv.indexOf('foreach');
    const cmd = rest.slice(k + 1).filter((w) => w.value !== '--recursive' && w.value !== '-q' && w.value !== '--quiet');
    inv.env.runScript(words(cmd).join(' '), scope, 'bash');
    if (cmd.some((w) => !w.literal)) {
      out.knowledge = 'unknown';
    } else {
      out.knowledge = 'harmless';
    }
    return;
  }
  if (sub === 'bisect' && restv[0] === 'run' && rest.length > 1) {
    out.knowledge = 'harmless';
    inv.env.runArgv(rest.slice(1), scope, NO_STREAM, inv.text);
    return;
  }
  switch (sub) {
    case '':
    case 'status':
    case 'log':
    case 'diff':
    case 'show':
    case 'blame':
    case 'annotate':
    case 'grep':
    case 'ls-files':
    case 'ls-tree':
    case 'ls-remote':
    case 'rev-parse':
    case 'rev-list':
    case 'describe':
    case 'shortlog':
    case 'cat-file':
    case 'for-each-ref':
    case 'show-ref':
    case 'show-branch':
    case 'merge-base':
    case 'count-objects':
    case 'fsck':
    case 'help':
    case 'version':
    case '--version':
    case '--help':
    case 'whatchanged':
    case 'cherry':
    case 'range-diff':
    case 'name-rev':
    case 'var':
    case 'check-ignore':
    case 'check-attr':
    case 'diff-tree':
    case 'diff-files':
    case 'diff-index':
    case 'verify-commit':
    case 'verify-tag':
    case 'fetch':
    case 'add':
    case 'stage':
    case 'commit':
    case 'init':
    case 'pull':
    case 'merge':
    case 'cherry-pick':
    case 'revert':
    case 'am':
    case 'apply':
    case 'bisect':
    case 'notes':
    case 'archive':
    case 'bundle':
    case 'submodule':
    case 'lfs':
    case 'sparse-checkout':
    case 'maintenance':
    case 'mergetool':
    case 'difftool':
    case 'rerere':
    case 'format-patch':
    case 'request-pull':
    case 'hash-object':
    case 'show-index':
      out.knowledge = 'harmless';
      out.writes = !READ_ONLY_SUBS.has(sub);
      if (sub === 'pull' && has(p, 'force', 'f')) {
        f('caution', 'git.pull-force', 'pulls with --force, which can overwrite local branches');
      }
      if (sub === 'bundle' && p.operands[0]?.value === 'create' && p.operands[1]) {
        writeTarget(sinv, out, p.operands[1], 'create', 'git bundle create');
      }
      break;
    case 'clone': {
      out.knowledge = 'harmless';
      const ops = p.operands;
      if (ops.length >= 2) {
        writeTarget(sinv, out, ops[1], 'create');
      }
      break;
    }
    case 'reflog':
      if (p.operands[0]?.value === 'expire' || p.operands[0]?.value === 'delete') {
        f('destructive', 'git.reflog-expire', 'expires reflog entries: the safety net for recovering lost commits (and Airlock snapshots) disappears');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'worktree':
      if (p.operands[0]?.value === 'remove' && has(p, 'f', 'force')) {
        f('destructive', 'git.worktree-remove-force', 'removes a worktree with --force, discarding its uncommitted changes');
      } else if (p.operands[0]?.value === 'remove' || p.operands[0]?.value === 'prune') {
        f('caution', 'git.worktree-remove', 'removes a git worktree');
      } else {
        out.knowledge = 'harmless';
        if (p.operands[0]?.value === 'add' && p.operands[1]) {
          writeTarget(sinv, out, p.operands[1], 'create', 'git worktree add');
        }
      }
      break;
    case 'mv':
      copyLike({ ...sinv, argv: [lit('mv'), ...rest] }, out, true);
      out.knowledge = 'known';
      break;
    case 'rm': {
      const cached = has(p, 'cached');
      for (const w of p.operands) {
        if (cached) {
          continue;
        }
        deleteTarget(sinv, out, w, has(p, 'r'));
      }
      if (has(p, 'f', 'force') && !cached) {
        f('caution', 'git.rm-force', 'removes files with --force, including ones with uncommitted changes');
      }
      break;
    }
    case 'remote':
      out.knowledge = ['remove', 'rm', 'set-url', 'prune'].includes(p.operands[0]?.value ?? '') ? 'known' : 'harmless';
      if (['remove', 'rm'].includes(p.operands[0]?.value ?? '')) {
        f('caution', 'git.remote-remove', `removes the remote ${p.operands[1]?.value ?? ''} and its remote-tracking branches`);
      }
      break;
    case 'config': {
      const keyIdx = p.operands.findIndex((w) => /^[\w-]+\.[\w.-]+$/.test(w.value));
      const key = keyIdx >= 0 ? p.operands[keyIdx].value : '';
      const writes = keyIdx >= 0 && p.operands.length > keyIdx + 1 && !has(p, 'get', 'get-all', 'get-regexp', 'l', 'list');
      out.knowledge = 'harmless';
      const val = words(p.operands.slice(keyIdx + 1)).join(' ');
      const runsProgram = /^(core\.(sshcommand|hookspath|fsmonitor|gitproxy|askpass|attributesfile)|credential\.|diff\.(external|.+\.(textconv|command))|merge\..+\.driver|filter\.|gpg\.(\w+\.)?program|include\.path|includeif\.|remote\..+\.(uploadpack|receivepack|vcs)|protocol\.|ssh\.variant)/i.test(key) || (/^alias\./i.test(key) && val.startsWith('!')) || (/^alias\./i.test(key) && /[;|&$`()!<>]/.test(val)) || (/^(core\.(pager|editor)|sequence\.editor)$/i.test(key) && !PLAIN_EDITOR.test(val));
      if (writes && runsProgram) {
        f('caution', 'git.config-exec', `sets git configuration that makes git run a program (${key}), a way to run code later`);
        out.knowledge = 'known';
      } else if (has(p, 'unset-all', 'remove-section')) {
        out.knowledge = 'known';
      }
      break;
    }
    case 'stash': {
      const v = p.operands[0]?.value ?? 'push';
      if (v === 'drop') {
        f('destructive', 'git.stash-drop', 'deletes a stash entry: those saved changes are gone');
      } else if (v === 'clear') {
        f('destructive', 'git.stash-clear', 'deletes every stash entry: all saved changes are gone');
      } else {
        out.knowledge = 'harmless';
        if ((v === 'push' || v === 'save') && has(p, 'u', 'include-untracked', 'a', 'all')) {
          // the untracked files leave the working tree for the stash: judged as deleted there
          out.writes = true;
          for (const file of inv.env.view.untracked(inv.env.workspace) ?? []) {
            deleteTarget(sinv, out, lit(file), false, 'moves into the stash', 'git stash -u');
          }
        }
      }
      break;
    }
    case 'tag':
      if (has(p, 'd', 'delete')) {
        f('caution', 'git.tag-delete', 'deletes a tag');
      } else if (has(p, 'f', 'force')) {
        f('caution', 'git.tag-force', 'moves an existing tag with --force');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'branch':
      if (restv.some((a) => a === '-D' || (/^-[a-zA-Z]*D/.test(a) && !a.startsWith('--'))) || (has(p, 'd', 'delete') && has(p, 'f', 'force'))) {
        f('destructive', 'git.branch-force-delete', `force-deletes the branch ${p.operands.map((w) => w.value).join(' ')}, even if its commits are not merged anywhere`);
      } else if (has(p, 'd', 'delete')) {
        f('caution', 'git.branch-delete', `deletes the branch ${p.operands.map((w) => w.value).join(' ')} (only if merged)`);
      } else if (restv.includes('-M') || (has(p, 'f', 'force') && p.operands.length)) {
        f('caution', 'git.branch-force', 'overwrites an existing branch');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'checkout': {
      const dd = rest.findIndex((w) => w.value === '--');
      const force = has(p, 'f', 'force');
      const exists = (w: Word) => w.literal && inv.env.view.exists(resolveWord(sinv, w) ?? '\0');
      const paths = dd >= 0 ? rest.slice(dd + 1) : p.operands.filter((w, k) => !w.literal || w.value === '.' || w.value === '*' || w.value.startsWith('./') || w.value.endsWith('/') || /\.[a-z]{1,5}$/i.test(w.value) || (k > 0 && exists(w)));
      // a commit named before the paths: the files come from it, not from the index
      const fromRev = (dd >= 0 ? p.operands.filter((w) => rest.indexOf(w) < dd) : p.operands.filter((w) => !paths.includes(w))).length > 0;
      if (paths.length) {
        tracked(paths.some((w) => w.value === '.' || w.value === '*' || w.value === ':/' || !w.literal) ? 'destructive' : 'caution', 'git.checkout-paths', `git checkout overwrites ${paths.map((w) => w.value).join(' ')} with the committed version, discarding uncommitted changes there`);
        for (const w of paths) {
          checkoutWrites(sinv, out, w, fromRev);
        }
      } else if (force) {
        tracked('destructive', 'git.checkout-force', 'git checkout -f switches branches discarding uncommitted changes');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    }
    case 'switch':
      if (has(p, 'f', 'force', 'discard-changes')) {
        tracked('destructive', 'git.switch-discard', 'git switch switches branches discarding uncommitted changes');
      } else if (restv.includes('-C')) {
        f('caution', 'git.branch-force', 'resets an existing branch while switching to it');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'restore': {
      const staged = has(p, 'S', 'staged');
      const worktree = has(p, 'W', 'worktree') || !staged;
      if (!worktree) {
        out.knowledge = 'harmless';
        break;
      }
      const paths = p.operands;
      tracked(paths.some((w) => w.value === '.' || w.value === '*' || w.value === ':/' || !w.literal) || paths.length === 0 ? 'destructive' : 'caution', 'git.restore', `git restore restores ${paths.map((w) => w.value).join(' ') || 'files'} from git, discarding uncommitted changes there`);
      for (const w of paths) {
        checkoutWrites(sinv, out, w, has(p, 's', 'source'));
      }
      break;
    }
    case 'reset':
      if (has(p, 'hard') && p.operands.every((w) => w.value === 'HEAD' || w.value === '@')) {
        tracked('destructive', 'git.reset-hard', 'git reset --hard discards every uncommitted change in the working tree and index');
      } else if (has(p, 'hard')) {
        f('destructive', 'git.reset-hard', `git reset --hard ${p.operands.map((w) => w.value).join(' ')} moves the branch and discards every uncommitted change: commits after it leave the branch`);
      } else if (has(p, 'merge', 'keep')) {
        f('caution', 'git.reset-keep', 'moves the branch and updates files in the working tree');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'clean':
      if (dryRun) {
        out.knowledge = 'harmless';
      } else if (has(p, 'f', 'force') || restv.some((a) => /^-[a-zA-Z]*f/.test(a))) {
        const ignored = has(p, 'x', 'X') || restv.some((a) => /^-[a-zA-Z]*[xX]/.test(a));
        const what = `git clean deletes untracked files${ignored ? ' and ignored files (like .env)' : ''}${has(p, 'd') || restv.some((a) => /^-[a-zA-Z]*d/.test(a)) ? ' and folders' : ''}`;
        const untracked = ignored || !sinv.scope.cwdKnown ? undefined : sinv.env.view.untracked(sinv.scope.cwd);
        if (untracked === undefined) {
          f('destructive', 'git.clean', `${what}: git cannot bring them back`);
        } else {
          for (const u of untracked) {
            sinv.env.effects.push({ path: u, op: 'delete', via: inv.text });
          }
          recoverableIf(sinv, out, sinv.scope.cwd, finding('git-history', 'destructive', 'git.clean', what));
        }
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'push': {
      if (dryRun) {
        out.knowledge = 'harmless';
        break;
      }
      const refs = p.operands.slice(1).map((w) => w.value);
      if (has(p, 'd', 'delete') || refs.some((r) => r.startsWith(':'))) {
        f('destructive', 'git.push-delete', `deletes a branch or tag on the remote (${refs.join(' ')})`);
      }
      if (has(p, 'mirror')) {
        f('destructive', 'git.push-mirror', 'mirrors local refs to the remote, deleting remote branches that do not exist locally');
      }
      if (has(p, 'prune')) {
        f('destructive', 'git.push-prune', 'deletes remote branches that do not exist locally');
      }
      if (has(p, 'f', 'force') || refs.some((r) => r.startsWith('+'))) {
        f('destructive', 'git.push-force', 'force-pushes: commits on the remote that are not in your branch are overwritten for everyone');
      } else if ([...p.flags].some((x) => x.startsWith('force-with-lease') || x === 'force-if-includes')) {
        f('caution', 'git.push-force-with-lease', 'force-pushes with --force-with-lease: rewrites the remote branch (only if nobody else pushed)');
      }
      if (!out.findings.length) {
        const remote = p.operands[0]?.value ?? 'its remote';
        if (has(p, 'tags', 'follow-tags') || refs.some((r) => isTagName(sinv, r))) {
          f('caution', 'git.push-tags', `git push publishes tags to ${remote} (${refs.join(' ') || 'all tags'}), which often starts a release`, 'publishing');
        } else {
          const branches = has(p, 'all', 'branches') ? 'every branch' : refs.length ? refs.map((r) => r.split(':').pop()).join(', ') : `the current branch${currentBranch(sinv) ? ` (${currentBranch(sinv)})` : ''}`;
          f('caution', 'git.push', `git push publishes ${branches} to ${remote}`, 'publishing');
        }
      }
      break;
    }
    case 'rebase':
      if (has(p, 'abort', 'continue', 'skip', 'quit', 'show-current-patch', 'edit-todo')) {
        out.knowledge = 'harmless';
      } else {
        f('caution', 'git.rebase', 'rebases: rewrites commit history of the branch');
      }
      break;
    case 'gc':
      if ([...p.flags].some((x) => x === 'prune') && /now|all/.test(value(p, 'prune') ?? '')) {
        f('destructive', 'git.gc-prune-now', 'garbage-collects unreachable objects now: lost commits (and unreferenced snapshots) cannot be recovered');
      } else if (restv.some((a) => /^--prune=(now|all)/.test(a))) {
        f('destructive', 'git.gc-prune-now', 'garbage-collects unreachable objects now: lost commits cannot be recovered');
      } else {
        out.knowledge = 'harmless';
      }
      break;
    case 'prune':
      f('caution', 'git.prune', 'prunes unreachable objects from the repository');
      break;
    case 'filter-branch':
    case 'filter-repo':
      f('destructive', 'git.filter-branch', `rewrites the whole history of the repository (${sub})`);
      break;
    case 'update-ref':
      if (has(p, 'd')) {
        f('destructive', 'git.update-ref-delete', `deletes the ref ${p.operands[0]?.value ?? ''} directly`);
      } else {
        f('caution', 'git.update-ref', `moves the ref ${p.operands[0]?.value ?? ''} directly`);
      }
      break;
    case 'replace':
    case 'fast-import':
    case 'symbolic-ref':
    case 'read-tree':
    case 'commit-tree':
    case 'write-tree':
    case 'mktree':
    case 'pack-refs':
    case 'repack':
    case 'prune-packed':
      f('caution', `git.${sub}`, `runs the low-level git command ${sub}`);
      break;
    default:
      out.knowledge = 'unknown';
  }
};

/**
 * A path git writes back from the index or a commit (checkout/restore). A folder is the files in it
 * that git would change: tracked ones changed against HEAD when restoring from the index, every one when
 * they come from another commit (so Airlock's own files there are judged one by one).
 */
function checkoutWrites(inv: Invocation, out: Outcome, w: Word, fromRev: boolean): void {
  writeTarget(inv, out, w);
  const root = w.literal ? resolveWord(inv, w) : undefined;
  if (root === undefined || !inv.env.view.isDir(root)) {
    return;
  }
  const untracked = new Set(fromRev ? [] : inv.env.view.untracked(root) ?? []);
  const stack = [root];
  let seen = 0;
  while (stack.length && seen < 2000) {
    const dir = stack.pop()!;
    for (const e of inv.env.view.list(dir) ?? []) {
      const abs = `${dir}/${e.name}`;
      seen++;
      if (e.dir) {
        if (e.name !== '.git' && e.name !== 'node_modules') {
          stack.push(abs);
        }
      } else if (fromRev || (inv.env.view.changed(abs) === true && !untracked.has(abs))) {
        writeTarget(inv, out, lit(abs), 'write', 'git checkout');
      }
    }
  }
}

export const GIT_HANDLERS: Record<string, Handler> = {
git,
};
