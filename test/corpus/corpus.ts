/**
 * The command corpus (test/corpus/commands/*.jsonl), loaded for every runner: in-process, through
 * `airlock check --jsonl`, and through the headless hook path. See test/corpus/commands/README.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the lines are judged: the home folder and default working directory they are written for. */
export const CORPUS_HOME = '/home/dev';
export const CORPUS_CWD = '/home/dev/project';

export interface CorpusCase {
  readonly command: string;
  readonly expect: 'allow' | 'ask' | 'deny';
  readonly shell?: 'bash' | 'powershell';
  /** Absolute, or (with `fixture`) relative to the fixture's workspace. */
  readonly cwd?: string;
  /** Judged in the real fixture workspace (test/corpus/fixture.ts) instead of /home/dev/project. */
  readonly fixture?: boolean;
  /** For an allowed line: whether a snapshot must be taken before it (true) or must not (false). */
  readonly snapshot?: boolean;
  readonly note?: string;
  readonly file: string;
  readonly line: number;
}

export const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'corpus', 'commands');

export function loadCorpus(dir: string = CORPUS_DIR): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    fs.readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.trim()) {
          cases.push({ ...(JSON.parse(text) as Omit<CorpusCase, 'file' | 'line'>), file, line: i + 1 });
        }
      });
  }
  return cases;
}

/** The real folders the lines run in: `plain` for ordinary lines, `fixture` for `"fixture": true`. */
export interface CorpusPlaces {
  readonly plain: { readonly home: string; readonly workspace: string };
  readonly fixture?: { readonly home: string; readonly workspace: string };
}

/**
 * Where a line runs and what it says there: the corpus's /home/dev becomes the real home folder of
 * its workspace (in the cwd and in the command line), a fixture line's relative cwd is taken from
 * the fixture's workspace.
 */
export function placeOf(c: CorpusCase, places: CorpusPlaces): { cwd: string; home: string; command: string } {
  const ws = c.fixture ? places.fixture : places.plain;
  if (!ws) {
    throw new Error(`${c.file}:${c.line} needs the corpus fixture`);
  }
  const map = (s: string) => s.split(CORPUS_HOME).join(ws.home);
  const cwd = c.fixture ? (c.cwd ? path.resolve(ws.workspace, c.cwd) : ws.workspace) : map(c.cwd ?? CORPUS_CWD);
  return { cwd, home: ws.home, command: map(c.command) };
}
