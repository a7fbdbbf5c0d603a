/**
 * Searching: grep, rg, ag, ack, fd. What they print comes from the files they read, so a search
 * through a folder is a read of every file below it (secrets included, unless the tool skips
 * hidden or ignored files, or the command narrows it with --include/-g); fd and rg can also run
 * a program for each match (-x, --pre). Pagers (less, more) read too, and run the commands given
 * with + at start (`less '+!cmd'`: ! runs a shell command) and key bindings from a lesskey file.
 */
import { compileSpec, parseWithSpec } from '../capabilities';
import type { SpecSource } from '../capabilities';
import { globToRegExp } from '../expand';
import { lit } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { readOnly, readTarget } from './common';
import type { Handler } from './common';
import { readTree } from './secrets';
import type { TreeFilter } from './secrets';
import { applyOptionRoles, unknownOptions } from './specs';

const GREP: SpecSource = {
  can: 'r',
  opts: '# E extended-regexp F fixed-strings G basic-regexp P perl-regexp e= regexp= f=:r file=:r i y ignore-case no-ignore-case v invert-match w word-regexp x line-regexp c count color=? colour=? L files-without-match l files-with-matches m= max-count= o only-matching q quiet silent s no-messages b byte-offset H with-filename h no-filename label= n line-number T initial-tab Z null A= after-context= B= before-context= C= context= a text binary-files= D= devices= d= directories= exclude= exclude-from=:r exclude-dir= I include= r recursive R dereference-recursive line-buffered U binary z null-data V version help',
};
const RG: SpecSource = {
  can: 'rx',
  opts: 'A= after-context= B= before-context= C= context= a text b byte-offset c count count-matches color= colors= column no-column crlf d= max-depth= maxdepth= E= encoding= e= regexp= f=:r file=:r files files-with-matches l files-without-match F fixed-strings no-fixed-strings g= glob= iglob= glob-case-insensitive h help heading no-heading hidden no-hidden . i ignore-case j= threads= L follow no-follow M= max-columns= max-columns-preview m= max-count= max-filesize= multiline U multiline-dotall n line-number N no-line-number null 0 null-data o only-matching p pretty passthru passthrough P pcre2 no-pcre2 engine= pre=:x pre-glob= q quiet r= replace= s case-sensitive S smart-case sort= sortr= stats t= type= T= type-not= type-add= type-clear= type-list u unrestricted V version v invert-match vimgrep w word-regexp x line-regexp z search-zip json no-json trim no-trim no-ignore no-ignore-vcs no-ignore-dot no-ignore-parent no-ignore-global no-ignore-exclude no-ignore-files no-require-git ignore-file=:r no-messages no-config binary no-binary debug trace one-file-system field-match-separator= field-context-separator= path-separator= no-unicode unicode line-buffered block-buffered mmap no-mmap hyperlink-format= include-zero sort-files list-file-types generate= max-filesize= path-separator= auto-hybrid-regex',
};
const FD: SpecSource = {
  can: 'rx',
  opts: 'H hidden I no-ignore u unrestricted no-ignore-vcs no-ignore-parent s case-sensitive i ignore-case g glob regex F fixed-strings and= a absolute-path l list-details L follow p full-path 0 print0 d= max-depth= min-depth= exact-depth= t= type= e= extension= E= exclude= c= color= j= threads= S= size= changed-within= change-newer-than= newer= changed-before= change-older-than= older= o= owner= max-results= 1 q quiet show-errors base-directory=:C path-separator= search-path= strip-cwd-prefix=? format= prune one-file-system ignore-file=:r h help V version',
};

const grepSpec = compileSpec(GREP);
const rgSpec = compileSpec(RG);
const fdSpec = compileSpec(FD);

function names(parse: ReturnType<typeof parseWithSpec>, ...keys: string[]): string[] {
  return parse.options.filter((o) => keys.includes(o.spec.name) && o.value).map((o) => o.value!.value);
}

