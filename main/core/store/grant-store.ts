/**
 * Remembered decisions ("allow this tool for this session", "always deny this"). A grant is
 * tied to the policy version it was made under: when the policy changes, old grants stop
 * matching, so an edit to policy.json is never silently overridden by an earlier click.
 */
import { randomUUID } from 'node:crypto';
import type { SQLOutputValue } from 'node:sqlite';
import type { Database } from './database.ts';

export type GrantScope = 'session' | 'always';
export type GrantEffect = 'allow' | 'deny';

export interface Grant {
  id: string;
  server: string;
  tool: string;
  /** Only calls with these exact arguments (hashJson of them); absent: any arguments. */
  argsHash?: string;
  /** Only this caller identity; absent: every caller (an explicit choice, never the default). */
  client?: string;
  /** Only this downstream session; required for scope 'session'. */
  sessionId?: string;
  scope: GrantScope;
  effect: GrantEffect;
  /** Hash of the policy the grant was made under. */
  policyVersion: string;
  createdAt: number;
  expiresAt?: number;
}

export type NewGrant = Omit<Grant, 'id' | 'createdAt'> & { createdAt?: number };

/** The call a grant is looked up for. */
export interface GrantLookup {
  server: string;
  tool: string;
  argsHash?: string;
  client: string;
  sessionId: string;
  policyVersion: string;
  now?: number;
}

export interface GrantListFilter {
  server?: string;
  tool?: string;
  sessionId?: string;
  /** Default false: expired grants are left out. */
  includeExpired?: boolean;
  now?: number;
}

type Row = Record<string, SQLOutputValue>;

function rowToGrant(row: Row): Grant {
  const grant: Grant = {
    id: String(row.id),
    server: String(row.server),
    tool: String(row.tool),
    scope: row.scope as GrantScope,
    effect: row.effect as GrantEffect,
    policyVersion: String(row.policy_version),
    createdAt: Number(row.created_at),
  };
  if (typeof row.args_hash === 'string') grant.argsHash = row.args_hash;
  if (typeof row.client === 'string') grant.client = row.client;
  if (typeof row.session_id === 'string') grant.sessionId = row.session_id;
  if (row.expires_at !== null && row.expires_at !== undefined) grant.expiresAt = Number(row.expires_at);
  return grant;
}

export class GrantStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  add(input: NewGrant): Grant {
    if (input.scope === 'session' && !input.sessionId) throw new Error('a session grant needs a sessionId');
    const grant: Grant = { ...input, id: randomUUID(), createdAt: input.createdAt ?? Date.now() };
    this.#db
      .statement(
        `INSERT INTO grants (id, server, tool, args_hash, client, session_id, scope, effect, policy_version, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        grant.id,
        grant.server,
        grant.tool,
        grant.argsHash ?? null,
        grant.client ?? null,
        grant.sessionId ?? null,
        grant.scope,
        grant.effect,
        grant.policyVersion,
        grant.createdAt,
        grant.expiresAt ?? null,
      );
    return grant;
  }

  /**
   * Adds a grant unless an identical one (same call constraints, scope, effect and policy
   * version, not expired) exists; returns the one in force. One decision can be reported
   * twice (a call and its retry waiting on the same approval), and must be listed once.
   */
  addOnce(input: NewGrant): Grant {
    const row = this.#db
      .statement(
        `SELECT * FROM grants
         WHERE server = ? AND tool = ? AND args_hash IS ? AND client IS ? AND session_id IS ? AND scope = ? AND effect = ? AND policy_version = ?
           AND (expires_at IS NULL OR expires_at > ?)
         LIMIT 1`,
      )
      .get(input.server, input.tool, input.argsHash ?? null, input.client ?? null, input.sessionId ?? null, input.scope, input.effect, input.policyVersion, Date.now());
    return row ? rowToGrant(row) : this.add(input);
  }

  /** Grants, newest first. */
  list(filter: GrantListFilter = {}): Grant[] {
    const now = filter.now ?? Date.now();
    const rows = this.#db
      .statement(
        `SELECT * FROM grants
         WHERE (?1 IS NULL OR server = ?1) AND (?2 IS NULL OR tool = ?2) AND (?3 IS NULL OR session_id = ?3)
           AND (?4 OR expires_at IS NULL OR expires_at > ?5)
         ORDER BY created_at DESC, id`,
      )
      .all(filter.server ?? null, filter.tool ?? null, filter.sessionId ?? null, filter.includeExpired ? 1 : 0, now);
    return rows.map(rowToGrant);
  }

  /**
   * The grant that applies to a call, if any: same server and tool, same policy version,
   * not expired, and its optional arguments/client/session constraints met. When both an
   * allow and a deny apply, the deny wins (fail closed); otherwise the newest.
   */
  findMatching(call: GrantLookup): Grant | undefined {
    const row = this.#db
      .statement(
        `SELECT * FROM grants
         WHERE server = ? AND tool = ? AND policy_version = ?
           AND (args_hash IS NULL OR args_hash = ?)
           AND (client IS NULL OR client = ?)
           AND (session_id IS NULL OR session_id = ?)
           AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY effect = 'deny' DESC, created_at DESC
         LIMIT 1`,
      )
      .get(call.server, call.tool, call.policyVersion, call.argsHash ?? null, call.client, call.sessionId, call.now ?? Date.now());
    return row ? rowToGrant(row) : undefined;
  }

  revoke(id: string): boolean {
    return Number(this.#db.statement('DELETE FROM grants WHERE id = ?').run(id).changes) > 0;
  }

  /** Drops the grants of a session that ended (they can never match again). */
  revokeSession(sessionId: string): number {
    return Number(this.#db.statement("DELETE FROM grants WHERE session_id = ? AND scope = 'session'").run(sessionId).changes);
  }

  /** Drops every session grant: at start, no session of an earlier run can come back. */
  revokeAllSessions(): number {
    return Number(this.#db.statement("DELETE FROM grants WHERE scope = 'session'").run().changes);
  }

  pruneExpired(now: number = Date.now()): number {
    return Number(this.#db.statement('DELETE FROM grants WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now).changes);
  }
}
