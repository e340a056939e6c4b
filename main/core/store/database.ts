/**
 * The one connection to `<home>/history.db`, shared by the history, counter, grant and pin
 * stores. node:sqlite is synchronous; a single Airlock per home (instance lock) is the only
 * writer, so one connection and no pool.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

export interface DatabaseOptions {
  /** How long a statement waits for a lock another connection holds (e.g. a CLI export). */
  busyTimeoutMs?: number;
  /** For readers such as `airlock history export`: no migrations, no writes. */
  readOnly?: boolean;
  /** Tests only: a different list of schema steps. */
  migrations?: readonly Migration[];
}

export class DatabaseVersionError extends Error {
  override name = 'DatabaseVersionError';
}

export class Database {
  readonly path: string;
  readonly sqlite: DatabaseSync;
  readonly readOnly: boolean;
  #statements = new Map<string, StatementSync>();
  #checkpointer: WalCheckpointer | undefined;
  #savepoints = 0;
  /** The group transaction open in this turn of the event loop (see groupTransaction). */
  #group: { committed: Promise<void>; resolve(): void; reject(error: unknown): void } | undefined;
  #inGroup = false;

  private constructor(path: string, sqlite: DatabaseSync, readOnly: boolean) {
    this.path = path;
    this.sqlite = sqlite;
    this.readOnly = readOnly;
  }

  static open(path: string, options: DatabaseOptions = {}): Database {
    const readOnly = options.readOnly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!readOnly && path !== ':memory:') createPrivately(path);
    const sqlite = new DatabaseSync(path, { readOnly, timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
    const db = new Database(path, sqlite, readOnly);
    try {
      sqlite.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      if (!readOnly) {
        // WAL: readers never block the writer, and a commit is one append to the log.
        // synchronous=NORMAL: no fsync per commit; a committed transaction survives a crash
        // of the process (the log is in the OS already), only a power loss or OS crash can
        // take back the last commits. That trade is measured in bench/history-bench.ts.
        sqlite.exec('PRAGMA journal_mode = WAL');
        sqlite.exec('PRAGMA synchronous = NORMAL');
        // Keep the log from staying huge after a burst (e.g. a large prune).
        sqlite.exec('PRAGMA journal_size_limit = 67108864');
        // Checkpoints run on a worker thread (wal-checkpointer.ts), not inside a commit.
        if (path !== ':memory:') {
          sqlite.exec('PRAGMA wal_autocheckpoint = 0');
          db.#checkpointer = new WalCheckpointer(path);
        }
      }
      sqlite.exec('PRAGMA temp_store = MEMORY');
      sqlite.exec('PRAGMA cache_size = -16000');
      db.#migrate(options.migrations ?? MIGRATIONS);
      // Recommended for long-lived connections: refreshes the planner's statistics only
      // when tables changed a lot, with a bounded amount of work.
      if (!readOnly) sqlite.exec('PRAGMA optimize = 0x10002');
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return db;
  }

  get isOpen(): boolean {
    return this.sqlite.isOpen;
  }

  get schemaVersion(): number {
    const row = this.sqlite.prepare('PRAGMA user_version').get();
    return Number(row?.user_version ?? 0);
  }

  /** A prepared statement, compiled once per connection (the hot paths reuse them). */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.#statements.set(sql, statement);
    }
    if (this.#checkpointer && WRITE.test(sql)) this.#checkpointer.noteWrite();
    return statement;
  }

  /**
   * Runs fn in one transaction (a savepoint when nested). IMMEDIATE takes the write lock up
   * front, so a transaction never fails half way for want of it.
   */
  transaction<T>(fn: () => T): T {
    // A plain transaction is durable when it returns: an open group commits first.
    if (this.#group && !this.#inGroup) this.#commitGroup();
    if (this.sqlite.isTransaction) {
      const name = `sp${++this.#savepoints}`;
      this.sqlite.exec(`SAVEPOINT ${name}`);
      try {
        const result = fn();
        this.sqlite.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        this.sqlite.exec(`ROLLBACK TO ${name}`);
        this.sqlite.exec(`RELEASE ${name}`);
        throw error;
      } finally {
        this.#savepoints--;
      }
    }
    this.sqlite.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.sqlite.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.sqlite.isTransaction) this.sqlite.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Runs fn as part of one transaction shared by every caller in this turn of the event
   * loop, committed once at its end (setImmediate): under load, many calls' records cost
   * one commit instead of one each. fn's writes are all or nothing (a savepoint), as in
   * `transaction`, but they are durable only when `committed` resolves; it rejects when the
   * commit fails, and then none of the group's writes happened. Callers that must not act
   * before their record is durable (forwarding a call) wait for it. A plain `transaction`
   * meanwhile commits the group first, so its own durability on return still holds.
   */
  groupTransaction<T>(fn: () => T): { result: T; committed: Promise<void> } {
    if (!this.#group && this.sqlite.isTransaction) return { result: this.transaction(fn), committed: Promise.resolve() };
    if (!this.#group) {
      this.sqlite.exec('BEGIN IMMEDIATE');
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const committed = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Nobody may be waiting yet; a failed commit is still reported to those who wait.
      committed.catch(() => undefined);
      this.#group = { committed, resolve, reject };
      setImmediate(() => this.#commitGroup());
    }
    const group = this.#group!;
    this.#inGroup = true;
    try {
      return { result: this.transaction(fn), committed: group.committed };
    } finally {
      this.#inGroup = false;
    }
  }

  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    try {
      this.sqlite.exec('COMMIT');
      group.resolve();
    } catch (error) {
      try {
        if (this.sqlite.isTransaction) this.sqlite.exec('ROLLBACK');
      } catch {
        // the connection is gone; nothing was committed
      }
      group.reject(error);
    }
  }

  /** Refreshes planner statistics where needed (cheap when nothing changed much). */
  optimize(): void {
    if (!this.readOnly) this.sqlite.exec('PRAGMA optimize');
  }

  close(): void {
    if (!this.sqlite.isOpen) return;
    this.#commitGroup();
    this.#checkpointer?.close();
    try {
      this.optimize();
      // Leave a small file behind: everything in the log goes into the database now.
      if (!this.readOnly && this.#checkpointer) this.sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.#statements.clear();
      this.sqlite.close();
    }
  }

  #migrate(migrations: readonly Migration[]): void {
    const current = this.schemaVersion;
    const latest = migrations.length;
    if (current > latest) {
      // A newer Airlock wrote this file. Writing to it with an older schema could corrupt
      // what the newer one relies on, so refuse rather than guess.
      throw new DatabaseVersionError(
        `${this.path} has schema version ${current}, newer than this Airlock understands (${latest}); update Airlock`,
      );
    }
    if (current === latest) return;
    if (this.readOnly) {
      throw new DatabaseVersionError(`${this.path} has schema version ${current}, expected ${latest}; start Airlock once to upgrade it`);
    }
    for (const migration of migrations.slice(current)) {
      // Each step and its version bump commit together: a crash leaves either the old
      // version or the new one, never a half-applied step.
      this.transaction(() => {
        migration.up(this.sqlite);
        this.sqlite.exec(`PRAGMA user_version = ${migration.version}`);
      });
    }
  }
}

/** history.db holds call arguments and results: readable by its owner only. */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, 'a', 0o600));
    if (process.platform !== 'win32') chmodSync(path, 0o600);
  } catch {
    // Let SQLite report the real problem (missing folder, permissions) when it opens.
  }
}

export { SCHEMA_VERSION };