function globTest(globs: readonly string[], name: string): boolean {
  return globs.some((g) => globToRegExp(g.replace(/^\*\*\//, '')).test(name));
}

const grep: Handler = (inv, out) => {
  readOnly(out);
  const parse = parseWithSpec(grepSpec, inv.argv.slice(1));
  applyOptionRoles(inv, out, parse);
  const has = (...n: string[]) => parse.options.some((o) => n.includes(o.spec.name));
  const patterned = has('e', 'regexp', 'f', 'file');
  const files = patterned ? parse.operands : parse.operands.slice(1);
  const recursive = has('r', 'recursive', 'R', 'dereference-recursive') || has('d', 'directories') && names(parse, 'd', 'directories').includes('recurse');
  const include = names(parse, 'include');
  const exclude = names(parse, 'exclude');
  const excludeDir = names(parse, 'exclude-dir');
  const filter: TreeFilter = {
    file: (n) => (!include.length || globTest(include, n)) && !globTest(exclude, n),
    dir: (n) => !globTest(excludeDir, n),
  };
  const targets: Word[] = files.length ? [...files] : recursive ? [lit('.')] : [];
  for (const w of targets) {
    readOrWalk(inv, out, w, recursive, filter);
  }
};

function readOrWalk(inv: Invocation, out: Outcome, w: Word, recursive: boolean, filter: TreeFilter): void {
  if (recursive && w.literal) {
    const scopeDir = inv.env.view.isDir(w.value.startsWith('/') ? w.value : `${inv.scope.cwd}/${w.value}`);
    if (scopeDir) {
      const abs = w.value.startsWith('/') ? w.value : `${inv.scope.cwd}/${w.value}`;
      readTree(inv, out, abs.replace(/\/\.?$/, '') || '/', inv.program, filter);
      return;
    }
  }
  readTarget(inv, out, w, inv.program);
}

/** rg reads below its paths (the cwd by default), skipping hidden and git-ignored files unless told not to. */
const rg: Handler = (inv, out) => {
  readOnly(out);
  const parse = parseWithSpec(rgSpec, inv.argv.slice(1));
  applyOptionRoles(inv, out, parse);
  unknownOptions(inv, out, rgSpec, parse);
  const has = (...n: string[]) => parse.options.some((o) => n.includes(o.spec.name));
  const unrestricted = parse.options.filter((o) => o.spec.name === 'u' || o.spec.name === 'unrestricted').length;
  const listOnly = has('files', 'type-list', 'version', 'V', 'help', 'h', 'generate');
  const patterned = has('e', 'regexp', 'f', 'file');
  const paths = patterned || listOnly ? parse.operands : parse.operands.slice(1);
  const globs = names(parse, 'g', 'glob', 'iglob');
  const include = globs.filter((g) => !g.startsWith('!'));
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const filter: TreeFilter = {
    skipHidden: !has('hidden', '.') && unrestricted < 2,
    skipIgnored: !has('no-ignore', 'no-ignore-vcs') && unrestricted < 1,
    file: (n) => (!include.length || globTest(include, n)) && !globTest(exclude, n),
    dir: (n) => !globTest(exclude, n),
  };
  if (listOnly && !has('files')) {
    return;
  }
  for (const w of paths.length ? paths : [lit('.')]) {
    readOrWalk(inv, out, w, true, filter);
  }
};

/** fd lists names (no content); -x/-X run a command for the matches: everything after it. */
const fd: Handler = (inv, out) => {
  readOnly(out);
  const args = inv.argv.slice(1);
  const x = args.findIndex((w) => ['-x', '--exec', '-X', '--exec-batch'].includes(w.value));
  const own = x >= 0 ? args.slice(0, x) : args;
  const parse = parseWithSpec(fdSpec, own);
  unknownOptions(inv, out, fdSpec, parse);
  if (x >= 0) {
    const cmd = args.slice(x + 1);
    const end = cmd.findIndex((w) => w.value === ';');
    const run = (end >= 0 ? cmd.slice(0, end) : cmd).map((w) => (w.value.includes('{') ? { value: '$(fd match)', literal: false } : w));
    out.knowledge = 'known';
    out.writes = true;
    if (run.length) {
      inv.env.runArgv([...run, { value: '$(fd match)', literal: false }], inv.scope, { kind: 'none' }, inv.text);
    }
  }
};

/** less/more: the files are read by the spec; `+cmd` runs at start, `!` there runs a shell command. */
const pager: Handler = (inv, out) => {
  readOnly(out);
  for (const w of inv.argv.slice(1)) {
    if (!w.value.startsWith('+')) {
      continue;
    }
    if (!w.literal) {
      out.unknownReason ??= `${inv.program} ${w.value}: a start command only known when the line runs`;
    } else if (w.value.includes('!')) {
      out.knowledge = 'known';
      inv.env.runScript(w.value.slice(w.value.indexOf('!') + 1).replace(/\\n$/, ''), inv.scope, 'bash');
    } else if (/[|s]/.test(w.value.replace(/^\+{1,2}/, '').replace(/^\/.*/, ''))) {
      out.unknownReason ??= `${inv.program} ${w.value}: a start command that pipes or saves what it shows`;
    }
  }
};

export const SEARCH_HANDLERS: Record<string, Handler> = {
  less: pager,
  more: pager,
  grep,
  egrep: grep,
  fgrep: grep,
  rg,
  ag: rg,
  ack: grep,
  fd,
  fdfind: fd,
};
