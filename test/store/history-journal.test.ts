/**
 * Calls decided on arrival (the hot path: allowed, denied, rate limited) are recorded in a
 * journal first and folded into the timeline in batches. Nothing of that may show: every
 * read sees them at once and exactly as a direct write would record them, a crash keeps
 * them, a read-only reader beside the running Airlock (`airlock history export`) sees them,
 * and the journal is worked off while calls keep arriving.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryEntrySchema, type HistoryEntry } from '../../shared/history.ts';
import { Database } from '../../main/core/store/database.ts';
import { HistoryStore, type BeginDecidedInput } from '../../main/core/store/history-store.ts';
import { crashAfter, tempDbPath } from './temp-db.ts';

const T0 = Date.UTC(2026, 0, 1);
const open: Array<{ db: Database; store?: HistoryStore }> = [];

function openStore(path = tempDbPath(), options: { readOnly?: boolean } = {}): { db: Database; store: HistoryStore; path: string } {
  const db = Database.open(path, options);
  const store = new HistoryStore(db);
  open.push({ db, store });
  return { db, store, path };
}

afterEach(() => {
  vi.useRealTimers();
  for (const { db, store } of open.splice(0).reverse()) {
    if (db.isOpen) {
      store?.close();
      db.close();
    }
  }
});

const allowed = (over: Partial<BeginDecidedInput> = {}): BeginDecidedInput => ({
  receivedAt: T0,
  server: 'everything',
  tool: 'echo',
  client: 'cursor',
  clientInfo: { name: 'cursor', version: '1.0' },
  sessionId: 's1',
  protocolVersion: '2025-11-25',
  arguments: { message: 'hello there' },
  decided: { decision: 'allowed', decidedBy: { kind: 'rule', rule: '/tools/echo' }, decidedAt: T0 + 1, reason: 'listed' },
  ...over,
});

const journalRows = (db: Database): number => Number(db.sqlite.prepare('SELECT count(*) AS n FROM call_journal').get()!.n);

describe('history: calls decided on arrival', () => {
  it('reads at once exactly as recorded, through every way of reading', async () => {
    const { db, store } = openStore();
    const begun = store.begin(allowed());
    expect(journalRows(db)).toBe(1);
    expect(store.get(begun.id)).toEqual(begun);
    expect(begun).toMatchObject({ state: 'forwarded', decision: 'allowed', decidedAt: T0 + 1, reason: 'listed', era: 'legacy' });

    expect(store.complete(begun.id, { completedAt: T0 + 9, upstreamMs: 4, result: { content: [{ type: 'text', text: 'Echo: hello there' }] } })).toBe(true);
    const ended: HistoryEntry = {
      ...begun,
      state: 'completed',
      completedAt: T0 + 9,
      upstreamMs: 4,
      result: { isError: false, contentTypes: ['text'], textPreview: 'Echo: hello there' },
    };
    expect(HistoryEntrySchema.parse(store.get(begun.id))).toEqual(ended);
    expect(store.query({ server: 'everything', decision: 'allowed' }).entries).toEqual([ended]);
    expect(store.query({ q: 'hello' }).entries).toEqual([ended]);
    expect(store.facets().tools).toEqual([{ server: 'everything', tool: 'echo', count: 1 }]);
    let text = '';
    for await (const chunk of store.exportStream('jsonl')) text += chunk;
    expect(JSON.parse(text)).toEqual(ended);
    // Ended once: a second ending changes nothing.
    expect(store.complete(begun.id, { error: 'late' })).toBe(false);
    expect(store.get(begun.id)).toEqual(ended);
  });

  it('an ending with its own decision (an upstream failure, a cancel) replaces the arrival decision, as for any call', () => {
    const { store } = openStore();
    const failed = store.begin(allowed());
    const cancelled = store.begin(allowed({ receivedAt: T0 + 1 }));
    store.complete(failed.id, { completedAt: T0 + 5, decision: 'upstream_error', error: 'ECONNRESET', upstreamMs: 3 });
    store.complete(cancelled.id, { completedAt: T0 + 6, decision: 'cancelled', decidedBy: { kind: 'client' } });
    expect(store.get(failed.id)).toMatchObject({
      state: 'completed',
      decision: 'upstream_error',
      decidedBy: { kind: 'rule', rule: '/tools/echo' },
      error: 'ECONNRESET',
      upstreamMs: 3,
    });
    expect(store.get(cancelled.id)).toMatchObject({ state: 'completed', decision: 'cancelled', decidedBy: { kind: 'client' }, completedAt: T0 + 6 });
    expect(store.facets().decisions.map((row) => row.decision).sort()).toEqual(['cancelled', 'upstream_error']);
  });

  it('a call refused on arrival is ended at its decision and takes no ending', () => {
    const { store } = openStore();
    const { id } = store.begin(allowed({ decided: { decision: 'rate_limited', decidedBy: { kind: 'limit' }, decidedAt: T0 + 2 } }));
    expect(store.complete(id, { error: 'never ran' })).toBe(false);
    expect(store.get(id)).toMatchObject({ state: 'completed', decision: 'rate_limited', completedAt: T0 + 2 });
    expect(store.get(id)?.error).toBeUndefined();
  });

  it('calls of one millisecond keep distinct ids in arrival order across the journal and the timeline', () => {
    const { store } = openStore();
    const waiting = store.begin({ ...allowed(), decided: undefined }).id;
    const decided = [0, 1, 2].map(() => store.begin(allowed()).id);
    const again = store.begin({ ...allowed(), decided: undefined }).id;
    const ids = [waiting, ...decided, again];
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort()).toEqual(ids);
    expect(store.query().entries.map((entry) => entry.id)).toEqual([...ids].reverse());
  });

  it('survives the process being killed: ended calls keep their result, open ones are closed as interrupted', () => {
    const path = tempDbPath();
    // A separate Node process records two calls decided on arrival and ends one; once both
    // are committed it prints their ids and is killed (no close, no fold at exit).
    const output = crashAfter(
      path,
      `const arrive = (receivedAt) => stores.db.groupTransaction(() => stores.history.begin({ receivedAt, server: 'files', tool: 'write_file',
         client: 'cursor', sessionId: 's', arguments: { path: '/tmp/kept.txt' }, decided: { decision: 'allowed', decidedBy: { kind: 'rule' } } }));
       const open = arrive(${T0});
       const done = arrive(${T0 + 1});
       await done.committed;
       stores.db.transaction(() => stores.history.complete(done.result.id, { completedAt: ${T0 + 5}, result: { content: [{ type: 'text', text: 'written' }] } }));
       crash(open.result.id + ' ' + done.result.id);`,
    );
    const [openId, doneId] = output.split(' ') as [string, string];
    expect(doneId).toMatch(/^[0-9A-Z]{12}$/);

    const { db, store } = openStore(path);
    expect(journalRows(db)).toBe(0);
    expect(store.closeInterrupted(T0 + 10)).toBe(1);
    expect(store.get(openId)).toMatchObject({ state: 'completed', decision: 'allowed', error: 'Airlock stopped before the result arrived' });
    expect(store.get(doneId)).toMatchObject({ state: 'completed', decision: 'allowed', completedAt: T0 + 5, result: { textPreview: 'written' } });
    expect(store.query({ q: 'kept' }).entries.map((entry) => entry.id)).toEqual([doneId, openId]);
  });

  it('a read-only reader beside the writer exports journaled calls in order, filtered, and refuses a text search it cannot answer', async () => {
    const { store, path } = openStore();
    const first = store.begin(allowed()).id;
    // Written to the timeline at once (it waits for a person), between two journaled calls.
    const asked = store.begin({ ...allowed({ receivedAt: T0 + 1 }), decided: undefined }).id;
    const denied = store.begin(allowed({ receivedAt: T0 + 2, tool: 'delete', decided: { decision: 'denied', decidedBy: { kind: 'rule' } } })).id;
    store.complete(first, { completedAt: T0 + 3, result: { content: [{ type: 'text', text: 'ok' }] } });
    const reader = openStore(path, { readOnly: true }).store;

    const exported = async (filter = {}): Promise<HistoryEntry[]> => {
      let text = '';
      for await (const chunk of reader.exportStream('jsonl', filter)) text += chunk;
      return text
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as HistoryEntry);
    };
    const all = await exported();
    expect(all.map((entry) => entry.id)).toEqual([first, asked, denied]);
    expect(all[0]).toEqual(store.get(first));
    expect(all[2]).toEqual(store.get(denied));
    expect((await exported({ tool: 'delete' })).map((entry) => entry.id)).toEqual([denied]);
    expect((await exported({ decision: 'allowed', from: T0, to: T0 })).map((entry) => entry.id)).toEqual([first]);
    await expect(exported({ q: 'hello' })).rejects.toThrow(/text search .* goes through that Airlock/);
  });

  it('is worked off in the background while calls keep arriving', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    const { db, store } = openStore();
    for (let i = 0; i < 200; i++) store.begin(allowed({ receivedAt: T0 + i }));
    expect(journalRows(db)).toBe(200);
    // The fold starts a moment after the first journaled call and takes a slice per turn.
    vi.advanceTimersToNextTimer();
    const left = journalRows(db);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(200);
    // A call arriving while the fold is under way does not hold the rest back.
    store.begin(allowed({ receivedAt: T0 + 5000 }));
    vi.advanceTimersByTime(5);
    expect(journalRows(db)).toBe(0);
    expect(Number(db.sqlite.prepare('SELECT count(*) AS n FROM calls').get()!.n)).toBe(201);
    // Later calls are folded in turn, with the endings that came meanwhile, announced then.
    const changes: string[] = [];
    store.onChange((change) => changes.push(change.type));
    const later = Array.from({ length: 30 }, (_, i) => store.begin(allowed({ receivedAt: T0 + 6000 + i })).id);
    for (const id of later) store.completeSoon(id, { completedAt: T0 + 7000, result: { content: [{ type: 'text', text: 'done' }] } });
    changes.length = 0;
    vi.advanceTimersByTime(1000);
    expect(journalRows(db)).toBe(0);
    expect(changes).toEqual(later.map(() => 'updated'));
    expect(Number(db.sqlite.prepare(`SELECT count(*) AS n FROM calls WHERE state = 'completed' AND completed_at = ?`).get(T0 + 7000)!.n)).toBe(30);
  });

  it('an ending recorded for later is read at once', () => {
    const { store } = openStore();
    const { id } = store.begin(allowed());
    store.completeSoon(id, { completedAt: T0 + 4, upstreamMs: 2, result: { content: [{ type: 'text', text: 'soon' }] } });
    expect(store.get(id)).toMatchObject({ state: 'completed', completedAt: T0 + 4, upstreamMs: 2, result: { textPreview: 'soon' } });
  });
});
