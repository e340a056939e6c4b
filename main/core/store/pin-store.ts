/**
 * Tool pinning against rug pulls: a server can change a tool's description or schema after
 * the user started trusting it (the text the model reads is an attack surface). The first
 * definition seen is pinned by hash; a later different one is reported as changed, with both
 * definitions for a diff, until a person accepts it.
 */
import type { SQLOutputValue } from 'node:sqlite';
import { canonicalJson, hashJson } from './canonical-json.ts';
import type { Database } from './database.ts';

/** The parts of an MCP Tool that are pinned: what the model reads and what it may send. */
export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema?: unknown;
  annotations?: unknown;
}

export type PinCheck =
  | { status: 'new'; hash: string }
  | { status: 'same'; hash: string }
  | { status: 'changed'; hash: string; pinnedHash: string; pinned: ToolDefinition; current: ToolDefinition };

export interface Pin {
  server: string;
  tool: string;
  hash: string;
  definition: ToolDefinition;
  pinnedAt: number;
  /** The differing definition last seen, until accepted. */
  changed?: { hash: string; definition: ToolDefinition; seenAt: number };
}

/** Only the pinned fields: other fields (title, _meta, outputSchema) do not change the hash. */
export function pinnedDefinition(tool: ToolDefinition): ToolDefinition {
  const definition: ToolDefinition = { name: tool.name };
  if (tool.description !== undefined) definition.description = tool.description;
  if (tool.inputSchema !== undefined) definition.inputSchema = tool.inputSchema;
  if (tool.annotations !== undefined) definition.annotations = tool.annotations;
  return definition;
}

export function toolHash(tool: ToolDefinition): string {
  return hashJson(pinnedDefinition(tool));
}

type Row = Record<string, SQLOutputValue>;

function rowToPin(row: Row): Pin {
  const pin: Pin = {
    server: String(row.server),
    tool: String(row.tool),
    hash: String(row.hash),
    definition: JSON.parse(String(row.definition)) as ToolDefinition,
    pinnedAt: Number(row.pinned_at),
  };
  if (typeof row.changed_hash === 'string' && typeof row.changed_definition === 'string') {
    pin.changed = {
      hash: row.changed_hash,
      definition: JSON.parse(row.changed_definition) as ToolDefinition,
      seenAt: Number(row.changed_at),
    };
  }
  return pin;
}

export class PinStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Compares a tool as the server lists it now with its pin. First sight pins it ('new');
   * a difference is remembered for the UI and reported ('changed') until accepted; going
   * back to the pinned definition clears it ('same').
   */
  check(server: string, tool: ToolDefinition, now: number = Date.now()): PinCheck {
    const current = pinnedDefinition(tool);
    const hash = hashJson(current);
    const pin = this.get(server, tool.name);
    if (!pin) {
      this.#pin(server, current, hash, now);
      return { status: 'new', hash };
    }
    if (pin.hash === hash) {
      if (pin.changed) {
        this.#db
          .statement('UPDATE tool_pins SET changed_hash = NULL, changed_definition = NULL, changed_at = NULL WHERE server = ? AND tool = ?')
          .run(server, tool.name);
      }
      return { status: 'same', hash };
    }
    if (pin.changed?.hash !== hash) {
      this.#db
        .statement('UPDATE tool_pins SET changed_hash = ?, changed_definition = ?, changed_at = ? WHERE server = ? AND tool = ?')
        .run(hash, canonicalJson(current), Math.floor(now), server, tool.name);
    }
    return { status: 'changed', hash, pinnedHash: pin.hash, pinned: pin.definition, current };
  }

  /**
   * Trusts a new definition: the one given, or (by name) the changed one last seen.
   * Returns false when there is nothing to accept under that name.
   */
  accept(server: string, tool: string | ToolDefinition, now: number = Date.now()): boolean {
    if (typeof tool !== 'string') {
      const definition = pinnedDefinition(tool);
      this.#pin(server, definition, hashJson(definition), now);
      return true;
    }
    const { changes } = this.#db
      .statement(
        `UPDATE tool_pins SET hash = changed_hash, definition = changed_definition, pinned_at = ?,
           changed_hash = NULL, changed_definition = NULL, changed_at = NULL
         WHERE server = ? AND tool = ? AND changed_hash IS NOT NULL`,
      )
      .run(Math.floor(now), server, tool);
    return Number(changes) > 0;
  }

  get(server: string, tool: string): Pin | undefined {
    const row = this.#db.statement('SELECT * FROM tool_pins WHERE server = ? AND tool = ?').get(server, tool);
    return row ? rowToPin(row) : undefined;
  }

  /** Pins of one server or all, by server and tool name. */
  list(server?: string): Pin[] {
    return this.#db
      .statement('SELECT * FROM tool_pins WHERE ?1 IS NULL OR server = ?1 ORDER BY server, tool')
      .all(server ?? null)
      .map(rowToPin);
  }

  /** Forgets the pins of a tool, or of a whole server (removed from the config). */
  forget(server: string, tool?: string): number {
    const { changes } = this.#db
      .statement('DELETE FROM tool_pins WHERE server = ?1 AND (?2 IS NULL OR tool = ?2)')
      .run(server, tool ?? null);
    return Number(changes);
  }

  #pin(server: string, definition: ToolDefinition, hash: string, now: number): void {
    this.#db
      .statement(
        `INSERT INTO tool_pins (server, tool, hash, definition, pinned_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (server, tool) DO UPDATE SET hash = excluded.hash, definition = excluded.definition,
           pinned_at = excluded.pinned_at, changed_hash = NULL, changed_definition = NULL, changed_at = NULL`,
      )
      .run(server, definition.name, hash, canonicalJson(definition), Math.floor(now));
  }
}
