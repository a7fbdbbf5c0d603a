import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProposedAction } from '../../src/core/types';
import { BridgeUnavailable, endpointsFor, ping, requestDecision } from '../../src/bridge/client';
import { findRegistrations, listRegistrations, newSocketPath, newToken, register, runtimeDir } from '../../src/bridge/registry';
import { BridgeServer } from '../../src/bridge/server';
import { BridgeError } from '../../src/bridge/protocol';
import type { DecideHandler } from '../../src/bridge/server';

const allow = { verdict: 'allow', wouldBe: 'allow', mode: 'enforce', reasons: [], rules: [] } as const;

describe('bridge (hook CLI <-> extension over a private Unix socket)', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const servers: BridgeServer[] = [];

  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bridge-')));
    env = { AIRLOCK_RUNTIME_DIR: path.join(tmp, 'run') };
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function window(folders: string[], onDecide: DecideHandler) {
    const token = newToken();
    const socketPath = newSocketPath(env);
    const server = await BridgeServer.listen({ socketPath, token, folders: () => folders, version: 'test', onDecide });
    servers.push(server);
    const file = register({ pid: process.pid, socket: socketPath, token, folders, version: 'test', createdAt: new Date().toISOString() }, env);
    return { server, token, socketPath, file };
  }

  const edit = (cwd: string): ProposedAction => ({ kind: 'edit', paths: [path.join(cwd, 'a.ts')], cwd, agent: 'claude' });

  it('keeps its runtime files in a directory only the user can enter, and the socket 0600', async () => {
    const w = await window([tmp], async () => ({ decision: allow, decidedBy: 'policy' }));
    assert.equal(fs.statSync(runtimeDir(env)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(w.socketPath).mode & 0o777, 0o600);
    assert.equal(fs.statSync(w.file).mode & 0o777, 0o600);
  });

  it('routes a decide request from a cwd inside the folder to that window and returns its decision', async () => {
    const seen: ProposedAction[][] = [];
    await window([tmp], async (req) => {
      seen.push([...req.actions]);
      return { decision: { ...allow, reasons: ['fine'] }, decidedBy: 'policy', snapshotId: 'abc' };
    });
    const sub = path.join(tmp, 'src', 'deep');
    fs.mkdirSync(sub, { recursive: true });
    const res = await requestDecision([edit(sub)], { cwd: sub, deadlineMs: 5000, env });
    assert.equal(res.decision.verdict, 'allow');
    assert.equal(res.snapshotId, 'abc');
    assert.equal(seen.length, 1);
    assert.equal(seen[0][0].kind, 'edit');
  });

  it('with two windows, picks the one whose folder is the deepest match', async () => {
    const inner = path.join(tmp, 'packages', 'app');
    fs.mkdirSync(inner, { recursive: true });
    await window([tmp], async () => ({ decision: { ...allow, reasons: ['outer'] }, decidedBy: 'policy' }));
    await window([inner], async () => ({ decision: { ...allow, reasons: ['inner'] }, decidedBy: 'policy' }));
    assert.deepEqual((await requestDecision([edit(inner)], { cwd: inner, deadlineMs: 5000, env })).decision.reasons, ['inner']);
    assert.deepEqual((await requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 5000, env })).decision.reasons, ['outer']);
  });

  it('reports BridgeUnavailable for a folder no window has open, saying where it looked', async () => {
    await window([path.join(tmp, 'other')], async () => ({ decision: allow, decidedBy: 'policy' }));
    await assert.rejects(
      requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 5000, env }),
      (err: Error) => err instanceof BridgeUnavailable && err.message.includes(`looked for one in ${path.join(tmp, 'run', 'windows')} and found none with ${tmp} open`),
    );
  });

  it('ignores and removes the registration of a window whose process is gone', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    register({ pid: dead.pid!, socket: newSocketPath(env), token: 'x', folders: [tmp], version: 'old', createdAt: new Date().toISOString() }, env);
    assert.equal(findRegistrations(tmp, env).length, 0);
    assert.equal(fs.readdirSync(path.join(runtimeDir(env), 'windows')).length, 0);
    await assert.rejects(requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 2000, env }), BridgeUnavailable);
  });

  it('skips a window that refuses the token and uses the next one', async () => {
    const w = await window([tmp], async () => ({ decision: { ...allow, reasons: ['right window'] }, decidedBy: 'policy' }));
    const wrongEnv = { ...env, AIRLOCK_SOCKET: w.socketPath, AIRLOCK_TOKEN: 'not-the-token' };
    assert.equal(endpointsFor(tmp, wrongEnv)[0].token, 'not-the-token');
    const res = await requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 5000, env: wrongEnv });
    assert.deepEqual(res.decision.reasons, ['right window']);
  });

  it('answers malformed requests and bad tokens with an error, never a decision', async () => {
    const w = await window([tmp], async () => ({ decision: allow, decidedBy: 'policy' }));
    const lines = ['not json', '[]', JSON.stringify({ v: 1, type: 'decide', id: '1', token: w.token, actions: [] }), JSON.stringify({ v: 1, type: 'decide', id: '2', token: 'bad', actions: [edit(tmp)] }), JSON.stringify({ v: 1, type: 'approve', id: '3', token: w.token })];
    const answers = await new Promise<string[]>((resolve) => {
      const s = net.createConnection(w.socketPath);
      let buf = '';
      s.setEncoding('utf8');
      s.on('connect', () => s.write(lines.join('\n') + '\n'));
      s.on('data', (d: string) => {
        buf += d;
        if (buf.split('\n').filter(Boolean).length === lines.length) {
          s.end();
          resolve(buf.split('\n').filter(Boolean));
        }
      });
    });
    for (const a of answers) {
      const msg = JSON.parse(a);
      assert.equal(msg.ok, false, a);
      assert.equal(msg.decision, undefined);
    }
    assert.ok(answers.some((a) => a.includes('unknown request type')), 'there is no approve message');
    assert.deepEqual(
      answers.map((a) => (JSON.parse(a) as { code: string }).code),
      ['bad-request', 'bad-request', 'bad-request', 'bad-token', 'bad-request'],
    );
  });

  it('answers with error codes the client acts on, whatever the message says', async () => {
    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    // A window that is turned off says so with the code 'disabled' (its text could say anything): the
    // hook tries the next window, then decides alone.
    await window([tmp], async () => {
      throw new BridgeError('disabled', 'Airlock schläft');
    });
    await assert.rejects(requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 2000, env }), BridgeUnavailable);
    const behind = await window([tmp], async () => ({ decision: { ...allow, reasons: ['the enabled window'] }, decidedBy: 'policy' }));
    assert.deepEqual((await requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 2000, env })).decision.reasons, ['the enabled window']);
    await behind.server.close();
    // A window that fails while deciding (even with 'turned off' in its message) is 'internal': the hook denies.
    await window([other], async () => {
      throw new Error('Airlock is turned off in this window (airlock.enabled)');
    });
    await assert.rejects(requestDecision([edit(other)], { cwd: other, deadlineMs: 2000, env }), (err: Error) => !(err instanceof BridgeUnavailable) && /could not decide/.test(err.message));
    const w = await window([other], async () => ({ decision: allow, decidedBy: 'policy' }));
    const raw = await new Promise<string>((resolve) => {
      const s = net.createConnection(w.socketPath);
      s.setEncoding('utf8');
      s.on('connect', () => s.write(`${JSON.stringify({ v: 9, type: 'ping', id: 'v', token: w.token })}\n`));
      s.on('data', (d: string) => {
        s.end();
        resolve(d);
      });
    });
    assert.equal((JSON.parse(raw) as { code: string }).code, 'unsupported-version');
  });

  it('passes on the folder the hook was installed for, and returns the whole GateResult', async () => {
    let installedFor: string | undefined;
    await window([tmp], async (req) => {
      installedFor = req.installedFor;
      return { decision: allow, decidedBy: 'policy', snapshotId: 's1', snapshotError: 'disk full', message: 'm' };
    });
    const res = await requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 2000, env, installedFor: tmp });
    assert.equal(installedFor, tmp);
    assert.deepEqual(res, { decision: allow, decidedBy: 'policy', snapshotId: 's1', snapshotError: 'disk full', message: 'm' });
  });

  it('aborts a pending decision when the hook goes away', async () => {
    let aborted = false;
    const w = await window([tmp], (_req, signal) => new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        aborted = true;
        resolve({ decision: allow, decidedBy: 'timeout' });
      });
    }));
    const s = net.createConnection(w.socketPath);
    await new Promise((r) => s.on('connect', r));
    s.write(JSON.stringify({ v: 1, type: 'decide', id: 'x', token: w.token, actions: [edit(tmp)], deadlineMs: 60000 }) + '\n');
    await new Promise((r) => setTimeout(r, 100));
    s.destroy();
    for (let i = 0; i < 50 && !aborted; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(aborted);
  });

  it('times out a window that never decides, with an error rather than an allow', async () => {
    await window([tmp], () => new Promise(() => undefined));
    await assert.rejects(requestDecision([edit(tmp)], { cwd: tmp, deadlineMs: 300, env }), (err: Error) => !(err instanceof BridgeUnavailable) && /did not decide/.test(err.message));
  });

  it('answers ping with its pid and folders', async () => {
    const w = await window([tmp], async () => ({ decision: allow, decidedBy: 'policy' }));
    const pong = await ping({ socket: w.socketPath, token: w.token });
    assert.equal(pong.pid, process.pid);
    assert.deepEqual(pong.folders, [tmp]);
    assert.equal(listRegistrations(env).length, 1);
  });
});

describe('bridge: a window with Airlock turned off', () => {
  it('is treated as unreachable, so the hook decides alone (never as an allow)', async () => {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bridge-off-')));
    const env = { AIRLOCK_RUNTIME_DIR: path.join(tmp, 'run') };
    const token = newToken();
    const socketPath = newSocketPath(env);
    const server = await BridgeServer.listen({ socketPath, token, folders: () => [tmp], version: 't', onDecide: async () => { throw new BridgeError('disabled', 'Airlock is turned off in this window'); } });
    register({ pid: process.pid, socket: socketPath, token, folders: [tmp], version: 't', createdAt: new Date().toISOString() }, env);
    await assert.rejects(requestDecision([{ kind: 'edit', paths: [path.join(tmp, 'a')], cwd: tmp, agent: 'claude' }], { cwd: tmp, deadlineMs: 2000, env }), BridgeUnavailable);
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
