/**
 * Capability specs (see src/shell/capabilities.ts) of git's global options and its common
 * sub-commands. Every sub-command can change the repository or run a program git is told to run
 * (--output, --ext-diff, --upload-pack, -c), so an option not listed here is asked.
 */
import type { SpecSource } from '../capabilities';

export const GIT_GLOBAL: SpecSource = {
  can: 'rwx',
  opts: 'C=:C c= config-env= exec-path=? html-path man-path info-path p paginate P no-pager no-replace-objects no-lazy-fetch literal-pathspecs glob-pathspecs noglob-pathspecs icase-pathspecs no-optional-locks git-dir= work-tree= namespace= bare list-cmds= attr-source= version help',
};

const COLOR = 'color=? no-color';
const DIFF =
  `p u patch s no-patch U= unified= output=:w output-indicator-new= output-indicator-old= output-indicator-context= raw patch-with-raw t indent-heuristic no-indent-heuristic minimal patience histogram anchored= diff-algorithm= stat=? stat-width= stat-name-width= stat-graph-width= stat-count= compact-summary numstat shortstat X=? dirstat=? cumulative dirstat-by-file=? summary patch-with-stat z name-only name-status submodule=? ${COLOR} color-moved=? no-color-moved color-moved-ws= no-color-moved-ws word-diff=? word-diff-regex= color-words=? no-renames rename-empty no-rename-empty check ws-error-highlight= full-index binary abbrev=? B=? break-rewrites=? M=? find-renames=? C=? find-copies=? find-copies-harder D irreversible-delete l= diff-filter= S= G= find-object= pickaxe-all pickaxe-regex O=:r skip-to= rotate-to= R relative=? no-relative a text ignore-cr-at-eol ignore-space-at-eol b ignore-space-change w ignore-all-space ignore-blank-lines I= ignore-matching-lines= inter-hunk-context= W function-context exit-code quiet ext-diff:x no-ext-diff textconv:x no-textconv ignore-submodules=? src-prefix= dst-prefix= no-prefix default-prefix line-prefix= ita-invisible-in-index ita-visible-in-index max-depth=`;
const REVS =
  '# n= max-count= skip= since= after= since-as-filter= until= before= author= committer= grep-reflog= grep= all-match invert-grep i regexp-ignore-case basic-regexp E extended-regexp F fixed-strings P perl-regexp remove-empty merges no-merges min-parents= max-parents= no-min-parents no-max-parents first-parent exclude-first-parent-only not all branches=? tags=? remotes=? glob= exclude= exclude-hidden= reflog alternate-refs single-worktree ignore-missing bisect stdin cherry-mark cherry-pick left-only right-only cherry walk-reflogs g merge boundary simplify-by-decoration show-pulls full-history dense sparse simplify-merges ancestry-path=? date-order author-date-order topo-order reverse no-walk=? do-walk pretty=? format= abbrev-commit no-abbrev-commit oneline encoding= expand-tabs=? no-expand-tabs notes=? no-notes show-notes=? show-notes-by-default show-signature relative-date date= parents children left-right graph show-linear-break=? c cc dd m r root diff-merges= no-diff-merges combined-all-paths remerge-diff follow no-decorate decorate=? decorate-refs= decorate-refs-exclude= clear-decorations source mailmap no-mailmap use-mailmap no-use-mailmap full-diff log-size L= count objects objects-edge unpacked timestamp';

