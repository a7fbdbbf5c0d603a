/**
 * Requests waiting for the human. Pure logic (no vscode): the VS Code layer shows the queue and
 * calls answer(); a timer denies what nobody answered in time; a request whose hook went away is
 * withdrawn. Nothing outside the UI can answer: the bridge has no approve message.
 */
import type { Decision, ProposedAction } from '../core/types';

export type AnswerKind = 'approve' | 'approve-session' | 'deny';

export interface HumanAnswer {
  readonly kind: AnswerKind;
  readonly by: 'human' | 'timeout' | 'withdrawn';
  /** A reason typed by the human; goes back to the agent. */
  readonly message?: string;
}

export interface PendingRequest {
  readonly id: string;
  readonly action: ProposedAction;
  readonly decision: Decision;
  readonly createdAt: number;
  readonly deadline: number;
  /** Proposed content and current content, for an edit's diff. */
  readonly current?: string;
}

type Listener = () => void;

export class ApprovalQueue {
  private readonly pending = new Map<string, { req: PendingRequest; resolve: (a: HumanAnswer) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly listeners = new Set<Listener>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a request; resolves when the human answers, the time is up, or `signal` aborts. */
  add(action: ProposedAction, decision: Decision, timeoutMs: number, signal?: AbortSignal, current?: string): { request: PendingRequest; answer: Promise<HumanAnswer> } {
    const id = `${this.now().toString(36)}-${(++this.seq).toString(36)}`;
    const created = this.now();
    const request: PendingRequest = { id, action, decision, createdAt: created, deadline: created + timeoutMs, current };
    const answer = new Promise<HumanAnswer>((resolve) => {
      const timer = setTimeout(() => this.finish(id, { kind: 'deny', by: 'timeout' }), timeoutMs);
      this.pending.set(id, { req: request, resolve, timer });
      signal?.addEventListener('abort', () => this.finish(id, { kind: 'deny', by: 'withdrawn' }), { once: true });
    });
    this.emit();
    return { request, answer };
  }

  /** The human's answer. Returns false when the request is no longer pending. */
  answer(id: string, answer: Omit<HumanAnswer, 'by'>): boolean {
    return this.finish(id, { ...answer, by: 'human' });
  }

  get(id: string): PendingRequest | undefined {
    return this.pending.get(id)?.req;
  }

  /** Oldest first. */
  list(): PendingRequest[] {
    return [...this.pending.values()].map((p) => p.req).sort((a, b) => a.createdAt - b.createdAt);
  }

  get size(): number {
    return this.pending.size;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Denies everything still pending (the window is closing). */
  dispose(): void {
    for (const id of [...this.pending.keys()]) {
      this.finish(id, { kind: 'deny', by: 'withdrawn', message: 'VS Code closed before anyone answered' });
    }
    this.listeners.clear();
  }

  private finish(id: string, answer: HumanAnswer): boolean {
    const p = this.pending.get(id);
    if (!p) {
      return false;
    }
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(answer);
    this.emit();
    return true;
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // a failing listener must not stop the queue
      }
    }
  }
}
