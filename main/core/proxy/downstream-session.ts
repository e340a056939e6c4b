/**
 * One MCP session of one agent with one upstream server, seen from the agent's side.
 *
 * It is an SDK `Protocol` endpoint (not an SDK `Server`): a Server answers `initialize`
 * from capabilities fixed at construction and checks every message against them, while
 * a proxy only learns its capabilities from the upstream, after the client's initialize.
 * Everything except `initialize` and `tools/call` is forwarded as-is in both directions.
 */
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ElicitResultSchema,
  ErrorCode,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ProgressNotificationSchema,
  ResultSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  type InitializeRequest,
  type InitializeResult,
  type JSONRPCRequest,
  type ListToolsResult,
  type Notification,
  type Progress,
  type Request,
  type RequestId,
  type Result,
} from '@modelcontextprotocol/sdk/types.js';
import type { Upstream, UpstreamConnection } from '../upstream/upstream.ts';
import {
  NO_TIMEOUT_MS,
  forwardableClientCapabilities,
  forwardableServerCapabilities,
  progressNotification,
  progressTokenOf,
  relayError,
  type ProgressToken,
} from './forwarding.ts';
import { accessHookFor, type ClientIdentity, type ProxyHooks, type ToolCall } from './tool-call.ts';

type Extra = RequestHandlerExtra<Request, Notification>;

const PROGRESS_GAP_MS = 10;

export function proxyError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export interface DownstreamSessionOptions {
  server: string;
  upstream: Upstream;
  hooks: ProxyHooks;
  /** The name of the client token used, when named client tokens are configured. */
  tokenName?: string;
}

export class DownstreamSession extends Protocol<Request, Notification, Result> {
  readonly server: string;
  sessionId = '';
  client: ClientIdentity = { id: 'unknown' };
  private clientCapabilities: ClientCapabilities | undefined;
  private readonly upstream: Upstream;
  private readonly hooks: ProxyHooks;
  private readonly tokenName: string | undefined;
  private conn: UpstreamConnection | undefined;
  private upstreamGone: string | undefined;
  private ended = false;
  /** In-flight client requests, in arrival order, with a controller we can abort ourselves. */
  private readonly inflight = new Map<RequestId, AbortController>();
  /** Progress tokens of forwarded requests in flight → where their progress goes. */
  private readonly progressRoutes = new Map<ProgressToken, (progress: Progress) => void>();

  constructor(options: DownstreamSessionOptions) {
    super();
    this.server = options.server;
    this.upstream = options.upstream;
    this.hooks = options.hooks;
    this.tokenName = options.tokenName;
    this.setRequestHandler(InitializeRequestSchema, (request) => this.initialize(request));
    this.fallbackRequestHandler = (request, extra) => this.onClientRequest(request, extra);
    this.fallbackNotificationHandler = (notification) => this.onClientNotification(notification);
    this.onclose = () => this.end();
  }

  // Capabilities are the upstream's, negotiated end to end; the proxy does not re-check them.
  protected assertCapabilityForMethod(): void {}
  protected assertNotificationCapability(): void {}
  protected assertRequestHandlerCapability(): void {}
  protected assertTaskCapability(): void {}
  protected assertTaskHandlerCapability(): void {}

  /** Cancels in-flight requests, e.g. when the HTTP connection that carried them dropped. */
  abortRequests(ids: RequestId[], reason: string): void {
    for (const id of ids) this.inflight.get(id)?.abort(new Error(reason));
  }

  private async initialize(request: InitializeRequest): Promise<InitializeResult> {
    const { clientInfo, capabilities, protocolVersion } = request.params;
    if (this.conn) throw proxyError(ErrorCode.InvalidRequest, 'session already initialized');
    this.client = { id: this.tokenName ?? clientInfo.name, info: clientInfo, ...(this.tokenName && { tokenName: this.tokenName }) };
    this.clientCapabilities = capabilities;
    let conn: UpstreamConnection;
    try {
      conn = await this.upstream.connectSession(clientInfo, forwardableClientCapabilities(capabilities));
    } catch (err) {
      throw proxyError(ErrorCode.InternalError, `[Airlock] upstream server "${this.server}" is not available: ${(err as Error).message}`);
    }
    if (this.ended) {
      await conn.close();
      throw proxyError(ErrorCode.ConnectionClosed, 'session closed');
    }
    this.conn = conn;
    this.wireUpstream(conn);
    this.hooks.onSession?.('open', this.server, this.sessionId, this.client);
    const upstreamInfo = conn.client.getServerVersion();
    const instructions = conn.client.getInstructions();
    return {
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(protocolVersion) ? protocolVersion : LATEST_PROTOCOL_VERSION,
      capabilities: forwardableServerCapabilities(conn.client.getServerCapabilities()),
      serverInfo: upstreamInfo ?? { name: this.server, version: '0' },
      ...(instructions !== undefined && { instructions }),
    };
  }