/** Options of each sub-command (after the sub-command word). */
export const GIT_SUBCOMMANDS: Readonly<Record<string, string>> = {
  status: 's short b branch show-stash porcelain=? long v verbose u=? untracked-files=? ignore-submodules=? ignored=? z column=? no-column ahead-behind no-ahead-behind renames no-renames find-renames=? M=?',
  log: `${DIFF} ${REVS} q quiet`,
  show: `${DIFF} ${REVS} q quiet`,
  whatchanged: `${DIFF} ${REVS}`,
  shortlog: `${REVS} s summary e email n numbered c committer w=? group= format=`,
  diff: `${DIFF} cached staged no-index merge-base base ours theirs 1 2 3 0 q quiet`,
  'diff-tree': `${DIFF} ${REVS} stdin`,
  'diff-index': `${DIFF} cached merge-base m`,
  'diff-files': `${DIFF} q 0 1 2 3 c cc base ours theirs`,
  'range-diff': `${DIFF} ${REVS} creation-factor= no-dual-color left-only right-only`,
  blame: 'b root show-stats score-debug f show-name n show-number p porcelain line-porcelain incremental encoding= contents=:r date= progress no-progress M=? C=? ignore-rev= ignore-revs-file=:r color-lines color-by-age L= s e show-email w abbrev= c t l S=:r reverse= first-parent minimal since= until=',
  grep: '# i ignore-case I max-depth= r recursive no-recursive w word-regexp v invert-match h H full-name E extended-regexp G basic-regexp P perl-regexp F fixed-strings n line-number column l files-with-matches name-only L files-without-match O=?:x open-files-in-pager=?:x z null o only-matching c count color=? no-color break heading p show-function A= B= C= after-context= before-context= context= threads= f=:r e= and or not all-match q quiet cached untracked no-index exclude-standard no-exclude-standard recurse-submodules parent-basename= W function-context m= max-count= textconv:x no-textconv',
  add: 'n dry-run v verbose f force i interactive p patch e edit u update A all no-ignore-removal no-all ignore-removal N intent-to-add refresh ignore-errors ignore-missing no-warn-embedded-repo renormalize chmod= pathspec-from-file=:r pathspec-file-nul sparse',
  stage: 'n dry-run v verbose f force i interactive p patch e edit u update A all N intent-to-add refresh ignore-errors pathspec-from-file=:r',
  commit: 'a all p patch C= reuse-message= c= reedit-message= fixup= squash= reset-author short branch porcelain long z null F=:r file=:r author= date= m= message= t=:r template=:r s signoff no-signoff trailer= n no-verify verify allow-empty allow-empty-message cleanup= e edit no-edit amend no-post-rewrite i include o only pathspec-from-file=:r pathspec-file-nul u=? untracked-files=? v verbose q quiet dry-run status no-status S=? gpg-sign=? no-gpg-sign',
  push: 'all branches mirror d delete tags follow-tags no-follow-tags n dry-run porcelain f force force-with-lease=? no-force-with-lease force-if-includes no-force-if-includes atomic no-atomic o= push-option= receive-pack=:x exec=:x repo= set-upstream u thin no-thin q quiet v verbose progress no-progress recurse-submodules= no-recurse-submodules verify no-verify 4 6 ipv4 ipv6 prune no-prune signed=? no-signed',
  fetch: 'all a append atomic depth= deepen= shallow-since= shallow-exclude= unshallow update-shallow negotiation-tip= negotiate-only dry-run porcelain write-fetch-head no-write-fetch-head f force k keep multiple auto-maintenance no-auto-maintenance auto-gc no-auto-gc write-commit-graph no-write-commit-graph prefetch p prune P prune-tags n no-tags refetch refmap= t tags recurse-submodules=? j= jobs= no-recurse-submodules set-upstream submodule-prefix= recurse-submodules-default= u update-head-ok upload-pack=:x q quiet v verbose progress no-progress o= server-option= show-forced-updates no-show-forced-updates 4 6 ipv4 ipv6 stdin filter=',
  pull: 'q quiet v verbose recurse-submodules=? no-recurse-submodules commit no-commit e edit no-edit cleanup= ff no-ff ff-only S=? gpg-sign=? no-gpg-sign log=? no-log signoff no-signoff stat n no-stat squash no-squash verify no-verify s= strategy= X= strategy-option= verify-signatures no-verify-signatures summary no-summary autostash no-autostash allow-unrelated-histories r rebase=? no-rebase all append atomic depth= deepen= shallow-since= shallow-exclude= unshallow update-shallow negotiation-tip= dry-run f force k keep p prune no-tags t tags j= jobs= set-upstream upload-pack=:x progress no-progress o= server-option= 4 6 ipv4 ipv6',
  checkout: 'q quiet progress no-progress f force ours theirs b= B= t track=? no-track guess no-guess l detach orphan= ignore-skip-worktree-bits m merge conflict= p patch ignore-other-worktrees overwrite-ignore no-overwrite-ignore recurse-submodules=? no-recurse-submodules overlay no-overlay pathspec-from-file=:r pathspec-file-nul',
  switch: 'c= create= C= force-create= d detach guess no-guess f force discard-changes m merge conflict= q quiet progress no-progress t track=? no-track orphan= ignore-other-worktrees recurse-submodules=? no-recurse-submodules',
  restore: 's= source= p patch W worktree S staged q quiet progress no-progress ours theirs m merge conflict= ignore-unmerged ignore-skip-worktree-bits recurse-submodules=? no-recurse-submodules overlay no-overlay pathspec-from-file=:r pathspec-file-nul',
  branch: 'd delete D create-reflog f force m move M c copy C color=? no-color i ignore-case omit-empty column=? no-column r remotes a all l list show-current v vv verbose q quiet abbrev= no-abbrev t track=? no-track recurse-submodules set-upstream u= set-upstream-to= unset-upstream edit-description contains=? no-contains=? merged=? no-merged=? sort= points-at= format=',
  merge: 'commit no-commit edit e no-edit cleanup= ff no-ff ff-only S=? gpg-sign=? no-gpg-sign log=? no-log signoff no-signoff stat n no-stat squash no-squash verify no-verify s= strategy= X= strategy-option= verify-signatures no-verify-signatures summary no-summary q quiet v verbose progress no-progress autostash no-autostash allow-unrelated-histories m= F=:r file=:r into-name= rerere-autoupdate no-rerere-autoupdate overwrite-ignore no-overwrite-ignore abort quit continue',
  rebase: 'onto= keep-base continue skip abort quit edit-todo show-current-patch apply m merge empty= keep-empty no-keep-empty reapply-cherry-picks no-reapply-cherry-picks allow-empty-message s= strategy= X= strategy-option= rerere-autoupdate no-rerere-autoupdate S=? gpg-sign=? no-gpg-sign q quiet v verbose stat n no-stat no-verify verify C= f force-rebase no-ff fork-point no-fork-point ignore-whitespace whitespace= committer-date-is-author-date ignore-date reset-author-date signoff i interactive r rebase-merges=? no-rebase-merges x=:x exec=:x root autosquash no-autosquash autostash no-autostash reschedule-failed-exec no-reschedule-failed-exec update-refs no-update-refs',
  reset: 'q quiet no-refresh refresh mixed soft hard merge keep recurse-submodules=? no-recurse-submodules p patch N intent-to-add pathspec-from-file=:r pathspec-file-nul',
  stash: 'p patch S staged k keep-index no-keep-index u include-untracked a all q quiet m= message= pathspec-from-file=:r pathspec-file-nul index include-untracked only-untracked',
  tag: 'a annotate s sign no-sign u= local-user= f force d delete v verify n=? l list sort= color=? no-color i ignore-case omit-empty column=? no-column contains=? no-contains=? merged=? no-merged=? points-at= m= message= F=:r file=:r e edit cleanup= create-reflog format= trailer=',
  remote: 'v verbose t= m= f fetch tags no-tags mirror=? add rename remove rm set-head set-branches get-url set-url show prune update push all delete n dry-run',
  clone: 'l local no-local no-hardlinks s shared reference= reference-if-able= dissociate q quiet v verbose progress no-progress server-option= n no-checkout reject-shallow no-reject-shallow bare sparse filter= also-filter-submodules mirror o= origin= b= branch= revision= u=:x upload-pack=:x template=:l c= config= depth= shallow-since= shallow-exclude= single-branch no-single-branch no-tags tags recurse-submodules=? shallow-submodules no-shallow-submodules remote-submodules no-remote-submodules separate-git-dir= ref-format= j= jobs= bundle-uri= 4 6 ipv4 ipv6',
  init: 'q quiet bare template=:l separate-git-dir= object-format= ref-format= b= initial-branch= shared=?',
  config: 'global system local worktree f=:r file=:r blob= get get-all get-regexp get-urlmatch replace-all add unset unset-all rename-section remove-section l list fixed-value t= type= bool int bool-or-int path expiry-date no-type z null name-only show-origin show-scope get-color get-colorbool e edit includes no-includes default= comment= all regexp= value= url=',
  clean: 'd f force i interactive n dry-run q quiet e= exclude= x X',
  rm: 'f force n dry-run r cached ignore-unmatch sparse q quiet pathspec-from-file=:r pathspec-file-nul',
  mv: 'f force k n dry-run v verbose sparse',
  'cherry-pick': 'e edit cleanup= x r m= mainline= n no-commit s signoff S=? gpg-sign=? no-gpg-sign ff allow-empty allow-empty-message empty= keep-redundant-commits strategy= X= strategy-option= rerere-autoupdate no-rerere-autoupdate continue skip quit abort',
  revert: 'e edit no-edit cleanup= m= mainline= n no-commit S=? gpg-sign=? no-gpg-sign s signoff strategy= X= strategy-option= rerere-autoupdate no-rerere-autoupdate reference continue skip quit abort',
  describe: 'dirty=? broken=? all tags contains abbrev= candidates= exact-match debug long match= exclude= always first-parent',
  'rev-parse': 'parseopt sq-quote keep-dashdash stop-at-non-option stuck-long revs-only no-revs flags no-flags default= prefix= verify q quiet sq short=? not abbrev-ref=? symbolic symbolic-full-name output-object-format= all branches=? tags=? remotes=? glob= exclude= exclude-hidden= disambiguate= local-env-vars path-format= git-dir git-common-dir resolve-git-dir= git-path= show-toplevel show-superproject-working-tree shared-index-path show-object-format=? show-ref-format since= after= until= before= is-inside-git-dir is-inside-work-tree is-bare-repository is-shallow-repository absolute-git-dir show-cdup show-prefix',
  'ls-files': 'c cached d deleted m modified o others i ignored s stage k killed u unmerged resolve-undo z t v f x= exclude= X=:r exclude-from=:r exclude-per-directory= exclude-standard error-unmatch with-tree= full-name recurse-submodules abbrev=? debug eol deduplicate sparse format= directory no-empty-directory',
  'ls-tree': 'd r t l long z name-only name-status object-only full-name full-tree abbrev=? format=',
  'ls-remote': 'h heads b branches t tags refs q quiet upload-pack=:x exit-code get-url symref sort= o= server-option=',
  'show-ref': 'head branches tags d dereference s hash=? abbrev=? verify exists q quiet exclude-existing=?',
  'for-each-ref': 'count= sort= format= color=? shell perl python tcl points-at= merged=? no-merged=? contains=? no-contains=? ignore-case omit-empty exclude= include-root-refs stdin',
  'cat-file': 't s e p batch=? batch-check=? batch-command=? batch-all-objects buffer unordered textconv:x filters:x path= allow-unknown-type follow-symlinks mailmap no-mailmap use-mailmap Z z',
  'merge-base': 'a all octopus independent is-ancestor fork-point',
  reflog: `${REVS} expire delete exists show all single-worktree expire= expire-unreachable= rewrite updateref stale-fix n dry-run verbose`,
  worktree: 'f force d detach checkout no-checkout guess-remote no-guess-remote track no-track lock reason= orphan q quiet v verbose b= B= porcelain z expire= n dry-run relative-paths no-relative-paths',
  'format-patch': `${DIFF} ${REVS} o=:w output-directory=:w numbered N no-numbered start-number= numbered-files k keep-subject s signoff stdout attach=? no-attach inline=? thread=? no-thread in-reply-to= ignore-if-in-upstream always cover-from-description= subject-prefix= filename-max-length= rfc=? v= reroll-count= to= no-to cc= no-cc from=? force-in-body-from no-force-in-body-from add-header= cover-letter no-cover-letter encode-email-headers no-encode-email-headers interdiff= range-diff= creation-factor= signature= no-signature signature-file=:r suffix= q quiet no-binary zero-commit no-stat base= progress description-file=:r`,
  archive: 'format= l list v verbose prefix= add-file=:r add-virtual-file= o=:w output=:w worktree-attributes mtime= remote= exec=:x # 0 1 2 3 4 5 6 7 8 9',
  apply: 'stat numstat summary check index intent-to-add 3 3way ours theirs union build-fake-ancestor=:w R reverse reject z p= C= unidiff-zero apply no-add allow-binary-replacement binary exclude= include= ignore-space-change ignore-whitespace whitespace= inaccurate-eof v verbose q quiet recount directory=:C unsafe-paths allow-empty cached',
  am: 's signoff k keep keep-non-patch keep-cr no-keep-cr c scissors no-scissors quoted-cr= empty= m message-id no-message-id q quiet u utf8 no-utf8 3 3way no-3way rerere-autoupdate no-rerere-autoupdate ignore-space-change ignore-whitespace whitespace= C= p= directory=:C exclude= include= reject patch-format= i interactive n no-verify verify committer-date-is-author-date ignore-date skip S=? gpg-sign=? no-gpg-sign continue r resolved resolvemsg= abort quit retry show-current-patch=? allow-empty',
  submodule: 'q quiet cached recursive init remote N no-fetch f force checkout merge rebase reference= depth= recommend-shallow no-recommend-shallow j= jobs= single-branch no-single-branch filter= b= branch= name= all',
  bisect: 'term-old= term-new= term-good= term-bad= no-checkout first-parent',
  gc: 'aggressive auto no-detach detach cruft no-cruft max-cruft-size= prune=? no-prune q quiet force keep-largest-pack',
  notes: 'ref= f force m= message= F=:r file=:r C= reuse-message= c= reedit-message= allow-empty separator=? no-separator stripspace no-stripspace s= strategy= commit abort ignore-missing stdin for-rewrite= n dry-run v verbose q quiet',
  'check-ignore': 'q quiet v verbose stdin z n non-matching no-index',
  'check-attr': 'a all cached stdin z source=',
  'count-objects': 'v verbose H human-readable',
  'name-rev': 'tags refs= exclude= all annotate-stdin name-only no-undefined always',
  'rev-list': `${REVS} header no-commit-header timestamp disk-usage=? quiet in-commit-order`,
  'update-ref': 'm= d no-deref create-reflog stdin z',
  'symbolic-ref': 'd delete q quiet short recurse no-recurse m=',
  'sparse-checkout': 'cone no-cone sparse-index no-sparse-index skip-checks stdin',
  maintenance: 'task= auto quiet schedule= scheduler=',
  rerere: '',
  fsck: 'tags root unreachable dangling no-dangling cache no-reflogs full no-full connectivity-only strict verbose lost-found name-objects progress no-progress',
  'verify-commit': 'v verbose raw',
  'verify-tag': 'v verbose raw format=',
  var: 'l',
  version: 'build-options',
  help: 'a all c config g guides i info m man w web v verbose',
  lfs: '',
};
