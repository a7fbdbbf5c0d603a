/**
 * The supervisor of `airlock run`, outside the sandbox: the channel the agent's hooks reach from
 * inside (the bridge protocol over a socket handed out of the sandbox), the network proxy and
 * loopback forwards, the audit log, and the session's registration for VS Code's Status view.
 *
 * A hook's request is first checked against the sandbox: what the sandbox would block is refused at
 * once, with a message naming the rule and how to change it (an approval could not make it possible:
 * the sandbox's mounts are fixed for the session). Everything else goes to the VS Code window that
 * has the folder open (it asks the human there, snapshots and audits), or, with no window, to the
 * headless gate, here, outside the sandbox.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import { appendAudit } from '../audit/log';
import type { AuditEntry } from '../audit/log';
import { hookHandler } from '../agents/hookService';
import { BridgeUnavailable, requestDecision } from '../bridge/client';
import type { DecideRequest } from '../bridge/protocol';
import { ensurePrivateDir, runtimeDir } from '../bridge/registry';
import { BridgeServer } from '../bridge/server';
import type { Decision, GateResult, ProposedAction } from '../core/types';
import type { Gate } from '../gate/gate';
import type { PathOperation, SandboxBlock } from '../sandbox/check';
import { checkOperations } from '../sandbox/check';
import type { Listener } from '../sandbox/launch';
import { serveLoopbackForward, serveProxy } from '../sandbox/network';
import type { SandboxPlan } from '../sandbox/plan';
import type { SandboxSessionInfo } from '../sandbox/sessions';
import { sessionsDir } from '../sandbox/sessions';
import { version } from '../../package.json';

/** Where the sandbox's own sockets listen, inside its network namespace (127.0.0.1 stays free for forwards). */
export const CHANNEL_ADDRESS = { host: '127.0.0.2', port: 3129 } as const;
export const PROXY_ADDRESS = { host: '127.0.0.2', port: 3128 } as const;

export interface SupervisorOptions {
  /** The channel's token (see newToken), given to the sandbox in its environment. */
  readonly token: string;
  readonly folder: string;
  readonly plan: SandboxPlan;
  readonly command: readonly string[];
  /** The supervisor's own environment (the window's endpoint when run in a VS Code terminal). */
  readonly env: NodeJS.ProcessEnv;
  /** Decides when no window can be reached (the headless gate, here, outside the sandbox). */
  readonly headless: () => Promise<Gate>;
  /** Write effects of a command line (the shell analysis), for the sandbox check. */
  readonly commandEffects?: (command: string, cwd: string) => Promise<readonly PathOperation[]>;
  readonly audit?: (e: AuditEntry) => void;
}

export interface SupervisorStats {
  decided: number;
  blocked: number;
  networkBlocked: number;
}

function deny(reason: string): Decision {
  return { verdict: 'deny', wouldBe: 'deny', mode: 'enforce', reasons: [reason], rules: [] };
}

/** The path operations of an action that the sandbox check looks at. */
function operationsOf(a: ProposedAction): PathOperation[] {
  const abs = (p: string) => path.posix.resolve(a.cwd || '/', p);
  switch (a.kind) {
    case 'read':
      return a.paths.map((p) => ({ path: abs(p), op: 'read' }));
    case 'edit':
    case 'create':
    case 'delete':
    case 'rename':
      return a.paths.map((p) => ({ path: abs(p), op: 'write' }));
    default:
      return [];
  }
}

/** The environment the sandbox gets to reach its supervisor (the channel, the proxy). */
export function supervisorEnv(token: string, folder: string): Record<string, string> {
  const proxy = `http://${PROXY_ADDRESS.host}:${PROXY_ADDRESS.port}`;
  return {
    AIRLOCK_SOCKET: `tcp://${CHANNEL_ADDRESS.host}:${CHANNEL_ADDRESS.port}`,
    AIRLOCK_TOKEN: token,
    AIRLOCK_WORKSPACE: folder,
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: 'localhost,127.0.0.1,::1',
    no_proxy: 'localhost,127.0.0.1,::1',
  };
}

export class Supervisor {
  readonly session = `sandbox-${crypto.randomBytes(6).toString('hex')}`;
  readonly stats: SupervisorStats = { decided: 0, blocked: 0, networkBlocked: 0 };
  private channel: BridgeServer | undefined;
  /** Every server handed out of the sandbox (closed at the end, or the process would stay). */
  private readonly servers: net.Server[] = [];
  private registration: string | undefined;
  private readonly started = new Date().toISOString();
  private readonly audit: (e: AuditEntry) => void;

  constructor(private readonly o: SupervisorOptions) {
    this.audit = o.audit ?? ((e) => void appendAudit(e, o.env));
  }

  /** The sockets the sandbox listens on, each served here. */
  listeners(): Listener[] {
    const plan = this.o.plan;
    const keep = (serve: (server: net.Server) => void) => (server: net.Server) => {
      this.servers.push(server);
      serve(server);
    };
    const list: Listener[] = [
      {
        ...CHANNEL_ADDRESS,
        serve: (server) => {
          this.channel = BridgeServer.attach(server, {
            token: this.o.token,
            folders: () => [this.o.folder],
            version,
            onDecide: (req, signal) => this.decide(req, signal),
            // The launcher's fast client (and airlock hook's thin one) inside the sandbox: the whole
            // hook call is run here, where the policy and the parser stay loaded. Only the sandbox
            // reaches this channel, so there is no other decider's folder to decline for.
            onHook: hookHandler({ decide: (req, signal) => this.decide(req, signal), socketPath: () => '' }),
          });
        },
      },
      {
        ...PROXY_ADDRESS,
        serve: (server) =>
          serveProxy(server, {
            allow: plan.network.allow,
            onBlocked: (host, port, reason) => {
              this.stats.networkBlocked++;
              this.record({ kind: 'sandbox', command: `connect ${host}:${port}`, verdict: 'deny', decidedBy: 'sandbox', reasons: [`The sandbox refused a connection to ${host}:${port}: ${reason}`] });
            },
          }),
      },
      ...plan.network.loopbackPorts.map((port): Listener => ({ host: '127.0.0.1', port, serve: (server) => serveLoopbackForward(server, port) })),
    ];
    return list.map((l) => ({ ...l, serve: keep(l.serve) }));
  }

