/**
 * `/mcp/<server>`: the Streamable HTTP endpoint agents connect to, serving both protocol
 * eras on the same URL, per request, as the spec's dual-era server does. Authentication
 * and origin checks happened before.
 *
 * - 2025-era traffic (`initialize`, `Mcp-Session-Id`, GET stream, DELETE) is served by one
 *   LegacySession per MCP session. A session belongs to the token that created it.
 * - 2026-07-28 traffic (the `_meta` envelope, `server/discover`, routing headers,
 *   `subscriptions/listen`) is served by the SDK's per-request handler, one per upstream,
 *   with a proxy Server built for each request.
 *
 * The split is the SDK's own classification (`isLegacyRequest`), so it never disagrees
 * with the SDK's modern handler about which requests are its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  isInitializeRequest,
  isJSONRPCRequest,
  isLegacyRequest,
  PROTOCOL_VERSION_META_KEY,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import type { Upstream } from '../upstream/upstream.ts';
import { CallRounds } from './call-rounds.ts';
import { classificationRequest, fastNodeHandler, plainRequest } from './fast-path.ts';
import { forwardableServerCapabilities } from './forwarding.ts';
import { LegacySession } from './legacy-session.ts';
import { ProxyServer } from './proxy-server.ts';
import { createSignInGate, type SignInGate } from './sign-in-gate.ts';
import { callerOf, type ProxyHooks } from './tool-call.ts';

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Whether any message of the body carries the 2026 `_meta` protocol-version claim. */
function claimsEnvelope(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
    return meta !== undefined && typeof meta[PROTOCOL_VERSION_META_KEY] === 'string';
  });
}

function requestIds(body: unknown): (string | number)[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => isJSONRPCRequest(m)).map((m) => m.id);
}

interface ModernHandler {
  handler: McpHttpHandler;
  node: (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;
}

export interface McpEndpointOptions {
  upstreams: (name: string) => Upstream | undefined;
  hooks: () => ProxyHooks;
  /** Seconds a modern call waits for a person before the client is told to retry. */
  earlyAnswerSeconds: () => number;
  /** Seconds a suspended modern call waits for the client's retry. */
  retryGraceSeconds: () => number;
  maxBodyBytes: number;
  /** Minutes after which an unused legacy session is ended. */
  sessionIdleMinutes: () => number;
}

export class McpEndpoint {
  private readonly sessions = new Map<string, LegacySession>();
  private readonly modern = new Map<string, ModernHandler>();
  private readonly gates = new Map<string, SignInGate>();
  private readonly options: McpEndpointOptions;
  readonly rounds: CallRounds;

  private readonly idleTimer: NodeJS.Timeout;

  constructor(options: McpEndpointOptions) {
    this.options = options;
    this.rounds = new CallRounds({ earlyAnswerSeconds: options.earlyAnswerSeconds, retryGraceSeconds: options.retryGraceSeconds });
    // Abandoned sessions would keep their upstream processes forever (tens of MB each).
    const idleMs = options.sessionIdleMinutes() * 60_000;
    this.idleTimer = setInterval(() => this.expireIdle(), Math.max(250, Math.min(60_000, idleMs / 4)));
    this.idleTimer.unref();
  }

