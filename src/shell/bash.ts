/** The bash walker: sub-commands, pipelines, substitutions, redirections, `cd`, aliases and functions. */
import type { Node } from '@vscode/tree-sitter-wasm';
import type { SubCommand } from '../core/types';
import { expandedWords, fileOfSubstitution, wordOf } from './bashWords';
import { judgeAssignment } from './environment';
import { writeTarget as writeRedirect } from './knowledge';
import { lit, NO_STREAM, UNKNOWN_STREAM } from './model';
import type { Env, Scope, Stream, Word } from './model';
import { resolvePath } from './paths';
import { programName, runArgv } from './run';

const REDIRECT_WRITE = new Set(['>', '>>', '&>', '&>>', '>|', '<>', '>&']);

/** Walks bash's syntax tree: every command that would run, with its words and redirections. */
export class BashWalker {
  constructor(private readonly env: Env) {}

  /** Walks a node; returns what it writes to stdout (for pipelines). */
  walk(n: Node, scope: Scope, stdin: Stream): Stream {
    switch (n.type) {
      case 'program':
      case 'list':
      case 'compound_statement':
      case 'do_group':
      case 'if_statement':
      case 'elif_clause':
      case 'else_clause':
      case 'while_statement':
      case 'case_statement':
      case 'case_item':
      case 'negated_command':
      case 'for_statement':
      case 'c_style_for_statement': {
        let last: Stream = UNKNOWN_STREAM;
        for (const c of n.namedChildren) {
          if (c) {
            last = this.walk(c, scope, n.type === 'program' || n.type === 'list' ? stdin : NO_STREAM);
          }
        }
        return last;
      }
      case 'subshell': {
        const inner = { ...scope };
        let last: Stream = UNKNOWN_STREAM;
        for (const c of n.namedChildren) {
          if (c) {
            last = this.walk(c, inner, stdin);
          }
        }
        return last;
      }
      case 'pipeline': {
        let s = stdin;
        for (const c of n.namedChildren) {
          if (c) {
            s = this.walk(c, { ...scope }, s);
          }
        }
        return s;
      }
      case 'command':
        return this.command(n, scope, stdin, []);
      case 'redirected_statement':
        return this.redirected(n, scope, stdin);
      case 'function_definition': {
        const body = n.childForFieldName('body');
        const name = n.childForFieldName('name')?.text ?? '';
        if (body) {
          const before = this.env.subcommands.length;
          this.walk(body, { ...scope }, NO_STREAM);
          const calls = this.env.subcommands.slice(before).filter((s) => s.program === name);
          if (calls.length && /[|&]/.test(body.text)) {
            this.env.subcommands.push({ text: n.text, argv: [name], program: name, cwd: scope.cwd, findings: [{ category: 'system', severity: 'destructive', id: 'system.fork-bomb', reason: `defines ${name}() to call itself in the background or through a pipe: a fork bomb that freezes the machine` }], knowledge: 'known', writes: true });
          }
        }
        return NO_STREAM;
      }
      case 'variable_assignment':
      case 'variable_assignments':
      case 'declaration_command':
      case 'unset_command':
      case 'test_command': {
        // a statement of its own: record it (harmless) so the line is never "no command at all"
        const first = n.type === 'declaration_command' || n.type === 'unset_command' ? n.child(0)?.text ?? '' : '';
        if (n.type === 'variable_assignment') {
          this.assignment(n, scope);
        } else if (n.type === 'declaration_command' || n.type === 'variable_assignments') {
          for (const c of n.namedChildren) {
            if (c?.type === 'variable_assignment') {
              this.assignment(c, scope);
            }
          }
        }
        this.env.subcommands.push({ text: n.text, argv: n.text.split(/\s+/).slice(0, 8), program: first, cwd: scope.cwd, findings: [], knowledge: 'harmless', writes: false });
        this.substitutions(n, scope);
        return NO_STREAM;
      }
      case 'arithmetic_expansion':
      case 'binary_expression':
      case 'unary_expression':
      case 'expansion':
      case 'string':
      case 'concatenation':
      default:
        this.substitutions(n, scope);
        return NO_STREAM;
      case 'comment':
      case 'heredoc_body':
        return NO_STREAM;
    }
  }

