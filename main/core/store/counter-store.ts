/**
 * Sliding-window counters for limits ("10 calls a minute per client"). Each counted call is
 * one event row (key, time), so the counters survive a restart: quitting Airlock must not
 * be a way around a limit. The database is the truth; a per-key mirror of its recent
 * events keeps counting off the disk on the hot path.
 */
import type { Database } from './database.ts';

export interface WindowCount {
  /** Events inside the window (reserved slots included). */
  used: number;
  /** When the oldest event in the window leaves it (ms epoch), null when the window is empty. */
  oldestExpiresAt: number | null;
}

interface LimitEvent {
  id: number;
  at: number;
}

/** A key's events with `at > from`, sorted by time: the mirror is exact above `from`. */
interface Mirror {
  from: number;
  events: LimitEvent[];
}

/** Index of the first event with at > t (events sorted by at). */
function firstAfter(events: readonly LimitEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid]?.at ?? Infinity) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class CounterStore {
  readonly #db: Database;
  readonly #mirrors = new Map<string, Mirror>();

  constructor(db: Database) {
    this.#db = db;
  }

  /** How many events `key` has in the window (now − windowSec, now]; later ones count too. */
  count(key: string, windowSec: number, now: number = Date.now()): WindowCount {
    if (!(windowSec > 0)) throw new RangeError('windowSec must be > 0');
    const start = now - windowSec * 1000;
    const { events } = this.#mirror(key, start);
    const first = firstAfter(events, start);
    const oldest = events[first];
    return { used: events.length - first, oldestExpiresAt: oldest ? oldest.at + windowSec * 1000 : null };
  }

  /**
   * When (ms) the `index`-th oldest slot in the window (0 = the oldest) leaves it, or
   * undefined when there are not that many: the retry time of an exhausted limit.
   */
  expiresAt(key: string, windowSec: number, now: number, index: number): number | undefined {
    const start = now - windowSec * 1000;
    const { events } = this.#mirror(key, start);
    const slot = events[firstAfter(events, start) + index];
    return slot ? slot.at + windowSec * 1000 : undefined;
  }

  /** Counts one event for key at `now`; returns its slot id (for release). */
  reserve(key: string, now: number = Date.now()): number {
    const at = Math.floor(now);
    const id = Number(this.#db.statement('INSERT INTO limit_events (key, at) VALUES (?, ?)').run(key, at).lastInsertRowid);
    const mirror = this.#mirrors.get(key);
    if (mirror && at > mirror.from) {
      const index = firstAfter(mirror.events, at);
      mirror.events.splice(index, 0, { id, at });
    }
    return id;
  }

  /** Takes back a reserved event (the call was never forwarded). False when it was not there. */
  release(slotId: number): boolean {
    const row = this.#db.statement('DELETE FROM limit_events WHERE id = ? RETURNING key, at').get(slotId);
    if (!row) return false;
    const mirror = typeof row.key === 'string' ? this.#mirrors.get(row.key) : undefined;
    if (mirror) {
      const index = mirror.events.findIndex((event) => event.id === slotId);
      if (index >= 0) mirror.events.splice(index, 1);
    }
    return true;
  }

  /**
   * Deletes events at or before `olderThan` (pass now minus the longest window in use) and
   * trims the mirrors to match. Returns the number of events removed.
   */
  prune(olderThan: number): number {
    const { changes } = this.#db.statement('DELETE FROM limit_events WHERE at <= ?').run(olderThan);
    for (const [key, mirror] of this.#mirrors) {
      if (mirror.from >= olderThan) continue;
      mirror.events.splice(0, firstAfter(mirror.events, olderThan));
      mirror.from = olderThan;
      if (!mirror.events.length) this.#mirrors.delete(key);
    }
    return Number(changes);
  }

  /** Forgets every event of key (e.g. a person resets a counter). */
  reset(key: string): number {
    this.#mirrors.delete(key);
    return Number(this.#db.statement('DELETE FROM limit_events WHERE key = ?').run(key).changes);
  }

  /** A mirror of key exact for every event after `start`; loads from the db when it is not. */
  #mirror(key: string, start: number): Mirror {
    let mirror = this.#mirrors.get(key);
    if (!mirror || start < mirror.from) {
      const rows = this.#db.statement('SELECT id, at FROM limit_events WHERE key = ? AND at > ? ORDER BY at, id').all(key, start);
      mirror = { from: start, events: rows.map((row) => ({ id: Number(row.id), at: Number(row.at) })) };
      this.#mirrors.set(key, mirror);
    }
    return mirror;
  }
}
