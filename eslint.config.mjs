// @ts-check
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'src');

/**
 * The folder order of src/: a folder imports only from folders in tiers before its own (util and
 * core may use each other). Folders in one tier stay independent of each other; src/extension.ts
 * wires them all. A new folder must be placed here before anything imports it.
 */
export const FOLDER_TIERS = [['util', 'core'], ['policy', 'shell'], ['audit'], ['snapshot', 'gate', 'bridge', 'sandbox'], ['agents'], ['cli', 'vscode']];
const ORDER = FOLDER_TIERS.map((t) => t.join(', ')).join(' <- ');

/** @param {string} folder */
const tierOf = (folder) => FOLDER_TIERS.findIndex((t) => t.includes(folder));

/** @type {import('eslint').Rule.RuleModule} */
const folderOrder = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the folders of src/ follow the folder order' },
    messages: {
      backwards: 'src/{{from}} must not import from src/{{to}}: the folder order is {{order}}.',
      unplaced: 'src/{{folder}} is not in the folder order ({{order}}): add it to FOLDER_TIERS in eslint.config.mjs.',
    },
    schema: [],
  },
  create(context) {
    const rel = path.relative(src, context.filename);
    const parts = rel.split(path.sep);
    if (rel.startsWith('..') || path.isAbsolute(rel) || parts.length < 2) {
      return {};
    }
    const from = parts[0];
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) {
        return;
      }
      const target = path.relative(src, path.resolve(path.dirname(context.filename), source));
      const to = target.split(path.sep)[0];
      if (target.startsWith('..') || path.isAbsolute(target) || to === from) {
        return;
      }
      // A file directly in src/ (extension.ts) comes after every folder.
      const [ft, tt] = [tierOf(from), target.includes(path.sep) ? tierOf(to) : FOLDER_TIERS.length];
      if (ft < 0 || tt < 0) {
        context.report({ node, messageId: 'unplaced', data: { folder: ft < 0 ? from : to, order: ORDER } });
      } else if (tt > ft || (tt === ft && ft !== 0)) {
        context.report({ node, messageId: 'backwards', data: { from, to, order: ORDER } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.demo/**', '.vscode-test/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The pure core never imports vscode: it is tested in plain Node and used by the CLI.
    files: ['src/gate/**', 'src/core/**', 'src/policy/**', 'src/shell/**', 'src/snapshot/**', 'src/agents/**', 'src/bridge/**', 'src/audit/**', 'src/cli/**', 'src/util/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core must not import vscode; put VS Code code in src/vscode/.' }] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { airlock: { rules: { 'folder-order': folderOrder } } },
    rules: { 'airlock/folder-order': 'error' },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // CommonJS entry points loaded by the extension host (test entries of the benchmarks).
    files: ['scripts/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-restricted-syntax': 'off' },
  },
);