  private record(e: Omit<AuditEntry, 'time' | 'folder' | 'agent' | 'wouldBe' | 'mode' | 'via'> & { agent?: string; wouldBe?: AuditEntry['wouldBe'] }): void {
    try {
      this.audit({
        time: new Date().toISOString(),
        folder: this.o.folder,
        agent: this.o.plan.agent ?? 'cli',
        session: this.session,
        mode: 'enforce',
        via: 'cli',
        wouldBe: e.verdict,
        ...e,
      });
    } catch {
      // the audit log must never change what happens
    }
  }

  /** The first thing the sandbox would block in these actions, if any. */
  async sandboxBlock(actions: readonly ProposedAction[]): Promise<SandboxBlock | undefined> {
    const ops: PathOperation[] = actions.flatMap(operationsOf);
    for (const a of actions) {
      if (a.kind === 'command' && a.command && this.o.commandEffects) {
        ops.push(...(await this.o.commandEffects(a.command, a.cwd || this.o.folder)));
      }
    }
    return checkOperations(this.o.plan, ops);
  }

  private async decide(req: DecideRequest, signal: AbortSignal): Promise<GateResult> {
    this.stats.decided++;
    const actions = req.actions;
    const first = actions[0];
    const block = await this.sandboxBlock(actions);
    if (block) {
      this.stats.blocked++;
      this.record({
        agent: first.agent,
        ...(first.tool !== undefined ? { tool: first.tool } : {}),
        ...(first.session !== undefined ? { session: first.session } : {}),
        kind: first.kind,
        paths: [block.path],
        ...(first.command !== undefined ? { command: first.command } : {}),
        verdict: 'deny',
        decidedBy: 'sandbox',
        reasons: [block.message],
        rules: [`${block.rule.rule} (${block.rule.source})`],
      });
      return { decision: deny(block.message), decidedBy: 'sandbox' };
    }
    const cwd = first.cwd || this.o.folder;
    try {
      // The folder is the supervisor's: a folder the agent created or moved to never decides.
      return await requestDecision(actions, { cwd, deadlineMs: Math.max(1000, req.deadlineMs - 500), env: this.o.env, installedFor: this.o.folder });
    } catch (err) {
      if (!(err instanceof BridgeUnavailable)) {
        return { decision: deny(`VS Code could not decide: ${err instanceof Error ? err.message : String(err)}`), decidedBy: 'error' };
      }
    }
    const gate = await this.o.headless();
    return gate.decide(actions, {
      agent: first.agent,
      cwd,
      ...(first.tool !== undefined ? { tool: first.tool } : {}),
      ...(first.session !== undefined ? { session: first.session } : {}),
      installedFor: this.o.folder,
      canAsk: req.canAsk === true,
      signal,
      deadlineMs: req.deadlineMs,
    });
  }

  /** Records something the sandbox undid or refused outside any hook call. */
  note(reason: string): void {
    this.stats.blocked++;
    this.record({ kind: 'sandbox', verdict: 'deny', decidedBy: 'sandbox', reasons: [reason] });
  }

  /** Records the session's start in the audit log and registers it for VS Code's Status view. */
  start(pid: number): void {
    this.record({ kind: 'sandbox', command: this.o.command.join(' '), verdict: 'allow', decidedBy: 'sandbox', reasons: [`Sandboxed session started: ${this.o.command.join(' ')}`] });
    try {
      const dir = ensurePrivateDir(sessionsDir(ensurePrivateDir(runtimeDir(this.o.env))));
      const file = path.join(dir, `${process.pid}-${crypto.randomBytes(4).toString('hex')}.json`);
      const info: SandboxSessionInfo = {
        pid: process.pid,
        sandboxPid: pid,
        folder: this.o.folder,
        agent: this.o.plan.agent ?? '',
        command: [...this.o.command],
        session: this.session,
        startedAt: this.started,
      };
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(info), { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
      this.registration = file;
    } catch {
      // the status view is a convenience: the session runs without it
    }
  }

  async stop(code: number): Promise<void> {
    this.record({
      kind: 'sandbox',
      command: this.o.command.join(' '),
      verdict: 'allow',
      decidedBy: 'sandbox',
      reasons: [`Sandboxed session ended (exit ${code}; ${this.stats.blocked} thing(s) refused or undone and ${this.stats.networkBlocked} connection(s) refused by the sandbox)`],
    });
    await this.close();
  }

  /** Closes the channel and every server handed out of the sandbox (or the process would stay). */
  async close(): Promise<void> {
    if (this.registration) {
      fs.rmSync(this.registration, { force: true });
      this.registration = undefined;
    }
    await this.channel?.close();
    this.channel = undefined;
    for (const s of this.servers.splice(0)) {
      s.close();
    }
  }
}
