/**
 * The MCP server an agent talks to: an SDK v2 `Server` that presents one upstream as its
 * own, in whichever era the agent speaks. The SDK's wire codecs translate between eras
 * (structured results, the `_meta` envelope, list shapes); this file decides where each
 * request goes and lets every tools/call pass the guard.
 *
 * - Legacy (2025-11-25) agents: one Server per session, on the session's own upstream
 *   connection (or, with `sessions: "shared"`, the pool's, leasing one for a call that may
 *   be asked something). Server→client requests from the upstream (or a modern upstream's
 *   `input_required`, which that connection fulfils) become real requests to the agent on
 *   the stream of the call they belong to.
 * - Modern (2026-07-28) agents: one Server per HTTP request, on pooled connections; a call
 *   that must wait or needs the agent's input spans rounds (call-rounds.ts).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  isInputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type CallToolRequest,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  type Implementation,
  type InputRequests,
  type ListToolsResult,
  type Progress,
  type Result,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/client';
import { LEGACY_PROTOCOL_VERSION, MODERN_PROTOCOL_VERSION, type ProtocolEra } from '../../../shared/config.ts';
import { hashJson } from '../store/canonical-json.ts';
import type { UpstreamConnection } from '../upstream/upstream.ts';
import type { Lease } from '../upstream/upstream-pool.ts';
import type { CallRounds, OpenCall } from './call-rounds.ts';
import { forwardableClientCapabilities, NO_TIMEOUT_MS, progressTokenOf, relayError, withoutProgressToken, type ProgressToken } from './forwarding.ts';
import type { ClientIdentity, ProxyHooks, ToolCall } from './tool-call.ts';
import { isSignInError, signInMessage, SignInRequiredError } from '../upstream/oauth/sign-in-errors.ts';

// SDK 1.x clients drop a progress notification read in the same chunk as its response.
const PROGRESS_GAP_MS = 20;
const MAX_UPSTREAM_ROUNDS = 16;

/** Where a request is forwarded: the legacy session's connection, or the pool. */
export interface ProxyRoute {
  connection(): Promise<UpstreamConnection>;
  /** The connection for one tools/call (a lease of its own where the upstream needs one). */
  callConnection(capabilities: ClientCapabilities): Promise<Lease>;
}

export interface ProxyServerOptions {
  server: string;
  era: ProtocolEra;
  capabilities: ServerCapabilities;
  serverInfo: Implementation;
  instructions?: string;
  route: ProxyRoute;
  hooks: ProxyHooks;
  /** Who is calling: from the token (and clientInfo for display). */
  caller: () => ClientIdentity;
  sessionId?: string;
  /** Modern only: the rounds of calls that outlive an exchange. */
  rounds?: CallRounds;
  /** The upstream went away: the message for requests it leaves unanswered. */
  goneReason?: () => string | undefined;
}

type UpstreamParams = Record<string, unknown>;

export class ProxyServer {
  readonly server: Server;
  private readonly options: ProxyServerOptions;
  /** Legacy: in-flight requests, so upstream requests go on the stream of their call, and Airlock can abort them. */
  private readonly inflight = new Map<ServerContext, AbortController>();
  private sessionId: string;
  /** When the last tracked (legacy) request ended: a session is idle from then on. */
  lastRequestEnd = 0;

  constructor(options: ProxyServerOptions) {
    this.options = options;
    this.sessionId = options.sessionId ?? '';
    this.server = new Server(options.serverInfo, {
      capabilities: options.capabilities,
      ...(options.instructions !== undefined && { instructions: options.instructions }),
    });
    this.register();
  }

