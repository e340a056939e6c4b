/**
 * History store speed at the size a long-lived install reaches: how fast calls are
 * recorded (each begin() is its own durable commit, as in real use), and whether a
 * filtered page, a text search and an export stay quick at 1,000,000 entries.
 *
 *   node bench/history-bench.ts [entries]      (HISTORY_BENCH_DBSTAT=1: space per table)
 *
 * Target: a filtered page under 20 ms. Prints the numbers; runHistoryBench() returns them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Decision, HistoryQueryInput } from '../shared/history.ts';
import { Database } from '../main/core/store/database.ts';
import { msToSeq } from '../main/core/store/history-id.ts';
import { HistoryStore } from '../main/core/store/history-store.ts';

export interface HistoryBenchResult {
  entries: number;
  /** begin() as its own commit (WAL, synchronous=NORMAL) into the full table, calls per second. */
  beginPerSec: number;
  beginP50Us: number;
  beginP99Us: number;
  /** The same with synchronous=FULL (fsync on every commit), for comparison. */
  beginFullSyncPerSec: number;
  /** begin + decide + complete, each its own commit. */
  lifecyclePerSec: number;
  /** Rows per second while building the big table (batched transactions). */
  bulkInsertPerSec: number;
  buildSeconds: number;
  /** Rows per second the search index catches up with in one go (a backlog). */
  searchIndexPerSec: number;
  /** Indexing 20 new calls at full size (what the background indexer does). */
  searchFlushP50Ms: number;
  searchFlushMaxMs: number;
  dbMegabytes: number;
  /** Median ms per page of each query at full size. */
  pages: Record<string, number>;
  /** The slowest of the pages above (filters only, no text search): the PASS criterion. */
  worstFilteredPageMs: number;
  searches: Record<string, number>;
  exportJsonlEntriesPerSec: number;
  exportCsvEntriesPerSec: number;
  exportMegabytesPerSec: number;
  pass: boolean;
}

const SERVERS = ['imagenx', 'filesystem', 'github', 'memory', 'everything', 'search', 'slack', 'postgres'];
const TOOLS_PER_SERVER = 5;
const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'];
const DECISION_MIX: Array<[Decision, number]> = [
  ['allowed', 0.8],
  ['approved', 0.08],
  ['denied', 0.05],
  ['rejected_by_user', 0.02],
  ['rate_limited', 0.02],
  ['timed_out', 0.01],
  ['upstream_error', 0.01],
  ['cancelled', 0.005],
  ['quarantined', 0.005],
];

