// @ts-check
/**
 * Writes l10n/bundle.l10n.json: every message the extension passes to `vscode.l10n.t('...')`, the
 * file translators copy to bundle.l10n.<locale>.json. `node scripts/l10nExport.mjs --check` exits 1
 * when the bundle is out of date (a message was added or changed without re-running the export).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundleFile = path.join(root, 'l10n', 'bundle.l10n.json');

/** @param {string} dir @returns {string[]} */
function tsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The messages of `l10n.t('literal', ...)` calls in TypeScript source. @param {string} text */
export function messagesIn(text) {
  const out = [];
  const re = /\bl10n\.t\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/g;
  for (const m of text.matchAll(re)) {
    const lit = m[1];
    const body = lit.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"').replace(/\\\\"/g, '\\"');
    out.push(JSON.parse(`"${body}"`));
  }
  return out;
}

export function buildBundle() {
  /** @type {Record<string, string>} */
  const bundle = {};
  for (const file of tsFiles(path.join(root, 'src')).sort()) {
    for (const msg of messagesIn(fs.readFileSync(file, 'utf8'))) {
      bundle[msg] = msg;
    }
  }
  return Object.fromEntries(Object.entries(bundle).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(buildBundle(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(bundleFile) ? fs.readFileSync(bundleFile, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('l10n/bundle.l10n.json is out of date: run `node scripts/l10nExport.mjs`\n');
      process.exit(1);
    }
  } else {
    fs.mkdirSync(path.dirname(bundleFile), { recursive: true });
    fs.writeFileSync(bundleFile, text);
    process.stdout.write(`${Object.keys(JSON.parse(text)).length} messages -> ${path.relative(root, bundleFile)}\n`);
  }
}
