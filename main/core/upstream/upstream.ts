/**
 * One upstream MCP server from config.json.
 *
 * Each downstream session gets its own upstream connection (for stdio: its own process),
 * created after the client's initialize and declaring that client's capabilities, so
 * sampling, elicitation and roots reach the right client. Beside those, a "catalog"
 * connection stays open while Airlock runs: it gives the status shown to the user, the
 * tool list (for the UI, pinning and policy) without any agent connected, and is
 * restarted with backoff when the server crashes.
 */
import { EventEmitter } from 'node:events';
import type { WriteStream } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
  type Implementation,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { isStdioServer, remoteTransport, type ServerConfig, type UpstreamState } from '../../../shared/config.ts';
import type { SelfCommand } from './command-resolver.ts';
import { createUpstreamTransport, openServerLog, type TransportHandle } from './upstream-transport.ts';

export interface UpstreamStatus {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  state: UpstreamState;
  error?: string;
  since: number;
  restarts: number;
  serverInfo?: Implementation;
  tools: Tool[];
}

export interface UpstreamEvents {
  status: [UpstreamStatus];
  tools: [Tool[]];
}

export interface UpstreamOptions {
  self: SelfCommand;
  logDir: string;
  version: string;
  /** Milliseconds before the first restart; doubles per failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
}

/** A live connection to the upstream plus how to end it. */
export interface UpstreamConnection {
  client: Client;
  pid: number | undefined;
  close(): Promise<void>;
  /** Why the connection ended, when it ended on its own. */
  readonly closedReason: string | undefined;
  onUnexpectedClose?: (reason: string) => void;
}

const STABLE_AFTER_MS = 60_000;

export class Upstream extends EventEmitter<UpstreamEvents> {
  readonly name: string;
  readonly config: ServerConfig;
  private readonly options: UpstreamOptions;
  private readonly log: WriteStream;
  private readonly live = new Set<UpstreamConnection>();
  /** Connections being closed: a stdio server that ignores the end of its stdin takes seconds. */
  private readonly closing = new Set<Promise<void>>();
  private catalog: UpstreamConnection | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readyAt = 0;
  private stopped = false;
  private statusValue: UpstreamStatus;

  constructor(name: string, config: ServerConfig, options: UpstreamOptions) {
    super();
    this.name = name;
    this.config = config;
    this.options = options;
    this.log = openServerLog(options.logDir, name);
    this.statusValue = {
      name,
      transport: isStdioServer(config) ? 'stdio' : remoteTransport(config),
      state: 'stopped',
      since: Date.now(),
      restarts: 0,
      tools: [],
    };
  }

  get status(): UpstreamStatus {
    return this.statusValue;
  }

  /** Pids of every stdio process this upstream runs now (catalog and sessions). */
  pids(): number[] {
    return [...this.live].map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  start(): void {
    this.stopped = false;
    void this.startCatalog();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    // Closes already under way are awaited too, or their processes would outlive Airlock.
    await Promise.allSettled([...[...this.live].map((c) => c.close()), ...this.closing]);
    this.setStatus({ state: 'stopped', error: undefined });
    if (!this.log.writableEnded) await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** A new connection for one downstream session, declaring that client's capabilities. */
  async connectSession(clientInfo: Implementation, capabilities: ClientCapabilities): Promise<UpstreamConnection> {
    if (this.stopped) throw new Error(`upstream server "${this.name}" is stopped`);
    const conn = await this.open(clientInfo, capabilities);
    conn.onUnexpectedClose = (reason) => this.crashed(reason);
    return conn;
  }

  private async open(clientInfo: Implementation, capabilities: ClientCapabilities): Promise<UpstreamConnection> {
    let handle: TransportHandle;
    try {
      handle = createUpstreamTransport(this.name, this.config, { self: this.options.self, log: this.log });
    } catch (err) {
      throw new Error(`cannot start upstream server "${this.name}": ${(err as Error).message}`, { cause: err });
    }
    const client = new Client(clientInfo, { capabilities });
    let closing = false;
    let closedReason: string | undefined;
    const conn: UpstreamConnection = {
      client,
      pid: undefined,
      get closedReason() {
        return closedReason;
      },
      close: async () => {
        closing = true;
        this.live.delete(conn);
        const done = client.close().catch(() => undefined);
        this.closing.add(done);
        await done;
        this.closing.delete(done);
      },
    };
    client.onclose = () => {
      this.live.delete(conn);
      if (closing) return;
      const stderr = handle.lastStderr();
      closedReason = isStdioServer(this.config)
        ? `server process ${conn.pid ?? ''} exited${stderr ? `: ${stderr}` : ''}`.replace('  ', ' ')
        : 'connection closed by the server';
      this.note(closedReason);
      conn.onUnexpectedClose?.(closedReason);
    };
    client.onerror = (err) => this.note(err.message);
    this.live.add(conn);
    try {
      await client.connect(handle.transport, { timeout: this.options.connectTimeoutMs ?? 30_000 });
    } catch (err) {
      closing = true;
      this.live.delete(conn);
      await client.close().catch(() => undefined);
      const stderr = handle.lastStderr();
      throw new Error(`cannot connect to upstream server "${this.name}": ${(err as Error).message}${stderr ? ` (stderr: ${stderr})` : ''}`, {
        cause: err,
      });
    }
    conn.pid = handle.pid();
    return conn;
  }

  private async startCatalog(): Promise<void> {
    if (this.stopped) return;
    this.setStatus({ state: 'starting', error: undefined });
    try {
      const conn = await this.open({ name: 'airlock', version: this.options.version }, {});
      if (this.stopped) return void (await conn.close());
      this.catalog = conn;
      conn.onUnexpectedClose = (reason) => this.crashed(reason);
      const tools = await this.listTools(conn.client);
      conn.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
        const next = await this.listTools(conn.client).catch(() => undefined);
        if (next) {
          this.setStatus({ tools: next });
          this.emit('tools', next);
        }
      });
      this.readyAt = Date.now();
      this.setStatus({ state: 'ready', error: undefined, serverInfo: conn.client.getServerVersion(), tools });
      this.emit('tools', tools);
    } catch (err) {
      this.crashed((err as Error).message);
    }
  }

  private async listTools(client: Client): Promise<Tool[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** Any crash (catalog or a session's process) marks the server failed and restarts it. */
  private crashed(reason: string): void {
    if (this.stopped) return;
    if (this.readyAt && Date.now() - this.readyAt > STABLE_AFTER_MS) this.failures = 0;
    this.readyAt = 0;
    this.setStatus({ state: 'failed', error: reason });
    if (this.restartTimer) return;
    const old = this.catalog;
    this.catalog = undefined;
    void old?.close();
    const base = this.options.initialBackoffMs ?? 1000;
    const delay = Math.min(base * 2 ** this.failures, this.options.maxBackoffMs ?? 30_000);
    this.failures++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.statusValue.restarts++;
      void this.startCatalog();
    }, delay);
  }

  /** Airlock's own lines in the server's log, beside what the server writes to stderr. */
  private note(line: string): void {
    if (!this.log.writableEnded) this.log.write(`[airlock] ${new Date().toISOString()} ${line}\n`);
  }

  private setStatus(patch: Partial<UpstreamStatus>): void {
    const next = { ...this.statusValue, ...patch };
    if (patch.state && patch.state !== this.statusValue.state) next.since = Date.now();
    this.statusValue = next;
    this.emit('status', next);
  }
}
