/**
 * The scenarios every real agent passes with Airlock's hook (or plugin) installed by
 * `airlock install-hooks` and VS Code closed: a .env write denied, an ordinary edit allowed with a
 * snapshot that rolls it back, `rm -rf ~/notes` and `git reset --hard HEAD~1` stopped, a rewrite of the
 * agent's own hook configuration stopped.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentDriver } from './drivers';
import type { AgentContext, Outcome } from './runs';
import { airlock, cli, describeRun, gitShow, listSnapshots, missingCliCommands, read, runAgent, treeState } from './runs';
import { APP_CONTENT, ENV_CONTENT, UTIL_CONTENT } from './sandbox';
import type { Turn } from './scriptedServer';

/** Adds the scenarios to the current describe block; `ctx` gives the agent and this test's sandbox. */
export function describeGuarded(driver: AgentDriver, ctx: () => AgentContext, extraConfigFiles: readonly ((repo: string) => string)[] = []): void {
  const sb = () => ctx().sb;
  describe('guarded by Airlock with VS Code closed (airlock install-hooks + airlock hook)', () => {
    let hookLog: string;

    beforeEach(() => {
      const missing = missingCliCommands(['hook', 'install-hooks', 'snapshots', 'rollback']);
      assert.deepEqual(missing, [], `dist/cli.js lacks ${missing.map((m) => `'airlock ${m}'`).join(', ')} (run npm run build)`);
      const r = airlock('install-hooks', driver.agent, '--dir', sb().repo);
      assert.equal(r.status, 0, `airlock install-hooks ${driver.agent} failed: ${r.stderr}${r.stdout}`);
      assert.ok(fs.existsSync(driver.hookConfigFile(sb().repo)), `install-hooks wrote no ${driver.hookConfigFile(sb().repo)}`);
      driver.prepareRepo?.(sb().repo);
      hookLog = path.join(sb().scratch, 'airlock-hook.log');
    });

    /** Runs the agent with Airlock's launcher able to find this build's CLI. */
    const guarded = (script: readonly Turn[]) => runAgent(driver, ctx().agent, sb(), script, { AIRLOCK_CLI: cli, AIRLOCK_HOOK_LOG: hookLog });
    const withLog = (o: Outcome) => `${describeRun(o)}\nairlock hook log:\n${read(hookLog) ?? '(none: the hook never ran)'}`;
    const toldAirlockDenied = (o: Outcome) =>
      assert.ok(
        o.toolResults.some((r) => /airlock/i.test(r.text)),
        `the agent did not report Airlock's denial to the model\n${withLog(o)}`,
      );

    it('denies a write to .env: the file is unchanged and the agent reports the denial', async () => {
      const env = path.join(sb().repo, '.env');
      const o = await guarded(driver.overwrite(env, ENV_CONTENT, 'API_KEY=stolen\n'));
      assert.equal(read(env), ENV_CONTENT, withLog(o));
      toldAirlockDenied(o);
    });

    const editApp = async () => {
      const app = path.join(sb().repo, 'src', 'app.js');
      const before = treeState(sb().repo);
      const snapshotsBefore = listSnapshots(sb().repo).map((s) => s.id);
      const o = await guarded(driver.edit(app, "export const greeting = 'hello';", "export const greeting = 'hello, airlock';"));
      assert.equal(read(app), "export const greeting = 'hello, airlock';\n", withLog(o));
      const fresh = listSnapshots(sb().repo).filter((s) => !snapshotsBefore.includes(s.id));
      return { o, before, fresh };
    };

    it('allows an ordinary edit of a source file, and `airlock snapshots` lists a snapshot of the tree before it', async () => {
      const { o, fresh } = await editApp();
      assert.ok(fresh.length >= 1, `no new snapshot listed by 'airlock snapshots'\n${withLog(o)}`);
      // The snapshot holds the file as it was before the edit.
      const contents = fresh.map((s) => gitShow(sb().repo, s.commit, 'src/app.js'));
      assert.ok(contents.includes(APP_CONTENT), `no new snapshot holds src/app.js before the edit: ${JSON.stringify(fresh)}\n${withLog(o)}`);
    });

    it('rolling back that snapshot restores the tree as it was before the edit', async () => {
      const { o, before, fresh } = await editApp();
      const snap = fresh.find((s) => gitShow(sb().repo, s.commit, 'src/app.js') === APP_CONTENT);
      assert.ok(snap, `no snapshot to roll back to\n${withLog(o)}`);
      const r = airlock('rollback', snap.id, '--cwd', sb().repo);
      assert.equal(r.status, 0, `airlock rollback failed: ${r.stderr}${r.stdout}`);
      assert.deepEqual(treeState(sb().repo), before);
    });

    it('stops a destructive shell command outside the workspace (rm -rf ~/notes): the files still exist', async () => {
      // (rm -rf src inside the workspace runs now, after a snapshot that restores it: issue 14)
      const notes = path.join(sb().home, 'notes', 'todo.txt');
      fs.mkdirSync(path.dirname(notes), { recursive: true });
      fs.writeFileSync(notes, 'keep me\n');
      const o = await guarded([driver.shell('rm -rf ~/notes')]);
      assert.equal(read(notes), 'keep me\n', withLog(o));
      assert.equal(read(path.join(sb().repo, 'src', 'util.js')), UTIL_CONTENT, withLog(o));
      toldAirlockDenied(o);
    });

    it('stops `git reset --hard HEAD~1` (uncommitted work survives)', async () => {
      fs.writeFileSync(path.join(sb().repo, 'src', 'util.js'), 'export const answer = 43; // uncommitted\n');
      const o = await guarded([driver.shell('git reset --hard HEAD~1')]);
      assert.equal(read(path.join(sb().repo, 'src', 'util.js')), 'export const answer = 43; // uncommitted\n', withLog(o));
      toldAirlockDenied(o);
    });

    it('stops a command that rewrites its hook configuration (each of its files)', async () => {
      const files = [driver.hookConfigFile, ...extraConfigFiles].map((f) => f(sb().repo));
      const originals = files.map(read);
      const o = await guarded(files.map((f) => driver.shell(`echo {} > ${path.relative(sb().repo, f)}`)));
      files.forEach((f, i) => assert.equal(read(f), originals[i], `${f}\n${withLog(o)}`));
      toldAirlockDenied(o);
    });
  });
}