  private register(): void {
    const { server } = this;
    const caps = this.options.capabilities;
    const plain = (method: string) => ((request: { params?: Record<string, unknown> }, ctx: ServerContext) => this.forward(method, request.params, ctx)) as never;
    if (caps.tools) {
      server.setRequestHandler('tools/list', async (request, ctx) => {
        const list = (await this.forward('tools/list', request.params, ctx)) as ListToolsResult;
        return { ...list, tools: this.options.hooks.filterTools(this.options.server, list.tools ?? [], this.options.caller()) };
      });
      server.setRequestHandler('tools/call', (request, ctx) => this.callTool(request, ctx));
    }
    if (caps.resources) {
      server.setRequestHandler('resources/list', plain('resources/list'));
      server.setRequestHandler('resources/templates/list', plain('resources/templates/list'));
      server.setRequestHandler('resources/read', (request, ctx) => this.access('resource', request.params.uri, {}, 'resources/read', request.params, ctx) as never);
      if (this.options.era === 'legacy' && caps.resources.subscribe) {
        server.setRequestHandler('resources/subscribe', plain('resources/subscribe') as never);
        server.setRequestHandler('resources/unsubscribe', plain('resources/unsubscribe') as never);
      }
    }
    if (caps.prompts) {
      server.setRequestHandler('prompts/list', plain('prompts/list'));
      server.setRequestHandler('prompts/get', (request, ctx) =>
        this.access('prompt', request.params.name, request.params.arguments ?? {}, 'prompts/get', request.params, ctx) as never,
      );
    }
    if (caps.completions) server.setRequestHandler('completion/complete', plain('completion/complete') as never);
    if (caps.logging && this.options.era === 'legacy') server.setRequestHandler('logging/setLevel', plain('logging/setLevel') as never);
  }

  /** resources/read and prompts/get pass the access hooks (policy `resources` / `prompts` rules). */
  private access(
    kind: 'resource' | 'prompt',
    target: string,
    args: Record<string, string>,
    method: string,
    params: Record<string, unknown>,
    ctx: ServerContext,
  ): Promise<Result> {
    const hooks = this.options.hooks;
    const hook = kind === 'resource' ? hooks.onResourceRead : hooks.onPromptGet;
    if (!hook) return this.forward(method, params, ctx);
    const caller = this.options.caller();
    return this.inRequest(ctx, (signal) =>
      hook.call(
        hooks,
        { kind, server: this.options.server, target, arguments: args, client: caller, sessionId: this.sessionFor(caller), receivedAt: Date.now(), signal },
        () => this.forward(method, params, ctx),
      ),
    );
  }

  private sessionFor(caller: ClientIdentity): string {
    // A modern agent has no session: session-scoped limits and grants apply per caller.
    return this.options.era === 'legacy' ? this.sessionId : `caller:${caller.id}`;
  }

  /** The agent's capabilities for this request: initialize-scoped (legacy) or per request (modern). */
  private clientCapabilities(ctx: ServerContext): ClientCapabilities {
    if (this.options.era === 'legacy') return this.server.getClientCapabilities() ?? {};
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? {};
  }

  clientInfo(ctx?: ServerContext): Implementation | undefined {
    if (this.options.era === 'legacy') return this.server.getClientVersion();
    const envelope = ctx?.mcpReq.envelope as Record<string, unknown> | undefined;
    return envelope?.[CLIENT_INFO_META_KEY] as Implementation | undefined;
  }

  protocolVersion(): string {
    return this.server.getNegotiatedProtocolVersion() ?? (this.options.era === 'modern' ? MODERN_PROTOCOL_VERSION : LEGACY_PROTOCOL_VERSION);
  }

  /** Params for the upstream: the agent's own `_meta` keys, without envelope or progress token. */
  private upstreamParams(params: Record<string, unknown> | undefined, ctx: ServerContext, conn: UpstreamConnection): UpstreamParams {
    const { _meta: _ignored, ...rest } = params ?? {};
    const meta: Record<string, unknown> = { ...withoutProgressToken(ctx.mcpReq._meta as Record<string, unknown> | undefined) };
    // A modern upstream reads the caller's capabilities from each request's envelope; the
    // pooled connection stands for many agents, so say this one's.
    if (conn.era === 'modern' && this.options.era === 'modern') {
      meta[CLIENT_CAPABILITIES_META_KEY] = forwardableClientCapabilities(this.clientCapabilities(ctx));
    }
    return { ...rest, ...(Object.keys(meta).length > 0 && { _meta: meta }) };
  }

