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
  {
    version: 2,
    description: 'covering filter indexes, exact counts per filter combination',
    up(db) {
      db.exec(`
        -- Each filter index also carries the other filter columns: when filters rarely occur
        -- together the range is read far, and checking the others in the index instead of
        -- the table took such a page from 400 ms to a few ms at a million calls
        -- (bench/history-bench.ts). seq is named so that it stays second, before the others.
        DROP INDEX calls_server;
        DROP INDEX calls_tool;
        DROP INDEX calls_decision;
        DROP INDEX calls_client;
        CREATE INDEX calls_server ON calls(server, seq, tool, client, decision);
        CREATE INDEX calls_tool ON calls(tool, seq, server, client, decision);
        CREATE INDEX calls_client ON calls(client, seq, server, tool, decision);
        CREATE INDEX calls_decision ON calls(decision, seq, server, tool, client);

        -- Exact number of calls per combination of the filterable columns (decision '' while
        -- undecided), kept by triggers in the same transaction as the rows. A page query
        -- reads it to pick the shortest index range (planner statistics are sampled and
        -- picked a range twice as long) and to answer "nothing matches" without reading
        -- calls; the UI reads it for its filter lists. A few hundred rows in practice.
        CREATE TABLE call_facets (
          server   TEXT NOT NULL,
          tool     TEXT NOT NULL,
          client   TEXT NOT NULL,
          decision TEXT NOT NULL,
          n        INTEGER NOT NULL,
          PRIMARY KEY (server, tool, client, decision)
        ) WITHOUT ROWID;
        INSERT INTO call_facets (server, tool, client, decision, n)
          SELECT server, tool, client, coalesce(decision, ''), count(*) FROM calls GROUP BY 1, 2, 3, 4;
        CREATE TRIGGER calls_facets_insert AFTER INSERT ON calls BEGIN
          INSERT INTO call_facets (server, tool, client, decision, n)
          VALUES (new.server, new.tool, new.client, coalesce(new.decision, ''), 1)
          ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER calls_facets_update AFTER UPDATE OF server, tool, client, decision ON calls
        WHEN old.server IS NOT new.server OR old.tool IS NOT new.tool OR old.client IS NOT new.client
          OR old.decision IS NOT new.decision BEGIN
          UPDATE call_facets SET n = n - 1
          WHERE server = old.server AND tool = old.tool AND client = old.client AND decision = coalesce(old.decision, '');
          INSERT INTO call_facets (server, tool, client, decision, n)
          VALUES (new.server, new.tool, new.client, coalesce(new.decision, ''), 1)
          ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER calls_facets_delete AFTER DELETE ON calls BEGIN
          UPDATE call_facets SET n = n - 1
          WHERE server = old.server AND tool = old.tool AND client = old.client AND decision = coalesce(old.decision, '');
        END;
      `);
    },
  },
  {
    version: 3,
    description: 'the arguments an agent sent before a person edited them; links between a call and its retry',
    up(db) {
      db.exec(`
        ALTER TABLE calls ADD COLUMN original_arguments TEXT;
        ALTER TABLE calls ADD COLUMN retry_of INTEGER;
        ALTER TABLE calls ADD COLUMN retried_by INTEGER;
        -- Approvals given after the agent was told to retry never ran themselves; they were
        -- recorded as plain approvals before this step, recognisable by their reason.
        UPDATE calls SET decision = 'approved_for_retry'
        WHERE decision = 'approved' AND reason = 'approved after the agent was told to retry; the retry runs the call';
      `);
    },
  },
  {
    version: 4,
    description: 'the protocol revision each call was made in',
    up(db) {
      db.exec(`ALTER TABLE calls ADD COLUMN protocol_version TEXT;`);
    },
  },
  {
    version: 5,
    description: 'retry passes are grants: scope retry, single use, naming the approval they come from',
    up(db) {
      // SQLite cannot change a CHECK constraint in place: the table is rebuilt.
      db.exec(`
        CREATE TABLE grants_new (
          id             TEXT PRIMARY KEY,
          server         TEXT NOT NULL,
          tool           TEXT NOT NULL,
          args_hash      TEXT,
          client         TEXT,
          session_id     TEXT,
          scope          TEXT NOT NULL CHECK (scope IN ('session', 'always', 'retry')),
          effect         TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
          policy_version TEXT NOT NULL,
          created_at     INTEGER NOT NULL,
          expires_at     INTEGER,
          history_id     TEXT,
          CHECK (scope <> 'retry' OR (client IS NOT NULL AND args_hash IS NOT NULL AND expires_at IS NOT NULL AND effect = 'allow'))
        );
        INSERT INTO grants_new (id, server, tool, args_hash, client, session_id, scope, effect, policy_version, created_at, expires_at)
          SELECT id, server, tool, args_hash, client, session_id, scope, effect, policy_version, created_at, expires_at FROM grants;
        DROP TABLE grants;
        ALTER TABLE grants_new RENAME TO grants;
        CREATE INDEX grants_server_tool ON grants(server, tool);
        CREATE INDEX grants_session ON grants(session_id) WHERE session_id IS NOT NULL;
      `);
    },
  },
  {
    version: 6,
    description: 'a journal of calls decided on arrival, folded into calls in batches',
    up(db) {
      // A call decided on arrival is recorded here first: a row in a table without indexes
      // or triggers is a small commit before the call is forwarded. Its ending is written
      // here too; both go into calls (and its indexes, facets and search queue) in batches.
      // The columns are those of calls, so a fold is one INSERT ... SELECT.
      db.exec(`
        CREATE TABLE call_journal (
          seq                INTEGER PRIMARY KEY,
          received_at        INTEGER NOT NULL,
          decided_at         INTEGER,
          completed_at       INTEGER,
          server             TEXT NOT NULL,
          tool               TEXT NOT NULL,
          client             TEXT NOT NULL,
          client_info        TEXT,
          session_id         TEXT NOT NULL,
          protocol_version   TEXT,
          arguments          TEXT NOT NULL,
          state              TEXT NOT NULL,
          decision           TEXT,
          decided_by         TEXT,
          reason             TEXT,
          user_message       TEXT,
          wait_ms            REAL,
          upstream_ms        REAL,
          result             TEXT,
          error              TEXT,
          original_arguments TEXT,
          retry_of           INTEGER,
          retried_by         INTEGER
        );
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
