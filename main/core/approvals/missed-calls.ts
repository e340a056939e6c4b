/**
 * Calls that timed out while nobody answered them. Without this list they vanish: the
 * person comes back to an empty queue and an agent that gave up. From here a person can
 * let the agent's next identical retry (same client, server, tool, arguments) through once,
 * within a short expiry, without being asked again. Kept in memory only, bounded: it is
 * about the last hour at the desk, not a record (history is the record).
 */
import { EventEmitter } from 'node:events';
import type { MissedCall } from '../../../shared/api/contract.ts';
import type { ApprovalQueue } from './approval-queue.ts';
import { NotFound } from '../errors.ts';

export const MISSED_KEEP = 50;

/** What lets one identical retry through (CallGuard.allowRetry). */
export type RetryGate = (call: { client: { id: string }; server: string; tool: string; arguments: Record<string, unknown> }, expiresAt: number, historyId: string) => void;

export class MissedCalls extends EventEmitter<{ changed: [] }> {
  /** Newest first. */
  private items: MissedCall[] = [];
  private readonly gate: RetryGate;
  private readonly passMs: () => number;
  private readonly keep: number;

  constructor(options: { queue: ApprovalQueue; gate: RetryGate; passMs: () => number; keep?: number }) {
    super();
    this.gate = options.gate;
    this.passMs = options.passMs;
    this.keep = options.keep ?? MISSED_KEEP;
    options.queue.on('resolved', (resolution, _outcome, pending) => {
      if (resolution.outcome !== 'timed_out') return;
      const title = pending.toolDefinition?.annotations?.title ?? pending.toolDefinition?.title;
      this.items = [
        {
          id: pending.id,
          historyId: pending.historyId,
          server: pending.server,
          tool: pending.tool,
          ...(title && { toolTitle: title }),
          arguments: pending.arguments,
          client: pending.client,
          createdAt: pending.createdAt,
          expiredAt: Date.now(),
          answeredEarly: pending.answeredEarlyAt !== undefined,
        },
        ...this.items,
      ].slice(0, this.keep);
      this.emit('changed');
    });
  }

  list(): MissedCall[] {
    return this.items;
  }

  /** Opens a single-use pass for the identical retry of a missed call. */
  allowRetry(id: string): MissedCall {
    const index = this.items.findIndex((m) => m.id === id);
    const missed = this.items[index];
    if (!missed) throw new NotFound(`no missed call ${id} (only the last ${this.keep} are kept, and only until Airlock restarts)`);
    const until = Date.now() + this.passMs();
    this.gate(missed, until, missed.historyId);
    const updated = { ...missed, retryAllowedUntil: until };
    this.items = this.items.map((m, i) => (i === index ? updated : m));
    this.emit('changed');
    return updated;
  }
}