  /** Ends legacy sessions unused for `sessionIdleMinutes` that have nothing in flight. */
  private expireIdle(): void {
    const cutoff = Date.now() - this.options.sessionIdleMinutes() * 60_000;
    for (const [id, session] of this.sessions) {
      if (session.lastUsed < cutoff && !session.busy) {
        this.sessions.delete(id);
        void session.close();
      }
    }
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async handle(req: IncomingMessage, res: ServerResponse, server: string, body: unknown, tokenName: string | undefined): Promise<void> {
    const upstream = this.options.upstreams(server);
    if (!upstream) return jsonRpcError(res, 404, -32001, `Unknown server "${server}": it is not in Airlock's config.json`);
    // A server that needs sign-in is answered by Airlock alone; a session opened before keeps its own answers.
    if (upstream.needsSignIn && !this.sessions.has(String(req.headers['mcp-session-id']))) return this.signInGate(server).node(req, res, body);
    if (await this.isLegacy(req, body)) return this.handleLegacy(req, res, server, upstream, body, tokenName);
    // The SDK handler reads the caller from authInfo; the token, not the request, says who it is.
    (req as IncomingMessage & { auth?: unknown }).auth = { token: '', clientId: callerOf(tokenName).id, scopes: [], extra: { tokenName } };
    await this.modernHandler(server, upstream).node(req, res, body);
  }

  /**
   * The SDK's classification, with two shortcuts on the hot paths, so the usual call is
   * classified once (the SDK's handler classifies what it serves again):
   * - a request in an open 2025 session (it names the session, and its body claims no 2026
   *   envelope) is legacy;
   * - a POST of one plain request other than `initialize` whose envelope claims a revision
   *   is never legacy for the SDK (it is modern, or a rejection its modern handler answers).
   */
  private async isLegacy(req: IncomingMessage, body: unknown): Promise<boolean> {
    if (req.headers['mcp-session-id'] !== undefined && !claimsEnvelope(body)) return true;
    if (req.method === 'POST' && plainRequest(body) && body.method !== 'initialize' && claimsEnvelope(body)) return false;
    return isLegacyRequest(body === undefined ? await toWebRequest(req, body) : classificationRequest(req), body);
  }

  private async handleLegacy(
    req: IncomingMessage,
    res: ServerResponse,
    server: string,
    upstream: Upstream,
    body: unknown,
    tokenName: string | undefined,
  ): Promise<void> {
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    if (sessionId) {
      const live = this.sessions.get(sessionId);
      // A session belongs to the token that created it: another token cannot use or end it.
      if (!live || live.server !== server || live.tokenName !== tokenName) return jsonRpcError(res, 404, -32001, 'Session not found');
      return this.dispatch(live, req, res, body);
    }
    const first = Array.isArray(body) ? body[0] : body;
    if (req.method !== 'POST' || !isInitializeRequest(first)) {
      return jsonRpcError(res, 400, -32000, 'Bad Request: no valid session id (start with initialize)');
    }
    let session: LegacySession;
    try {
      session = await LegacySession.open(
        { server, upstream, hooks: this.options.hooks(), ...(tokenName && { tokenName }), onClose: (s) => this.sessions.delete(s.sessionId) },
        first.params,
      );
    } catch (err) {
      return jsonRpcError(res, 502, -32603, `[Airlock] upstream server "${server}" is not available: ${(err as Error).message}`);
    }
    await this.dispatch(session, req, res, body);
    if (session.sessionId) {
      this.sessions.set(session.sessionId, session);
      session.opened();
    } else {
      await session.close();
    }
  }

  private async dispatch(live: LegacySession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method === 'POST') {
      const ids = requestIds(body);
      if (ids.length) {
        // A client that drops the connection mid-call gives up on the call: cancel upstream.
        res.once('close', () => {
          if (!res.writableFinished) live.abortRequests(ids, 'client disconnected');
        });
      }
    }
    await live.handle(req, res, body);
  }

  private modernHandler(server: string, upstream: Upstream): ModernHandler {
    let entry = this.modern.get(server);
    if (entry) return entry;
    const handler = createMcpHandler(
      async ({ authInfo }) => {
        const profile = await upstream.ready();
        const caller = callerOf((authInfo?.extra as { tokenName?: string } | undefined)?.tokenName);
        return new ProxyServer({
          server,
          era: 'modern',
          capabilities: forwardableServerCapabilities(profile.capabilities),
          serverInfo: profile.serverInfo,
          ...(profile.instructions !== undefined && { instructions: profile.instructions }),
          route: {
            connection: () => upstream.pool.sharedConnection(),
            callConnection: async (capabilities) =>
              upstream.pool.needsLease(capabilities)
                ? upstream.pool.lease(capabilities)
                : { conn: await upstream.pool.sharedConnection(), release: () => undefined },
          },
          hooks: this.options.hooks(),
          caller: () => caller,
          rounds: this.rounds,
        }).server;
      },
      { legacy: 'reject', maxRequestBodySize: this.options.maxBodyBytes },
    );
    // List changes the catalog sees reach every open subscriptions/listen stream.
    upstream.on('listChanged', (list) => {
      if (list === 'tools') handler.notify.toolsChanged();
      else if (list === 'prompts') handler.notify.promptsChanged();
      else handler.notify.resourcesChanged();
    });
    entry = { handler, node: fastNodeHandler(handler) };
    this.modern.set(server, entry);
    return entry;
  }

  private signInGate(server: string): SignInGate {
    let gate = this.gates.get(server);
    if (!gate) this.gates.set(server, (gate = createSignInGate(server, this.options.maxBodyBytes)));
    return gate;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.idleTimer);
    this.rounds.closeAll();
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled([
      ...all.map((s) => s.close()),
      ...[...this.modern.values(), ...this.gates.values()].map((m) => m.handler.close()),
    ]);
    this.gates.clear();
    this.modern.clear();
  }
}
