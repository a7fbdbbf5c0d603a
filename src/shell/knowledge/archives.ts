/**
 * Archives: creating one reads everything it packs (secrets included), extracting one writes
 * every file it holds (judged by their names, read from the archive now), compressors replace
 * files in place.
 */
import * as path from 'node:path';
import { MAX_ARCHIVE_BYTES, archiveNames } from '../archiveNames';
import { parseWithSpec } from '../capabilities';
import type { SpecParse } from '../capabilities';
import { finding, lit } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { locate } from '../paths';
import { add, deleteTarget, display, known, readOnly, readTarget, resolveWord, writeTarget } from './common';
import type { Handler } from './common';
import { applyOptionRoles, specOf, unknownOptions } from './specs';

function given(p: SpecParse, ...names: string[]): boolean {
  return p.options.some((o) => names.includes(o.spec.name));
}

function valueOf(p: SpecParse, ...names: string[]): Word | undefined {
  return [...p.options].reverse().find((o) => names.includes(o.spec.name) && o.value)?.value;
}

/** Packing: every file and folder given is read, folders with everything in them. */
function packs(inv: Invocation, out: Outcome, operands: readonly Word[], how: string): void {
  for (const w of operands) {
    readTarget(inv, out, w, how, true);
  }
}

/**
 * Unpacking into `dir`: each file of the archive is a write. When the archive cannot be read
 * (missing: nothing is written; written earlier in this line, compressed in an unknown way, too
 * large), the files are unknown, and unknown files in the workspace could be Airlock's own.
 */
function unpacks(inv: Invocation, out: Outcome, archive: Word | undefined, dir: Word, how: string): void {
  const at = resolveWord(inv, dir);
  const file = archive && archive.value !== '-' ? resolveWord(inv, archive) : undefined;
  if (at === undefined || file === undefined) {
    out.unknownReason ??= `${how} unpacks ${archive?.value ?? 'an archive from its input'}, whose files Airlock cannot know, into ${dir.value}`;
    writeTarget(inv, out, dir, 'write', how);
    return;
  }
  if (!inv.env.view.exists(file) && !inv.env.written.has(file)) {
    writeTarget(inv, out, dir, 'write', how); // nothing to unpack: tar fails, nothing is written
    return;
  }
  const bytes = inv.env.written.has(file) ? undefined : inv.env.view.bytes(file, MAX_ARCHIVE_BYTES);
  const names = bytes ? archiveNames(bytes) : undefined;
  if (!names) {
    out.unknownReason ??= `${how} unpacks ${display(file, inv)}, whose files Airlock cannot list, into ${display(at, inv)}`;
    writeTarget(inv, out, dir, 'write', how);
    return;
  }
  const strip = Number(inv.argv.find((w) => w.value.startsWith('--strip-components='))?.value.split('=')[1] ?? 0);
  for (const n of names.slice(0, 2000)) {
    const rel = n.split('/').filter(Boolean).slice(strip).join('/');
    if (rel) {
      writeTarget(inv, out, lit(path.join(at, rel)), 'create', how);
    }
  }
  if (locate(at, inv.env.workspace, inv.env.home).startsWith('workspace')) {
    out.writes = true;
  }
}

const tar: Handler = (inv, out) => {
  known(out);
  let args = inv.argv.slice(1);
  if (args[0] && /^[A-Za-z]+$/.test(args[0].value) && args[0].literal) {
    args = [lit(`-${args[0].value}`), ...args.slice(1)]; // old style: tar xzf a.tgz
  }
  const spec = specOf('tar')!;
  const p = parseWithSpec(spec, args);
  applyOptionRoles(inv, out, p.options.length ? { ...p, options: p.options.map((o) => (o.spec.name === 'checkpoint-action' && o.value ? { ...o, value: { ...o.value, value: o.value.value.replace(/^exec=/, '') } } : o)) } : p, 'tar');
  unknownOptions(inv, out, spec, p, 'tar');
  const dirWord = valueOf(p, 'C', 'directory');
  const at: Invocation = dirWord ? { ...inv, scope: ((d) => (d ? { cwd: d, cwdKnown: true } : { cwd: inv.scope.cwd, cwdKnown: false }))(resolveWord(inv, dirWord)) } : inv;
  const archive = valueOf(p, 'f', 'file');
  if (given(p, 'x', 'extract', 'get')) {
    unpacks(inv, out, archive, dirWord ?? lit('.'), 'tar -x');
  } else if (given(p, 'c', 'create', 'r', 'append', 'u', 'update', 'A', 'catenate', 'concatenate')) {
    packs(at, out, p.operands, 'tar -c');
    if (archive && archive.value !== '-') {
      writeTarget(inv, out, archive, 'create', 'tar -c');
    }
    if (given(p, 'remove-files')) {
      for (const w of p.operands) {
        deleteTarget(at, out, w, true, 'deletes', 'tar --remove-files');
      }
    }
  } else if (!given(p, 'delete')) {
    readOnly(out);
    if (archive) {
      readTarget(inv, out, archive, 'tar');
    }
  }
};