  /** An assignment that changes what programs do (LD_PRELOAD, GIT_SSH_COMMAND, PATH, ...). */
  assignment(n: Node, scope: Scope): void {
    const name = n.childForFieldName('name')?.text;
    const v = n.childForFieldName('value');
    if (!name) {
      return;
    }
    const findings = judgeAssignment(this.env, name, v ? wordOf(this.env, v, scope) : lit(''), scope, n.text);
    if (findings.length) {
      this.env.subcommands.push({ text: n.text, argv: [n.text], program: '', cwd: scope.cwd, findings, knowledge: 'known', writes: true });
    }
  }

  /** Walks command/process substitutions anywhere under n (they run). */
  substitutions(n: Node, scope: Scope): void {
    for (const c of n.namedChildren) {
      if (!c) {
        continue;
      }
      const file = c.type === 'command_substitution' ? fileOfSubstitution(c) : undefined;
      if (file) {
        // `$(<file)`: the shell reads the file (like cat)
        runArgv(this.env, [lit('cat'), wordOf(this.env, file, scope)], { ...scope }, NO_STREAM, c.text);
      } else if (c.type === 'command_substitution' || c.type === 'process_substitution') {
        const inner = { ...scope };
        for (const cc of c.namedChildren) {
          if (cc) {
            this.walk(cc, inner, NO_STREAM);
          }
        }
      } else if (c.type === 'word' && c.text.includes('`')) {
        // the grammar leaves backticks inside ${...} as a plain word: they still run
        for (const m of c.text.matchAll(/(?<!\\)`((?:[^`\\]|\\.)+)`/g)) {
          this.env.runScript(m[1], { ...scope }, 'bash');
        }
      } else if (c.namedChildCount) {
        if (['command', 'redirected_statement', 'pipeline', 'list', 'subshell', 'compound_statement', 'if_statement', 'while_statement', 'for_statement', 'case_statement', 'function_definition'].includes(c.type)) {
          this.walk(c, scope, NO_STREAM);
        } else {
          this.substitutions(c, scope);
        }
      }
    }
  }

  redirected(n: Node, scope: Scope, stdin: Stream): Stream {
    const body = n.childForFieldName('body');
    const redirects: Node[] = [];
    let heredoc: { text: string; rest: Node[] } | undefined;
    const after: Node[] = [];
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (!c || c === body || (body && c.id === body.id)) {
        continue;
      }
      if (c.type === 'heredoc_redirect') {
        const rest: Node[] = [];
        let text = '';
        for (let j = 0; j < c.namedChildCount; j++) {
          const cc = c.namedChild(j);
          if (!cc) {
            continue;
          }
          const field = c.fieldNameForNamedChild(j);
          if (cc.type === 'heredoc_body') {
            text = cc.text;
            this.substitutions(cc, scope);
          } else if (cc.type === 'file_redirect' || cc.type === 'herestring_redirect') {
            redirects.push(cc);
          } else if (field === 'right') {
            after.push(cc);
          } else if (cc.type !== 'heredoc_start' && cc.type !== 'heredoc_end') {
            rest.push(cc);
          }
        }
        heredoc = { text, rest };
      } else if (c.type === 'file_redirect' || c.type === 'herestring_redirect') {
        redirects.push(c);
      } else {
        this.walk(c, scope, NO_STREAM);
      }
    }
    let out: Stream;
    const input: Stream = heredoc ? { kind: 'literal', text: heredoc.text } : stdin;
    if (body && body.type === 'command') {
      out = this.command(body, scope, input, redirects);
    } else {
      out = body ? this.walk(body, scope, input) : NO_STREAM;
      for (const r of redirects) {
        this.substitutions(r, scope);
      }
      if (!body) {
        const own = { findings: [] as SubCommand['findings'][number][], knowledge: 'harmless' as const };
        this.applyRedirects(redirects, scope, n.text, own);
        this.env.subcommands.push({ text: n.text, argv: [], program: '', cwd: scope.cwd, findings: own.findings, knowledge: own.findings.length ? 'known' : 'harmless', writes: redirects.length > 0 });
      } else {
        this.applyRedirects(redirects, scope, n.text, undefined, true);
      }
      this.rememberWrites(redirects, scope, out.kind === 'literal' ? out.text : undefined);
    }
    if (heredoc) {
      for (const r of heredoc.rest) {
        out = this.walk(r, { ...scope }, out);
      }
    }
    for (const a of after) {
      out = this.walk(a, scope, NO_STREAM);
    }
    return out;
  }

  /** Records the write effects of redirections; returns stdin from `< file` / here-strings. */
  applyRedirects(redirects: Node[], scope: Scope, text: string, sub: { findings: SubCommand['findings']; knowledge: SubCommand['knowledge'] } | undefined, standalone = false): Stream | undefined {
    let stdin: Stream | undefined;
    const before = this.env.subcommands.length;
    for (const r of redirects) {
      if (r.type === 'herestring_redirect') {
        const v = r.namedChildren.find((c) => c && c.type !== 'file_descriptor');
        const w = v ? wordOf(this.env, v, scope) : lit('');
        stdin = w.literal ? { kind: 'literal', text: w.value } : w.value.match(/\$\((curl|wget)/) ? { kind: 'download' } : w.value.match(/base64|xxd/) ? { kind: 'decoded' } : UNKNOWN_STREAM;
        continue;
      }
      let op = '';
      for (let i = 0; i < r.childCount; i++) {
        const c = r.child(i);
        if (c && !c.isNamed) {
          op = c.type;
        }
      }
      const dest = r.childForFieldName('destination') ?? r.namedChildren.find((c) => c && c.type !== 'file_descriptor') ?? null;
      if (!dest) {
        continue;
      }
      const w = wordOf(this.env, dest, scope);
      if (op === '<') {
        if (!sub && !standalone && w.literal) {
          runArgv(this.env, [lit('cat'), w], { ...scope }, NO_STREAM, `< ${w.value}`);
        }
        const file = w.literal && (scope.cwdKnown || w.value.startsWith('/')) ? resolvePath(w.value, scope.cwd, this.env.home) : undefined;
        if (file !== undefined && this.env.written.has(file)) {
          const text = this.env.written.get(file);
          stdin = text !== undefined ? { kind: 'literal', text, file } : { kind: 'download', file };
        } else {
          stdin = file !== undefined ? { kind: 'unknown', file } : UNKNOWN_STREAM;
        }
        if (!w.literal && /\$\((curl|wget)|proc/.test(w.value)) {
          stdin = w.value.includes('curl') || w.value.includes('wget') ? { kind: 'download' } : UNKNOWN_STREAM;
        }
        continue;
      }
      if (!REDIRECT_WRITE.has(op) && op !== '>' ) {
        continue;
      }
      if ((op === '>&' || op === '<&') && /^\d+$|^-$/.test(w.value)) {
        continue;
      }
      const fake = { argv: [lit('>'), w], program: '>', scope, env: this.env, stdin: NO_STREAM, text };
      const o = { findings: [] as SubCommand['findings'][number][], knowledge: 'harmless' as const, stdout: UNKNOWN_STREAM };
      // braces in a redirection expand too (more than one word makes bash refuse: judged as each)
      for (const target of expandedWords(this.env, dest, scope)) {
        writeRedirect(fake, o, target);
      }
      if (sub) {
        (sub.findings as SubCommand['findings'][number][]).push(...o.findings);
      }
      if (standalone && o.findings.length) {
        this.env.subcommands.push({ text, argv: [op, w.value], program: '', cwd: scope.cwd, findings: o.findings, knowledge: 'known', writes: true });
      }
    }
    void before;
    return stdin;
  }

  /** A file written with literal content (echo/cat <<EOF > f) can be run later in the line. */
  rememberWrites(redirects: Node[], scope: Scope, content: string | undefined): void {
    for (const r of redirects) {
      if (r.type !== 'file_redirect') {
        continue;
      }
      const dest = r.childForFieldName('destination');
      const w = dest ? wordOf(this.env, dest, scope) : undefined;
      if (w?.literal && scope.cwdKnown && !/^(\d+|-)$/.test(w.value)) {
        this.env.written.set(resolvePath(w.value, scope.cwd, this.env.home), content);
      }
    }
  }

  command(n: Node, scope: Scope, stdin: Stream, outerRedirects: Node[]): Stream {
    const argv: Word[] = [];
    const redirects = [...outerRedirects];
    let assignments = 0;
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (!c) {
        continue;
      }
      if (c.type === 'variable_assignment') {
        assignments++;
        this.substitutions(c, scope);
        this.assignment(c, scope);
      } else if (c.type === 'file_redirect' || c.type === 'herestring_redirect') {
        redirects.push(c);
      } else if (c.type === 'command_name') {
        const inner = c.namedChild(0) ?? c;
        argv.push(wordOf(this.env, inner, scope));
        this.substitutions(c, scope);
      } else if (c.type === 'comment') {
        continue;
      } else {
        argv.push(...expandedWords(this.env, c, scope));
        if (c.type !== 'word' && c.type !== 'raw_string') {
          this.substitutions(c.type === 'command_substitution' || c.type === 'process_substitution' ? { namedChildren: [c] } as unknown as Node : c, scope);
        }
      }
    }
    void assignments;
    for (const r of redirects) {
      this.substitutions(r, scope); // `> $(...)`, `< <(...)` run too
    }
    const text = n.text;
    const startSubs = this.env.subcommands.length;
    const fromRedirect = this.applyRedirects(redirects, scope, text, undefined);
    const input = fromRedirect ?? stdin;
    if (argv.length === 0) {
      const own = { findings: [] as SubCommand['findings'][number][], knowledge: 'harmless' as const };
      this.applyRedirects(redirects, scope, text, own);
      this.env.subcommands.push({ text, argv: [], program: '', cwd: scope.cwd, findings: own.findings, knowledge: own.findings.length ? 'known' : 'harmless', writes: redirects.length > 0 });
      return NO_STREAM;
    }
    // cd changes the directory for the rest of the line (in this scope)
    const prog = argv[0].literal ? programName(argv[0].value) : '';
    if (prog === 'cd' || prog === 'pushd' || prog === 'Set-Location' || prog === 'chdir') {
      const target = argv.slice(1).find((w) => !w.value.startsWith('-') || w.value === '-');
      if (!target) {
        scope.cwd = this.env.home;
        scope.cwdKnown = true;
      } else if (!target.literal || target.value === '-') {
        scope.cwdKnown = false;
      } else if (scope.cwdKnown || target.value.startsWith('/') || target.value.startsWith('~')) {
        scope.cwd = resolvePath(target.value, scope.cwd, this.env.home);
        scope.cwdKnown = true;
      }
    } else if (prog === 'popd') {
      scope.cwdKnown = false;
    } else if (prog === 'alias' && argv.length > 1) {
      for (const w of argv.slice(1)) {
        const eq = w.value.indexOf('=');
        if (eq > 0) {
          this.env.functions.add(w.value.slice(0, eq));
          this.env.runScript(w.value.slice(eq + 1), { ...scope }, 'bash');
        }
      }
    }
    const out = runArgv(this.env, argv, scope, input, text);
    // redirection effects belong to the command's own sub-command record
    const mine = this.env.subcommands[startSubs];
    if (mine) {
      const extra = { findings: [] as SubCommand['findings'][number][], knowledge: mine.knowledge };
      this.applyRedirects(redirects, scope, text, extra);
      if (extra.findings.length) {
        this.env.subcommands[startSubs] = { ...mine, findings: [...mine.findings, ...extra.findings], knowledge: mine.knowledge === 'harmless' ? 'known' : mine.knowledge };
      }
      this.rememberWrites(redirects, scope, out.kind === 'literal' ? out.text : input.kind === 'literal' && ['cat', 'tee'].includes(prog) ? input.text : undefined);
    }
    return redirects.some((r) => r.type === 'file_redirect' && /^(>|>>|&>|>\|)$/.test(r.child(r.childCount - 2)?.type ?? '') && !r.childForFieldName('descriptor')) ? NO_STREAM : out;
  }
}