  private forward(method: string, params: Record<string, unknown> | undefined, ctx: ServerContext): Promise<Result> {
    return this.inRequest(ctx, async (signal) => {
      const connection = await this.options.route.connection();
      return this.send(connection, method, this.upstreamParams(params, ctx, connection), ctx, signal);
    });
  }

  /**
   * Runs one agent request. Legacy requests are tracked: upstream requests ride on the
   * latest one's stream, and a dropped HTTP connection or the session's end aborts them.
   */
  private async inRequest<T>(ctx: ServerContext, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.options.era !== 'legacy') return run(ctx.mcpReq.signal);
    const controller = new AbortController();
    this.inflight.set(ctx, controller);
    try {
      return await run(AbortSignal.any([ctx.mcpReq.signal, controller.signal]));
    } finally {
      this.inflight.delete(ctx);
      this.lastRequestEnd = Date.now();
    }
  }

  setSessionId(id: string): void {
    this.sessionId = id;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Aborts in-flight legacy requests by JSON-RPC id (or all of them). */
  abort(ids: (string | number)[] | 'all', reason: string): void {
    for (const [ctx, controller] of this.inflight) {
      if (ids === 'all' || ids.includes(ctx.mcpReq.id)) controller.abort(new Error(reason));
    }
  }

  /**
   * Sends one request upstream. Progress comes back under Airlock's own token and is relayed
   * in order, before the result, with the agent's token: an agent drops progress that
   * arrives after its response.
   */
  private async send(
    conn: UpstreamConnection,
    method: string,
    params: UpstreamParams,
    ctx: ServerContext,
    signal: AbortSignal,
    options: { allowInputRequired?: boolean; progressTo?: () => ServerContext | undefined } = {},
  ): Promise<Result> {
    const token = progressTokenOf(ctx.mcpReq._meta);
    let progressSent: Promise<unknown> = Promise.resolve();
    let lastProgressAt = 0;
    const relay = (progress: Progress) => {
      const target = options.progressTo ? options.progressTo() : ctx;
      const targetToken = options.progressTo ? progressTokenOf(target?.mcpReq._meta) : token;
      if (!target || targetToken === undefined) return;
      lastProgressAt = Date.now();
      progressSent = progressSent.then(() => notifyProgress(target, targetToken, progress));
    };
    const route = token !== undefined || options.progressTo ? conn.progressRoute(relay) : undefined;
    const upstreamParams = route ? { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), progressToken: route.token } } : params;
    try {
      const result = await conn.client.request({ method, params: upstreamParams } as never, {
        signal,
        timeout: NO_TIMEOUT_MS,
        ...(options.allowInputRequired && { allowInputRequired: true }),
      });
      // The upstream's last progress may have been read in the same chunk as its result and be
      // handled a tick later: let it arrive, then relay it before the result.
      if (route) await new Promise((resolve) => setImmediate(resolve));
      await progressSent;
      if (Date.now() - lastProgressAt < PROGRESS_GAP_MS) await new Promise((resolve) => setTimeout(resolve, PROGRESS_GAP_MS));
      return result as Result;
    } catch (err) {
      // The server's sign-in was lost mid-way (a refused refresh, a revoked token): say what to do.
      if (isSignInError(err)) throw new SignInRequiredError(this.options.server);
      return relayError(err, () => `[Airlock] upstream server "${this.options.server}" stopped while handling ${method}: ${this.options.goneReason?.() ?? conn.closedReason ?? 'connection closed'}`);
    } finally {
      route?.done();
    }
  }

  /** The latest in-flight agent request: upstream requests and notifications ride on its stream. */
  latestInflight(): ServerContext | undefined {
    let last: ServerContext | undefined;
    for (const ctx of this.inflight.keys()) last = ctx;
    return last;
  }

  private callTool(request: CallToolRequest, ctx: ServerContext): Promise<CallToolResult> | Promise<never> {
    const params = request.params;
    // The SDK parsed the request with its tools/call schema before this handler.
    const args = params.arguments ?? {};
    const caller = this.options.caller();
    if (this.options.era === 'legacy') return this.inRequest(ctx, (signal) => this.legacyCall(params, args, caller, ctx, signal));
    const rounds = this.options.rounds!;
    const binding = { caller: caller.id, server: this.options.server, tool: params.name, argsDigest: hashJson(args) };
    const state = ctx.mcpReq.requestState<string>();
    if (typeof state === 'string') return rounds.resume(ctx, state, binding) as Promise<CallToolResult>;
    return rounds.start(ctx, binding, (open) => this.modernCall(params, args, caller, ctx, open)) as Promise<CallToolResult>;
  }

  private baseCall(name: string, args: Record<string, unknown>, caller: ClientIdentity, ctx: ServerContext, signal: AbortSignal) {
    const info = this.clientInfo(ctx);
    return {
      server: this.options.server,
      tool: name,
      arguments: args,
      client: { ...caller, ...(info && !caller.info && { info }) },
      requestId: ctx.mcpReq.id,
      receivedAt: Date.now(),
      era: this.options.era,
      protocolVersion: this.protocolVersion(),
      signal,
    };
  }

  private legacyCall(
    params: CallToolRequest['params'],
    args: Record<string, unknown>,
    caller: ClientIdentity,
    ctx: ServerContext,
    signal: AbortSignal,
  ): Promise<CallToolResult> {
    const token = progressTokenOf(ctx.mcpReq._meta);
    const caps = this.clientCapabilities(ctx);
    const call: ToolCall = {
      ...this.baseCall(params.name, args, caller, ctx, signal),
      sessionId: this.sessionId,
      wantsProgress: token !== undefined,
      sendProgress: async (progress, total, message) => {
        if (token !== undefined) await notifyProgress(ctx, token, { progress, ...(total !== undefined && { total }), ...(message && { message }) });
      },
      ...(caps.elicitation && {
        elicit: (message: string, requestedSchema: ElicitRequestFormParams['requestedSchema']) =>
          ctx.mcpReq.send({ method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } }, { signal, timeout: NO_TIMEOUT_MS }),
      }),
    };
    return this.options.hooks.onToolCall(call, async (forwardArgs) => {
      signal.throwIfAborted();
      const declared = forwardableClientCapabilities(caps);
      const lease = await this.options.route.callConnection(declared);
      // A connection leased to this call alone (a session on the shared connection): what the
      // server asks or reports on it during the call goes to this agent, on this call's stream.
      const undo = lease.forCall ? relayToAgent(lease.conn.client, declared, ctx) : () => undefined;
      try {
        const result = await this.send(lease.conn, 'tools/call', this.upstreamParams({ ...params, arguments: forwardArgs }, ctx, lease.conn), ctx, signal).catch(signInRefusal);
        return result as CallToolResult;
      } finally {
        undo();
        lease.release();
      }
    });
  }

  private modernCall(params: CallToolRequest['params'], args: Record<string, unknown>, caller: ClientIdentity, first: ServerContext, open: OpenCall): Promise<CallToolResult> {
    const token = progressTokenOf(first.mcpReq._meta);
    const caps = this.clientCapabilities(first);
    const call: ToolCall = {
      ...this.baseCall(params.name, args, caller, first, open.signal),
      sessionId: this.sessionFor(caller),
      wantsProgress: token !== undefined,
      sendProgress: async (progress, total, message) => {
        const target = open.exchange;
        const targetToken = progressTokenOf(target?.mcpReq._meta);
        if (target && targetToken !== undefined) {
          await notifyProgress(target, targetToken, { progress, ...(total !== undefined && { total }), ...(message && { message }) });
        }
      },
      waitingForPerson: (waiting) => open.waitingForPerson(waiting),
      reportsSend: true,
    };
    return this.options.hooks.onToolCall(call, async (forwardArgs, sending) => {
      // Run only while the agent is there to receive the result.
      await open.whenAttached();
      open.signal.throwIfAborted();
      sending?.();
      const lease = await this.options.route.callConnection(forwardableClientCapabilities(caps));
      const release = lease.conn.era === 'legacy' ? this.bridgeServerRequests(lease.conn.client, forwardableClientCapabilities(caps), open) : () => undefined;
      try {
        let upstreamParams = this.upstreamParams({ ...params, arguments: forwardArgs }, first, lease.conn);
        for (let round = 0; ; round++) {
          const result = await this.send(lease.conn, 'tools/call', upstreamParams, first, open.signal, {
            allowInputRequired: true,
            progressTo: () => open.exchange,
          }).catch(signInRefusal);
          if (!isInputRequiredResult(result)) return result as CallToolResult;
          if (round >= MAX_UPSTREAM_ROUNDS) throw new ProtocolError(ProtocolErrorCode.InternalError, `[Airlock] upstream server "${this.options.server}" asked for input more than ${MAX_UPSTREAM_ROUNDS} times`);
          // A modern upstream asks for the agent's input: pass its requests on, come back with the answers.
          const inputResponses = result.inputRequests ? await open.needInput(result.inputRequests as InputRequests) : undefined;
          upstreamParams = {
            ...upstreamParams,
            ...(inputResponses && { inputResponses }),
            ...(result.requestState !== undefined && { requestState: result.requestState }),
          };
        }
      } finally {
        release();
        lease.release();
      }
    });
  }

  /**
   * A legacy upstream asks mid-call (elicitation, sampling, roots) on a connection leased to
   * this one call: the request becomes an `input_required` round for the modern agent while
   * the upstream call stays parked here.
   */
  private bridgeServerRequests(client: Client, capabilities: ClientCapabilities, open: OpenCall): () => void {
    let next = 0;
    const ask = async (request: { method: string; params?: Record<string, unknown> }) => {
      const key = `airlock-${++next}`;
      const params = { ...(request.params ?? {}) };
      // The 2026 URL elicitation correlates through requestState, not elicitationId.
      if (request.method === 'elicitation/create') delete params.elicitationId;
      const responses = await open.needInput({ [key]: { method: request.method, params } } as unknown as InputRequests);
      return responses[key] as Result;
    };
    return onServerRequests(client, capabilities, ask);
  }
}

