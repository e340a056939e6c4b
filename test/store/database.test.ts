import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { Database, DatabaseVersionError, SCHEMA_VERSION } from '../../main/core/store/database.ts';
import { HistoryStore } from '../../main/core/store/history-store.ts';
import { msToSeq, seqToId } from '../../main/core/store/history-id.ts';
import { MIGRATIONS, type Migration } from '../../main/core/store/migrations.ts';
import { tempDbPath } from './temp-db.ts';

const pragma = (db: Database, name: string): unknown => Object.values(db.sqlite.prepare(`PRAGMA ${name}`).get() ?? {})[0];

describe('history.db', () => {
  it('opens in WAL mode with synchronous=NORMAL, a busy timeout and the current schema', () => {
    const path = tempDbPath();
    const db = Database.open(path, { busyTimeoutMs: 1234 });
    try {
      expect(pragma(db, 'journal_mode')).toBe('wal');
      expect(pragma(db, 'synchronous')).toBe(1); // NORMAL
      expect(pragma(db, 'busy_timeout')).toBe(1234);
      expect(db.schemaVersion).toBe(SCHEMA_VERSION);
      const tables = db.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((row) => row.name);
      expect(tables).toEqual(expect.arrayContaining(['calls', 'calls_fts', 'limit_events', 'grants', 'tool_pins']));
    } finally {
      db.close();
    }
  });

  it.skipIf(process.platform === 'win32')('is created readable by its owner only', () => {
    const path = tempDbPath();
    Database.open(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a file written by a newer Airlock instead of writing to it', () => {
    const path = tempDbPath();
    Database.open(path).close();
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => Database.open(path)).toThrow(DatabaseVersionError);
  });

  it('applies new migrations on reopen, once each, and rolls back a failing one', () => {
    const path = tempDbPath();
    const v1: Migration = { version: 1, description: 'a', up: (db) => db.exec('CREATE TABLE a (x)') };
    const v2: Migration = { version: 2, description: 'b', up: (db) => db.exec("CREATE TABLE b (x); INSERT INTO a VALUES ('from v2')") };
    const broken: Migration = {
      version: 3,
      description: 'fails half way',
      up: (db) => {
        db.exec('CREATE TABLE c (x)');
        throw new Error('boom');
      },
    };

    Database.open(path, { migrations: [v1] }).close();
    let db = Database.open(path, { migrations: [v1, v2] });
    expect(db.schemaVersion).toBe(2);
    db.close();
    // Reopening with the same steps runs nothing again.
    db = Database.open(path, { migrations: [v1, v2] });
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM a').get()?.n).toBe(1);
    db.close();

    expect(() => Database.open(path, { migrations: [v1, v2, broken] })).toThrow('boom');
    db = Database.open(path, { migrations: [v1, v2] });
    expect(db.schemaVersion).toBe(2);
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'c'").get()?.n).toBe(0);
    db.close();
  });

  it('upgrades a version 1 history in place: calls kept, counts filled in, filters working', () => {
    const path = tempDbPath();
    let db = Database.open(path, { migrations: MIGRATIONS.slice(0, 1) });
    // Rows as a version 1 Airlock wrote them (today's store writes columns v1 did not have).
    const insert = db.statement(
      `INSERT INTO calls (seq, received_at, server, tool, client, session_id, arguments, state, decision, decided_by)
       VALUES (?, ?, ?, 't', 'cursor', 's', ?, ?, ?, ?)`,
    );
    const ids: string[] = [];
    for (const [i, server] of ['files', 'files', 'github'].entries()) {
      const receivedAt = 1_800_000_000_000 + i;
      const seq = msToSeq(receivedAt);
      const denied = i > 0;
      insert.run(seq, receivedAt, server, JSON.stringify({ i }), denied ? 'completed' : 'pending', denied ? 'denied' : null, denied ? '{"kind":"rule"}' : null);
      ids.push(seqToId(seq));
    }
    db.close();

    db = Database.open(path);
    const history = new HistoryStore(db);
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    expect(history.count()).toBe(3);
    expect(history.facets().servers).toEqual([
      { server: 'files', count: 2 },
      { server: 'github', count: 1 },
    ]);
    expect(history.query({ server: 'files', decision: 'denied' }).entries.map((e) => e.id)).toEqual([ids[1]]);
    expect(history.query({ server: 'github', client: 'cursor' }).entries.map((e) => e.id)).toEqual([ids[2]]);
    history.close();
    db.close();
  });

  it('upgrades a version 2 history: an approval given after an early answer no longer reads as a call that ran', () => {
    const path = tempDbPath();
    let db = Database.open(path, { migrations: MIGRATIONS.slice(0, 2) });
    // Rows as a version 2 Airlock wrote them (today's store writes columns v2 did not have).
    const insert = db.statement(
      `INSERT INTO calls (seq, received_at, server, tool, client, session_id, arguments, state, decision, decided_by, reason)
       VALUES (?, ?, 's', 't', 'c', 's', ?, 'completed', 'approved', '{"kind":"user"}', ?)`,
    );
    const row = (i: number, reason: string | null) => {
      const seq = msToSeq(1_800_000_000_000 + i);
      insert.run(seq, 1_800_000_000_000 + i, JSON.stringify({ i }), reason);
      return seqToId(seq);
    };
    const early = row(0, 'approved after the agent was told to retry; the retry runs the call');
    const ran = row(1, null);
    db.close();

    db = Database.open(path);
    const history = new HistoryStore(db);
    expect(history.get(early)?.decision).toBe('approved_for_retry');
    expect(history.get(ran)?.decision).toBe('approved');
    expect(history.query({ decision: 'approved' }).entries.map((e) => e.id)).toEqual([ran]);
    expect(history.facets().decisions).toEqual(
      expect.arrayContaining([
        { decision: 'approved', count: 1 },
        { decision: 'approved_for_retry', count: 1 },
      ]),
    );
    history.close();
    db.close();
  });

  it('rolls a transaction back when it throws, and a nested one only to its savepoint', () => {
    const db = Database.open(tempDbPath(), { migrations: [{ version: 1, description: 't', up: (s) => s.exec('CREATE TABLE t (x)') }] });
    try {
      const insert = db.statement('INSERT INTO t VALUES (?)');
      expect(() =>
        db.transaction(() => {
          insert.run(1);
          throw new Error('no');
        }),
      ).toThrow('no');
      db.transaction(() => {
        insert.run(2);
        expect(() =>
          db.transaction(() => {
            insert.run(3);
            throw new Error('inner');
          }),
        ).toThrow('inner');
      });
      expect(db.sqlite.prepare('SELECT x FROM t').all().map((row) => row.x)).toEqual([2]);
    } finally {
      db.close();
    }
  });

  it('waits for a lock held by another connection, then reports it busy', () => {
    const path = tempDbPath();
    const db = Database.open(path, { busyTimeoutMs: 150 });
    const other = new DatabaseSync(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      expect(() => db.sqlite.exec("INSERT INTO limit_events (key, at) VALUES ('k', 1)")).toThrow(/locked|busy/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      other.exec('ROLLBACK');
      db.sqlite.exec("INSERT INTO limit_events (key, at) VALUES ('k', 1)");
    } finally {
      other.close();
      db.close();
    }
  });
});
