import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryEntrySchema, type Decision, type HistoryEntry, type HistoryQueryInput } from '../../shared/history.ts';
import { Database } from '../../main/core/store/database.ts';
import { HistoryStore, type HistoryChange } from '../../main/core/store/history-store.ts';
import { crashAfter, tempDbPath } from './temp-db.ts';

const T0 = Date.UTC(2026, 0, 1);
const open: Array<{ db: Database; store: HistoryStore }> = [];

function openStore(path = tempDbPath()): { db: Database; store: HistoryStore; path: string } {
  const db = Database.open(path);
  const store = new HistoryStore(db);
  open.push({ db, store });
  return { db, store, path };
}

afterEach(() => {
  vi.useRealTimers();
  for (const { db, store } of open.splice(0)) {
    if (db.isOpen) {
      store.close();
      db.close();
    }
  }
});

const call = (over: Partial<Parameters<HistoryStore['begin']>[0]> = {}): Parameters<HistoryStore['begin']>[0] => ({
  receivedAt: T0,
  server: 'imagenx',
  tool: 'image_to_image',
  client: 'claude-desktop',
  clientInfo: { name: 'claude-ai', version: '0.9.1' },
  sessionId: 'session-1',
  arguments: { prompt: 'a red fox', size: '1K' },
  ...over,
});

/** 60 finished calls over 60 minutes with varied servers, tools, clients and decisions. */
function seed(store: HistoryStore): HistoryEntry[] {
  const servers = ['imagenx', 'files', 'github'];
  const clients = ['claude-desktop', 'cursor'];
  const decisions: Decision[] = ['allowed', 'denied', 'approved', 'timed_out', 'rate_limited'];
  for (let i = 0; i < 60; i++) {
    const server = servers[i % 3] as string;
    // Several calls in the same millisecond: the id must still order them.
    const entry = store.begin(
      call({
        receivedAt: T0 + Math.floor(i / 3) * 60_000,
        server,
        tool: `${server}_${i % 2 ? 'read' : 'write'}`,
        client: clients[i % 2] as string,
        sessionId: `s${i % 4}`,
        arguments: { prompt: `call number ${i}`, nested: { path: `/tmp/file-${i}.txt` } },
      }),
    );
    const decision = decisions[i % 5] as Decision;
    store.decide(entry.id, { decision, decidedBy: { kind: 'rule', rule: '/default' }, decidedAt: entry.receivedAt + 5 });
    if (decision === 'allowed' || decision === 'approved') store.complete(entry.id, { completedAt: entry.receivedAt + 20, upstreamMs: 15 });
  }
  return walk(store, { limit: 500 });
}

/** Every entry a query returns, following nextCursor page by page. */
function walk(store: HistoryStore, query: HistoryQueryInput): HistoryEntry[] {
  const all: HistoryEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = store.query({ ...query, ...(cursor ? { cursor } : {}) });
    expect(page.entries.length).toBeLessThanOrEqual(Number(query.limit ?? 50));
    all.push(...page.entries);
    if (!page.nextCursor) return all;
    cursor = page.nextCursor;
  }
  throw new Error('cursor never ended');
}

const newestFirst = (a: HistoryEntry, b: HistoryEntry): number => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1);

