/** A pass over the whole bash tree before the walk: the variables and functions the line defines. */
import type { Node } from '@vscode/tree-sitter-wasm';
import { wordOf } from './bashWords';
import { lit } from './model';
import type { Env } from './model';

/** Every literal value a variable is assigned anywhere in the line (order-independent). */
export function collectVars(env: Env, root: Node): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'variable_assignment') {
      const name = n.childForFieldName('name')?.text;
      const v = n.childForFieldName('value');
      if (name) {
        const w = v ? wordOf(env, v, { cwd: '/', cwdKnown: false }, false) : lit('');
        const set = env.vars.get(name) ?? new Set<string>();
        if (w.literal) {
          set.add(w.value);
        }
        env.vars.set(name, set);
      }
    } else if (n.type === 'function_definition') {
      const name = n.childForFieldName('name')?.text;
      if (name) {
        env.functions.add(name);
      }
    }
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) {
        stack.push(c);
      }
    }
  }
}
