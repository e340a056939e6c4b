/**
 * SQL for one page of history. Every plan here reads an index in timeline order and stops
 * after the page, so a page costs about the same at a thousand entries or a million:
 * - no text search: the (column, seq) index of an equality filter, or the primary key;
 * - several decisions: one ordered arm per decision, merged (an IN list would make SQLite
 *   collect and sort every match);
 * - text search: the full-text index drives, in rowid (= timeline) order.
 * Rows not yet indexed (search-index.ts) are indexed before a search runs.
 */
import type { SQLInputValue } from 'node:sqlite';
import type { HistoryFilter } from '../../../shared/history.ts';
import { MAX_MS, msToSeq, PER_MS } from './history-id.ts';

export const CALL_COLUMNS =
  'seq, received_at, decided_at, completed_at, server, tool, client, client_info, session_id, arguments, ' +
  'state, decision, decided_by, reason, user_message, wait_ms, upstream_ms, result, error';

export interface PageBounds {
  /** 'desc': newest first (paging); 'asc': oldest first (export). */
  order: 'desc' | 'asc';
  /** Only rows after this seq in the given order (the keyset cursor). */
  after?: number;
  /** Only rows up to this seq (an export's snapshot of "now"). */
  maxSeq?: number;
  limit: number;
}

export interface BuiltQuery {
  sql: string;
  params: SQLInputValue[];
}

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

/** An FTS5 query: every word must match. */
function ftsMatch(phrases: string[]): string {
  return phrases.join(' AND ');
}

export function buildPageQuery(filter: HistoryFilter, bounds: PageBounds): BuiltQuery {
  const desc = bounds.order === 'desc';
  const dir = desc ? 'DESC' : 'ASC';
  const terms = filter.q ? searchTerms(filter.q) : { indexed: [], scanned: [] };
  const useFts = terms.indexed.length > 0;
  // With full-text search the index's rowid is the key column; otherwise the table's.
  const key = useFts ? 'calls_fts.rowid' : 'c.seq';

  const conditions: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, ...values: SQLInputValue[]): void => {
    conditions.push(sql);
    params.push(...values);
  };

  if (useFts) add('calls_fts MATCH ?', ftsMatch(terms.indexed));
  if (bounds.after !== undefined) add(`${key} ${desc ? '<' : '>'} ?`, bounds.after);
  if (bounds.maxSeq !== undefined) add(`${key} <= ?`, bounds.maxSeq);
  if (filter.from !== undefined) add(`${key} >= ?`, msToSeq(Math.min(filter.from, MAX_MS)));
  if (filter.to !== undefined) add(`${key} <= ?`, msToSeq(Math.min(filter.to, MAX_MS)) + PER_MS - 1);
  if (filter.server !== undefined) add('c.server = ?', filter.server);
  if (filter.tool !== undefined) add('c.tool = ?', filter.tool);
  if (filter.client !== undefined) add('c.client = ?', filter.client);
  for (const word of terms.scanned) {
    add("instr(lower(c.tool || ' ' || c.arguments), lower(?)) > 0", word);
  }

  const decisions = filter.decision ?? [];
  const select = `SELECT ${CALL_COLUMNS.split(', ').map((column) => `c.${column}`).join(', ')}`;

  if (useFts) {
    // CROSS JOIN fixes the join order: the full-text index drives, in timeline order, and
    // each hit is looked up by rowid; LIMIT stops the walk after one page.
    if (decisions.length) add(`c.decision IN (${decisions.map(() => '?').join(', ')})`, ...decisions);
    return {
      sql: `${select} FROM calls_fts CROSS JOIN calls c ON c.seq = calls_fts.rowid WHERE ${conditions.join(' AND ')} ORDER BY ${key} ${dir} LIMIT ?`,
      params: [...params, bounds.limit],
    };
  }

  const where = (extra?: string): string => {
    const all = extra ? [extra, ...conditions] : conditions;
    return all.length ? ` WHERE ${all.join(' AND ')}` : '';
  };

  if (decisions.length <= 1) {
    const decision = decisions[0];
    const sql = `${select} FROM calls c${where(decision ? 'c.decision = ?' : undefined)} ORDER BY c.seq ${dir} LIMIT ?`;
    return { sql, params: [...(decision ? [decision] : []), ...params, bounds.limit] };
  }

  // Several decisions: each arm walks the (decision, seq) index in order and stops at one
  // page; the merge of at most (decisions × page) rows is cheap.
  const arms = decisions.map(
    () => `SELECT * FROM (${select} FROM calls c${where('c.decision = ?')} ORDER BY c.seq ${dir} LIMIT ?)`,
  );
  const armParams = decisions.flatMap((decision) => [decision, ...params, bounds.limit]);
  return {
    sql: `${arms.join(' UNION ALL ')} ORDER BY seq ${dir} LIMIT ?`,
    params: [...armParams, bounds.limit],
  };
}
