/**
 * sed, awk and perl -p/-i: what their scripts do besides editing text. sed's `e` runs a command (or
 * the pattern space), `w`/`s///w` write files, `r` reads one; -i edits the files in place. awk's
 * system(), pipes and getline run commands; print > "file" writes one.
 */
import { parseWithSpec } from '../capabilities';
import { finding, lit } from '../model';
import type { Invocation, Outcome, Word } from '../model';
import { inlineCode, runsScript, stdinIsCode } from './code';
import { add, known, readOnly, readTarget, resolveWord, writeTarget } from './common';
import type { Handler } from './common';
import { applyOptionRoles, specOf, unknownOptions } from './specs';

/** What one sed script does beyond editing the text. */
export function sedScript(inv: Invocation, out: Outcome, script: string): void {
  // commands that take the rest of the line (e, r, R, w, W) end at a newline; others at ; too
  const lines = script.split('\n');
  for (const line of lines) {
    let rest = line;
    while (rest.trim()) {
      const m = /^\s*(?:(?:\d+|\$|\/(?:[^/\\]|\\.)*\/)(?:\s*,\s*(?:\d+|\$|\/(?:[^/\\]|\\.)*\/))?\s*!?\s*)?([a-zA-Z{}=#:])/.exec(rest);
      if (!m) {
        break;
      }
      const cmd = m[1];
      const after = rest.slice(m[0].length);
      if (cmd === 'e') {
        const text = after.trim();
        if (text) {
          add(out, finding('remote-code', 'caution', 'sed.exec', `sed's e command runs \`${text.slice(0, 60)}\``));
          inv.env.runScript(text, inv.scope, 'bash');
        } else {
          add(out, finding('remote-code', 'caution', 'sed.exec', 'sed e runs each line of the text as a shell command'));
        }
        break;
      }
      if (cmd === 'w' || cmd === 'W') {
        sedWrite(inv, out, after.trim());
        break;
      }
      if (cmd === 'r' || cmd === 'R') {
        if (after.trim()) {
          readTarget(inv, out, lit(after.trim()), `sed ${cmd}`);
        }
        break;
      }
      if (cmd === 's' || cmd === 'y') {
        const delim = after[0];
        let i = 1;
        for (let parts = 0; i < after.length && parts < 2; i++) {
          if (after[i] === '\\') {
            i++;
          } else if (after[i] === delim) {
            parts++;
          }
        }
        const flags = /^[gpiImMe\d]*/.exec(after.slice(i))?.[0] ?? '';
        if (cmd === 's' && flags.includes('e')) {
          add(out, finding('remote-code', 'caution', 'sed.exec', "sed's s///e runs the replaced text as a shell command"));
        }
        const tail = after.slice(i + flags.length);
        if (cmd === 's' && /^w\s*\S/.test(tail)) {
          sedWrite(inv, out, tail.slice(1).trim());
          break;
        }
        rest = tail.replace(/^\s*[;}]?/, '');
        continue;
      }
      if (cmd === 'a' || cmd === 'i' || cmd === 'c') {
        break; // the text to add runs to the end of the line
      }
      rest = after.replace(/^[^;}]*[;}]?/, '');
    }
  }
}

function sedWrite(inv: Invocation, out: Outcome, file: string): void {
  if (file && file !== '/dev/stdout' && file !== '/dev/stderr') {
    out.writes = true;
    writeTarget(inv, out, lit(file), 'write', 'sed w');
  }
}

const sed: Handler = (inv, out) => {
  readOnly(out);
  const spec = specOf(inv.program)!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p);
  unknownOptions(inv, out, spec, p);
  const scripts = p.options.filter((o) => ['e', 'expression'].includes(o.spec.name) && o.value).map((o) => o.value!);
  const fromFiles = p.options.filter((o) => ['f', 'file'].includes(o.spec.name) && o.value).map((o) => o.value!);
  const ops: Word[] = [...p.operands];
  if (!scripts.length && !fromFiles.length && ops.length) {
    scripts.push(ops.shift()!);
  }
  for (const f of fromFiles) {
    const abs = resolveWord(inv, f);
    const text = abs === undefined ? undefined : inv.env.view.read(abs);
    if (text === undefined && abs !== undefined && inv.env.view.exists(abs)) {
      out.unknownReason = `sed -f ${f.value}: a script Airlock cannot read`;
    }
    sedScript(inv, out, text ?? '');
  }
  for (const w of scripts) {
    if (!w.literal) {
      out.unknownReason = `sed runs a script only known when the line runs (${w.value})`;
      continue;
    }
    sedScript(inv, out, w.value);
  }
  const inPlace = p.options.some((o) => o.spec.name === 'i' || o.spec.name === 'in-place');
  for (const w of ops) {
    if (inPlace) {
      known(out);
      writeTarget(inv, out, w, 'write', 'sed -i');
    } else {
      readTarget(inv, out, w, 'sed');
    }
  }
};

