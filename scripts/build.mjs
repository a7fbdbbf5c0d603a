// @ts-check
/** Bundles the extension and the CLI with esbuild (vscode external). --production minifies. */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePolicyValidator } from './lib/policyValidator.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Copies runtime assets (tree-sitter's wasm files) next to the bundles. */
function copyAssets() {
  const wasmSrc = path.join(root, 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm');
  const wasmDst = path.join(root, 'dist', 'wasm');
  fs.mkdirSync(wasmDst, { recursive: true });
  for (const f of ['tree-sitter.wasm', 'tree-sitter-bash.wasm', 'tree-sitter-powershell.wasm']) {
    if (fs.existsSync(path.join(wasmSrc, f))) {
      fs.copyFileSync(path.join(wasmSrc, f), path.join(wasmDst, f));
    }
  }
}

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  // jsonc-parser's UMD build (its `main`) hides requires from esbuild; its ES module build bundles cleanly.
  mainFields: ['module', 'main'],
};

const bundleLoader = path.join(root, 'src', 'cli', 'bundleLoader.ts');

/**
 * Splits a bundle at dynamic imports: `import()` of one of `points` (source file -> bundle in dist/)
 * becomes a load of that other bundle through src/cli/bundleLoader.ts (V8's code cache), so a process
 * loads and compiles only what it runs. Only plain data crosses these seams (no classes or module
 * state are shared between bundles). `import()` of Node's own modules becomes a `require` (code run
 * through the loader cannot `import()` on Node 20).
 * @param {Record<string, string>} points
 * @returns {import('esbuild').Plugin}
 */
function splitAt(points) {
  const targets = new Map(Object.entries(points).map(([src, out]) => [path.join(root, 'src', src), out]));
  return {
    name: 'split-at',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData?.splitAt) {
          return undefined;
        }
        if (!args.path.startsWith('.')) {
          return builtinModules.includes(args.path.replace(/^node:/, '')) ? { path: args.path, namespace: 'builtin-import' } : undefined;
        }
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { splitAt: true } });
        const target = targets.get(r.path);
        return target ? { path: target, namespace: 'split-at' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'split-at' }, (args) => ({
        contents: `import { loadBundle } from ${JSON.stringify(bundleLoader)};\nmodule.exports = loadBundle(__dirname, ${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: root,
      }));
      b.onLoad({ filter: /.*/, namespace: 'builtin-import' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
      b.onResolve({ filter: /.*/, namespace: 'builtin-import' }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** @param {string} entry @param {string} out @param {Record<string, string>} [points] */
function cliBundle(entry, out, points = {}) {
  return { ...common, entryPoints: [path.join(root, 'src', entry)], outfile: path.join(root, 'dist', out), plugins: [splitAt(points)] };
}

// The command line is five bundles, so that `airlock hook` loads only what its call needs: the entry
// with the hook's thin client (cli.js), the full hook without the shell analysis (hook.js), the shell
// analysis (shell.js, only for shell tools), snapshots (snapshot.js, only before a change) and every
// other command (commands.js).
const configs = [
  { ...common, entryPoints: [path.join(root, 'src', 'extension.ts')], outfile: path.join(root, 'dist', 'extension.js'), external: ['vscode'] },
  { ...cliBundle('cli/main.ts', 'cli.js', { 'cli/commands.ts': 'commands.js', 'cli/hookFull.ts': 'hook.js' }), banner: { js: '#!/usr/bin/env node' } },
  cliBundle('cli/hookFull.ts', 'hook.js', { 'shell/analyze.ts': 'shell.js', 'snapshot/snapshot.ts': 'snapshot.js' }),
  cliBundle('shell/analyze.ts', 'shell.js'),
  cliBundle('snapshot/snapshot.ts', 'snapshot.js'),
  cliBundle('cli/commands.ts', 'commands.js'),
];

copyAssets();
if (writePolicyValidator()) {
  process.stderr.write('regenerated src/policy/generatedPolicyValidator.ts from schemas/policy.schema.json\n');
}
if (watch) {
  for (const c of configs) {
    const ctx = await esbuild.context(c);
    await ctx.watch();
  }
  process.stderr.write('esbuild: watching\n');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  fs.chmodSync(path.join(root, 'dist', 'cli.js'), 0o755);
}
