/**
 * The real shell analyzer (src/shell) as the evaluator's CommandAnalyzer, loaded with its parsers only
 * when a command is to be decided: a hook call for a file edit never pays for tree-sitter.
 */
import type { CommandAnalyzer } from '../policy/evaluator';

export function shellAnalyzer(opts: { readonly home?: string } = {}): CommandAnalyzer {
  return async (line, o) => {
    const { analyzeCommandAsync } = await import('../shell/analyze.js');
    return analyzeCommandAsync(line, { cwd: o.cwd, ...(o.shell ? { shell: o.shell } : {}), ...(o.folder ? { workspace: o.folder } : {}), ...(opts.home ? { home: opts.home } : {}) });
  };
}

/**
 * Starts loading the shell parser for a command that is about to be decided, so that its
 * WebAssembly compiles in the background while the policy loads. Never fails (the analysis itself
 * reports a parser that cannot load).
 */
export function prefetchShellParser(shell: 'bash' | 'powershell' = 'bash'): void {
  import('../shell/analyze.js').then(
    (m) => m.loadShellParser([shell]).catch(() => undefined),
    () => undefined,
  );
}
