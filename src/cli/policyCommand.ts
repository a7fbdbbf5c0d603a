/** `airlock policy validate|explain`: checks policy files and shows which rule decides what. */
import * as path from 'node:path';
import type { Decision, PathOp, ProposedAction } from '../core/types';
import { shellAnalyzer } from '../gate/shellAnalyzer';
import { ActionEvaluator } from '../policy/evaluator';
import { policyFolder } from '../policy/folder';
import { loadPolicy } from '../policy/load';
import type { PolicyProblem } from '../policy/parse';
import type { CliIo } from './run';
import { ExitCode, registerCommand } from './run';

const USAGE = 'airlock policy validate [--dir DIR] | airlock policy explain [--dir DIR] [--agent NAME] [--json] (--path P --op read|write|create|delete | -- <command line>)';

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return file === 'settings' || rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export function formatProblem(p: PolicyProblem): string {
  return `${shown(p.file)}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;
}

interface Parsed {
  dir: string;
  pathArg?: string;
  op?: string;
  agent: string;
  json: boolean;
  command?: string;
  error?: string;
}

function parseArgs(args: string[]): Parsed {
  const out: Parsed = { dir: '', agent: 'cli', json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) {
        out.error = `${a} needs a value`;
      }
      return v ?? '';
    };
    if (a === '--') {
      out.command = args.slice(i + 1).join(' ');
      break;
    } else if (a === '--dir') {
      out.dir = path.resolve(value());
    } else if (a === '--path') {
      out.pathArg = value();
    } else if (a === '--op') {
      out.op = value();
    } else if (a === '--agent') {
      out.agent = value();
    } else if (a === '--json') {
      out.json = true;
    } else {
      out.error = `unknown option '${a}'`;
    }
  }
  // --dir names the folder; without it the folder is searched for from here, as for `airlock check`.
  out.dir ||= policyFolder(process.cwd(), []);
  return out;
}

function validate(p: Parsed, io: CliIo): number {
  const loaded = loadPolicy(p.dir);
  const present = loaded.files.filter((f) => f.exists);
  if (loaded.problems.length > 0) {
    for (const problem of loaded.problems) {
      io.stderr(`${formatProblem(problem)}\n`);
    }
    const n = loaded.problems.length;
    io.stderr(`${n} problem${n === 1 ? '' : 's'}; until ${n === 1 ? 'it is' : 'they are'} fixed Airlock uses the built-in defaults (or the last valid rules, only where stricter).\n`);
    return ExitCode.usage;
  }
  if (present.length === 0) {
    io.stdout(`no policy file in ${p.dir} (.airlock/policy.json); the built-in defaults apply\n`);
  } else {
    io.stdout(`${present.map((f) => shown(f.path)).join(', ')}: valid\n`);
  }
  return ExitCode.ok;
}

function printDecision(d: Decision, io: CliIo): void {
  io.stdout(`verdict: ${d.verdict}${d.mode === 'audit' ? ` (audit mode; enforce would ${d.wouldBe})` : ''}\n`);
  for (const r of d.reasons) {
    io.stdout(`  why: ${r}\n`);
  }
  if (d.rules.length === 0) {
    io.stdout('  decided by: no rule matched (allowed quietly)\n');
  }
  for (const r of d.rules) {
    const where = r.line !== undefined ? `${shown(r.source)}:${r.line}:${r.column}` : r.source;
    io.stdout(`  rule: ${r.rule} -> ${r.verdict}  (${where})\n`);
  }
}

async function explain(p: Parsed, io: CliIo): Promise<number> {
  if ((p.pathArg === undefined) === (p.command === undefined)) {
    io.stderr(`airlock policy explain: give either --path P --op OP or -- <command line>\nusage: ${USAGE}\n`);
    return ExitCode.usage;
  }
  const loaded = loadPolicy(p.dir);
  for (const problem of loaded.problems) {
    io.stderr(`${formatProblem(problem)}\n`);
  }
  // The same evaluator as the hook and the window, with the real shell analyzer.
  const evaluator = new ActionEvaluator({ policyOf: () => loaded.policy, analyze: shellAnalyzer() });
  const cwd = process.cwd();
  let decision: Decision;
  if (p.pathArg !== undefined) {
    const ops = ['read', 'write', 'create', 'delete'];
    if (!p.op || !ops.includes(p.op)) {
      io.stderr(`airlock policy explain: --op must be one of ${ops.join(', ')}\n`);
      return ExitCode.usage;
    }
    decision = evaluator.path(p.dir, p.pathArg, p.op as PathOp, { agent: p.agent, cwd });
  } else {
    const line = p.command ?? '';
    if (line.trim() === '') {
      io.stderr('airlock policy explain: the command line after -- is empty\n');
      return ExitCode.usage;
    }
    const action: ProposedAction = { kind: 'command', paths: [], command: line, cwd, agent: p.agent };
    decision = await evaluator.evaluate(action, p.dir);
  }
  if (p.json) {
    io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
  } else {
    printDecision(decision, io);
  }
  return ExitCode.ok;
}

registerCommand({
  name: 'policy',
  summary: 'check the policy files; explain a decision',
  usage: 'policy validate|explain [--dir DIR] ...',
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    const p = parseArgs(rest);
    if (p.error) {
      io.stderr(`airlock policy: ${p.error}\nusage: ${USAGE}\n`);
      return ExitCode.usage;
    }
    if (sub === 'validate') {
      if (p.command !== undefined || p.pathArg !== undefined) {
        io.stderr(`airlock policy validate takes only --dir\nusage: ${USAGE}\n`);
        return ExitCode.usage;
      }
      return validate(p, io);
    }
    if (sub === 'explain') {
      return explain(p, io);
    }
    io.stderr(`airlock policy: expected 'validate' or 'explain'\nusage: ${USAGE}\n`);
    return ExitCode.usage;
  },
});
