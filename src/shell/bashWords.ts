/** Words as the shell hands them to a program: quotes removed, what can be known expanded. */
import type { Node } from '@vscode/tree-sitter-wasm';
import { expandBraces } from './expand';
import { lit } from './model';
import { resolvePath } from './paths';
import type { Env, Scope, Word } from './model';

/** Quote removal and expansion of one word. */
export function wordOf(env: Env, n: Node, scope: Scope, allowVars = true): Word {
  switch (n.type) {
    case 'word':
    case 'number':
    case 'command_name': {
      let t = n.text.replace(/\\\n/g, '').replace(/\\(.)/g, '$1');
      if (t === '~' || t.startsWith('~/')) {
        t = env.home + t.slice(1);
      } else if ((t === '~+' || t.startsWith('~+/')) && scope.cwdKnown && !n.text.startsWith('\\')) {
        t = scope.cwd + t.slice(2); // ~+ is $PWD
      } else if (/^~[^/]/.test(t) && !n.text.startsWith('\\')) {
        return { value: t, literal: false }; // ~user, ~-: a home or folder only known when the line runs
      }
      return lit(t);
    }
    case 'raw_string':
      return lit(n.text.slice(1, -1));
    case 'ansi_c_string':
      return lit(
        n.text
          .slice(2, -1)
          .replace(/\\x([0-9a-fA-F]{1,2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
          .replace(/\\([0-7]{1,3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
          .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
          .replace(/\\n/g, '\n')
          .replace(/\\t/g, '\t')
          .replace(/\\(.)/g, '$1'),
      );
    case 'string':
    case 'translated_string': {
      let v = '';
      let literal = true;
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (!c) {
          continue;
        }
        if (c.type === 'string_content') {
          v += c.text.replace(/\\([$`"\\\n])/g, '$1');
        } else {
          const w = wordOf(env, c, scope, allowVars);
          v += w.value;
          literal &&= w.literal;
        }
      }
      // string_content nodes skip whitespace-only gaps; fall back to the raw text when simple
      if (literal && n.namedChildren.every((c) => c?.type === 'string_content')) {
        v = n.text.slice(n.type === 'translated_string' ? 2 : 1, -1).replace(/\\([$`"\\\n])/g, '$1');
      }
      return { value: v, literal };
    }
    case 'concatenation': {
      let v = '';
      let literal = true;
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) {
          const w = wordOf(env, c, scope, allowVars);
          v += w.value;
          literal &&= w.literal;
        }
      }
      // unnamed pieces (e.g. `{` `}` in find's {} or brace expansion) are kept from the source
      if (literal) {
        v = n.text.replace(/\\(.)/g, '$1').replace(/^'|'$/g, '');
        const all = n.namedChildren.every((c) => c && (c.type === 'word' || c.type === 'number'));
        if (!all) {
          v = '';
          for (let i = 0; i < n.childCount; i++) {
            const c = n.child(i);
            if (c) {
              v += c.isNamed ? wordOf(env, c, scope, allowVars).value : c.text;
            }
          }
        }
      }
      return { value: v, literal };
    }
    case 'simple_expansion':
    case 'expansion': {
      const name = n.namedChildren.find((c) => c && (c.type === 'variable_name' || c.type === 'special_variable_name'))?.text ?? '';
      const plain = n.type === 'simple_expansion' || n.namedChildCount === 1;
      if (allowVars && plain && (name === 'HOME' || name === 'USERPROFILE')) {
        return lit(env.home);
      }
      if (allowVars && plain && name === 'PWD' && scope.cwdKnown) {
        return lit(scope.cwd);
      }
      if (allowVars && plain && (name === 'TMPDIR' || name === 'TMP' || name === 'TEMP') && !env.vars.has(name)) {
        return lit('/tmp');
      }
      return { value: n.text, literal: false };
    }
    case 'command_substitution': {
      // `$(<file)` is the file's content, read now
      const file = fileOfSubstitution(n);
      const f = file ? wordOf(env, file, scope) : undefined;
      const text = f?.literal && scope.cwdKnown ? env.view.read(resolvePath(f.value, scope.cwd, env.home)) : undefined;
      if (text !== undefined) {
        return { value: text.replace(/\n+$/, ''), literal: true, split: true };
      }
      const known = knownSubstitution(env, n.text, scope);
      if (known !== undefined) {
        return lit(known);
      }
      return { value: n.text.startsWith('`') ? `$(${n.text.slice(1, -1)})` : n.text, literal: false };
    }
    case 'process_substitution':
      return { value: `$(proc ${n.text})`, literal: false };
    case 'arithmetic_expansion':
      return { value: n.text, literal: false };
    default:
      return { value: n.text, literal: !/[$`]/.test(n.text) };
  }
}

/** The file of a `$(<file)` substitution; undefined for any other substitution. */
export function fileOfSubstitution(n: Node): Node | undefined {
  const kids = n.namedChildren.filter((c) => c && c.type !== 'comment');
  const r = kids.length === 1 ? kids[0] : undefined;
  if (!r || r.type !== 'file_redirect' || r.child(0)?.type !== '<') {
    return undefined;
  }
  return r.childForFieldName('destination') ?? r.namedChildren.find((c) => c && c.type !== 'file_descriptor') ?? undefined;
}

/**
 * The words one argument becomes: brace expansion of its unquoted braces (`.{git,airlock}` is two
 * words), word splitting of an unquoted `$(<file)`.
 */
export function expandedWords(env: Env, n: Node, scope: Scope): Word[] {
  const w = wordOf(env, n, scope);
  if (w.split && n.type === 'command_substitution') {
    return w.value.split(/\s+/).filter(Boolean).map(lit);
  }
  if (!w.literal || !n.text.includes('{')) {
    return [w];
  }
  const pattern = patternOf(n);
  if (pattern === undefined) {
    return [w];
  }
  const words = expandBraces(pattern);
  return words.length === 1 && words[0] === pattern ? [w] : words.map((x) => lit(x.replace(/\\(.)/g, '$1')));
}

const META = /[{},*?[\]\\]/g;

/** The word with quoted characters escaped, so that only unquoted braces and globs expand. */
function patternOf(n: Node): string | undefined {
  switch (n.type) {
    case 'word':
      return n.text;
    case 'raw_string':
      return n.text.slice(1, -1).replace(META, '\\$&');
    case 'string':
      return n.namedChildren.every((c) => c?.type === 'string_content') ? n.text.slice(1, -1).replace(META, '\\$&') : undefined;
    case 'concatenation': {
      let out = '';
      for (let i = 0; i < n.childCount; i++) {
        const c = n.child(i);
        if (!c) {
          continue;
        }
        const p = c.isNamed ? patternOf(c) : c.text;
        if (p === undefined) {
          return undefined;
        }
        out += p;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Substitutions whose value is known when the line is decided: `$(pwd)`, the repository's top folder. */
function knownSubstitution(env: Env, text: string, scope: Scope): string | undefined {
  const inner = text.replace(/^\$\(|^`|\)$|`$/g, '').trim();
  if (inner === 'pwd' && scope.cwdKnown) {
    return scope.cwd;
  }
  if (/^git rev-parse --show-toplevel$/.test(inner) && scope.cwdKnown && (scope.cwd === env.workspace || scope.cwd.startsWith(`${env.workspace}/`)) && env.view.exists(`${env.workspace}/.git`)) {
    return env.workspace;
  }
  return undefined;
}
