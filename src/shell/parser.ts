/**
 * Loads tree-sitter (web-tree-sitter's runtime as shipped by @vscode/tree-sitter-wasm, the same
 * grammars VS Code uses to split agent commands) once, lazily, and hands out parsers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';

export type ShellGrammar = 'bash' | 'powershell';

const GRAMMAR_FILES: Record<ShellGrammar, string> = {
  bash: 'tree-sitter-bash.wasm',
  powershell: 'tree-sitter-powershell.wasm',
};

/**
 * Finds the folder holding tree-sitter.wasm and the grammars: `dist/wasm` next to the bundle, or
 * node_modules/@vscode/tree-sitter-wasm/wasm above the compiled module (unit tests run from out/).
 */
export function locateWasmDir(from: string = __dirname): string {
  const candidates = [path.join(from, 'wasm')];
  for (let dir = from; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'dist', 'wasm'), path.join(dir, 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm'));
    if (path.dirname(dir) === dir) {
      break;
    }
  }
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'tree-sitter.wasm')) && fs.existsSync(path.join(c, GRAMMAR_FILES.bash))) {
      return c;
    }
  }
  throw new Error(`airlock: cannot find tree-sitter's wasm files (looked in ${candidates.slice(0, 4).join(', ')}, ...)`);
}

/**
 * Compiles WebAssembly with V8's baseline tier (Liftoff) only. The optimising tier (TurboFan)
 * blocks the main thread on the grammars' huge parse functions: > 8 s for PowerShell (timers
 * starved), ~0.5 s of a 0.6 s `airlock check` for bash; Liftoff code parses as fast in practice
 * (measured by scripts/bench/shell.mjs). The flag is process-wide, so it is set only while these
 * modules compile and restored at once.
 */
async function liftoffOnly<T>(compile: () => Promise<T>): Promise<T> {
  v8.setFlagsFromString('--liftoff-only');
  try {
    return await compile();
  } finally {
    v8.setFlagsFromString('--no-liftoff-only');
  }
}

let runtime: Promise<string> | undefined;
const parsers = new Map<ShellGrammar, Parser>();
const loading = new Map<ShellGrammar, Promise<Parser>>();
/** Milliseconds the last cold load took (runtime + grammars), for benchmarks and diagnostics. */
export const loadTimings: { runtimeMs?: number; grammarMs: Partial<Record<ShellGrammar, number>> } = { grammarMs: {} };

function initRuntime(): Promise<string> {
  runtime ??= (async () => {
    const t0 = performance.now();
    const dir = locateWasmDir();
    await liftoffOnly(() => Parser.init({ locateFile: (file: string) => path.join(dir, file) }));
    loadTimings.runtimeMs = performance.now() - t0;
    return dir;
  })();
  return runtime;
}

/** Loads one grammar (once; later calls return the same parser). */
export function loadGrammar(grammar: ShellGrammar): Promise<Parser> {
  let p = loading.get(grammar);
  if (!p) {
    p = (async () => {
      const dir = await initRuntime();
      const t0 = performance.now();
      const bytes = fs.readFileSync(path.join(dir, GRAMMAR_FILES[grammar]));
      const language = await liftoffOnly(() => Language.load(bytes));
      const parser = new Parser();
      parser.setLanguage(language);
      loadTimings.grammarMs[grammar] = performance.now() - t0;
      parsers.set(grammar, parser);
      return parser;
    })();
    loading.set(grammar, p);
    p.catch(() => loading.delete(grammar));
  }
  return p;
}

/** The parser for a grammar that has been loaded; undefined when it has not been. */
export function loadedParser(grammar: ShellGrammar): Parser | undefined {
  return parsers.get(grammar);
}

/** Parses and hands the tree to fn, freeing the tree's wasm memory afterwards. */
export function withTree<T>(parser: Parser, text: string, fn: (tree: Tree) => T): T {
  const tree = parser.parse(text);
  if (!tree) {
    throw new Error('airlock: tree-sitter returned no tree');
  }
  try {
    return fn(tree);
  } finally {
    tree.delete();
  }
}

/** Where the line does not parse: the first few places, for the reason shown. */
export function parseErrors(env: { errors: string[] }, root: Node): void {
  if (!root.hasError) {
    return;
  }
  const stack: Node[] = [root];
  while (stack.length && env.errors.length < 5) {
    const n = stack.pop()!;
    if (n.isError || n.isMissing) {
      env.errors.push(`cannot parse ${n.isMissing ? `(missing ${n.type})` : JSON.stringify(n.text.slice(0, 40))} at line ${n.startPosition.row + 1}, column ${n.startPosition.column + 1}`);
      continue;
    }
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c?.hasError || c?.isMissing) {
        stack.push(c);
      }
    }
  }
  if (!env.errors.length) {
    env.errors.push('cannot parse the command line');
  }
}
