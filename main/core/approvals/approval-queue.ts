/**
 * Calls waiting for a person. Each pending approval resolves exactly once: by a decision,
 * by its timeout, by "pause all", or by being withdrawn when nobody waits for it any more
 * (the client cancelled or disconnected), so the UI never asks about a call nobody waits for.
 *
 * A decision is one transition: the claims on the approval (the guard's history writes)
 * run synchronously inside `decide`, before it returns and before any waiter resumes. A
 * claim that fails leaves the call pending and fails the decision; a second or concurrent
 * decision, or one on a call that timed out or was withdrawn, is NotPending.
 */
import { EventEmitter } from 'node:events';
import type { DecisionInput, PendingCall, PendingResolution } from '../../../shared/api/contract.ts';
import { InvalidArguments, NotPending } from '../errors.ts';

/** Why a waiting call stopped waiting without a person's answer. */
export type CancelCause = 'client' | 'shutdown' | 'withdrawn';

/** Runs when the approval resolves, synchronously, before its waiters resume. */
export type Claim = (outcome: ApprovalOutcome) => void;

export type ApprovalOutcome =
  | { kind: 'approved'; remember: DecisionInput['remember']; message?: string; arguments?: Record<string, unknown>; decidedAt: number }
  | { kind: 'denied'; remember: DecisionInput['remember']; message?: string; decidedAt: number }
  | { kind: 'timed_out'; decidedAt: number }
  | { kind: 'cancelled'; cause: CancelCause; decidedAt: number }
  /** "Pause all": nobody will be asked, the call is refused. */
  | { kind: 'paused'; decidedAt: number }
  /** The policy changed while the call waited and now refuses it. */
  | { kind: 'refused_by_policy'; rule: string; reason: string; message: string; decidedAt: number };

interface Item {
  pending: PendingCall;
  promise: Promise<ApprovalOutcome>;
  settle: (outcome: ApprovalOutcome) => void;
  timer: NodeJS.Timeout;
  /** Callers currently waiting; an item nobody waits for is withdrawn unless `kept`. */
  waiters: number;
  /** The agent was told to retry later: the item stays until a person or the timeout decides. */
  kept: boolean;
  claims: Claim[];
}

export interface ApprovalQueueEvents {
  added: [PendingCall];
  resolved: [PendingResolution, ApprovalOutcome, PendingCall];
  /** A waiting call changed (same id): UIs replace what they show. */
  updated: [PendingCall];
}

/** Checks a decision before it is taken (e.g. edited arguments against the tool's schema). */
export type DecisionCheck = (pending: PendingCall, input: DecisionInput) => string | undefined;

export class ApprovalQueue extends EventEmitter<ApprovalQueueEvents> {
  private readonly items = new Map<string, Item>();
  private readonly check: DecisionCheck;

  constructor(check: DecisionCheck = () => undefined) {
    super();
    this.check = check;
  }

  /** Oldest first: the popup shows the call that has waited longest. */
  list(): PendingCall[] {
    return [...this.items.values()].map((i) => i.pending).sort((a, b) => a.createdAt - b.createdAt);
  }

  get size(): number {
    return this.items.size;
  }

  get(id: string): PendingCall | undefined {
    return this.items.get(id)?.pending;
  }

  find(predicate: (pending: PendingCall) => boolean): PendingCall | undefined {
    for (const item of this.items.values()) if (predicate(item.pending)) return item.pending;
    return undefined;
  }

  /** Adds a pending approval; the caller waits with `wait`. */
  add(pending: PendingCall): void {
    let settle!: (outcome: ApprovalOutcome) => void;
    const promise = new Promise<ApprovalOutcome>((resolve) => (settle = resolve));
    const delay = Math.max(0, pending.expiresAt - Date.now());
    const timer = setTimeout(() => this.finish(pending.id, { kind: 'timed_out', decidedAt: Date.now() }, 'timeout'), delay);
    this.items.set(pending.id, { pending, promise, settle, timer, waiters: 0, kept: false, claims: [] });
    this.emit('added', pending);
  }

