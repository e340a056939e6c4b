/**
 * The schema of history.db, one step per version. Steps are append-only: a released step
 * never changes (users' files have already run it); fix things in a new step.
 * `PRAGMA user_version` holds the number of steps applied.
 */
import type { DatabaseSync } from 'node:sqlite';

export interface Migration {
  version: number;
  description: string;
  up(db: DatabaseSync): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'calls with full-text search, limit events, grants, tool pins',
    up(db) {
      db.exec(`
        -- seq is the timeline order: receivedAt * 1024 + a per-millisecond counter. Being the
        -- rowid, every index below is implicitly (column, seq), so "newest first with a
        -- filter" is one index range read, and the keyset cursor is a rowid comparison.
        CREATE TABLE calls (
          seq          INTEGER PRIMARY KEY,
          received_at  INTEGER NOT NULL,
          decided_at   INTEGER,
          completed_at INTEGER,
          server       TEXT NOT NULL,
          tool         TEXT NOT NULL,
          client       TEXT NOT NULL,
          client_info  TEXT,
          session_id   TEXT NOT NULL,
          arguments    TEXT NOT NULL,
          state        TEXT NOT NULL CHECK (state IN ('pending', 'forwarded', 'completed')),
          decision     TEXT,
          decided_by   TEXT,
          reason       TEXT,
          user_message TEXT,
          wait_ms      REAL,
          upstream_ms  REAL,
          result       TEXT,
          error        TEXT
        );
        CREATE INDEX calls_server ON calls(server);
        CREATE INDEX calls_tool ON calls(tool);
        CREATE INDEX calls_decision ON calls(decision);
        CREATE INDEX calls_client ON calls(client);
        -- Few rows are ever in flight; a partial index finds them without scanning.
        CREATE INDEX calls_open ON calls(state) WHERE state <> 'completed';

        -- Word and word-prefix search over the tool name and the arguments' keys and values.
        -- Contentless: the text is derived in JS (arguments flattened out of their JSON, so an
        -- escaped line break does not glue two words together) and not stored twice. unicode61 rather than
        -- trigram: a third of the index size and of the indexing time, measured in
        -- bench/history-bench.ts; "png" still finds "cat.png" (words split at punctuation).
        CREATE VIRTUAL TABLE calls_fts USING fts5(
          text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
        );
        -- Rows waiting to be indexed. Indexing in a call's own commit made begin() stall for
        -- up to hundreds of ms when full-text segments merged; rows are queued here in the
        -- same statement (so a crash loses no queue entry) and indexed in batches after.
        -- reindex = 1: the row is in the index already with old text.
        CREATE TABLE search_pending (
          seq     INTEGER PRIMARY KEY,
          reindex INTEGER NOT NULL DEFAULT 0
        );
        CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN
          INSERT INTO search_pending (seq) VALUES (new.seq);
        END;
        CREATE TRIGGER calls_search_update AFTER UPDATE OF tool, arguments ON calls
        WHEN old.tool IS NOT new.tool OR old.arguments IS NOT new.arguments BEGIN
          INSERT OR IGNORE INTO search_pending (seq, reindex) VALUES (new.seq, 1);
        END;
        CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
          DELETE FROM calls_fts WHERE rowid = old.seq;
          DELETE FROM search_pending WHERE seq = old.seq;
        END;

        -- One row per call counted by a limit; a window's usage is a range count.
        CREATE TABLE limit_events (
          id  INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          at  INTEGER NOT NULL
        );
        CREATE INDEX limit_events_key_at ON limit_events(key, at);
        CREATE INDEX limit_events_at ON limit_events(at);

        CREATE TABLE grants (
          id             TEXT PRIMARY KEY,
          server         TEXT NOT NULL,
          tool           TEXT NOT NULL,
          args_hash      TEXT,
          client         TEXT,
          session_id     TEXT,
          scope          TEXT NOT NULL CHECK (scope IN ('session', 'always')),
          effect         TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
          policy_version TEXT NOT NULL,
          created_at     INTEGER NOT NULL,
          expires_at     INTEGER
        );
        CREATE INDEX grants_server_tool ON grants(server, tool);
        CREATE INDEX grants_session ON grants(session_id) WHERE session_id IS NOT NULL;

        CREATE TABLE tool_pins (
          server             TEXT NOT NULL,
          tool               TEXT NOT NULL,
          hash               TEXT NOT NULL,
          definition         TEXT NOT NULL,
          pinned_at          INTEGER NOT NULL,
          -- The differing definition last seen, kept until accepted so the UI can show a diff.
          changed_hash       TEXT,
          changed_definition TEXT,
          changed_at         INTEGER,
          PRIMARY KEY (server, tool)
        ) WITHOUT ROWID;
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