const zip: Handler = (inv, out) => {
  known(out);
  const spec = specOf('zip')!;
  const args = [...inv.argv.slice(1)];
  // -TT cmd (--unzip-command): the command zip runs to test the archive
  const tt = args.findIndex((w) => w.value === '-TT' || w.value === '--unzip-command');
  if (tt >= 0) {
    const cmd = args[tt + 1];
    args.splice(tt, 2);
    add(out, finding('remote-code', 'caution', 'zip.test-command', `zip -TT runs \`${cmd?.value ?? ''}\` to test the archive`));
    if (cmd?.literal) {
      inv.env.runScript(cmd.value, inv.scope, 'bash');
    }
  }
  const p = parseWithSpec(spec, args);
  applyOptionRoles(inv, out, p, 'zip');
  unknownOptions(inv, out, spec, p, 'zip');
  const [archive, ...files] = p.operands;
  if (archive) {
    writeTarget(inv, out, archive, 'create', 'zip');
  }
  const recursive = given(p, 'r', 'recurse-paths', 'R', 'recurse-patterns');
  for (const w of files) {
    readTarget(inv, out, w, 'zip', recursive);
  }
  if (given(p, 'm', 'move')) {
    for (const w of files) {
      deleteTarget(inv, out, w, recursive, 'deletes', 'zip -m');
    }
  }
};

const unzip: Handler = (inv, out) => {
  known(out);
  const spec = specOf('unzip')!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p, 'unzip');
  unknownOptions(inv, out, spec, p, 'unzip');
  const archive = p.operands[0];
  if (given(p, 'l', 't', 'v', 'Z', 'p', 'c', 'z')) {
    readOnly(out);
    return;
  }
  unpacks(inv, out, archive, valueOf(p, 'd') ?? lit('.'), 'unzip');
};

/** 7z <command> [switches] <archive> [files]: a/u pack the files (reads), x/e unpack (writes). */
const sevenZip: Handler = (inv, out) => {
  known(out);
  const ops = inv.argv.slice(1).filter((w) => !w.value.startsWith('-'));
  const cmd = ops[0]?.value ?? '';
  if (['l', 't', 'h', 'i', 'b'].includes(cmd)) {
    readOnly(out);
    return;
  }
  if (['a', 'u'].includes(cmd)) {
    writeTarget(inv, out, ops[1] ?? lit('.'), 'create', `7z ${cmd}`);
    packs(inv, out, ops.length > 2 ? ops.slice(2) : [lit('.')], `7z ${cmd}`);
  } else if (['x', 'e'].includes(cmd) && ops[1]) {
    const o = inv.argv.find((w) => w.value.startsWith('-o'));
    unpacks(inv, out, ops[1], o ? { ...o, value: o.value.slice(2) || '.' } : lit('.'), `7z ${cmd}`);
  } else if (ops[1]) {
    writeTarget(inv, out, ops[1], 'create', '7z');
  }
  if (inv.argv.some((w) => w.value === '-sdel')) {
    add(out, finding('file-destruction', 'caution', 'fs.zip-move', '7z -sdel deletes the original files after archiving them'));
  }
};

/** gzip, gunzip, bzip2, xz, zstd: replace files in place (not with -c, -l, -t, -k). */
export const compressor: Handler = (inv, out) => {
  known(out);
  const spec = specOf(inv.program);
  const p = spec ? parseWithSpec(spec, inv.argv.slice(1)) : undefined;
  if (!p || given(p, 'c', 'stdout', 'to-stdout', 'l', 'list', 't', 'test')) {
    readOnly(out);
    return;
  }
  for (const w of p.operands) {
    writeTarget(inv, out, w, 'write', inv.program);
  }
};

export const ARCHIVE_HANDLERS: Record<string, Handler> = {
  tar,
  zip,
  unzip,
  '7z': sevenZip,
  gzip: compressor,
  bzip2: compressor,
  xz: compressor,
  zstd: compressor,
  unxz: compressor,
  bunzip2: compressor,
};
