// @ts-check
/**
 * `npm run bench`: runs every benchmark module in scripts/bench/ (or those named on the command
 * line) and prints figures with ratios against baselines measured in the same run.
 * Each module exports `async function run(): Promise<void>` that prints its own table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './lib/demoWorkspace.mjs';

const dir = path.join(projectRoot, 'scripts', 'bench');
const wanted = process.argv.slice(2);
const modules = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.mjs'))
      .filter((f) => wanted.length === 0 || wanted.includes(path.basename(f, '.mjs')))
      .sort()
  : [];
process.stdout.write(`Agent Airlock benchmarks on ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n`);
if (modules.length === 0) {
  process.stdout.write('no benchmarks found in scripts/bench/\n');
}
for (const m of modules) {
  process.stdout.write(`\n## ${path.basename(m, '.mjs')}\n`);
  const mod = await import(pathToFileURL(path.join(dir, m)).href);
  await mod.run();
}
