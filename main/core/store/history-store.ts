/**
 * The history timeline: one row per tools/call, written when the call arrives (begin),
 * updated when it is decided (decide) and when it ends (complete). The caller forwards a
 * call only once its arrival is committed, so a call is never forwarded without a record
 * of it; if the write throws, the caller must not forward (fail closed).
 *
 * A call decided on arrival (allowed, denied, rate limited) is written to `call_journal`
 * first: a table of the same columns without indexes, where its ending is written too.
 * Batches of journal rows are folded into `calls` (copied already ended, so the row and its
 * indexes, facets and search queue are written once) a moment later, before any read, and
 * at the next start after a crash. Every read folds first, so readers never see the
 * difference.
 */
import type { SQLOutputValue, SQLInputValue } from 'node:sqlite';
import {
  FORWARDING_DECISIONS,
  HistoryFilterSchema,
  HistoryQuerySchema,
  type CallState,
  type ClientInfo,
  type DecidedBy,
  type Decision,
  type HistoryEntry,
  type HistoryExportFormat,
  type HistoryFacets,
  type HistoryFilter,
  type HistoryFilterInput,
  type HistoryPage,
  type HistoryQueryInput,
  type ResultSummary,
} from '../../../shared/history.ts';
import type { Database } from './database.ts';
import { CSV_HEADER, toCsvRow, toJsonLine } from './history-export.ts';
import { idToSeq, msToSeq, PER_MS, seqToId } from './history-id.ts';
import { buildPageQuery, CALL_COLUMNS, FILTER_COLUMNS, type Equalities, type PageBounds } from './history-query.ts';
import { createRedaction, type RedactOptions } from './redact.ts';
import { summarizeResult, type ToolResultLike } from './result-summary.ts';
import { SearchIndexer } from './search-index.ts';

export { redact, createRedactor, DEFAULT_REDACT_KEYS, DEFAULT_REDACT_PATTERNS, REDACTED, type RedactOptions } from './redact.ts';
export { summarizeResult, type ToolResultLike } from './result-summary.ts';

export interface BeginInput {
  receivedAt: number;
  server: string;
  tool: string;
  client: string;
  clientInfo?: ClientInfo;
  sessionId: string;
  /** The MCP revision the agent spoke (2025-11-25, 2026-07-28, ...). */
  protocolVersion?: string;
  /** Redacted by the store before it is written (see HistoryStoreOptions.redaction). */
  arguments: Record<string, unknown>;
  /** The earlier entry this call repeats (see linkRetry). */
  retryOf?: string;
}

/** A call decided on arrival (allowed, denied, rate limited): one write instead of two. */
export interface BeginDecidedInput extends BeginInput {
  decided?: DecideInput;
}

export interface DecideInput {
  decision: Decision;
  decidedBy: DecidedBy;
  /** Default: now. */
  decidedAt?: number;
  reason?: string;
  userMessage?: string;
  waitMs?: number;
  /**
   * The arguments as a person edited them before approving; redacted like on begin. The
   * arguments recorded on arrival are kept as the entry's originalArguments.
   */
  arguments?: Record<string, unknown>;
  /**
   * A person's approval of a call not sent yet: the entry stays `pending` (decided) until
   * markSent, so a crash in between leaves it as approved and not run.
   */
  held?: boolean;
}

export interface CompleteInput {
  /** Default: now. */
  completedAt?: number;
  upstreamMs?: number;
  /** The upstream result; the store keeps a summary (summarizeResult). */
  result?: ToolResultLike;
  error?: string;
  /** When the call ended otherwise than decided: `upstream_error`, `cancelled`. */
  decision?: Decision;
  decidedBy?: DecidedBy;
}

export interface PruneOptions {
  /** Remove finished entries that arrived more than this many days ago. */
  maxAgeDays?: number;
  /** Keep at most this many entries (the newest). */
  maxEntries?: number;
  now?: number;
}

export type HistoryChange =
  | { type: 'added'; id: string }
  | { type: 'updated'; id: string }
  | { type: 'removed'; count: number };

export interface HistoryStoreOptions {
  /**
   * How arguments, results, reasons and messages are redacted before they are stored;
   * false stores them as given.
   */
  redaction?: RedactOptions | false;
  /** How long after a write the search index catches up at the earliest (ms). Default 500. */
  searchIndexDelayMs?: number;
}

/** How long journal rows wait before they are folded into calls (ms): a batch, not a row. */
const FOLD_DELAY_MS = 250;
/** Journal rows folded per turn of the event loop in the background (well under a millisecond each turn). */
const FOLD_SLICE = 50;