describe('history: recording a call', () => {
  it('keeps what begin, decide and complete record, and get returns it', () => {
    const { store } = openStore();
    const begun = store.begin(call());
    expect(begun).toMatchObject({ state: 'pending', decision: null, decidedBy: null, receivedAt: T0, server: 'imagenx' });
    expect(store.get(begun.id)).toEqual(begun);

    expect(
      store.decide(begun.id, {
        decision: 'approved',
        decidedBy: { kind: 'user', detail: 'tray popup' },
        decidedAt: T0 + 1500,
        waitMs: 1500,
        userMessage: 'ok, once',
        reason: 'Costs money per image',
      }),
    ).toBe(true);
    expect(store.get(begun.id)).toMatchObject({ state: 'forwarded', decision: 'approved', decidedAt: T0 + 1500, waitMs: 1500 });

    expect(
      store.complete(begun.id, {
        completedAt: T0 + 4000,
        upstreamMs: 2500,
        result: { content: [{ type: 'text', text: 'done' }, { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }] },
      }),
    ).toBe(true);
    const entry = store.get(begun.id);
    expect(entry).toEqual({
      ...begun,
      state: 'completed',
      decision: 'approved',
      decidedBy: { kind: 'user', detail: 'tray popup' },
      decidedAt: T0 + 1500,
      completedAt: T0 + 4000,
      waitMs: 1500,
      upstreamMs: 2500,
      userMessage: 'ok, once',
      reason: 'Costs money per image',
      result: { isError: false, contentTypes: ['text', 'image'], textPreview: 'done', thumbnails: ['data:image/png;base64,iVBORw0KGgo='] },
    });
    expect(HistoryEntrySchema.parse(entry)).toEqual(entry);
  });

  it('ends a refused call at its decision and ignores later updates', () => {
    const { store } = openStore();
    const { id } = store.begin(call());
    expect(store.decide(id, { decision: 'denied', decidedBy: { kind: 'rule', rule: '/tools/image_to_image' }, decidedAt: T0 + 3, reason: 'nope' })).toBe(true);
    expect(store.get(id)).toMatchObject({ state: 'completed', decision: 'denied', completedAt: T0 + 3, reason: 'nope' });
    expect(store.decide(id, { decision: 'allowed', decidedBy: { kind: 'rule' } })).toBe(false);
    expect(store.complete(id, {})).toBe(false);
    expect(store.get(id)?.decision).toBe('denied');
    expect(store.decide('0000000000ZZ', { decision: 'allowed', decidedBy: { kind: 'rule' } })).toBe(false);
    expect(store.get('not-an-id')).toBeUndefined();
  });

  it('records an upstream failure as such, keeping who allowed the call', () => {
    const { store } = openStore();
    const { id } = store.begin(call());
    store.decide(id, { decision: 'allowed', decidedBy: { kind: 'rule', rule: '/tools/image_to_image' } });
    store.complete(id, { decision: 'upstream_error', error: 'ECONNRESET', upstreamMs: 12 });
    expect(store.get(id)).toMatchObject({ state: 'completed', decision: 'upstream_error', error: 'ECONNRESET', decidedBy: { kind: 'rule' } });
  });

  it('a call that ends before any decision is recorded as cancelled', () => {
    const { store } = openStore();
    const { id } = store.begin(call());
    expect(store.complete(id, { completedAt: T0 + 9, error: 'client disconnected' })).toBe(true);
    expect(store.get(id)).toMatchObject({ state: 'completed', decision: 'cancelled', completedAt: T0 + 9, error: 'client disconnected' });
  });

  it('gives calls of the same millisecond distinct ids in arrival order', () => {
    const { store } = openStore();
    const ids = [0, 1, 2, 3].map(() => store.begin(call()).id);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort()).toEqual(ids);
    const later = store.begin(call({ receivedAt: T0 + 1 })).id;
    expect(later > (ids.at(-1) as string)).toBe(true);
    // An earlier call recorded late still sorts by its arrival time.
    const earlier = store.begin(call({ receivedAt: T0 - 1 })).id;
    expect(earlier < (ids[0] as string)).toBe(true);
    expect(store.query().entries.map((entry) => entry.id)).toEqual([later, ...[...ids].reverse(), earlier]);
  });

  it('stores arguments redacted: the secret is nowhere in the database files', () => {
    const { db, store, path } = openStore();
    const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const { id } = store.begin(
      call({ arguments: { repo: 'airlock', github: { token: 'plain-token-value' }, header: `Bearer ${secret}`, note: `use ${secret}` } }),
    );
    expect(store.get(id)?.arguments).toEqual({
      repo: 'airlock',
      github: { token: '[redacted]' },
      header: '[redacted]',
      note: 'use [redacted]',
    });
    store.decide(id, { decision: 'approved', decidedBy: { kind: 'user' }, arguments: { repo: 'airlock', password: 'hunter2-edited' } });
    expect(store.get(id)?.arguments).toEqual({ repo: 'airlock', password: '[redacted]' });
    // The agent's own arguments are kept beside the edit, redacted as they were on arrival.
    expect(store.get(id)?.originalArguments).toEqual({ repo: 'airlock', github: { token: '[redacted]' }, header: '[redacted]', note: 'use [redacted]' });
    store.close();
    db.close();
    const bytes = readFileSync(path).toString('latin1');
    for (const text of [secret, 'plain-token-value', 'hunter2-edited']) expect(bytes).not.toContain(text);
  });

  it('an edited approval keeps both argument sets: what the agent sent and what ran', () => {
    const { store } = openStore();
    const { id } = store.begin(call({ arguments: { prompt: 'a red fox', size: '4K' } }));
    expect(store.get(id)?.originalArguments).toBeUndefined();
    store.decide(id, { decision: 'approved', decidedBy: { kind: 'user' }, arguments: { prompt: 'a red fox', size: '1K' } });
    store.complete(id, {});
    expect(store.get(id)).toMatchObject({ arguments: { prompt: 'a red fox', size: '1K' }, originalArguments: { prompt: 'a red fox', size: '4K' } });
    expect(HistoryEntrySchema.parse(store.get(id))).toEqual(store.get(id));
    // An approval without an edit has no second set.
    const plain = store.begin(call()).id;
    store.decide(plain, { decision: 'approved', decidedBy: { kind: 'user' } });
    expect(store.get(plain)?.originalArguments).toBeUndefined();
  });

  it('links a call and its retry both ways, on begin or afterwards', () => {
    const { store } = openStore();
    const original = store.begin(call()).id;
    store.decide(original, { decision: 'approved_for_retry', decidedBy: { kind: 'user' } });
    expect(store.get(original)?.state).toBe('completed');
    const retry = store.begin(call({ receivedAt: T0 + 5, retryOf: original, decided: { decision: 'approved', decidedBy: { kind: 'user' } } }));
    expect(retry.retryOf).toBe(original);
    expect(store.get(retry.id)?.retryOf).toBe(original);
    expect(store.get(original)?.retriedBy).toBe(retry.id);

    const waiting = store.begin(call({ receivedAt: T0 + 9 })).id;
    expect(store.linkRetry(original, waiting)).toBe(true);
    expect(store.get(original)?.retriedBy).toBe(waiting);
    expect(store.get(waiting)?.retryOf).toBe(original);
    expect(store.linkRetry('0000000000ZZ', waiting)).toBe(false);
    expect(store.linkRetry(waiting, waiting)).toBe(false);
  });

  it('emits a change for each write', () => {
    const { store } = openStore();
    const changes: HistoryChange[] = [];
    const off = store.onChange((change) => changes.push(change));
    const { id } = store.begin(call());
    store.decide(id, { decision: 'allowed', decidedBy: { kind: 'rule' } });
    store.complete(id, {});
    off();
    store.begin(call());
    expect(changes).toEqual([
      { type: 'added', id },
      { type: 'updated', id },
      { type: 'updated', id },
    ]);
  });

  it('a throwing listener does not make a recorded call look unrecorded', () => {
    const { store } = openStore();
    store.onChange(() => {
      throw new Error('listener bug');
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const { id } = store.begin(call());
      expect(store.get(id)).toBeDefined();
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });
});

describe('history: surviving restarts and crashes', () => {
  it('an entry begun survives closing and reopening the database', () => {
    const { db, store, path } = openStore();
    const { id } = store.begin(call());
    store.close();
    db.close();
    const reopened = openStore(path).store;
    expect(reopened.get(id)).toMatchObject({ id, state: 'pending', server: 'imagenx' });
  });

  it('an entry begun survives the process being killed right after begin returns', () => {
    const path = tempDbPath();
    // A separate Node process records one call, prints its id and is killed, as if the app
    // crashed while the call was being forwarded.
    const output = crashAfter(
      path,
      `const entry = stores.history.begin({ receivedAt: ${T0}, server: 'files', tool: 'write_file', client: 'cursor',
         sessionId: 's', arguments: { path: '/tmp/x' } });
       stores.history.decide(entry.id, { decision: 'allowed', decidedBy: { kind: 'rule' } });
       crash(entry.id);`,
    );
    expect(output).toMatch(/^[0-9A-Z]{12}$/);

    const { store } = openStore(path);
    expect(store.get(output)).toMatchObject({ state: 'forwarded', decision: 'allowed', tool: 'write_file' });
    // At start the core closes what the crashed run left open.
    expect(store.closeInterrupted(T0 + 10)).toBe(1);
    expect(store.get(output)).toMatchObject({
      state: 'completed',
      decision: 'allowed',
      completedAt: T0 + 10,
      error: 'Airlock stopped before the result arrived',
    });
    // Searchable too: the crashed run's search queue is worked off after the restart.
    expect(store.query({ q: 'write_file' }).entries.map((entry) => entry.id)).toEqual([output]);
  });

  it('closeInterrupted cancels calls that were still waiting for a decision', () => {
    const { store } = openStore();
    const { id } = store.begin(call());
    expect(store.closeInterrupted(T0 + 99)).toBe(1);
    expect(store.get(id)).toMatchObject({ state: 'completed', decision: 'cancelled', error: 'Airlock stopped before this call was decided' });
    expect(store.closeInterrupted()).toBe(0);
  });

  it('an approval is recorded once, and a call approved but never sent is closed as approved_not_run, never as sent', () => {
    const { store } = openStore();
    const held = store.begin(call()).id;
    const sent = store.begin(call({ receivedAt: T0 + 1 })).id;
    for (const id of [held, sent]) expect(store.decide(id, { decision: 'approved', decidedBy: { kind: 'user' }, held: true })).toBe(true);
    // A second decision of the same call changes nothing.
    expect(store.decide(held, { decision: 'rejected_by_user', decidedBy: { kind: 'user' } })).toBe(false);
    expect(store.get(held)).toMatchObject({ state: 'pending', decision: 'approved' });
    expect(store.markSent(sent)).toBe(true);
    expect(store.markSent(sent)).toBe(false);
    expect(store.get(sent)).toMatchObject({ state: 'forwarded', decision: 'approved' });

    expect(store.closeInterrupted(T0 + 50)).toBe(2);
    expect(store.get(held)).toMatchObject({
      state: 'completed',
      decision: 'approved_not_run',
      error: 'Airlock stopped after this call was approved and before it was sent: it did not run, and it is not run again',
    });
    expect(store.get(sent)).toMatchObject({ state: 'completed', decision: 'approved', error: 'Airlock stopped before the result arrived' });
    expect(store.markSent(held)).toBe(false);
  });
});

describe('history: paging and filters', () => {
  const cases: Array<[string, HistoryQueryInput, (entry: HistoryEntry) => boolean]> = [
    ['no filter', {}, () => true],
    ['server', { server: 'github' }, (e) => e.server === 'github'],
    ['tool', { tool: 'files_read' }, (e) => e.tool === 'files_read'],
    ['client', { client: 'cursor' }, (e) => e.client === 'cursor'],
    ['one decision', { decision: 'denied' }, (e) => e.decision === 'denied'],
    ['several decisions', { decision: ['denied', 'timed_out'] }, (e) => e.decision === 'denied' || e.decision === 'timed_out'],
    ['decisions as a comma list', { decision: 'allowed,approved' }, (e) => e.decision === 'allowed' || e.decision === 'approved'],
    ['from', { from: T0 + 10 * 60_000 }, (e) => e.receivedAt >= T0 + 10 * 60_000],
    ['to', { to: T0 + 5 * 60_000 }, (e) => e.receivedAt <= T0 + 5 * 60_000],
    [
      'server + client + decisions + time range',
      { server: 'imagenx', client: 'claude-desktop', decision: ['allowed', 'approved', 'rate_limited'], from: T0 + 3 * 60_000, to: T0 + 15 * 60_000 },
      (e) =>
        e.server === 'imagenx' &&
        e.client === 'claude-desktop' &&
        ['allowed', 'approved', 'rate_limited'].includes(e.decision ?? '') &&
        e.receivedAt >= T0 + 3 * 60_000 &&
        e.receivedAt <= T0 + 15 * 60_000,
    ],
    ['filters that never occur together', { server: 'github', tool: 'files_read' }, () => false],
  ];

  it.each(cases)('%s: the cursor walks every match exactly once, newest first', (_name, filter, matches) => {
    const { store } = openStore();
    const all = seed(store);
    expect(all).toHaveLength(60);
    const expected = all.filter(matches).sort(newestFirst);
    for (const limit of [1, 7, 50]) {
      const walked = walk(store, { ...filter, limit });
      expect(walked.map((entry) => entry.id)).toEqual(expected.map((entry) => entry.id));
    }
  });

  it('a page holds `limit` entries and says when there are no more', () => {
    const { store } = openStore();
    seed(store);
    const first = store.query({ limit: 25 });
    expect(first.entries).toHaveLength(25);
    expect(first.nextCursor).toBe(first.entries.at(-1)?.id);
    expect(store.query({ limit: 60 }).nextCursor).toBeNull();
    expect(store.query().entries).toHaveLength(50);
  });

  it('a new call arriving while paging does not shift the pages', () => {
    const { store } = openStore();
    const all = seed(store);
    const first = store.query({ limit: 10 });
    store.begin(call({ receivedAt: T0 + 3_600_000 }));
    const second = store.query({ limit: 10, cursor: first.nextCursor ?? undefined });
    expect(second.entries.map((e) => e.id)).toEqual(all.slice(10, 20).map((e) => e.id));
  });

  it('counts calls per server, tool, client and decision, following every change', async () => {
    const { store } = openStore();
    const all = seed(store);
    const tally = <K extends string | null>(entries: HistoryEntry[], key: (e: HistoryEntry) => K): Map<K, number> => {
      const counts = new Map<K, number>();
      for (const entry of entries) counts.set(key(entry), (counts.get(key(entry)) ?? 0) + 1);
      return counts;
    };
    const check = (entries: HistoryEntry[]): void => {
      const facets = store.facets();
      expect(facets.total).toBe(entries.length);
      expect(store.count()).toBe(entries.length);
      expect(new Map(facets.servers.map((f) => [f.server, f.count]))).toEqual(tally(entries, (e) => e.server));
      expect(new Map(facets.tools.map((f) => [`${f.server}/${f.tool}`, f.count]))).toEqual(tally(entries, (e) => `${e.server}/${e.tool}`));
      expect(new Map(facets.clients.map((f) => [f.client, f.count]))).toEqual(tally(entries, (e) => e.client));
      expect(new Map(facets.decisions.map((f) => [f.decision, f.count]))).toEqual(tally(entries, (e) => e.decision));
      for (let i = 1; i < facets.servers.length; i++) expect(facets.servers[i - 1]!.count).toBeGreaterThanOrEqual(facets.servers[i]!.count);
    };
    check(all);
    const { id } = store.begin(call({ receivedAt: T0 + 3_600_000, server: 'new-server', client: 'zed' }));
    expect(store.facets().decisions).toContainEqual({ decision: null, count: 1 });
    store.decide(id, { decision: 'quarantined', decidedBy: { kind: 'rule' } });
    check(walk(store, { limit: 500 }));
    await store.prune({ maxEntries: 20 });
    check(walk(store, { limit: 500 }));
    expect(store.query({ server: 'new-server', client: 'zed', decision: 'quarantined' }).entries.map((e) => e.id)).toEqual([id]);
  });

  it('rejects invalid queries', () => {
    const { store } = openStore();
    for (const bad of [{ limit: 0 }, { limit: 501 }, { decision: 'maybe' }, { cursor: 'abc' }, { sever: 'typo' }] as HistoryQueryInput[]) {
      expect(() => store.query(bad)).toThrow();
    }
    // Query-string values are coerced.
    expect(store.query({ limit: '5' }).entries).toEqual([]);
  });
});

describe('history: text search', () => {
  function searchable(): { store: HistoryStore; ids: Record<string, string> } {
    const { store } = openStore();
    const ids: Record<string, string> = {};
    const add = (name: string, over: Partial<Parameters<HistoryStore['begin']>[0]>, at: number): void => {
      ids[name] = store.begin(call({ receivedAt: T0 + at, ...over })).id;
    };
    add('fox', { tool: 'image_to_image', arguments: { prompt: 'A red Fox in the snow', images: ['cat.png'] } }, 1);
    add('readme', { server: 'files', tool: 'read_file', arguments: { path: '/home/me/README.md' } }, 2);
    add('nested', { server: 'files', tool: 'write_file', arguments: { options: { encoding: 'utf-8', mode: 'append' }, lines: ['first line\nsecond line'] } }, 3);
    add('café', { server: 'search', tool: 'web_search', arguments: { query: 'Café near the station', count: 5 } }, 4);
    return { store, ids };
  }
  const found = (store: HistoryStore, q: string, extra: HistoryQueryInput = {}): string[] =>
    store.query({ q, ...extra }).entries.map((entry) => entry.id);

  it('finds calls by tool name', () => {
    const { store, ids } = searchable();
    expect(found(store, 'read_file')).toEqual([ids.readme]);
    expect(found(store, 'image')).toEqual([ids.fox]);
    expect(found(store, 'file')).toEqual([ids.nested, ids.readme]);
  });

  it('finds calls by argument text, nested values and keys, ignoring case and accents', () => {
    const { store, ids } = searchable();
    expect(found(store, 'fox')).toEqual([ids.fox]);
    expect(found(store, 'png')).toEqual([ids.fox]);
    expect(found(store, 'readme.md')).toEqual([ids.readme]);
    expect(found(store, 'append')).toEqual([ids.nested]);
    expect(found(store, 'second')).toEqual([ids.nested]); // after an escaped line break
    expect(found(store, 'encoding')).toEqual([ids.nested]);
    expect(found(store, 'CAFE')).toEqual([ids['café']]);
    expect(found(store, 'snow red')).toEqual([ids.fox]); // every word, any order
    expect(found(store, 'snow station')).toEqual([]);
    expect(found(store, 'sno')).toEqual([]); // whole words…
    expect(found(store, 'sno*')).toEqual([ids.fox]); // …unless asked for a prefix
    expect(found(store, '/')).toEqual([ids.readme]); // punctuation, matched in the JSON
    expect(found(store, 'nothing-like-this')).toEqual([]);
  });

  it('combines search with filters and pages through results', () => {
    const { store, ids } = searchable();
    expect(found(store, 'file', { server: 'files', tool: 'read_file' })).toEqual([ids.readme]);
    expect(found(store, 'line', { server: 'imagenx' })).toEqual([]);
    const more = [1, 2, 3, 4, 5].map((i) => store.begin(call({ receivedAt: T0 + 100 + i, arguments: { prompt: `fox number ${i}` } })).id);
    expect(walk(store, { q: 'fox', limit: 2 }).map((e) => e.id)).toEqual([...more.reverse(), ids.fox]);
  });

  it('finds a call right after it is recorded and follows edited arguments', () => {
    const { store } = openStore();
    const { id } = store.begin(call({ arguments: { prompt: 'zebra crossing' } }));
    expect(found(store, 'zebra')).toEqual([id]);
    store.decide(id, { decision: 'approved', decidedBy: { kind: 'user' }, arguments: { prompt: 'giraffe crossing' } });
    expect(found(store, 'zebra')).toEqual([]);
    expect(found(store, 'giraffe')).toEqual([id]);
  });
});

describe('history: search index in the background', () => {
  const queued = (db: Database): number => Number(db.sqlite.prepare('SELECT count(*) AS n FROM search_pending').get()!.n);

  it('indexes once calls stop arriving for a moment, not while they keep coming', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    const { db, store } = openStore();
    // A call every 100 ms for 3 s: never half a second without one.
    for (let i = 0; i < 30; i++) {
      store.begin(call({ receivedAt: T0 + i * 100, arguments: { prompt: `fox ${i}` } }));
      vi.advanceTimersByTime(100);
    }
    expect(queued(db)).toBe(30);
    // Half a second without a call: the queue is worked off.
    vi.advanceTimersByTime(600);
    expect(queued(db)).toBe(0);
    expect(store.query({ q: 'fox' }).entries).toHaveLength(30);
  });

  it('a search meanwhile sees every call, and a long queue is worked off even while calls keep coming', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    const { db, store } = openStore();
    const first = store.begin(call({ arguments: { prompt: 'zebra' } })).id;
    vi.advanceTimersByTime(100);
    expect(queued(db)).toBe(1);
    expect(store.query({ q: 'zebra' }).entries.map((entry) => entry.id)).toEqual([first]);
    expect(queued(db)).toBe(0);
    // 10,000 calls arrive without a pause (2000 a second): past 5000 queued, the index
    // catches up anyway, so the queue never holds more than that and half a second's calls.
    for (let i = 0; i < 100; i++) {
      for (let k = 0; k < 100; k++) store.begin(call({ receivedAt: T0 + 1 + i * 100 + k, arguments: { prompt: `giraffe ${i} ${k}` } }));
      vi.advanceTimersByTime(50);
    }
    expect(queued(db)).toBeLessThan(6500);
    expect(store.query({ q: 'giraffe', limit: 1 }).entries).toHaveLength(1);
    expect(queued(db)).toBe(0);
  });
});