  /** Server→client traffic: requests (sampling, elicitation, roots) and notifications. */
  private wireUpstream(conn: UpstreamConnection): void {
    const upstream = conn.client;
    const onUpstreamCrash = conn.onUnexpectedClose;
    conn.onUnexpectedClose = (reason) => {
      this.upstreamGone = reason;
      onUpstreamCrash?.(reason);
      // Let the error answers of in-flight requests go out, then end the session so the
      // client starts a new one (which reaches the restarted server).
      setTimeout(() => void this.close(), 100);
    };
    upstream.setNotificationHandler(ProgressNotificationSchema, (notification) => {
      const { progressToken, ...progress } = notification.params;
      this.progressRoutes.get(progressToken)?.(progress);
    });
    upstream.fallbackRequestHandler = async (request, extra) => {
      const token = progressTokenOf(request.params);
      try {
        return await this.request({ method: request.method, params: request.params }, ResultSchema, {
          signal: extra.signal,
          timeout: NO_TIMEOUT_MS,
          relatedRequestId: this.latestInflight(),
          ...(token !== undefined && {
            onprogress: (progress) => void upstream.notification(progressNotification(token, progress)).catch(() => undefined),
          }),
        });
      } catch (err) {
        return relayError(err, () => `[Airlock] the client of this session went away`);
      }
    };
    upstream.fallbackNotificationHandler = async (notification) => {
      await this.notification(notification, { relatedRequestId: this.latestInflight() }).catch(() => undefined);
    };
  }

  private async onClientNotification(notification: Notification): Promise<void> {
    // The proxy completed its own handshake upstream; the client's `initialized` is ours.
    if (notification.method === 'notifications/initialized' || !this.conn) return;
    await this.conn.client.notification(notification).catch(() => undefined);
  }

  private async onClientRequest(request: JSONRPCRequest, extra: Extra): Promise<Result> {
    if (!this.conn) throw proxyError(ErrorCode.InvalidRequest, 'session not initialized');
    const controller = new AbortController();
    const onAbort = () => controller.abort(extra.signal.reason);
    extra.signal.addEventListener('abort', onAbort, { once: true });
    this.inflight.set(extra.requestId, controller);
    try {
      if (request.method === 'tools/call') return await this.callTool(request, extra, controller.signal);
      const access = accessHookFor(this.hooks, request, { server: this.server, client: this.client, sessionId: this.sessionId, signal: controller.signal });
      if (access) return await access(() => this.forward(request.method, request.params, extra, controller.signal));
      const result = await this.forward(request.method, request.params, extra, controller.signal);
      if (request.method === 'tools/list') {
        const list = result as ListToolsResult;
        return { ...list, tools: this.hooks.filterTools(this.server, list.tools ?? [], this.client) };
      }
      return result;
    } finally {
      extra.signal.removeEventListener('abort', onAbort);
      this.inflight.delete(extra.requestId);
    }
  }

  private callTool(request: JSONRPCRequest, extra: Extra, signal: AbortSignal): Promise<CallToolResult> {
    const params = (request.params ?? {}) as { name?: unknown; arguments?: Record<string, unknown> };
    if (typeof params.name !== 'string') throw proxyError(ErrorCode.InvalidParams, 'tools/call needs a tool name');
    const token = progressTokenOf(params);
    const call: ToolCall = {
      server: this.server,
      tool: params.name,
      arguments: params.arguments ?? {},
      client: this.client,
      sessionId: this.sessionId,
      requestId: extra.requestId,
      receivedAt: Date.now(),
      signal,
      wantsProgress: token !== undefined,
      ...(this.clientCapabilities?.elicitation && {
        elicit: (message: string, requestedSchema: ElicitRequestFormParams['requestedSchema']) =>
          this.request({ method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } }, ElicitResultSchema, {
            signal,
            relatedRequestId: extra.requestId,
            timeout: NO_TIMEOUT_MS,
          }),
      }),
      sendProgress: async (progress, total, message) => {
        if (token === undefined) return;
        await this.notification(progressNotification(token, { progress, ...(total !== undefined && { total }), ...(message && { message }) }), {
          relatedRequestId: extra.requestId,
        }).catch(() => undefined);
      },
    };
    return this.hooks.onToolCall(call, async (args) => {
      signal.throwIfAborted();
      return (await this.forward('tools/call', { ...params, arguments: args }, extra, signal)) as CallToolResult;
    });
  }

  private async forward(method: string, params: Request['params'], extra: Extra, signal: AbortSignal): Promise<Result> {
    const conn = this.conn;
    if (!conn) throw proxyError(ErrorCode.InvalidRequest, 'session not initialized');
    const token = progressTokenOf(params);
    // The client's own progress token goes upstream unchanged (each session has its own
    // upstream connection, so tokens cannot collide) and progress is relayed in order and
    // before the result: a client drops progress that arrives after its response.
    let progressSent: Promise<unknown> = Promise.resolve();
    let lastProgressAt = 0;
    if (token !== undefined) {
      this.progressRoutes.set(token, (progress) => {
        lastProgressAt = Date.now();
        progressSent = progressSent.then(() =>
          this.notification(progressNotification(token, progress), { relatedRequestId: extra.requestId }).catch(() => undefined),
        );
      });
    }
    try {
      const result = await conn.client.request({ method, params }, ResultSchema, { signal, timeout: NO_TIMEOUT_MS });
      await progressSent;
      // SDK clients handle a notification a microtask after a response read in the same
      // chunk, and drop progress that comes after its response: keep the two apart.
      if (Date.now() - lastProgressAt < PROGRESS_GAP_MS) await new Promise((resolve) => setTimeout(resolve, PROGRESS_GAP_MS));
      return result;
    } catch (err) {
      return relayError(err, () => `[Airlock] upstream server "${this.server}" stopped while handling ${method}: ${this.upstreamGone ?? 'connection closed'}`);
    } finally {
      if (token !== undefined) this.progressRoutes.delete(token);
    }
  }

  private latestInflight(): RequestId | undefined {
    let last: RequestId | undefined;
    for (const id of this.inflight.keys()) last = id;
    return last;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const controller of this.inflight.values()) controller.abort(new Error('session closed'));
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      void conn.close();
      this.hooks.onSession?.('close', this.server, this.sessionId, this.client);
    }
  }
}
