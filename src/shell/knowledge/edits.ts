/**
 * Programs whose operands are written in ways their options decide: dos2unix (in place, or -n
 * pairs), uniq/xxd -r (the second operand is the output), split (the prefix), exiftool (tags
 * written in place, files renamed by -filename), hostname (a name sets it).
 */
import { parseWithSpec } from '../capabilities';
import type { SpecParse } from '../capabilities';
import { finding } from '../model';
import type { Invocation, Outcome } from '../model';
import { patchTargets } from '../patchFiles';
import { add, deleteTarget, known, readOnly, readTarget, resolveWord, writeTarget } from './common';
import type { Handler } from './common';
import { applyOptionRoles, specOf, unknownOptions } from './specs';

function parsed(inv: Invocation, out: Outcome): SpecParse {
  const spec = specOf(inv.program)!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p);
  unknownOptions(inv, out, spec, p);
  return p;
}

const has = (p: SpecParse, ...names: string[]) => p.options.some((o) => names.includes(o.spec.name));

/** dos2unix f (in place); dos2unix -n in out (in read, out written); -O to stdout. */
const dos2unix: Handler = (inv, out) => {
  known(out);
  const p = parsed(inv, out);
  if (has(p, 'O', 'to-stdout', 'i', 'info', 'h', 'help', 'V', 'version', 'L', 'license')) {
    readOnly(out);
    return;
  }
  const newFile = has(p, 'n', 'newfile');
  p.operands.forEach((w, i) => {
    if (newFile && i % 2 === 0) {
      readTarget(inv, out, w, `${inv.program} -n`);
    } else {
      writeTarget(inv, out, w, 'write', newFile ? `${inv.program} -n` : inv.program);
    }
  });
};

/** uniq in [out], xxd -r in [out]: the second operand is written. */
const secondOperandWritten: Handler = (inv, out) => {
  readOnly(out);
  const p = parsed(inv, out);
  if (inv.program === 'xxd' && !has(p, 'r', 'revert')) {
    p.operands.slice(0, 1).forEach((w) => readTarget(inv, out, w, 'xxd'));
    if (p.operands[1]) {
      out.writes = true;
      writeTarget(inv, out, p.operands[1], 'write', 'xxd');
    }
    return;
  }
  if (inv.program === 'xxd') {
    out.stdout = { kind: inv.stdin.kind === 'download' ? 'download' : 'decoded' };
  }
  if (p.operands[0]) {
    readTarget(inv, out, p.operands[0], inv.program);
  }
  if (p.operands[1]) {
    out.writes = true;
    writeTarget(inv, out, p.operands[1], 'write', `${inv.program}${inv.program === 'xxd' ? ' -r' : ''}`);
  }
};

/** split in prefix: files named prefix+suffix are written. */
const split: Handler = (inv, out) => {
  known(out);
  const p = parsed(inv, out);
  if (p.operands[0]) {
    readTarget(inv, out, p.operands[0], inv.program);
  }
  const prefix = p.operands[1] ?? { value: 'x', literal: true };
  writeTarget(inv, out, { value: `${prefix.value}aa`, literal: prefix.literal }, 'create', inv.program);
};

/** exiftool: -TAG=value writes the files in place; -filename/-directory renames them; -o writes a copy. */
const exiftool: Handler = (inv, out) => {
  readOnly(out);
  const p = parsed(inv, out);
  const assigns = inv.argv.slice(1).filter((w) => /^-[\w:-]+[+-]?=/.test(w.value) || /^-[\w:-]+[+-]?<=/.test(w.value));
  for (const a of assigns) {
    const m = /^-(?:[\w-]+:)?(filename|directory|testname)=(.*)$/i.exec(a.value);
    if (m) {
      out.writes = true;
      writeTarget(inv, out, { value: m[2], literal: a.literal && !/[%$]/.test(m[2]) }, 'write', `exiftool -${m[1]}`);
    }
  }
  if (assigns.length && !has(p, 'o', 'out')) {
    for (const w of p.operands) {
      out.writes = true;
      writeTarget(inv, out, w, 'write', 'exiftool');
    }
  }
};

/** hostname NAME renames the machine. */
const hostname: Handler = (inv, out) => {
  readOnly(out);
  const p = parsed(inv, out);
  if (p.operands.length) {
    add(out, finding('system', 'caution', 'system.hostname', `hostname ${p.operands[0].value} renames the machine`));
  }
};

/** patch: the files named in the patch (read now) are written, in -d dir or here. */
const patch: Handler = (inv, out) => {
  known(out);
  const p = parsed(inv, out);
  if (has(p, 'dry-run', 'v', 'version', 'help')) {
    readOnly(out);
    return;
  }
  const input = p.options.find((o) => o.spec.name === 'i' || o.spec.name === 'input')?.value ?? p.operands[1];
  const file = input ? resolveWord(inv, input) : inv.stdin.file;
  const strip = p.options.find((o) => o.spec.name === 'p' || o.spec.name === 'strip')?.value?.value;
  const dir = p.options.find((o) => o.spec.name === 'd' || o.spec.name === 'directory')?.value;
  const at: Invocation = dir ? { ...inv, scope: ((d) => (d ? { cwd: d, cwdKnown: true } : { cwd: inv.scope.cwd, cwdKnown: false }))(resolveWord(inv, dir)) } : inv;
  if (p.operands[0] && !input) {
    writeTarget(at, out, p.operands[0], 'write', 'patch');
  }
  appliesPatch(at, out, file, strip === undefined ? undefined : Number(strip), 'patch');
};

/** The writes of applying the patch in `file` (nothing when it does not exist; unknown when unreadable). */
export function appliesPatch(inv: Invocation, out: Outcome, file: string | undefined, strip: number | undefined, how: string): void {
  if (file === undefined) {
    out.unknownReason ??= `${how} applies a patch from its input, whose files Airlock cannot see`;
    return;
  }
  if (!inv.env.view.exists(file) && !inv.env.written.has(file)) {
    return;
  }
  const text = inv.env.written.get(file) ?? inv.env.view.read(file);
  if (text === undefined) {
    out.unknownReason ??= `${how} applies ${file}, which Airlock cannot read`;
    return;
  }
  const t = patchTargets(text, strip);
  for (const w of t.writes) {
    writeTarget(inv, out, { value: w, literal: true }, 'write', how);
  }
  for (const d of t.deletes) {
    deleteTarget(inv, out, { value: d, literal: true }, false, 'deletes', how);
  }
}

export const EDIT_HANDLERS: Record<string, Handler> = {
  patch,
  dos2unix,
  unix2dos: dos2unix,
  uniq: secondOperandWritten,
  xxd: secondOperandWritten,
  split,
  csplit: split,
  exiftool,
  hostname,
};
