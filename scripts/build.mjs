// @ts-check
/** Bundles the extension and the CLI with esbuild (vscode external). --production minifies. */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
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

const configs = [
  { ...common, entryPoints: [path.join(root, 'src', 'extension.ts')], outfile: path.join(root, 'dist', 'extension.js'), external: ['vscode'] },
  {
    ...common,
    entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
    outfile: path.join(root, 'dist', 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
  },
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
