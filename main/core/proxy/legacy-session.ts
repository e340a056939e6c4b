/**
 * One 2025-era MCP session of one agent with one upstream server.
 *
 * By default the session has an upstream connection of its own (for stdio: its own
 * process), opened when the agent's `initialize` arrives and declaring that agent's
 * capabilities, so requests the server sends (elicitation, sampling, roots) go to the agent
 * that can answer them, on the stream of the call they belong to. A modern upstream's
 * `input_required` is fulfilled by that connection through the same requests, so the agent
 * sees the real requests either way.
 *
 * With `sessions: "shared"` in the server's entry, the session uses the pool's shared
 * connection instead, as modern requests do: a call from an agent that can answer
 * elicitation, sampling or roots leases a connection for that call, whose requests go to
 * the agent on that call's stream. Session-scoped state and notifications are not offered
 * (sharedSessionCapabilities).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { ClientCapabilities, InitializeRequest, Notification, Result } from '@modelcontextprotocol/server';
import type { Upstream, UpstreamConnection } from '../upstream/upstream.ts';
import { FastSessionTransport } from './fast-path.ts';
import { forwardableClientCapabilities, forwardableServerCapabilities, NO_TIMEOUT_MS, sharedSessionCapabilities } from './forwarding.ts';
import { onServerRequests, ProxyServer } from './proxy-server.ts';
import { callerOf, type ClientIdentity, type ProxyHooks } from './tool-call.ts';

/** Notifications an agent may send that mean something to the upstream. */
const FORWARDED_CLIENT_NOTIFICATIONS = ['notifications/roots/list_changed'] as const;

export interface LegacySessionOptions {
  server: string;
  upstream: Upstream;
  hooks: ProxyHooks;
  /** The name of the client token used, when named client tokens are configured. */
  tokenName?: string;
  onClose?: (session: LegacySession) => void;
}

export class LegacySession {
  readonly server: string;
  readonly tokenName: string | undefined;
  readonly client: ClientIdentity;
  readonly transport: FastSessionTransport;
  lastActivity = Date.now();
  private readonly proxy: ProxyServer;
  private readonly conn: UpstreamConnection;
  private readonly options: LegacySessionOptions;
  private readonly capabilities: ClientCapabilities;
  /** On the pool's shared connection (`sessions: "shared"`) rather than one of its own. */
  private readonly shared: boolean;
  private upstreamGone: string | undefined;
  private ended = false;

  private constructor(options: LegacySessionOptions, conn: UpstreamConnection, client: ClientIdentity, capabilities: ClientCapabilities, shared: boolean) {
    this.options = options;
    this.capabilities = capabilities;
    this.shared = shared;
    this.server = options.server;
    this.tokenName = options.tokenName;
    this.client = client;
    this.conn = conn;
    const info = conn.client.getServerVersion();
    const instructions = conn.client.getInstructions();
    const upstreamCaps = forwardableServerCapabilities(conn.client.getServerCapabilities());
    const pool = options.upstream.pool;
    this.proxy = new ProxyServer({
      server: options.server,
      era: 'legacy',
      capabilities: shared ? sharedSessionCapabilities(upstreamCaps) : upstreamCaps,
      serverInfo: info ?? { name: options.server, version: '0' },
      ...(instructions !== undefined && { instructions }),
      route: shared
        ? {
            connection: () => pool.sharedConnection(),
            callConnection: async (caps) => (pool.needsLease(caps) ? pool.lease(caps) : { conn: await pool.sharedConnection(), release: () => undefined }),
          }
        : {
            connection: async () => this.conn,
            callConnection: async () => ({ conn: this.conn, release: () => undefined }),
          },
      hooks: options.hooks,
      caller: () => this.client,
      goneReason: () => this.upstreamGone,
    });
    this.transport = new FastSessionTransport(
      new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessionclosed: () => void this.close(),
      }),
    );
    this.wire();
  }

  /** Opens the session's upstream connection for an `initialize` request. */
  static async open(options: LegacySessionOptions, initialize: InitializeRequest['params']): Promise<LegacySession> {
    const capabilities = forwardableClientCapabilities(initialize.capabilities);
    const shared = options.upstream.config.sessions === 'shared';
    const conn = shared ? await options.upstream.pool.sharedConnection() : await options.upstream.connectSession(initialize.clientInfo, capabilities);
    // The caller is the token; the name the agent gives itself is only shown beside it.
    const client = callerOf(options.tokenName, initialize.clientInfo);
    const session = new LegacySession(options, conn, client, capabilities, shared);
    await session.proxy.server.connect(session.transport);
    return session;
  }

  get sessionId(): string {
    return this.transport.sessionId ?? '';
  }

  get protocolVersion(): string {
    return this.proxy.protocolVersion();
  }

  /** Session id is known once the transport answered initialize. */
  opened(): void {
    this.proxy.setSessionId(this.sessionId);
    this.options.hooks.onSession?.('open', this.server, this.sessionId, this.client);
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    this.lastActivity = Date.now();
    await this.transport.handleRequest(req, res, body);
  }

  /** Cancels in-flight requests, e.g. when the HTTP connection that carried them dropped. */
  abortRequests(ids: (string | number)[], reason: string): void {
    this.proxy.abort(ids, reason);
  }

  /** A request in flight (a call waiting for a person included) keeps the session alive. */
  get busy(): boolean {
    return this.proxy.inflightCount > 0;
  }

  /** The last time the agent sent something or a request of its ended. */
  get lastUsed(): number {
    return Math.max(this.lastActivity, this.proxy.lastRequestEnd);
  }

  private wire(): void {
    const upstream = this.conn.client;
    const server = this.proxy.server;
    server.onclose = () => void this.close();
    // The shared connection is the pool's: its crashes, requests and notifications are not this session's.
    if (this.shared) return;
    const onUpstreamCrash = this.conn.onUnexpectedClose;
    this.conn.onUnexpectedClose = (reason) => {
      this.upstreamGone = reason;
      onUpstreamCrash?.(reason);
      // Let the error answers of in-flight requests go out, then end the session so the
      // agent starts a new one (which reaches the restarted server).
      setTimeout(() => void this.close(), 100);
    };
    // Server→client requests go to the agent on the stream of the call in flight.
    const toAgent = async (request: { method: string; params?: Record<string, unknown> }): Promise<Result> => {
      const ctx = this.proxy.latestInflight();
      const message = { method: request.method, params: request.params } as never;
      if (ctx) return (await ctx.mcpReq.send(message, { signal: ctx.mcpReq.signal, timeout: NO_TIMEOUT_MS })) as Result;
      return (await server.request(message, { timeout: NO_TIMEOUT_MS })) as Result;
    };
    onServerRequests(upstream, this.capabilities, toAgent);
    upstream.fallbackNotificationHandler = async (notification: Notification) => {
      if (notification.method === 'notifications/progress') return;
      const ctx = this.proxy.latestInflight();
      if (ctx) await ctx.mcpReq.notify(notification).catch(() => undefined);
      else await server.notification(notification).catch(() => undefined);
    };
    for (const method of FORWARDED_CLIENT_NOTIFICATIONS) {
      server.setNotificationHandler(method, (notification) => void upstream.notification(notification).catch(() => undefined));
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.proxy.abort('all', 'session closed');
    if (!this.shared) await this.conn.close();
    await this.transport.close().catch(() => undefined);
    this.options.hooks.onSession?.('close', this.server, this.sessionId, this.client);
    this.options.onClose?.(this);
  }
}
