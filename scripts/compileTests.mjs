// Compiles the tests into out/ (tsc, incremental), after removing compiled files whose source is gone:
// an incremental tsc never deletes them, and a stale out/src/shell/knowledge.js once shadowed the
// folder that replaced it, failing 51 unit tests that passed on a clean clone.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'out');

function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(out, full);
    if (entry.isDirectory()) {
      if (!existsSync(path.join(root, rel))) rmSync(full, { recursive: true, force: true });
      else prune(full);
    } else if (/\.js(\.map)?$/.test(entry.name) && !/\.d\.ts/.test(entry.name)) {
      const base = path.join(root, rel.replace(/\.js(\.map)?$/, ''));
      if (!['.ts', '.tsx', '.js', '.mjs'].some((ext) => existsSync(base + ext)) && !existsSync(path.join(root, rel))) rmSync(full, { force: true });
    }
  }
}

if (existsSync(out)) prune(out);
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json'], { cwd: root, stdio: 'inherit' });
process.exitCode = tsc.status ?? 1;
