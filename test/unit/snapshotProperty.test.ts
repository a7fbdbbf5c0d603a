import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { rollbackToSnapshot } from '../../src/snapshot/rollback';
import { takeSnapshot } from '../../src/snapshot/snapshot';
import type { FileState } from './snapshotFixture';
import { ATTACKS, attack, g, makeRepo, readState, repoFacts, rmrf, sg, tmpDir, write } from './snapshotFixture';

/** Names without folder/file clashes: spaces, unicode, a newline, nested folders, ignored ones. */
const NAMES = ['a.txt', 'b c.txt', 'ünï 😀.md', 'new\nline', 'd/e/f.txt', 'd/g.bin', 'sp ace/x y', 'src/app.js', 'x.log', 'd/y.log'];
const isIgnored = (p: string) => p.endsWith('.log');

type Op =
  | { op: 'write'; name: string; data: Uint8Array; text: boolean }
  | { op: 'delete'; name: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'chmod'; name: string; exec: boolean }
  | { op: 'symlink'; name: string; target: string }
  | { op: 'snapshot' }
  | { op: 'rollback'; back: number; undo: boolean }
  | { op: 'attack'; name: string };

const name = fc.constantFrom(...NAMES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('write' as const), name, data: fc.uint8Array({ maxLength: 64 }), text: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), name }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), from: name, to: name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('chmod' as const), name, exec: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('symlink' as const), name, target: fc.constantFrom('a.txt', '../outside', 'missing target', 'd') }) },
  { weight: 3, arbitrary: fc.constant({ op: 'snapshot' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rollback' as const), back: fc.nat(3), undo: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('attack' as const), name: fc.constantFrom(...Object.keys(ATTACKS)) }) },
);

function remove(root: string, rel: string): void {
  fs.rmSync(path.join(root, rel), { force: true });
}

function apply(root: string, o: Op): void {
  const abs = (n: string) => path.join(root, n);
  const exists = (n: string) => {
    try {
      fs.lstatSync(abs(n));
      return true;
    } catch {
      return false;
    }
  };
  switch (o.op) {
    case 'write': {
      const content = o.text ? Buffer.from(Array.from(o.data, (b) => String.fromCharCode(32 + (b % 90))).join('') + '\r\n\n') : Buffer.from(o.data);
      if (exists(o.name) && fs.lstatSync(abs(o.name)).isSymbolicLink()) {
        remove(root, o.name);
      }
      write(root, o.name, content);
      break;
    }
    case 'delete':
      remove(root, o.name);
      break;
    case 'rename':
      if (exists(o.from) && o.from !== o.to) {
        remove(root, o.to);
        fs.mkdirSync(path.dirname(abs(o.to)), { recursive: true });
        fs.renameSync(abs(o.from), abs(o.to));
      }
      break;
    case 'chmod':
      if (exists(o.name) && fs.lstatSync(abs(o.name)).isFile()) {
        fs.chmodSync(abs(o.name), o.exec ? 0o755 : 0o644);
      }
      break;
    case 'symlink':
      remove(root, o.name);
      fs.mkdirSync(path.dirname(abs(o.name)), { recursive: true });
      fs.symlinkSync(o.target, abs(o.name));
      break;
    default:
      break;
  }
}

function sameMap(actual: Map<string, FileState>, expected: Map<string, FileState>, what: string): void {
  assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expected].sort()), what);
}

describe('snapshot store (property: rollback restores exactly, never loses work)', () => {
  it('random creates, edits, deletes, renames, mode changes, binaries, symlinks and odd names, with snapshots, rollbacks and git attacks on the workspace', async function () {
    this.timeout(120_000);
    const storage = tmpDir('airlock-storage-');
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 14 }), async (ops) => {
          const dir = makeRepo();
          try {
            // Something staged, so the index differs from HEAD, and a pre-existing ignored file.
            write(dir, 'a.txt', 'staged\n');
            g(dir, 'add', 'a.txt');
            write(dir, 'x.log', 'pre-existing ignored\n');
            const snaps: { id: string; covered: Map<string, FileState> }[] = [];
            const takeOne = async () => {
              const state = readState(dir);
              const s = await takeSnapshot(dir, { label: 'step', agent: 'prop' }, { storageDir: storage, retention: false });
              const tree = sg(storage, dir, 'ls-tree', '-r', '-z', '--name-only', s.commit).split('\0').filter(Boolean);
              const covered = new Map([...state].filter(([p]) => tree.includes(p)));
              // The snapshot covers exactly the files that are not ignored.
              assert.deepEqual(tree.sort(), [...state.keys()].filter((p) => !isIgnored(p)).sort(), 'snapshot covers every non-ignored file');
              snaps.push({ id: s.id, covered });
            };
            await takeOne();
            for (const o of ops) {
              if (o.op === 'snapshot') {
                await takeOne();
              } else if (o.op === 'attack') {
                try {
                  attack(dir, ATTACKS[o.name]);
                } catch {
                  /* an attack that fails (no commits yet, say) harmed nothing */
                }
              } else if (o.op === 'rollback') {
                const target = snaps[Math.max(0, snaps.length - 1 - o.back)];
                const before = readState(dir);
                const facts = repoFacts(dir);
                const r = await rollbackToSnapshot(dir, target.id, { storageDir: storage });
                const after = readState(dir);
                // Every file the snapshot covers is back exactly (content, exec bit, symlink target) ...
                sameMap(new Map([...after].filter(([p]) => !isIgnored(p))), target.covered, 'covered files equal the snapshot');
                // ... and what it did not cover (ignored files) is untouched.
                sameMap(new Map([...after].filter(([p]) => isIgnored(p))), new Map([...before].filter(([p]) => isIgnored(p))), 'ignored files untouched');
                assert.deepEqual(repoFacts(dir), facts, 'HEAD, index and branches unchanged');
                if (o.undo) {
                  await rollbackToSnapshot(dir, r.safetySnapshotId as string, { storageDir: storage });
                  sameMap(readState(dir), before, 'undo rollback restores the state just before it');
                  assert.deepEqual(repoFacts(dir), facts, 'HEAD, index and branches unchanged after undo');
                }
              } else {
                apply(dir, o);
              }
            }
          } finally {
            rmrf(dir);
          }
        }),
        { numRuns: Number(process.env.AIRLOCK_PROP_RUNS ?? 12), seed: Number(process.env.AIRLOCK_PROP_SEED ?? 1313), endOnFailure: true },
      );
    } finally {
      rmrf(storage);
    }
  });
});
