/**
 * Keeps the full-text index (calls_fts) in step with the calls table, off the hot path.
 * Rows are queued by a trigger (search_pending) when they are written and indexed here in
 * batches once calls have stopped arriving for a moment (or the queue grew long), before
 * any search, and at close; a queue left by a crash is indexed after the next start.
 */
import type { Database } from './database.ts';

/** Enough text to find a call by; the rest of a huge argument adds index size, not findability. */
const MAX_TEXT = 64 * 1024;
/** Rows per statement round when a search needs every row indexed at once. */
const BATCH = 500;
/**
 * Rows per turn of the event loop in the background: a few hundred rows at once held the
 * loop for several milliseconds every half second under load, which every call in flight
 * waited out (the slowest percent of calls). Slices this small take well under a
 * millisecond; the rest follows in the next turns.
 */
const SLICE = 50;
/**
 * While calls keep arriving, the queue waits for a quiet moment up to this many rows:
 * indexing is about a third of what recording a call costs (its text tokenised, a
 * full-text segment written and merged), and during a burst it competed with the calls
 * for the same cores. A search indexes the queue first, so it always sees every call; the
 * cap bounds what that first search (or a sustained load) has to catch up on.
 */
const MAX_BACKLOG = 5000;
/** How long no call may have arrived before the queue is worked off (ms). */
const QUIET_MS = 500;

/** The searchable text of a call: its tool name and its arguments' keys and values. */
export function searchText(tool: string, args: unknown): string {
  const parts: string[] = [tool];
  let length = tool.length;
  const visit = (value: unknown): void => {
    if (length > MAX_TEXT) return;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      parts.push(text);
      length += text.length + 1;
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        visit(key);
        visit(item);
      }
    }
  };
  visit(args);
  return parts.join(' ').slice(0, MAX_TEXT);
}

export class SearchIndexer {
  readonly #db: Database;
  readonly #delayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** When the last call arrived (see noteArrival), on performance.now()'s clock. */
  #lastArrival = -Infinity;

  /** delayMs: how long after a write the index catches up at the earliest (default 500). */
  constructor(db: Database, options: { delayMs?: number } = {}) {
    this.#db = db;
    this.#delayMs = options.delayMs ?? 500;
    if (this.pending() > 0) this.schedule();
  }

  /** A call arrived: the queue waits until calls stop arriving for a moment (see MAX_BACKLOG). */
  noteArrival(): void {
    this.#lastArrival = performance.now();
  }

  /**
   * A read-only connection (`airlock history export` beside a running Airlock) never
   * indexes: the running Airlock does, and writing here would fail.
   */
  get #canWrite(): boolean {
    return !this.#db.readOnly;
  }

  /** Rows waiting to be indexed. */
  pending(): number {
    return Number(this.#db.statement('SELECT count(*) AS n FROM search_pending').get()?.n ?? 0);
  }

  /** Indexes queued rows soon (one timer at a time; it does not keep the process alive). */
  schedule(): void {
    if (this.#timer || this.#closed || !this.#canWrite) return;
    this.#timer = setTimeout(() => this.#tick(), this.#delayMs);
    this.#timer.unref?.();
  }

  /** Indexes every queued row now (searches call this so they see every call). */
  flush(): number {
    if (!this.#canWrite) return 0;
    let total = 0;
    for (let n = this.#indexBatch(); n > 0; n = this.#indexBatch()) total += n;
    return total;
  }

  /** Stops the timer; queued rows stay queued for the next start. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed || !this.#db.isOpen) return;
    try {
      const sinceArrival = performance.now() - this.#lastArrival;
      if (sinceArrival < QUIET_MS && this.pending() < MAX_BACKLOG) {
        this.#timer = setTimeout(() => this.#tick(), Math.max(1, QUIET_MS - sinceArrival));
        this.#timer.unref?.();
        return;
      }
      // One slice per turn: the queue (or a backlog left by a crash) is worked off without
      // holding the event loop for long; calls and I/O run in between.
      if (this.#indexBatch(SLICE) === SLICE) {
        this.#timer = setTimeout(() => this.#tick(), 0);
        this.#timer.unref?.();
      }
    } catch (error) {
      // The rows stay queued; the next write or search tries again.
      console.error('history search indexing failed:', error);
    }
  }

  #indexBatch(limit = BATCH): number {
    // Inside a caller's transaction, no savepoint per batch: FTS5 writes a new index segment
    // at every savepoint release, which made a large backlog ten times slower to index.
    const run = (): number => {
      const rows = this.#db
        .statement(
          `SELECT p.seq, p.reindex, c.tool, c.arguments FROM search_pending p CROSS JOIN calls c ON c.seq = p.seq
           ORDER BY p.seq LIMIT ?`,
        )
        .all(limit);
      const remove = this.#db.statement('DELETE FROM calls_fts WHERE rowid = ?');
      const insert = this.#db.statement('INSERT INTO calls_fts (rowid, text) VALUES (?, ?)');
      const done = this.#db.statement('DELETE FROM search_pending WHERE seq = ?');
      for (const row of rows) {
        const seq = Number(row.seq);
        let args: unknown;
        try {
          args = JSON.parse(String(row.arguments));
        } catch {
          args = String(row.arguments);
        }
        if (row.reindex) remove.run(seq);
        insert.run(seq, searchText(String(row.tool), args));
        done.run(seq);
      }
      return rows.length;
    };
    return this.#db.sqlite.isTransaction ? run() : this.#db.transaction(run);
  }
}
