import * as assert from 'node:assert/strict';
import { checkCommand } from '../../src/cli/check';
import type { ProposedAction } from '../../src/core/types';
import { decide, isMutating } from '../../src/gate/gate';
import { loadShellParser } from '../../src/shell/analyze';
import { DOMAIN_TABLES, hasHandler } from '../../src/shell/knowledge';
import { specOf, specPrograms } from '../../src/shell/knowledge/specs';
import { BASIC_SPECS } from '../../src/shell/knowledge/specsBasic';
import { DEV_SPECS } from '../../src/shell/knowledge/specsDev';
import { FILE_SPECS } from '../../src/shell/knowledge/specsFiles';
import { PACKAGE_SPECS } from '../../src/shell/knowledge/specsPackages';

const HOME = '/home/dev';
const CWD = '/home/dev/project';

describe('shell knowledge base: one entry per program', () => {
  it('declares every program once, in one spec table, and every spec compiles', () => {
    const names = [BASIC_SPECS, FILE_SPECS, DEV_SPECS, PACKAGE_SPECS].flatMap((t) => Object.keys(t));
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
    for (const n of specPrograms()) {
      assert.ok(specOf(n), n);
    }
    assert.ok(names.length > 250, `only ${names.length} programs have a spec`);
  });

  it('has no placeholder entries, only names a shell could run', () => {
    const bad = [...specPrograms(), ...Object.values(DOMAIN_TABLES).flatMap((t) => Object.keys(t))].filter((n) => /noop|placeholder|todo/i.test(n) || !/^([\w.+-]+|\[|\[\[|:|\.)$/.test(n));
    assert.deepEqual(bad, []);
  });

  it('puts each program in one domain table only', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [domain, table] of Object.entries(DOMAIN_TABLES)) {
      for (const name of Object.keys(table)) {
        const other = seen.get(name);
        if (other) {
          clashes.push(`${name}: ${other} and ${domain}`);
        }
        seen.set(name, domain);
      }
    }
    assert.deepEqual(clashes, []);
    assert.ok(seen.size > 250, `only ${seen.size} programs in the domain tables`);
    assert.ok(hasHandler('git'));
  });
});

describe('quiet programs that write still get a snapshot first', () => {
  before(async () => {
    await loadShellParser();
  });

  const action = (command: string): ProposedAction => ({ kind: 'command', paths: [], command, cwd: CWD, agent: 'claude', tool: 'Bash' });
  const mutating = (command: string) => {
    const r = checkCommand(command, { cwd: CWD, home: HOME });
    return { verdict: r.verdict, mutating: isMutating(action(command), r.decision) };
  };

  for (const command of ['patch -p1 < x.patch', 'black .', 'dos2unix f', 'prettier --write .', 'eslint --fix src', 'ruff format', 'npm test', 'make', 'tsc -p .', 'git commit -m wip', 'python -m pytest', 'timeout 60 black .']) {
    it(`${command}: allowed, and counts as changing files`, () => {
      assert.deepEqual(mutating(command), { verdict: 'allow', mutating: true });
    });
  }

  for (const command of ['ls -la', 'cat README.md', 'git status', 'git log --oneline -5', 'grep -rn TODO src', 'rg foo', 'wc -l src/a.ts', 'echo hi', 'find . -name "*.ts"', 'sed -n 1,20p a.txt', 'jq .name package.json', 'timeout 5 ls']) {
    it(`${command}: allowed, and changes nothing (no snapshot needed)`, () => {
      assert.deepEqual(mutating(command), { verdict: 'allow', mutating: false });
    });
  }

  it('the gate takes a snapshot before `black .` and none before `ls`', async () => {
    const snaps: string[] = [];
    const deps = {
      evaluate: (a: ProposedAction) => checkCommand(a.command ?? '', { cwd: a.cwd, home: HOME }).decision,
      folder: () => CWD,
      snapshot: async (_folder: string, label: string) => {
        snaps.push(label);
        return `snap${snaps.length}`;
      },
      via: 'cli' as const,
    };
    const black = await decide([action('black .')], deps);
    assert.equal(black.decision.verdict, 'allow');
    assert.equal(black.snapshotId, 'snap1');
    const ls = await decide([action('ls')], deps);
    assert.equal(ls.decision.verdict, 'allow');
    assert.equal(ls.snapshotId, undefined);
    assert.equal(snaps.length, 1);
  });
});
