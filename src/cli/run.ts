import { version } from '../../package.json';

/** Exit codes of the command-line contract (design.md). */
export const ExitCode = {
  ok: 0,
  refused: 1,
  usage: 2,
} as const;

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** One sub-command: `airlock <name> ...`. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const commands: CliCommand[] = [];

/** Sub-command modules call this once at load. */
export function registerCommand(cmd: CliCommand): void {
  commands.push(cmd);
}

function help(): string {
  const rows = commands.map((c) => `  ${c.usage.startsWith('airlock ') ? c.usage : `airlock ${c.usage}`}\n      ${c.summary}`).join('\n');
  return `airlock ${version}: the command line of Agent Airlock\n\nUsage:\n${rows}\n  airlock --version\n\nExit codes: 0 success, 1 refused, 2 bad usage or bad input.\n`;
}

export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(help());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return ExitCode.ok;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`airlock: unknown command '${name}'\n\n${help()}`);
    return ExitCode.usage;
  }
  return cmd.run(rest, io);
}
