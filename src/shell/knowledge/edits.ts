/**
 * Programs whose operands are written in ways their options decide: dos2unix (in place, or -n
 * pairs), uniq/xxd -r (the second operand is the output), split (the prefix), exiftool (tags
 * written in place, files renamed by -filename), hostname (a name sets it).
 */
import { parseWithSpec } from '../capabilities';
import type { SpecParse } from '../capabilities';
import { finding } from '../model';
import type { Invocation, Outcome } from '../model';
import { add, known, readOnly, readTarget, writeTarget } from './common';
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

export const EDIT_HANDLERS: Record<string, Handler> = {
  dos2unix,
  unix2dos: dos2unix,
  uniq: secondOperandWritten,
  xxd: secondOperandWritten,
  split,
  csplit: split,
  exiftool,
  hostname,
};