describe('history: export', () => {
  async function collect(iterable: AsyncIterable<string>): Promise<{ text: string; chunks: number }> {
    let text = '';
    let chunks = 0;
    for await (const chunk of iterable) {
      text += chunk;
      chunks++;
    }
    return { text, chunks };
  }

  /** A small RFC 4180 reader, enough to check what a spreadsheet would see. */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (quoted) {
        if (char === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (char === '"') quoted = false;
        else field += char;
      } else if (char === '"') quoted = true;
      else if (char === ',') {
        row.push(field);
        field = '';
      } else if (char === '\r' && text[i + 1] === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
        i++;
      } else field += char;
    }
    return rows;
  }

  it('JSONL parses back to the same entries, oldest first, in several chunks', async () => {
    const { store } = openStore();
    const all = seed(store);
    // Over 200 entries: the export must come in more than one batch.
    for (let i = 0; i < 250; i++) store.begin(call({ receivedAt: T0 + 7_200_000 + i }));
    const expected = walk(store, { limit: 500 }).reverse();
    const { text, chunks } = await collect(store.exportStream('jsonl'));
    expect(chunks).toBeGreaterThan(1);
    const lines = text.trimEnd().split('\n').map((line) => HistoryEntrySchema.parse(JSON.parse(line)));
    expect(lines).toEqual(expected);
    expect(lines.slice(0, 60)).toEqual([...all].reverse());
  });

  it('JSONL export applies the filter', async () => {
    const { store } = openStore();
    const all = seed(store);
    const { text } = await collect(store.exportStream('jsonl', { server: 'files', decision: 'denied' }));
    const ids = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as HistoryEntry).id);
    expect(ids).toEqual(all.filter((e) => e.server === 'files' && e.decision === 'denied').reverse().map((e) => e.id));
  });

  it('CSV has a header and one properly quoted row per entry', async () => {
    const { store } = openStore();
    const tricky = store.begin(
      call({ tool: 'say', arguments: { text: 'He said "hi", then\nleft' }, clientInfo: { name: 'claude, desktop', version: '1' } }),
    );
    store.decide(tricky.id, { decision: 'denied', decidedBy: { kind: 'rule', rule: '/tools/say' }, reason: '=HYPERLINK("http://evil")', userMessage: 'not this one\nsorry', decidedAt: T0 + 7 });
    const plain = store.begin(call({ receivedAt: T0 + 1000 }));

    const { text } = await collect(store.exportStream('csv'));
    const rows = parseCsv(text);
    const header = rows[0] ?? [];
    expect(header.slice(0, 4)).toEqual(['id', 'receivedAt', 'server', 'tool']);
    expect(header).toEqual(expect.arrayContaining(['client', 'decision', 'decidedBy', 'reason', 'arguments', 'textPreview']));
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    const first = Object.fromEntries(header.map((name, i) => [name, rows[1]?.[i]]));
    expect(first).toMatchObject({
      id: tricky.id,
      receivedAt: new Date(T0).toISOString(),
      tool: 'say',
      clientName: 'claude, desktop',
      decision: 'denied',
      // The same words as the UI (shared/outcomes.ts), next to the stable code.
      outcome: 'Denied by policy',
      decidedBy: 'rule',
      decidedByRule: '/tools/say',
      // A formula from an untrusted source is neutralised, not run by the spreadsheet.
      reason: `'=HYPERLINK("http://evil")`,
      decidedAt: new Date(T0 + 7).toISOString(),
      userMessage: 'not this one\nsorry',
    });
    expect(JSON.parse(first.arguments ?? '')).toEqual({ text: 'He said "hi", then\nleft' });
    expect(rows[2]?.[0]).toBe(plain.id);
    // As written: fields with a comma, quote or line break are quoted, quotes doubled.
    expect(text).toContain(',"claude, desktop",');
    expect(text).toContain(',"not this one\nsorry",');
    expect(text).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(text.startsWith('id,receivedAt,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('an empty history exports a CSV header only and an empty JSONL', async () => {
    const { store } = openStore();
    expect(parseCsv((await collect(store.exportStream('csv'))).text)).toHaveLength(1);
    expect((await collect(store.exportStream('jsonl'))).text).toBe('');
  });
});