/** The columns of a call's arrival, in the order begin writes them. */
const ARRIVAL_COLUMNS = [
  'seq',
  'received_at',
  'server',
  'tool',
  'client',
  'client_info',
  'session_id',
  'protocol_version',
  'arguments',
  'state',
  'decision',
  'decided_by',
  'decided_at',
  'reason',
  'user_message',
  'wait_ms',
  'completed_at',
] as const;
type Arrival = Record<(typeof ARRIVAL_COLUMNS)[number], SQLInputValue>;
const insertArrival = (table: 'calls' | 'call_journal'): string =>
  `INSERT INTO ${table} (${ARRIVAL_COLUMNS.join(', ')}) VALUES (${ARRIVAL_COLUMNS.map(() => '?').join(', ')})`;
const INSERT_CALL = insertArrival('calls');
const INSERT_JOURNAL = insertArrival('call_journal');

/**
 * The two ways an ending is written, per table holding the row. The usual one (a forwarded
 * call's result) leaves the decision alone: SQLite rewrites every index on a column named in
 * SET, even to the same value, and naming `decision` there cost four index updates per call.
 */
const endSql = (table: 'calls' | 'call_journal'): { result: string; other: string } => ({
  result: `UPDATE ${table} SET
             state = 'completed', completed_at = ?, upstream_ms = coalesce(?, upstream_ms),
             result = coalesce(?, result), error = coalesce(?, error)
           WHERE seq = ? AND state = 'forwarded'`,
  other: `UPDATE ${table} SET
            state = 'completed', completed_at = ?, upstream_ms = coalesce(?, upstream_ms),
            result = coalesce(?, result), error = coalesce(?, error),
            decision = coalesce(?, decision, 'cancelled'), decided_by = coalesce(?, decided_by)
          WHERE seq = ? AND state <> 'completed'`,
});
const END_SQL = { calls: endSql('calls'), call_journal: endSql('call_journal') };
/** Journal rows up to a seq, as they are, into calls. */
const FOLD_SQL = `INSERT INTO calls (${CALL_COLUMNS}) SELECT ${CALL_COLUMNS} FROM call_journal WHERE seq <= ? ORDER BY seq`;

/** How a call ended, as complete() writes it (redacted, serialised). */
interface Ending {
  completedAt: number;
  upstreamMs: number | null;
  result: string | null;
  error: string | null;
  decision: Decision | null;
  decidedBy: string | null;
}

/** Rows per statement while exporting or pruning: bounded memory, short write locks. */
const EXPORT_BATCH = 200;
const PRUNE_BATCH = 2000;
const DAY_MS = 86_400_000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Row = Record<string, SQLOutputValue>;

const str = (value: SQLOutputValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: SQLOutputValue | undefined): number | undefined =>
  typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
const json = <T>(value: SQLOutputValue | undefined): T | undefined => (typeof value === 'string' ? (JSON.parse(value) as T) : undefined);

/** The era follows from the revision: 2026-07-28 and later are modern. */
function protocolOf(version: string | undefined): Pick<HistoryEntry, 'era' | 'protocolVersion'> {
  if (!version) return {};
  return { protocolVersion: version, era: version >= '2026-07-28' ? 'modern' : 'legacy' };
}

function rowToEntry(row: Row): HistoryEntry {
  const entry: HistoryEntry = {
    id: seqToId(num(row.seq) ?? 0),
    receivedAt: num(row.received_at) ?? 0,
    server: str(row.server) ?? '',
    tool: str(row.tool) ?? '',
    client: str(row.client) ?? '',
    sessionId: str(row.session_id) ?? '',
    ...protocolOf(str(row.protocol_version)),
    arguments: json<Record<string, unknown>>(row.arguments) ?? {},
    state: (str(row.state) ?? 'pending') as CallState,
    decision: (str(row.decision) ?? null) as Decision | null,
    decidedBy: json<DecidedBy>(row.decided_by) ?? null,
  };
  const decidedAt = num(row.decided_at);
  const completedAt = num(row.completed_at);
  const clientInfo = json<ClientInfo>(row.client_info);
  const reason = str(row.reason);
  const userMessage = str(row.user_message);
  const waitMs = num(row.wait_ms);
  const upstreamMs = num(row.upstream_ms);
  const result = json<ResultSummary>(row.result);
  const error = str(row.error);
  const originalArguments = json<Record<string, unknown>>(row.original_arguments);
  const retryOf = num(row.retry_of);
  const retriedBy = num(row.retried_by);
  if (originalArguments) entry.originalArguments = originalArguments;
  if (retryOf !== undefined) entry.retryOf = seqToId(retryOf);
  if (retriedBy !== undefined) entry.retriedBy = seqToId(retriedBy);
  if (decidedAt !== undefined) entry.decidedAt = decidedAt;
  if (completedAt !== undefined) entry.completedAt = completedAt;
  if (clientInfo) entry.clientInfo = clientInfo;
  if (reason !== undefined) entry.reason = reason;
  if (userMessage !== undefined) entry.userMessage = userMessage;
  if (waitMs !== undefined) entry.waitMs = waitMs;
  if (upstreamMs !== undefined) entry.upstreamMs = upstreamMs;
  if (result) entry.result = result;
  if (error !== undefined) entry.error = error;
  return entry;
}

