/**
 * A stand-in for the shell analyzer (src/shell) where none is wired: the line is split on blanks into
 * one sub-command that Airlock does not know. Command rules can still match it; nothing is allowed
 * on the strength of it (unknown commands get defaults.unknownCommand, ask out of the box).
 */
import type { CommandAnalysis } from '../core/types';

export type CommandAnalyzer = (line: string, opts: { cwd: string; shell?: 'bash' | 'powershell'; workspace?: string }) => CommandAnalysis | Promise<CommandAnalysis>;

export function naiveAnalysis(line: string, opts: { cwd: string; shell?: 'bash' | 'powershell' }): CommandAnalysis {
  const argv = line.trim().split(/\s+/).filter(Boolean);
  const program = (argv[0] ?? '').replace(/^.*[\\/]/, '');
  return {
    commandLine: line,
    shell: opts.shell ?? 'bash',
    subcommands: argv.length ? [{ text: line.trim(), argv, program, cwd: opts.cwd, findings: [], knowledge: 'unknown' }] : [],
    effects: [],
    parseErrors: [],
  };
}
