/**
 * Remembered decisions: every way Airlock remembers a person's decision is a grant with a
 * scope, an optional caller, an optional arguments digest and an optional expiry.
 *
 * - `session`: "allow / deny this tool for this session" (this caller, this session).
 * - `always`: "always allow / deny", for this caller (and these exact arguments), or for
 *   every caller when chosen explicitly. Tied to the policy version it was made under: when
 *   the policy changes, old grants stop matching, so an edit to policy.json is never
 *   silently overridden by an earlier click.
 * - `retry`: a retry pass, a person's approval of one call the agent was told to retry (or
 *   that timed out): single use (consumed by the call it lets through), always bound to the
 *   caller, server, tool and arguments digest, and short-lived. Passes belong to the run that
 *   gave them (dropped at start) and never show in the Remembered list.
 */
import { randomUUID } from 'node:crypto';
import type { SQLOutputValue } from 'node:sqlite';
import type { Database } from './database.ts';

export type GrantScope = 'session' | 'always' | 'retry';
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
  /** For a retry pass: the history entry of the approval it comes from. */
  historyId?: string;
}

/** A retry pass: one call, by one caller, with these exact arguments, before it expires. */
export interface NewRetryPass {
  server: string;
  tool: string;
  client: string;
  argsHash: string;
  expiresAt: number;
  historyId: string;
  createdAt?: number;
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
  if (typeof row.history_id === 'string') grant.historyId = row.history_id;
  return grant;
}

export class GrantStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  add(input: NewGrant): Grant {
    if (input.scope === 'session' && !input.sessionId) throw new Error('a session grant needs a sessionId');
    if (input.scope === 'retry' && (!input.client || !input.argsHash || input.expiresAt === undefined || input.effect !== 'allow')) {
      throw new Error('a retry pass allows one caller one call with known arguments until it expires');
    }
    const grant: Grant = { ...input, id: randomUUID(), createdAt: input.createdAt ?? Date.now() };
    this.#db
      .statement(
        `INSERT INTO grants (id, server, tool, args_hash, client, session_id, scope, effect, policy_version, created_at, expires_at, history_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        grant.historyId ?? null,
      );
    return grant;
  }

  /** Opens a retry pass (see the file comment); it lets exactly one identical call through. */
  addRetryPass(pass: NewRetryPass): Grant {
    // A pass is about one approved call, not about a policy: the policy still decides the
    // retry first (a tool denied since is refused), so it is not tied to a policy version.
    return this.add({ ...pass, scope: 'retry', effect: 'allow', policyVersion: '' });
  }

  /** The unexpired retry pass for exactly this caller, server, tool and arguments, if any. */
  findRetryPass(call: Pick<GrantLookup, 'server' | 'tool' | 'client' | 'argsHash' | 'now'>): Grant | undefined {
    if (call.argsHash === undefined) return undefined;
    const row = this.#db
      .statement(
        `SELECT * FROM grants
         WHERE scope = 'retry' AND server = ? AND tool = ? AND client = ? AND args_hash = ? AND expires_at > ?
         ORDER BY created_at
         LIMIT 1`,
      )
      .get(call.server, call.tool, call.client, call.argsHash, call.now ?? Date.now());
    return row ? rowToGrant(row) : undefined;
  }

  /** Uses up a retry pass; false when it was used already (or never existed). */
  consume(id: string): boolean {
    return Number(this.#db.statement("DELETE FROM grants WHERE id = ? AND scope = 'retry'").run(id).changes) > 0;
  }

  /** Drops the retry passes for this exact call (it ran by another way). */
  revokeRetryPasses(call: Pick<GrantLookup, 'server' | 'tool' | 'client' | 'argsHash'>): number {
    if (call.argsHash === undefined) return 0;
    return Number(
      this.#db
        .statement("DELETE FROM grants WHERE scope = 'retry' AND server = ? AND tool = ? AND client = ? AND args_hash = ?")
        .run(call.server, call.tool, call.client, call.argsHash).changes,
    );
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

  /** Grants, newest first (retry passes are not listed: they are not remembered choices). */
  list(filter: GrantListFilter = {}): Grant[] {
    const now = filter.now ?? Date.now();
    const rows = this.#db
      .statement(
        `SELECT * FROM grants
         WHERE scope <> 'retry' AND (?1 IS NULL OR server = ?1) AND (?2 IS NULL OR tool = ?2) AND (?3 IS NULL OR session_id = ?3)
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
         WHERE scope <> 'retry' AND server = ? AND tool = ? AND policy_version = ?
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

  /**
   * Drops every session grant and retry pass: at start, no session of an earlier run can
   * come back, and a pass belongs to the run whose missed list or early answer offered it.
   */
  revokeAllSessions(): number {
    return Number(this.#db.statement("DELETE FROM grants WHERE scope IN ('session', 'retry')").run().changes);
  }

  pruneExpired(now: number = Date.now()): number {
    return Number(this.#db.statement('DELETE FROM grants WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now).changes);
  }
}
