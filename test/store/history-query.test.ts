import { afterEach, describe, expect, it } from 'vitest';
import { HistoryFilterSchema, type HistoryFilterInput } from '../../shared/history.ts';
import { Database } from '../../main/core/store/database.ts';
import { buildPageQuery, FILTER_COLUMNS, type CountCalls } from '../../main/core/store/history-query.ts';
import { tempDbPath } from './temp-db.ts';

// Speed is measured in bench/history-bench.ts; here, without timing, we check the property
// that makes a page fast at any size: SQLite reads one index in timeline order, the
// shortest one the filters allow, and never scans the whole table or sorts every match.
const dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

// 1000 calls: github is common, vscode is rare and never used github.
const FACETS = [
  { server: 'github', tool: 'create_issue', client: 'cursor', decision: 'allowed', n: 600 },
  { server: 'github', tool: 'create_issue', client: 'cursor', decision: 'denied', n: 100 },
  { server: 'files', tool: 'read_file', client: 'cursor', decision: 'allowed', n: 250 },
  { server: 'files', tool: 'read_file', client: 'vscode', decision: 'denied', n: 40 },
  { server: 'files', tool: 'write_file', client: 'vscode', decision: '', n: 10 },
];
const count: CountCalls = (eq) =>
  FACETS.filter((row) => FILTER_COLUMNS.every((column) => eq[column] === undefined || row[column] === eq[column])).reduce((n, row) => n + row.n, 0);

function plan(filter: HistoryFilterInput, counts?: CountCalls): string[] | null {
  const db = Database.open(tempDbPath());
  dbs.push(db);
  const built = buildPageQuery(HistoryFilterSchema.parse(filter), { order: 'desc', after: 1e15, limit: 51 }, counts);
  if (!built) return null;
  return db.sqlite
    .prepare(`EXPLAIN QUERY PLAN ${built.sql}`)
    .all(...built.params)
    .map((row) => String(row.detail));
}

describe('history page plans', () => {
  it.each<[string, HistoryFilterInput, RegExp]>([
    ['no filter', {}, /^SEARCH c USING INTEGER PRIMARY KEY \(rowid<\?\)$/],
    ['time range', { from: 1, to: 2 }, /^SEARCH c USING INTEGER PRIMARY KEY/],
    ['server', { server: 'github' }, /^SEARCH c USING INDEX calls_server \(server=\? AND seq<\?\)$/],
    ['tool', { tool: 'read_file' }, /^SEARCH c USING INDEX calls_tool \(tool=\? AND seq<\?\)$/],
    ['client', { client: 'cursor' }, /^SEARCH c USING INDEX calls_client \(client=\? AND seq<\?\)$/],
    ['decision', { decision: 'denied' }, /^SEARCH c USING INDEX calls_decision \(decision=\? AND seq<\?\)$/],
    // 50 vscode calls against 300 on files: the client index is the shorter read.
    ['server + client: the rarer one', { server: 'files', client: 'vscode' }, /^SEARCH c USING INDEX calls_client \(client=\? AND seq<\?\)$/],
    ['tool + decision: the rarer one', { tool: 'read_file', decision: 'denied' }, /^SEARCH c USING INDEX calls_decision \(decision=\? AND seq<\?\)$/],
    ['server + time range', { server: 'files', from: 5, to: 9 }, /^SEARCH c USING INDEX calls_server \(server=\? AND seq>\? AND seq<\?\)$/],
  ])('%s: one ordered index range, no sort', (_name, filter, expected) => {
    const steps = plan(filter, count);
    expect(steps).toHaveLength(1);
    expect(steps?.[0]).toMatch(expected);
  });

  it('filters no call matches are answered without a query', () => {
    expect(plan({ server: 'github', client: 'vscode' }, count)).toBeNull();
    expect(plan({ server: 'nowhere' }, count)).toBeNull();
    expect(plan({ decision: ['timed_out', 'quarantined'] }, count)).toBeNull();
    expect(plan({ server: 'github', client: 'vscode', q: 'fox' }, count)).toBeNull();
    // Without counts nothing is known, so the query runs.
    expect(plan({ server: 'github', client: 'vscode' })).not.toBeNull();
  });

  it('several decisions: one ordered arm per decision that occurs', () => {
    const steps = plan({ decision: ['denied', 'allowed', 'timed_out'], server: 'files' }, count) ?? [];
    const arms = steps.filter((step) => step.startsWith('SEARCH c'));
    // timed_out never occurs: two arms, each an ordered index range.
    expect(arms).toHaveLength(2);
    for (const step of arms) expect(step).toMatch(/^SEARCH c USING INDEX calls_(decision|server) \(\w+=\? AND seq<\?\)$/);
    expect(steps.some((step) => step.startsWith('SCAN c'))).toBe(false);
  });

  it('text search: the full-text index drives and rows are fetched by key', () => {
    const steps = plan({ q: 'fox', server: 'files', decision: ['denied', 'allowed'] }, count) ?? [];
    expect(steps[0]).toMatch(/^SCAN calls_fts VIRTUAL TABLE INDEX/);
    expect(steps[1]).toBe('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)');
    expect(steps).toHaveLength(2);
  });
});