/** Only the fields of the contract, in a fixed order (canonical for storage). */
function decidedByJson(decidedBy: DecidedBy): string {
  const out: DecidedBy = { kind: decidedBy.kind };
  if (decidedBy.rule !== undefined) out.rule = decidedBy.rule;
  if (decidedBy.detail !== undefined) out.detail = decidedBy.detail;
  return JSON.stringify(out);
}

export class HistoryStore {
  readonly #db: Database;
  readonly #redact: (args: Record<string, unknown>) => Record<string, unknown>;
  readonly #redactText: (text: string, secrets?: readonly string[]) => string;
  readonly #redactValue: (value: unknown) => unknown;
  readonly #secretsOf: (args: Record<string, unknown>) => string[];
  /**
   * What each open call's arguments held under secret keys, until the call ends: its result
   * and error are written later and may echo them.
   */
  readonly #openSecrets = new Map<string, string[]>();
  readonly #listeners = new Set<(change: HistoryChange) => void>();
  readonly #search: SearchIndexer;
  #lastSeq: number | undefined;
  /** Completions waiting for the next fold (see completeSoon). */
  #completions: Array<[string, CompleteInput]> = [];
  /** The next background fold of the journal (see FOLD_DELAY_MS). */
  #foldTimer: NodeJS.Timeout | undefined;
  /** A background fold goes on slice by slice in the next turns. */
  #folding = false;

  constructor(db: Database, options: HistoryStoreOptions = {}) {
    this.#db = db;
    this.#search = new SearchIndexer(db, options.searchIndexDelayMs === undefined ? {} : { delayMs: options.searchIndexDelayMs });
    if (options.redaction === false) {
      this.#redact = (args) => args;
      this.#redactText = (text) => text;
      this.#redactValue = (value) => value;
      this.#secretsOf = () => [];
    } else {
      const redaction = createRedaction(options.redaction);
      this.#redact = (args) => redaction.value(args) as Record<string, unknown>;
      // Free text is kept whole (the preview is cut later); only secrets go.
      const whole = options.redaction?.maxStringLength === undefined ? createRedaction({ ...options.redaction, maxStringLength: Infinity }) : redaction;
      this.#redactText = whole.text;
      this.#redactValue = whole.value;
      this.#secretsOf = redaction.secretsOf;
    }
    // What a crash left in the journal goes into calls before anything reads or ends it.
    this.#foldAll(true);
  }