  /**
   * Waits for the outcome. When `signal` aborts, this caller stops waiting; if it was the
   * last one and the item was not kept, the approval is withdrawn as cancelled.
   */
  wait(id: string, signal?: AbortSignal): Promise<ApprovalOutcome> {
    const item = this.items.get(id);
    if (!item) return Promise.resolve({ kind: 'cancelled', cause: 'withdrawn', decidedAt: Date.now() });
    item.waiters++;
    if (!signal) return item.promise;
    return new Promise<ApprovalOutcome>((resolve) => {
      const onAbort = () => {
        item.waiters--;
        resolve({ kind: 'cancelled', cause: 'client', decidedAt: Date.now() });
        if (item.waiters <= 0 && !item.kept) this.finish(id, { kind: 'cancelled', cause: 'client', decidedAt: Date.now() }, 'client');
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void item.promise.then((outcome) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) {
          item.waiters--;
          resolve(outcome);
        }
      });
    });
  }

  /**
   * Registers what must happen when the approval resolves (see the file comment); returns
   * the undo, for a waiter that stops waiting while the approval goes on.
   */
  claim(id: string, claim: Claim): () => void {
    const item = this.items.get(id);
    if (!item) return () => undefined;
    item.claims.push(claim);
    return () => {
      const at = item.claims.indexOf(claim);
      if (at >= 0) item.claims.splice(at, 1);
    };
  }

  /**
   * The agent got an early "still pending, retry" answer: keep the item for the person, and
   * mark the call so the card can say the agent was told to retry.
   */
  keep(id: string): void {
    const item = this.items.get(id);
    if (!item) return;
    item.kept = true;
    if (item.pending.answeredEarlyAt !== undefined) return;
    item.pending = { ...item.pending, answeredEarlyAt: Date.now() };
    this.emit('updated', item.pending);
  }

  /** A person's decision. Throws NotPending for an unknown id, InvalidArguments for edited arguments that do not fit. */
  decide(id: string, input: DecisionInput): PendingResolution {
    const item = this.items.get(id);
    if (!item) throw new NotPending(`no pending call ${id} (it was already decided, withdrawn or timed out)`);
    if (input.decision === 'approve') {
      const problem = this.check(item.pending, input);
      if (problem) throw new InvalidArguments(problem);
    }
    const decidedAt = Date.now();
    const outcome: ApprovalOutcome =
      input.decision === 'approve'
        ? {
            kind: 'approved',
            remember: input.remember,
            decidedAt,
            ...(input.message !== undefined && { message: input.message }),
            ...(input.arguments !== undefined && { arguments: input.arguments }),
          }
        : { kind: 'denied', remember: input.remember, decidedAt, ...(input.message !== undefined && { message: input.message }) };
    return this.finish(id, outcome, 'user')!;
  }

  /** The policy now refuses this waiting call: it ends as denied by the policy. */
  refuse(id: string, refusal: { rule: string; reason: string; message: string }): void {
    this.finish(id, { kind: 'refused_by_policy', ...refusal, decidedAt: Date.now() }, 'policy');
  }

  /** "Pause all": every waiting call is refused. */
  pauseAll(): void {
    for (const id of [...this.items.keys()]) this.finish(id, { kind: 'paused', decidedAt: Date.now() }, 'policy');
  }

  /** Ends every waiting call unanswered (shutdown). */
  cancelAll(cause: CancelCause): void {
    for (const id of [...this.items.keys()]) this.finish(id, { kind: 'cancelled', cause, decidedAt: Date.now() }, 'policy');
  }

  private finish(id: string, outcome: ApprovalOutcome, by: PendingResolution['by']): PendingResolution | undefined {
    const item = this.items.get(id);
    if (!item) return undefined;
    // The claims first: if one fails on a person's decision, the call stays pending and the
    // decision fails (nothing was approved). Otherwise the call ends regardless.
    for (const claim of [...item.claims]) {
      if (by === 'user') claim(outcome);
      else {
        try {
          claim(outcome);
        } catch {
          // The claim reports its own failure; the waiter is answered and nothing runs.
        }
      }
    }
    this.items.delete(id);
    clearTimeout(item.timer);
    const resolution: PendingResolution = {
      id,
      outcome:
        outcome.kind === 'approved' ? 'approved' : outcome.kind === 'denied' || outcome.kind === 'refused_by_policy' || outcome.kind === 'paused' ? 'denied' : outcome.kind,
      by,
    };
    item.settle(outcome);
    this.emit('resolved', resolution, outcome, item.pending);
    return resolution;
  }
}