describe('history: retention', () => {
  it('prunes finished entries older than maxAgeDays, keeping calls in flight', async () => {
    const { store } = openStore();
    const day = 86_400_000;
    const old = store.begin(call({ receivedAt: T0 - 40 * day }));
    store.decide(old.id, { decision: 'allowed', decidedBy: { kind: 'rule' } });
    store.complete(old.id, {});
    const oldInFlight = store.begin(call({ receivedAt: T0 - 39 * day, arguments: { prompt: 'still running' } }));
    const recent = store.begin(call({ receivedAt: T0 - day, arguments: { prompt: 'recent one' } }));
    store.decide(recent.id, { decision: 'denied', decidedBy: { kind: 'rule' } });
    const changes: HistoryChange[] = [];
    store.onChange((change) => changes.push(change));

    expect(await store.prune({ maxAgeDays: 30, now: T0 })).toBe(1);
    expect(store.get(old.id)).toBeUndefined();
    expect(store.get(oldInFlight.id)).toBeDefined();
    expect(store.get(recent.id)).toBeDefined();
    expect(changes).toEqual([{ type: 'removed', count: 1 }]);
    // Gone from the search index too.
    expect(store.query({ q: 'image_to_image' }).entries.map((e) => e.id)).toEqual([recent.id, oldInFlight.id]);
  });

  it('prunes to maxEntries, keeping the newest, in batches', async () => {
    const { db, store } = openStore();
    db.transaction(() => {
      for (let i = 0; i < 4500; i++) {
        const { id } = store.begin(call({ receivedAt: T0 + i * 1000 }));
        store.decide(id, { decision: 'denied', decidedBy: { kind: 'rule' } });
      }
    });
    const newest = store.query({ limit: 100 }).entries.map((e) => e.id);
    expect(await store.prune({ maxEntries: 100 })).toBe(4400);
    expect(store.count()).toBe(100);
    expect(walk(store, { limit: 500 }).map((e) => e.id)).toEqual(newest);
    expect(await store.prune({ maxEntries: 100 })).toBe(0);
    expect(await store.prune({ maxEntries: 0 })).toBe(100);
    expect(store.query({ q: 'fox' }).entries).toEqual([]);
  });

  it('rejects nonsense limits', async () => {
    const { store } = openStore();
    await expect(store.prune({ maxEntries: -1 })).rejects.toThrow(RangeError);
    await expect(store.prune({ maxAgeDays: Number.NaN })).rejects.toThrow(RangeError);
    expect(await store.prune({})).toBe(0);
  });
});