  /** Subscribes to changes (the core turns them into `history.changed`); returns unsubscribe. */
  onChange(listener: (change: HistoryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Records a call as it arrives (state `pending`, or decided). Durable once the enclosing
   * transaction commits (WAL, synchronous=NORMAL): it survives a crash of the process. A
   * call decided on arrival goes to the journal (see the top of this file).
   */
  begin(input: BeginDecidedInput): HistoryEntry {
    const receivedAt = Math.floor(input.receivedAt);
    const base = msToSeq(receivedAt);
    // This process is the only writer (one Airlock per home), so in the usual case (time
    // moves on) the next id is known without asking the database; only a call stamped at
    // or before the last one (same millisecond, a clock set back) looks up its millisecond.
    this.#lastSeq ??=
      num(this.#db.statement('SELECT max(seq) AS seq FROM (SELECT max(seq) AS seq FROM calls UNION ALL SELECT max(seq) FROM call_journal)').get()?.seq) ?? 0;
    let seq = base;
    if (base <= this.#lastSeq) {
      const last = num(
        this.#db
          .statement(
            `SELECT max(seq) AS seq FROM (SELECT seq FROM calls WHERE seq >= ?1 AND seq < ?2 UNION ALL SELECT seq FROM call_journal WHERE seq >= ?1 AND seq < ?2)`,
          )
          .get(base, base + PER_MS)?.seq,
      );
      seq = last === undefined ? base : last + 1;
    }
    // 1024 calls in one millisecond would be a million a second through a desktop proxy.
    if (seq >= base + PER_MS) throw new Error(`more than ${PER_MS} calls arrived in one millisecond`);

    this.#search.noteArrival();
    const args = this.#redact(input.arguments);
    const secrets = this.#secretsOf(input.arguments);
    const clientInfo = input.clientInfo ? { name: input.clientInfo.name, version: input.clientInfo.version } : undefined;
    const decided = input.decided && this.#redactDecision(input.decided, secrets);
    const forwards = decided ? FORWARDING_DECISIONS.includes(decided.decision) : false;
    const state: CallState = !decided ? 'pending' : forwards ? 'forwarded' : 'completed';
    const decidedAt = decided ? Math.floor(decided.decidedAt ?? Date.now()) : null;
    const row: Arrival = {
      seq,
      received_at: receivedAt,
      server: input.server,
      tool: input.tool,
      client: input.client,
      client_info: clientInfo ? JSON.stringify(clientInfo) : null,
      session_id: input.sessionId,
      protocol_version: input.protocolVersion ?? null,
      arguments: JSON.stringify(args),
      state,
      decision: decided?.decision ?? null,
      decided_by: decided ? decidedByJson(decided.decidedBy) : null,
      decided_at: decidedAt,
      reason: decided?.reason ?? null,
      user_message: decided?.userMessage ?? null,
      wait_ms: decided?.waitMs ?? null,
      completed_at: decided && !forwards ? decidedAt : null,
    };
    // A call that waits for a person is decided and sent later, and a retry links to the
    // entry it repeats: those go to calls at once. The rest is only ever ended.
    const journaled = decided !== undefined && input.retryOf === undefined;
    this.#db.statement(journaled ? INSERT_JOURNAL : INSERT_CALL).run(...ARRIVAL_COLUMNS.map((column) => row[column]));
    if (journaled) this.#foldSoon();
    else this.#search.schedule();
    this.#lastSeq = Math.max(this.#lastSeq, seq);
    if (secrets.length && (!decided || forwards)) this.#keepSecrets(seqToId(seq), secrets);
    const retryOf = input.retryOf !== undefined && this.#link(input.retryOf, seq) ? input.retryOf : undefined;

    const entry: HistoryEntry = {
      id: seqToId(seq),
      receivedAt,
      server: input.server,
      tool: input.tool,
      client: input.client,
      sessionId: input.sessionId,
      ...protocolOf(input.protocolVersion),
      arguments: args,
      state,
      decision: decided?.decision ?? null,
      decidedBy: decided ? decided.decidedBy : null,
    };
    if (clientInfo) entry.clientInfo = clientInfo;
    if (decidedAt !== null) entry.decidedAt = decidedAt;
    if (decided?.reason !== undefined) entry.reason = decided.reason;
    if (retryOf !== undefined) entry.retryOf = retryOf;
    this.#emit({ type: 'added', id: entry.id });
    return entry;
  }

  /**
   * Records the decision on a pending call, once. An allowing decision moves it to
   * `forwarded` (unless held, see DecideInput.held); any other ends it (`completed`).
   * Returns false when the id is unknown or the call was already decided or ended.
   */
  decide(id: string, raw: DecideInput): boolean {
    const seq = idToSeq(id);
    if (seq === undefined) return false;
    const secrets = [...(this.#openSecrets.get(id) ?? []), ...(raw.arguments ? this.#secretsOf(raw.arguments) : [])];
    const input = this.#redactDecision(raw, secrets);
    const decidedAt = Math.floor(input.decidedAt ?? Date.now());
    const forwards = FORWARDING_DECISIONS.includes(input.decision);
    const args = input.arguments ? JSON.stringify(this.#redact(input.arguments)) : null;
    const params: SQLInputValue[] = [
      input.decision,
      decidedByJson(input.decidedBy),
      decidedAt,
      input.reason ?? null,
      input.userMessage ?? null,
      input.waitMs ?? null,
      forwards ? (input.held ? 'pending' : 'forwarded') : 'completed',
      forwards ? null : decidedAt,
    ];
    // SET expressions read the row as it was: an edit moves the arrival's arguments to
    // original_arguments and stores the edited ones in their place.
    const { changes } = this.#db
      .statement(
        `UPDATE calls SET
           decision = ?, decided_by = ?, decided_at = ?,
           reason = coalesce(?, reason), user_message = ?, wait_ms = ?,
           state = ?, completed_at = ?${args === null ? '' : ', original_arguments = arguments, arguments = ?'}
         WHERE seq = ? AND state = 'pending' AND decision IS NULL`,
      )
      .run(...params, ...(args === null ? [] : [args]), seq);
    if (!changes) return false;
    if (forwards && secrets.length) this.#keepSecrets(id, secrets);
    else this.#openSecrets.delete(id);
    if (args !== null) this.#search.schedule();
    this.#emit({ type: 'updated', id });
    return true;
  }

  /**
   * An approved call held at its decision is being sent upstream now. Returns false unless
   * it was approved and not sent yet.
   */
  markSent(id: string): boolean {
    const seq = idToSeq(id);
    if (seq === undefined) return false;
    const { changes } = this.#db.statement(`UPDATE calls SET state = 'forwarded' WHERE seq = ? AND state = 'pending' AND decision = 'approved'`).run(seq);
    if (!changes) return false;
    this.#emit({ type: 'updated', id });
    return true;
  }

  /**
   * Links a call to the earlier one it repeats (the agent was told to retry, or retried
   * while the first still waited): the retry names the original, and the original its
   * latest retry. Returns false when either id is unknown.
   */
  linkRetry(originalId: string, retryId: string): boolean {
    const retry = idToSeq(retryId);
    if (retry === undefined || idToSeq(originalId) === undefined) return false;
    if (!this.#link(originalId, retry)) return false;
    this.#emit({ type: 'updated', id: retryId });
    return true;
  }

  /** Writes both directions of a retry link; emits the change of the original. */
  #link(originalId: string, retrySeq: number): boolean {
    const original = idToSeq(originalId);
    if (original === undefined || original === retrySeq) return false;
    const { changes } = this.#db.statement('UPDATE calls SET retried_by = ? WHERE seq = ?').run(retrySeq, original);
    if (!changes) return false;
    this.#db.statement('UPDATE calls SET retry_of = ? WHERE seq = ?').run(original, retrySeq);
    this.#emit({ type: 'updated', id: originalId });
    return true;
  }

  /**
   * Records how a call ended. A call that ends before any decision (the client went away)
   * is recorded as `cancelled` unless a decision is given. Returns false when the id is
   * unknown or the call had already ended.
   */
  complete(id: string, raw: CompleteInput = {}): boolean {
    const seq = idToSeq(id);
    if (seq === undefined) return false;
    const secrets = this.#openSecrets.get(id);
    this.#openSecrets.delete(id);
    const input = raw.error === undefined ? raw : { ...raw, error: this.#redactText(raw.error, secrets) };
    const summary = input.result
      ? JSON.stringify(summarizeResult(input.result, { text: (text) => this.#redactText(text, secrets), value: this.#redactValue }))
      : null;
    const ending: Ending = {
      completedAt: Math.floor(input.completedAt ?? Date.now()),
      upstreamMs: input.upstreamMs ?? null,
      result: summary,
      error: input.error ?? null,
      decision: input.decision ?? null,
      decidedBy: input.decidedBy ? decidedByJson(input.decidedBy) : null,
    };
    // A journaled call takes its ending with it into calls.
    if (this.#end('call_journal', seq, ending) || this.#end('calls', seq, ending)) {
      this.#emit({ type: 'updated', id });
      return true;
    }
    return false;
  }

  /** Writes an ending into the row of `table`; false when that table has no open row of that seq. */
  #end(table: 'calls' | 'call_journal', seq: number, ending: Ending): boolean {
    const { completedAt, upstreamMs, result, error, decision, decidedBy } = ending;
    const sql = END_SQL[table];
    if (decision === null && decidedBy === null && this.#db.statement(sql.result).run(completedAt, upstreamMs, result, error, seq).changes) return true;
    return this.#db.statement(sql.other).run(completedAt, upstreamMs, result, error, decision, decidedBy, seq).changes > 0;
  }

  /** Writes what waits (endings, journal rows) in the background, a slice per turn (see FOLD_DELAY_MS). */
  #foldSoon(): void {
    if (this.#foldTimer || this.#folding) return;
    this.#foldTimer = setTimeout(() => {
      this.#foldTimer = undefined;
      this.#foldInTurns();
    }, FOLD_DELAY_MS);
    this.#foldTimer.unref();
  }

  #foldInTurns(): void {
    this.#folding = false;
    if (!this.#db.isOpen) return;
    let moved: number;
    try {
      // Nobody waits on a fold: it joins the commit of this moment's calls.
      moved = this.#db.groupTransaction(() => {
        // The endings first: a journaled call that has ended goes into calls ended.
        this.#writeCompletions();
        return this.#fold(FOLD_SLICE);
      }).result;
    } catch (error) {
      // The rows stay in the journal (durable); the next fold or read tries again.
      console.error('folding the history journal failed:', error);
      this.#foldSoon();
      return;
    }
    // A full slice: there may be more (calls that arrived meanwhile too); the next turn goes on.
    if (moved === FOLD_SLICE) {
      this.#folding = true;
      setImmediate(() => this.#foldInTurns());
    }
  }

  /**
   * Folds every journal row now (a read must see them all), in the commit of this moment's
   * calls, or alone (at start).
   */
  #foldAll(alone = false): void {
    if (this.#db.readOnly || !this.#db.isOpen) return;
    clearTimeout(this.#foldTimer);
    this.#foldTimer = undefined;
    if (!this.#db.statement('SELECT 1 FROM call_journal LIMIT 1').get()) return;
    // One statement: the rows go from table to table without passing through JavaScript.
    const run = (): number => this.#fold();
    if (alone) this.#db.transaction(run);
    else this.#db.groupTransaction(run);
  }

  /** Moves journal rows, oldest first, into calls (at most `limit`, or all); returns how many it moved. */
  #fold(limit?: number): number {
    // LIMIT -1: no limit.
    const last = num(this.#db.statement('SELECT max(seq) AS seq FROM (SELECT seq FROM call_journal ORDER BY seq LIMIT ?)').get(limit ?? -1)?.seq);
    if (last === undefined) return 0;
    const { changes } = this.#db.statement(FOLD_SQL).run(last);
    this.#db.statement('DELETE FROM call_journal WHERE seq <= ?').run(last);
    this.#search.schedule();
    return Number(changes);
  }

  /**
   * Records how a call ended, in the next fold of the journal (see FOLD_DELAY_MS): a
   * journaled call's ending then goes into calls with it, in one INSERT, and the endings of
   * that quarter second share one commit, off the calls' path. The entry written on arrival
   * already holds the decision, so a crash in between loses only the result summary (the
   * call is closed as interrupted). Readers in this process see it at once (every read
   * writes what waits first).
   */
  completeSoon(id: string, input: CompleteInput = {}): void {
    this.#completions.push([id, { ...input, completedAt: input.completedAt ?? Date.now() }]);
    this.#foldSoon();
  }

  /** Writes the queued completions and folds the journal now: what every read does first. */
  flush(): void {
    this.#writeCompletions();
    this.#foldAll();
  }

  #writeCompletions(): void {
    if (!this.#completions.length || !this.#db.isOpen) return;
    const batch = this.#completions;
    this.#completions = [];
    // Joins the commit the calls of this moment share (nothing waits on a completion).
    this.#db.groupTransaction(() => {
      for (const [id, input] of batch) this.complete(id, input);
    });
  }

  get(id: string): HistoryEntry | undefined {
    this.flush();
    const seq = idToSeq(id);
    if (seq === undefined) return undefined;
    const row = this.#db.statement(`SELECT ${CALL_COLUMNS} FROM calls WHERE seq = ?`).get(seq);
    return row ? rowToEntry(row) : undefined;
  }

  /** One page, newest first. Throws a ZodError for an invalid query (a 400 at the API). */
  query(input: HistoryQueryInput = {}): HistoryPage {
    this.flush();
    const { limit, cursor, ...filter } = HistoryQuerySchema.parse(input);
    const rows = this.#select(filter, { order: 'desc', after: cursor === undefined ? undefined : idToSeq(cursor), limit: limit + 1 });
    const entries = rows.slice(0, limit).map(rowToEntry);
    const last = entries.at(-1);
    return { entries, nextCursor: rows.length > limit && last ? last.id : null };
  }

  /**
   * The matching entries, oldest first, as text chunks of the format. Streams in small
   * keyset batches (constant memory, no read transaction held open between chunks). Calls
   * arriving after the export started are not included.
   */
  async *exportStream(format: HistoryExportFormat, filterInput: HistoryFilterInput = {}): AsyncGenerator<string, void, undefined> {
    this.flush();
    const filter = HistoryFilterSchema.parse(filterInput);
    const toLine = format === 'csv' ? toCsvRow : toJsonLine;
    if (format === 'csv') yield CSV_HEADER;
    // A read-only reader beside a running Airlock cannot fold the journal: it merges it.
    const journal = this.#db.readOnly ? this.#journalRows(filter) : [];
    const maxSeq = num(this.#db.statement('SELECT max(seq) AS seq FROM calls').get()?.seq);
    let after: number | undefined;
    for (;;) {
      const rows = maxSeq === undefined ? [] : this.#select(filter, { order: 'asc', after, maxSeq, limit: EXPORT_BATCH });
      const last = rows.length < EXPORT_BATCH ? Infinity : (num(rows.at(-1)?.seq) ?? Infinity);
      let chunk = '';
      for (const row of rows) {
        const seq = num(row.seq) ?? 0;
        while (journal.length && (num(journal[0]!.seq) ?? 0) < seq) chunk += toLine(rowToEntry(journal.shift()!));
        chunk += toLine(rowToEntry(row));
      }
      if (last === Infinity) for (const row of journal.splice(0)) chunk += toLine(rowToEntry(row));
      if (chunk) yield chunk;
      if (last === Infinity) return;
      after = last;
      await yieldToEventLoop();
    }
  }

  /**
   * The journal's rows as rows of calls, oldest first, that match a filter (for a reader
   * that cannot fold them; a few hundred at most). The text search needs the index, which
   * only a fold feeds: a read-only reader refuses it rather than leave calls out.
   */
  #journalRows(filter: HistoryFilter): Row[] {
    if (filter.q) throw new Error('a text search of a history that a running Airlock writes goes through that Airlock (its /api/history)');
    const rows: Row[] = [];
    for (const row of this.#db.statement(`SELECT ${CALL_COLUMNS} FROM call_journal ORDER BY seq`).all()) {
      const at = num(row.received_at) ?? 0;
      if (filter.from !== undefined && at < filter.from) continue;
      if (filter.to !== undefined && at > filter.to) continue;
      if (FILTER_COLUMNS.some((column) => column !== 'decision' && filter[column] !== undefined && row[column] !== filter[column])) continue;
      if (filter.decision?.length && !filter.decision.includes(row.decision as Decision)) continue;
      rows.push(row);
    }
    return rows;
  }

  /**
   * Removes old finished entries (calls still in flight are kept). Deletes in batches and
   * yields between them, so a large prune does not stall calls being recorded meanwhile.
   */
  async prune(options: PruneOptions): Promise<number> {
    this.flush();
    const now = options.now ?? Date.now();
    let cutoff = 0;
    if (options.maxAgeDays !== undefined) {
      if (!(options.maxAgeDays >= 0)) throw new RangeError('maxAgeDays must be a number ≥ 0');
      cutoff = msToSeq(Math.max(0, Math.floor(now - options.maxAgeDays * DAY_MS)));
    }
    if (options.maxEntries !== undefined) {
      if (!(Number.isInteger(options.maxEntries) && options.maxEntries >= 0)) throw new RangeError('maxEntries must be an integer ≥ 0');
      // The seq of the oldest entry kept; OFFSET here walks at most maxEntries index keys.
      const oldestKept =
        options.maxEntries === 0
          ? Number.MAX_SAFE_INTEGER
          : num(this.#db.statement('SELECT seq FROM calls ORDER BY seq DESC LIMIT 1 OFFSET ?').get(options.maxEntries - 1)?.seq);
      if (oldestKept !== undefined) cutoff = Math.max(cutoff, oldestKept);
    }
    if (cutoff === 0) return 0;

    const remove = this.#db.statement(
      `DELETE FROM calls WHERE seq IN (SELECT seq FROM calls WHERE seq < ? AND state = 'completed' ORDER BY seq LIMIT ?)`,
    );
    let removed = 0;
    for (;;) {
      const changes = Number(remove.run(cutoff, PRUNE_BATCH).changes);
      removed += changes;
      if (changes < PRUNE_BATCH) break;
      await yieldToEventLoop();
    }
    if (removed) {
      this.#db.statement('DELETE FROM call_facets WHERE n <= 0').run();
      this.#db.optimize();
      this.#emit({ type: 'removed', count: removed });
    }
    return removed;
  }

  /**
   * Ends the entries a previous run left open (it stopped while calls were in flight):
   * undecided ones become `cancelled`, approved ones never sent become `approved_not_run`
   * (nothing runs them again), forwarded ones keep their decision; each gets an error
   * saying what happened. Call once at start, before serving calls.
   */
  closeInterrupted(now: number = Date.now()): number {
    this.flush();
    const rows = this.#db
      .statement(
        `UPDATE calls SET
           state = 'completed', completed_at = ?1,
           error = coalesce(error, CASE WHEN state = 'forwarded' THEN ?3 WHEN decision = 'approved' THEN ?4 ELSE ?2 END),
           decision = CASE WHEN state = 'pending' AND decision = 'approved' THEN 'approved_not_run' ELSE coalesce(decision, 'cancelled') END
         WHERE state <> 'completed' RETURNING seq`,
      )
      .all(
        Math.floor(now),
        'Airlock stopped before this call was decided',
        'Airlock stopped before the result arrived',
        'Airlock stopped after this call was approved and before it was sent: it did not run, and it is not run again',
      );
    for (const row of rows) this.#emit({ type: 'updated', id: seqToId(num(row.seq) ?? 0) });
    return rows.length;
  }

  /** Number of entries (exact, from the per-combination counts: no table scan). */
  count(): number {
    this.flush();
    return num(this.#db.statement('SELECT coalesce(sum(n), 0) AS n FROM call_facets').get()?.n) ?? 0;
  }

  /** Calls per server, tool, client and decision, most frequent first (the UI's filter lists). */
  facets(): HistoryFacets {
    this.flush();
    const group = (columns: string): Array<Record<string, string | number>> =>
      this.#db
        .statement(`SELECT ${columns}, sum(n) AS count FROM call_facets WHERE n > 0 GROUP BY ${columns} ORDER BY count DESC, ${columns}`)
        .all()
        .map((row) => ({ ...row }) as Record<string, string | number>);
    return {
      total: this.count(),
      servers: group('server').map((row) => ({ server: String(row.server), count: Number(row.count) })),
      tools: group('server, tool').map((row) => ({ server: String(row.server), tool: String(row.tool), count: Number(row.count) })),
      clients: group('client').map((row) => ({ client: String(row.client), count: Number(row.count) })),
      decisions: group('decision').map((row) => ({ decision: (String(row.decision) || null) as Decision | null, count: Number(row.count) })),
    };
  }

  /** Indexes the calls still waiting for the search index (searches do this themselves). */
  flushSearchIndex(): number {
    return this.#search.flush();
  }

  /** Stops background work and indexes what is queued; call before closing the database. */
  close(): void {
    this.flush();
    this.#search.close();
    this.#listeners.clear();
    // Anything left queued (e.g. the flush failed) is indexed after the next start.
    if (this.#db.isOpen) this.#search.flush();
  }

  #select(filter: HistoryFilter, bounds: PageBounds): Row[] {
    // A search must see the calls of the last moment too.
    if (filter.q) this.#search.flush();
    const built = buildPageQuery(filter, bounds, (eq) => this.#countCalls(eq));
    if (!built) return [];
    return this.#db.statement(built.sql).all(...(built.params as SQLInputValue[]));
  }

  /** Exact number of calls with these column values, from call_facets (a few hundred rows). */
  #countCalls(eq: Equalities): number {
    const row = this.#db
      .statement(
        `SELECT coalesce(sum(n), 0) AS n FROM call_facets
         WHERE (?1 IS NULL OR server = ?1) AND (?2 IS NULL OR tool = ?2) AND (?3 IS NULL OR client = ?3) AND (?4 IS NULL OR decision = ?4)`,
      )
      .get(...FILTER_COLUMNS.map((column) => eq[column] ?? null));
    return num(row?.n) ?? 0;
  }

  /** Reasons and messages can quote the arguments (`got "sk-live-…"`): redacted like a result. */
  #redactDecision(input: DecideInput, secrets: readonly string[]): DecideInput {
    if (input.reason === undefined && input.userMessage === undefined) return input;
    return {
      ...input,
      ...(input.reason !== undefined && { reason: this.#redactText(input.reason, secrets) }),
      ...(input.userMessage !== undefined && { userMessage: this.#redactText(input.userMessage, secrets) }),
    };
  }

  #keepSecrets(id: string, secrets: string[]): void {
    // Calls that never end (a crash) must not grow this without bound.
    if (this.#openSecrets.size >= 10_000) this.#openSecrets.delete(this.#openSecrets.keys().next().value!);
    this.#openSecrets.set(id, secrets);
  }

  #emit(change: HistoryChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        // The row is written; a failing listener must not make the write look failed
        // (the caller would refuse a call that is already recorded).
        console.error('history change listener failed:', error);
      }
    }
  }
}
