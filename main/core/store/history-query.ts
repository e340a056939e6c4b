/**
 * SQL for one page of history. Every plan reads an index in timeline order and stops after
 * the page, so a page costs about the same at a thousand entries or a million:
 * - no filter: the primary key (seq) backwards;
 * - equality filters: the (column, seq) index of the filter that matches the fewest rows,
 *   chosen from exact counts (call_facets), not from planner statistics, which are
 *   sampled and picked a range twice as long in the benchmark. A combination with no
 *   calls at all (a client that never used that server) is answered without reading;
 * - several decisions: one ordered arm per decision, merged (an IN list would make SQLite
 *   collect and sort every match);
 * - text search: the full-text index drives, in rowid (= timeline) order. Rows not yet
 *   indexed (search-index.ts) are indexed before a search runs.
 */
import type { SQLInputValue } from 'node:sqlite';
import type { Decision, HistoryFilter } from '../../../shared/history.ts';
import { MAX_MS, msToSeq, PER_MS } from './history-id.ts';

export const CALL_COLUMNS =
  'seq, received_at, decided_at, completed_at, server, tool, client, client_info, session_id, protocol_version, arguments, ' +
  'state, decision, decided_by, reason, user_message, wait_ms, upstream_ms, result, error, original_arguments, retry_of, retried_by';

export interface PageBounds {
  /** 'desc': newest first (paging); 'asc': oldest first (export). */
  order: 'desc' | 'asc';
  /** Only rows after this seq in the given order (the keyset cursor). */
  after?: number;
  /** Only rows up to this seq (an export's snapshot of "now"). */
  maxSeq?: number;
  limit: number;
}

/**
 * The exact number of calls with these column values (undefined: any value; decision ''
 * is "not decided yet"), from call_facets.
 */
export type CountCalls = (eq: Equalities) => number;

export interface BuiltQuery {
  sql: string;
  params: SQLInputValue[];
}

export const FILTER_COLUMNS = ['server', 'tool', 'client', 'decision'] as const;
export type FilterColumn = (typeof FILTER_COLUMNS)[number];
export type Equalities = Partial<Record<FilterColumn, string>>;

/**
 * Search words. A word with a letter or digit is looked up in the full-text index as a
 * whole word, case- and accent-insensitive ("png" finds "cat.png", "image" finds
 * "image_to_image"); a trailing `*` makes it a prefix ("imag*"). Whole words by default
 * because a prefix merges the postings of every word it starts, eagerly: 100-150 ms for a
 * common prefix at a million calls, against about a millisecond for a word. A word of
 * punctuation only ("/", "{") has no index entry and is looked for in the stored JSON,
 * escaped the way JSON spells it.
 */
function searchTerms(q: string): { indexed: string[]; scanned: string[] } {
  const indexed: string[] = [];
  const scanned: string[] = [];
  for (const word of q.split(/\s+/).filter(Boolean)) {
    const prefix = word.length > 1 && word.endsWith('*');
    const text = prefix ? word.slice(0, -1) : word;
    if (/[\p{L}\p{N}]/u.test(text)) indexed.push(`"${text.replaceAll('"', '""')}"${prefix ? '*' : ''}`);
    else scanned.push(JSON.stringify(word).slice(1, -1));
  }
  return { indexed, scanned };
}

/** The filter column whose index range is shortest, or undefined without equality filters. */
function narrowestColumn(count: CountCalls, eq: Equalities): FilterColumn | undefined {
  let best: FilterColumn | undefined;
  let bestCount = Infinity;
  for (const column of FILTER_COLUMNS) {
    if (eq[column] === undefined) continue;
    const n = count({ [column]: eq[column] });
    if (n < bestCount) {
      best = column;
      bestCount = n;
    }
  }
  return best;
}

/**
 * The query for one page, or null when the counts show that nothing can match. Without
 * `count` the choice of index is left to SQLite's planner.
 */
export function buildPageQuery(filter: HistoryFilter, bounds: PageBounds, count?: CountCalls): BuiltQuery | null {
  const desc = bounds.order === 'desc';
  const dir = desc ? 'DESC' : 'ASC';
  const terms = filter.q ? searchTerms(filter.q) : { indexed: [], scanned: [] };
  const useFts = terms.indexed.length > 0;
  // With full-text search the index's rowid is the key column; otherwise the table's.
  const key = useFts ? 'calls_fts.rowid' : 'c.seq';

  // Conditions other than the decision (which differs per arm below).
  const conditions: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, ...values: SQLInputValue[]): void => {
    conditions.push(sql);
    params.push(...values);
  };
  if (useFts) add('calls_fts MATCH ?', terms.indexed.join(' AND '));
  if (bounds.after !== undefined) add(`${key} ${desc ? '<' : '>'} ?`, bounds.after);
  if (bounds.maxSeq !== undefined) add(`${key} <= ?`, bounds.maxSeq);
  if (filter.from !== undefined) add(`${key} >= ?`, msToSeq(Math.min(filter.from, MAX_MS)));
  if (filter.to !== undefined) add(`${key} <= ?`, msToSeq(Math.min(filter.to, MAX_MS)) + PER_MS - 1);
  if (filter.server !== undefined) add('c.server = ?', filter.server);
  if (filter.tool !== undefined) add('c.tool = ?', filter.tool);
  if (filter.client !== undefined) add('c.client = ?', filter.client);
  for (const word of terms.scanned) add("instr(lower(c.tool || ' ' || c.arguments), lower(?)) > 0", word);

  const base: Equalities = { server: filter.server, tool: filter.tool, client: filter.client };
  // Each decision asked for is an arm; an arm no call can match is dropped.
  let decisions: Array<Decision | undefined> = filter.decision?.length ? [...filter.decision] : [undefined];
  if (count) decisions = decisions.filter((decision) => count({ ...base, decision }) > 0);
  if (!decisions.length) return null;

  const select = `SELECT ${CALL_COLUMNS.split(', ').map((column) => `c.${column}`).join(', ')}`;

  if (useFts) {
    // CROSS JOIN fixes the join order: the full-text index drives, in timeline order, and
    // each hit is looked up by rowid; LIMIT stops the walk after one page.
    const known = decisions.filter((decision) => decision !== undefined);
    if (known.length) add(`c.decision IN (${known.map(() => '?').join(', ')})`, ...known);
    return {
      sql: `${select} FROM calls_fts CROSS JOIN calls c ON c.seq = calls_fts.rowid WHERE ${conditions.join(' AND ')} ORDER BY ${key} ${dir} LIMIT ?`,
      params: [...params, bounds.limit],
    };
  }

  const arm = (decision: Decision | undefined): BuiltQuery => {
    const column = count ? narrowestColumn(count, { ...base, decision }) : undefined;
    const all = decision ? ['c.decision = ?', ...conditions] : conditions;
    return {
      sql: `${select} FROM calls c${column ? ` INDEXED BY calls_${column}` : ''}${all.length ? ` WHERE ${all.join(' AND ')}` : ''} ORDER BY c.seq ${dir} LIMIT ?`,
      params: [...(decision ? [decision] : []), ...params, bounds.limit],
    };
  };

  if (decisions.length === 1) return arm(decisions[0]);

  // Several decisions: each arm walks its index in order and stops at one page; the merge
  // of at most (decisions × page) rows is cheap.
  const arms = decisions.map(arm);
  return {
    sql: `${arms.map((built) => `SELECT * FROM (${built.sql})`).join(' UNION ALL ')} ORDER BY seq ${dir} LIMIT ?`,
    params: [...arms.flatMap((built) => built.params), bounds.limit],
  };
}