/** perl: -e code (with -p/-n/-i it edits files), or a script. */
const perl: Handler = (inv, out) => {
  known(out);
  const spec = specOf('perl')!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p);
  unknownOptions(inv, out, spec, p);
  const code = p.options.find((o) => o.spec.name === 'e' || o.spec.name === 'E')?.value;
  const inPlace = p.options.some((o) => o.spec.name === 'i');
  if (!code) {
    if (p.operands.length) {
      runsScript(inv, out, p.operands[0], 'perl');
    } else {
      stdinIsCode(inv, out, 'perl');
    }
    return;
  }
  // with -e the code ends the options: what follows (files) belongs to it
  const files = p.operands;
  if (!inPlace) {
    inlineCode(out, code.literal ? code.value : '$', 'perl');
    for (const w of files) {
      readTarget(inv, out, w, 'perl');
    }
    return;
  }
  if (/\b(system|exec|unlink|rmtree|qx|open)\b|`/.test(code.value)) {
    add(out, finding('remote-code', 'caution', 'code.inline', `runs inline perl code that can change files or run programs: ${code.value.slice(0, 80)}`));
  }
  for (const w of files) {
    writeTarget(inv, out, w, 'write', 'perl -i');
  }
};

const awk: Handler = (inv, out) => {
  readOnly(out);
  const spec = specOf(inv.program)!;
  const p = parseWithSpec(spec, inv.argv.slice(1));
  applyOptionRoles(inv, out, p);
  unknownOptions(inv, out, spec, p);
  const fromFile = p.options.some((o) => ['f', 'file', 'E', 'exec', 'i', 'include'].includes(o.spec.name));
  const prog = fromFile ? undefined : p.operands[0];
  if (prog && !prog.literal) {
    out.unknownReason = `${inv.program} runs a program only known when the line runs`;
  } else if (prog) {
    const code = prog.value;
    for (const m of code.matchAll(/\bsystem\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)|"((?:[^"\\]|\\.)*)"\s*\|\s*getline|\|\s*"((?:[^"\\]|\\.)*)"/g)) {
      const cmd = m[1] ?? m[2] ?? m[3] ?? '';
      add(out, finding('remote-code', 'caution', 'awk.exec', `the ${inv.program} program runs \`${cmd.slice(0, 60)}\``));
      inv.env.runScript(cmd, inv.scope, 'bash');
    }
    if (/\bsystem\s*\((?!\s*"[^"]*"\s*\))|\bprintf?\b[^;}]*\|\s*[^"\s|]|[^"\s]\s*\|\s*getline/.test(code.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
      add(out, finding('remote-code', 'caution', 'awk.exec', `the ${inv.program} program runs commands built while it runs (${code.slice(0, 60)})`));
    }
    for (const m of code.matchAll(/\bprintf?\b[^;}]*?>>?\s*"((?:[^"\\]|\\.)+)"/g)) {
      out.writes = true;
      writeTarget(inv, out, lit(m[1]), 'write', `${inv.program} print >`);
    }
    if (/\bprintf?\b[^;}]*>>?\s*[^"\s=]/.test(code.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/[<>!=]=/g, ''))) {
      out.unknownReason = `the ${inv.program} program writes to a file whose name it computes`;
    }
  }
  for (const w of fromFile ? p.operands : p.operands.slice(1)) {
    if (!/^\w+=/.test(w.value)) {
      readTarget(inv, out, w, inv.program);
    }
  }
};

export const SED_HANDLERS: Record<string, Handler> = { sed, gsed: sed, perl, awk, gawk: awk, mawk: awk, nawk: awk };
