/**
 * Limit counters as the policy reads them, backed by SQLite so a restart is never a way
 * around a limit. Evaluation reads; the guard then reserves one slot per reservation in
 * the same tick, and releases them if the call is never forwarded.
 */
import type { CounterReader, Reservation } from '../policy/index.ts';
import type { CounterStore } from '../store/counter-store.ts';

export class Limiter implements CounterReader {
  private readonly store: CounterStore;

  constructor(store: CounterStore) {
    this.store = store;
  }

  used(key: string, windowSeconds: number, now: number): number {
    return this.store.count(key, windowSeconds, now).used;
  }

  expiresAt(key: string, windowSeconds: number, now: number, index: number): number | undefined {
    return this.store.expiresAt(key, windowSeconds, now, index);
  }

  reserve(reservations: readonly Reservation[], now: number): number[] {
    if (!reservations.length) return [];
    return reservations.map((r) => this.store.reserve(r.key, now));
  }

  release(slots: readonly number[]): void {
    for (const slot of slots) this.store.release(slot);
  }
}
