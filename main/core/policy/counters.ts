/**
 * What evaluation reads of the limit counters. Counting is exact over a sliding window:
 * a slot taken at time t counts while `now - t < window`, and leaves the window at
 * `t + window`. The durable store (SQLite) implements this interface; the in-memory
 * one here serves tests and benchmarks.
 */
import type { Reservation } from '../../../shared/policy/schema.ts';

export interface CounterReader {
  /** Slots taken on `key` within the `windowSeconds` before `now` (ms), reservations included. */
  used(key: string, windowSeconds: number, now: number): number;
  /**
   * When (ms) the `index`-th oldest slot (0 = the oldest) in that window leaves it, or
   * undefined when there are not that many. Only asked when a limit is exhausted: with
   * `used` slots and a cap of `max`, the next call fits once slot `used - max` has left.
   */
  expiresAt(key: string, windowSeconds: number, now: number, index: number): number | undefined;
}

/** Counters that count nothing: every limit has room. */
export const NO_COUNTERS: CounterReader = {
  used: () => 0,
  expiresAt: () => undefined,
};

/** Sorted slot times per key, in memory. */
export class MemoryCounters implements CounterReader {
  readonly #slots = new Map<string, number[]>();

  /** Takes one slot per reservation (as the store does when a call goes ahead). */
  take(reservations: readonly Reservation[], at: number): void {
    for (const reservation of reservations) this.add(reservation.key, at);
  }

  add(key: string, at: number): void {
    let slots = this.#slots.get(key);
    if (!slots) this.#slots.set(key, (slots = []));
    let i = slots.length;
    while (i > 0 && (slots[i - 1] as number) > at) i--;
    slots.splice(i, 0, at);
  }

  clear(): void {
    this.#slots.clear();
  }

  /** Index of the first slot still inside the window. */
  #firstInWindow(slots: readonly number[], windowSeconds: number, now: number): number {
    const since = now - windowSeconds * 1000;
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((slots[mid] as number) > since) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Index just past the last slot taken at or before now. */
  #end(slots: readonly number[], now: number): number {
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((slots[mid] as number) > now) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  used(key: string, windowSeconds: number, now: number): number {
    const slots = this.#slots.get(key);
    if (!slots) return 0;
    return this.#end(slots, now) - this.#firstInWindow(slots, windowSeconds, now);
  }

  expiresAt(key: string, windowSeconds: number, now: number, index: number): number | undefined {
    const slots = this.#slots.get(key);
    if (!slots) return undefined;
    const at = slots[this.#firstInWindow(slots, windowSeconds, now) + index];
    return at === undefined || at > now ? undefined : at + windowSeconds * 1000;
  }
}