type ServerRequestMethod = 'elicitation/create' | 'sampling/createMessage' | 'roots/list';

/**
 * Routes the requests a server sends to its client (for the capabilities that client
 * declared; the SDK refuses a handler for an undeclared one). Returns the undo.
 */
export function onServerRequests(
  client: Client,
  capabilities: ClientCapabilities,
  handle: (request: { method: string; params?: Record<string, unknown> }) => Promise<Result>,
): () => void {
  const methods: ServerRequestMethod[] = [];
  if (capabilities.elicitation) methods.push('elicitation/create');
  if (capabilities.sampling) methods.push('sampling/createMessage');
  if (capabilities.roots) methods.push('roots/list');
  for (const method of methods) client.setRequestHandler(method, (request) => handle(request as never) as never);
  return () => {
    for (const method of methods) client.removeRequestHandler(method);
  };
}

/** A legacy agent's call on a connection of its own: the server's requests and notifications go to that call's stream. Returns the undo. */
function relayToAgent(client: Client, capabilities: ClientCapabilities, ctx: ServerContext): () => void {
  const undoRequests = onServerRequests(client, capabilities, (request) =>
    ctx.mcpReq.send({ method: request.method, params: request.params } as never, { signal: ctx.mcpReq.signal, timeout: NO_TIMEOUT_MS }) as Promise<Result>,
  );
  const previous = client.fallbackNotificationHandler;
  client.fallbackNotificationHandler = async (notification) => {
    // Progress comes through the call's own progress route (send).
    if (notification.method !== 'notifications/progress') await ctx.mcpReq.notify(notification as never).catch(() => undefined);
  };
  return () => {
    undoRequests();
    client.fallbackNotificationHandler = previous;
  };
}

/** A call that met a lost sign-in is answered as a refusal the model reads, like the policy's. */
function signInRefusal(err: unknown): CallToolResult {
  if (err instanceof SignInRequiredError) return { content: [{ type: 'text', text: signInMessage(err.server) }], isError: true };
  throw err;
}

function notifyProgress(ctx: ServerContext, token: ProgressToken, progress: Progress): Promise<void> {
  return ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken: token } }).catch(() => undefined);
}
