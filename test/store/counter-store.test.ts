import { afterEach, describe, expect, it } from 'vitest';
import { CounterStore } from '../../main/core/store/counter-store.ts';
import { Database } from '../../main/core/store/database.ts';
import { tempDbPath } from './temp-db.ts';

const T = 1_800_000_000_000;
const dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});
function open(path = tempDbPath()): { db: Database; counters: CounterStore; path: string } {
  const db = Database.open(path);
  dbs.push(db);
  return { db, counters: new CounterStore(db), path };
}

describe('limit counters', () => {
  it('count only the events inside the sliding window', () => {
    const { counters } = open();
    counters.reserve('i2i|client:cursor', T);
    counters.reserve('i2i|client:cursor', T + 10_000);
    counters.reserve('i2i|client:cursor', T + 50_000);
    expect(counters.count('i2i|client:cursor', 60, T + 55_000)).toEqual({ used: 3, oldestExpiresAt: T + 60_000 });
    // At exactly T + 60 s the first event has left the window.
    expect(counters.count('i2i|client:cursor', 60, T + 60_000)).toEqual({ used: 2, oldestExpiresAt: T + 70_000 });
    expect(counters.count('i2i|client:cursor', 10, T + 55_000)).toEqual({ used: 1, oldestExpiresAt: T + 60_000 });
    expect(counters.count('i2i|client:cursor', 60, T + 200_000)).toEqual({ used: 0, oldestExpiresAt: null });
    // A wider window than any asked before still sees older events (read from disk).
    expect(counters.count('i2i|client:cursor', 3600, T + 55_000).used).toBe(3);
    expect(counters.count('i2i|client:claude', 3600, T + 55_000).used).toBe(0);
  });

  it('survive closing and reopening: a restart is no way around a limit', () => {
    const { db, counters, path } = open();
    for (let i = 0; i < 10; i++) counters.reserve('global', T + i * 1000);
    expect(counters.count('global', 60, T + 30_000).used).toBe(10);
    db.close();
    const again = open(path).counters;
    expect(again.count('global', 60, T + 30_000)).toEqual({ used: 10, oldestExpiresAt: T + 60_000 });
  });

  it('release frees a reserved slot, also after a restart', () => {
    const { db, counters, path } = open();
    const a = counters.reserve('k', T);
    const b = counters.reserve('k', T + 1);
    expect(counters.count('k', 60, T + 2).used).toBe(2);
    expect(counters.release(a)).toBe(true);
    expect(counters.count('k', 60, T + 2)).toEqual({ used: 1, oldestExpiresAt: T + 1 + 60_000 });
    expect(counters.release(a)).toBe(false);
    db.close();
    const again = open(path).counters;
    expect(again.count('k', 60, T + 2).used).toBe(1);
    expect(again.release(b)).toBe(true);
    expect(again.count('k', 60, T + 2).used).toBe(0);
  });

  it('keep the mirror in step when reserving after counting', () => {
    const { counters } = open();
    expect(counters.count('k', 60, T).used).toBe(0);
    counters.reserve('k', T + 1);
    counters.reserve('k', T + 1);
    expect(counters.count('k', 60, T + 2).used).toBe(2);
    // An event recorded with an earlier time (clock skew between calls) is still counted.
    counters.reserve('k', T - 5000);
    expect(counters.count('k', 60, T + 2)).toEqual({ used: 3, oldestExpiresAt: T - 5000 + 60_000 });
  });

  it('say when the n-th oldest slot of a window frees up', () => {
    const { counters } = open();
    for (const at of [T, T + 10_000, T + 20_000]) counters.reserve('k', at);
    // Window 60 s at T + 15 s: the slots at T and T + 10 s are inside.
    expect(counters.expiresAt('k', 60, T + 15_000, 0)).toBe(T + 60_000);
    expect(counters.expiresAt('k', 60, T + 15_000, 1)).toBe(T + 70_000);
    expect(counters.expiresAt('k', 60, T + 25_000, 2)).toBe(T + 80_000);
    expect(counters.expiresAt('k', 60, T + 25_000, 3)).toBeUndefined();
    expect(counters.expiresAt('k', 60, T + 65_000, 0)).toBe(T + 70_000);
  });

  it('prune removes expired events and nothing inside a window', () => {
    const { db, counters } = open();
    for (let i = 0; i < 5; i++) counters.reserve('k', T + i * 60_000);
    expect(counters.count('k', 3600, T + 300_000).used).toBe(5);
    expect(counters.prune(T + 120_000)).toBe(3);
    expect(counters.count('k', 3600, T + 300_000)).toEqual({ used: 2, oldestExpiresAt: T + 180_000 + 3_600_000 });
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM limit_events').get()?.n).toBe(2);
  });

  it('reset forgets a key', () => {
    const { counters } = open();
    counters.reserve('a', T);
    counters.reserve('b', T);
    expect(counters.reset('a')).toBe(1);
    expect(counters.count('a', 60, T).used).toBe(0);
    expect(counters.count('b', 60, T).used).toBe(1);
  });

  it('rejects an empty window', () => {
    const { counters } = open();
    expect(() => counters.count('k', 0, T)).toThrow(RangeError);
  });
});
