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
  readonly cwd?: string;
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