/** Deterministic, so runs compare. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zi', 'pa', 'qu', 'xe', 'bo', 'di', 'fu', 'gi'];

function makeVocabulary(random: () => number, size: number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function pickDecision(random: () => number): Decision {
  let r = random();
  for (const [decision, share] of DECISION_MIX) {
    r -= share;
    if (r < 0) return decision;
  }
  return 'allowed';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export async function runHistoryBench(
  options: { entries?: number; log?: (line: string) => void; /** Build in this folder and keep history.db there. */ keepIn?: string } = {},
): Promise<HistoryBenchResult> {
  const total = options.entries ?? 1_000_000;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = options.keepIn ?? mkdtempSync(join(tmpdir(), 'airlock-history-bench-'));
  const path = join(dir, 'history.db');
  const random = rng(42);
  const vocabulary = makeVocabulary(random, 3000);
  const tools = SERVERS.flatMap((server) => Array.from({ length: TOOLS_PER_SERVER }, (_, i) => ({ server, tool: `${server}_tool_${i}` })));
  // Clients are set up with different servers: vscode never calls github.
  const clientFor = (server: string): string => (server === 'github' ? pick(CLIENTS.slice(0, 3), random) : pick(CLIENTS, random));
  const argsFor = (): Record<string, unknown> => ({
    prompt: Array.from({ length: 5 + Math.floor(random() * 10) }, () => pick(vocabulary, random)).join(' '),
    path: `/home/user/projects/app/src/${pick(vocabulary, random)}/${pick(vocabulary, random)}.ts`,
    size: pick(['1K', '2K', '4K'], random),
    n: Math.floor(random() * 100),
  });

  let db = Database.open(path);
  let store = new HistoryStore(db);
  try {
    // 1. Build the big table: finished calls over ~60 days, in large transactions, through
    //    the same table, triggers and indexes real rows go through.
    const insert = db.sqlite.prepare(
      `INSERT INTO calls (seq, received_at, decided_at, completed_at, server, tool, client, client_info, session_id,
         arguments, state, decision, decided_by, reason, wait_ms, upstream_ms, result)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?)`,
    );
    const spanMs = 60 * 86_400_000;
    const first = Date.now() - spanMs - 3_600_000;
    const stepMs = spanMs / total;
    const clientInfo = JSON.stringify({ name: 'claude-code', version: '2.1.0' });
    const resultJson = JSON.stringify({ isError: false, contentTypes: ['text'], textPreview: 'done: wrote 3 files' });
    let start = performance.now();
    const batch = 50_000;
    for (let done = 0; done < total; ) {
      db.transaction(() => {
        const end = Math.min(total, done + batch);
        for (let i = done; i < end; i++) {
          const receivedAt = Math.floor(first + i * stepMs);
          const { server, tool } = pick(tools, random);
          const decision = pickDecision(random);
          const decidedBy = decision === 'approved' || decision === 'rejected_by_user' ? '{"kind":"user"}' : '{"kind":"rule","rule":"/default"}';
          insert.run(
            msToSeq(receivedAt),
            receivedAt,
            receivedAt + 2,
            receivedAt + 50,
            server,
            tool,
            clientFor(server),
            clientInfo,
            `session-${i >> 8}`,
            JSON.stringify(argsFor()),
            decision,
            decidedBy,
            decision === 'denied' ? 'Denied by policy' : null,
            decision === 'approved' ? 1500 : null,
            48,
            resultJson,
          );
        }
        done = end;
      });
      if (done % 250_000 === 0) log(`  built ${done} rows`);
    }
    // One call that breaks the pattern, two months back: vscode did use github once.
    store.begin({ receivedAt: Math.floor(first + 1000), server: 'github', tool: 'github_tool_0', client: 'vscode', sessionId: 's', arguments: argsFor() });
    const buildSeconds = (performance.now() - start) / 1000;
    const bulkInsertPerSec = total / buildSeconds;
    start = performance.now();
    // One transaction for the whole backlog; live calls are indexed a few at a time.
    db.transaction(() => store.flushSearchIndex());
    const searchIndexPerSec = total / ((performance.now() - start) / 1000);
    if (process.env.HISTORY_BENCH_DBSTAT) {
      for (const row of db.sqlite.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all()) {
        log(`  ${String(row.name).padEnd(24)} ${round(Number(row.bytes) / 1e6, 1)} MB`);
      }
    }
    // Reopen as the app would after a restart (PRAGMA optimize gathers planner statistics).
    store.close();
    db.close();
    const dbMegabytes = statSync(path).size / 1e6;
    db = Database.open(path);
    store = new HistoryStore(db);
    log(`built ${total} rows in ${round(buildSeconds, 1)} s (${round(bulkInsertPerSec, 0)} rows/s), search index ${round(searchIndexPerSec, 0)} rows/s, file ${round(dbMegabytes, 0)} MB`);

    // 2. Recording at full size: every begin() is its own commit, as when calls arrive one
    //    by one; the search index catches up in small batches as it does in the app.
    const t0 = Date.now() - 1_800_000;
    const begins = 3000;
    const latencies: number[] = [];
    const flushes: number[] = [];
    start = performance.now();
    for (let i = 0; i < begins; i++) {
      const { server, tool } = pick(tools, random);
      const before = performance.now();
      store.begin({ receivedAt: t0 + i, server, tool, client: clientFor(server), sessionId: 's', arguments: argsFor() });
      latencies.push(performance.now() - before);
      if (i % 20 === 19) {
        const flushStart = performance.now();
        store.flushSearchIndex();
        flushes.push(performance.now() - flushStart);
      }
    }
    const beginPerSec = begins / ((performance.now() - start) / 1000);
    latencies.sort((a, b) => a - b);
    flushes.sort((a, b) => a - b);
    const beginP50Us = (latencies[Math.floor(begins * 0.5)] ?? 0) * 1000;
    const beginP99Us = (latencies[Math.floor(begins * 0.99)] ?? 0) * 1000;
    const searchFlushP50Ms = flushes[Math.floor(flushes.length / 2)] ?? 0;
    const searchFlushMaxMs = flushes.at(-1) ?? 0;

    db.sqlite.exec('PRAGMA synchronous = FULL');
    const fullBegins = 500;
    start = performance.now();
    for (let i = 0; i < fullBegins; i++) {
      store.begin({ receivedAt: t0 + begins + i, server: 'imagenx', tool: 'imagenx_tool_0', client: 'cursor', sessionId: 's', arguments: argsFor() });
    }
    const beginFullSyncPerSec = fullBegins / ((performance.now() - start) / 1000);
    db.sqlite.exec('PRAGMA synchronous = NORMAL');

    const lifecycles = 1500;
    start = performance.now();
    for (let i = 0; i < lifecycles; i++) {
      const entry = store.begin({ receivedAt: t0 + 10_000 + i, server: 'github', tool: 'github_tool_1', client: 'cursor', sessionId: 's', arguments: argsFor() });
      store.decide(entry.id, { decision: 'allowed', decidedBy: { kind: 'rule', rule: '/tools/github_tool_1' } });
      store.complete(entry.id, { upstreamMs: 40, result: { content: [{ type: 'text', text: 'ok '.repeat(100) }] } });
    }
    const lifecyclePerSec = lifecycles / ((performance.now() - start) / 1000);
    store.flushSearchIndex();
    log(`begin (own commit, synchronous=NORMAL): ${round(beginPerSec, 0)}/s, p50 ${round(beginP50Us, 0)} µs, p99 ${round(beginP99Us, 0)} µs`);
    log(`begin (own commit, synchronous=FULL):   ${round(beginFullSyncPerSec, 0)}/s`);
    log(`begin+decide+complete:                  ${round(lifecyclePerSec, 0)} calls/s`);
    log(`search index, 20 new calls:             p50 ${round(searchFlushP50Ms, 2)} ms, max ${round(searchFlushMaxMs, 2)} ms`);

    // 3. Pages. Each query is timed several times, at the top and after a few pages.
    const time = (query: HistoryQueryInput): number => {
      const runs: number[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 7; i++) {
        const began = performance.now();
        const page = store.query(cursor ? { ...query, cursor } : query);
        runs.push(performance.now() - began);
        cursor = page.nextCursor ?? undefined;
      }
      return round(median(runs), 3);
    };
    const middle = first + spanMs / 2;
    const pageQueries: Record<string, HistoryQueryInput> = {
      'newest, no filter': {},
      'server': { server: 'github' },
      'tool': { tool: 'slack_tool_3' },
      'client': { client: 'vscode' },
      'decision (rare, 0.5%)': { decision: 'quarantined' },
      'decision (common)': { decision: 'allowed' },
      'decisions denied+timed_out+rate_limited': { decision: ['denied', 'timed_out', 'rate_limited'] },
      'server + decision (rare)': { server: 'imagenx', decision: 'quarantined' },
      'server + tool + client': { server: 'postgres', tool: 'postgres_tool_2', client: 'cursor' },
      'server + one day a month ago': { server: 'memory', from: middle, to: middle + 86_400_000 },
      // Filters that never occur together: answered from the counts, without reading calls.
      'no match: server + tool of another server': { server: 'github', tool: 'slack_tool_3' },
      'no match: server + decision + client': { server: 'github', decision: 'denied', client: 'vscode' },
      // The worst case left: one match, found only by reading the shorter range to its end.
      'one old match: server + client': { server: 'github', client: 'vscode' },
      'limit 500, server': { server: 'search', limit: 500 },
    };
    const pages: Record<string, number> = {};
    for (const [name, query] of Object.entries(pageQueries)) {
      pages[name] = time(query);
      log(`page ${name.padEnd(46)} ${pages[name]} ms`);
    }
    // Deep in the timeline: page 200 of a filter (the cursor makes this as cheap as page 1).
    {
      let cursor: string | undefined;
      for (let i = 0; i < 200; i++) cursor = store.query({ server: 'github', ...(cursor ? { cursor } : {}) }).nextCursor ?? undefined;
      pages['server, page 200'] = time({ server: 'github', ...(cursor ? { cursor } : {}) });
      log(`page ${'server, page 200'.padEnd(46)} ${pages['server, page 200']} ms`);
    }
    const worstFilteredPageMs = Math.max(...Object.values(pages));

    const rareWord = vocabulary[17] ?? 'kalo';
    const searchQueries: Record<string, HistoryQueryInput> = {
      [`word "${rareWord}"`]: { q: rareWord },
      [`prefix "${rareWord.slice(0, 3)}*"`]: { q: `${rareWord.slice(0, 3)}*` },
      'common word "projects"': { q: 'projects' },
      'tool name "slack_tool_3"': { q: 'slack_tool_3' },
      'two words': { q: `${vocabulary[3]} ${vocabulary[99]}` },
      'word + server filter': { q: rareWord, server: 'github' },
      'common prefix "ka*"': { q: 'ka*' },
      'punctuation "/" (scanned)': { q: '/' },
      'no match': { q: 'nosuchword' },
    };
    const searches: Record<string, number> = {};
    for (const [name, query] of Object.entries(searchQueries)) {
      searches[name] = time(query);
      log(`search ${name.padEnd(44)} ${searches[name]} ms`);
    }

    // 4. Export: a tenth of the history (the entries of ~6 days), both formats.
    const exportFilter = { from: Math.floor(middle), to: Math.floor(middle + spanMs / 10) };
    const exportRun = async (format: 'jsonl' | 'csv'): Promise<{ perSec: number; mb: number; seconds: number }> => {
      let bytes = 0;
      let lines = 0;
      const began = performance.now();
      for await (const chunk of store.exportStream(format, exportFilter)) {
        bytes += chunk.length;
        for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
      }
      const seconds = (performance.now() - began) / 1000;
      return { perSec: (format === 'csv' ? lines - 1 : lines) / seconds, mb: bytes / 1e6, seconds };
    };
    const jsonl = await exportRun('jsonl');
    const csv = await exportRun('csv');
    log(`export jsonl ${round(jsonl.perSec, 0)} entries/s (${round(jsonl.mb / jsonl.seconds, 1)} MB/s); csv ${round(csv.perSec, 0)} entries/s`);

    const pass = worstFilteredPageMs < 20;
    log(`${pass ? 'PASS' : 'FAIL'} filtered page < 20 ms at ${total} entries (slowest: ${worstFilteredPageMs} ms)`);
    return {
      entries: total,
      beginPerSec: round(beginPerSec, 0),
      beginP50Us: round(beginP50Us, 0),
      beginP99Us: round(beginP99Us, 0),
      beginFullSyncPerSec: round(beginFullSyncPerSec, 0),
      lifecyclePerSec: round(lifecyclePerSec, 0),
      bulkInsertPerSec: round(bulkInsertPerSec, 0),
      buildSeconds: round(buildSeconds, 1),
      searchIndexPerSec: round(searchIndexPerSec, 0),
      searchFlushP50Ms: round(searchFlushP50Ms, 2),
      searchFlushMaxMs: round(searchFlushMaxMs, 2),
      dbMegabytes: round(dbMegabytes, 0),
      pages,
      worstFilteredPageMs,
      searches,
      exportJsonlEntriesPerSec: round(jsonl.perSec, 0),
      exportCsvEntriesPerSec: round(csv.perSec, 0),
      exportMegabytesPerSec: round(jsonl.mb / jsonl.seconds, 1),
      pass,
    };
  } finally {
    store.close();
    db.close();
    if (!options.keepIn) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const entries = process.argv[2] ? Number(process.argv[2]) : undefined;
  const result = await runHistoryBench(entries ? { entries } : {});
  process.exitCode = result.pass ? 0 : 1;
}
