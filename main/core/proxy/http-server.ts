/**
 * The one local port: `/mcp/<server>` for agents, `/api/...` for UIs and scripts, `/` for
 * the web UI. Bound to 127.0.0.1 only. Every request passes the Host/Origin guard; then
 * each area checks its own token (the MCP token never opens `/api`, and vice versa).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerToken, classifyToken, type AuthTokens } from '../home/auth.ts';
import { sendMcpUnauthorized, isOAuthProbe, sendNotFound } from './http-answers.ts';
import { IDENTITY_PATH } from '../home/instance-proof.ts';
import { BodyTooLargeError, InvalidJsonError, checkRequestOrigin, isWellFormedPath, parseJsonBody, readBody } from './http-guard.ts';
import type { McpEndpoint } from './mcp-endpoint.ts';

export interface ApiHandler {
  (req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void>;
}

/**
 * What one socket may cost before it has shown a token. `requestTimeout: 0` (long approval
 * waits) would also switch off Node's header timeout, so thousands of silent sockets could
 * hold every file descriptor; these limits apply until a request is authenticated as one
 * that may wait (an MCP request, the event stream), which then waits as long as it needs.
 */
export interface HttpLimits {
  /** Time to send the request headers. */
  headersTimeoutMs: number;
  /** Silence allowed on a socket that is not an authenticated long request. */
  idleTimeoutMs: number;
  /** Time a keep-alive socket may wait for its next request. */
  keepAliveTimeoutMs: number;
  /** Open sockets at most; more are closed at once. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 512,
};

export interface HttpServerOptions {
  port: number;
  limits?: Partial<HttpLimits>;
  tokens: AuthTokens;
  maxBodyBytes: number;
  mcp: McpEndpoint;
  api: ApiHandler;
  ui: ApiHandler;
  onError?: (err: unknown) => void;
  /** Answers the identity challenge of `airlock connect` (home/instance-proof.ts): proofs for a nonce. */
  identity?: (nonce: string) => string[];
  /** The redirect of a sign-in to a remote server (no token: the browser brings its `state`). */
  oauthCallback?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  /** `POST /hooks/<client>`: a client's pre-tool hook (main/core/hooks/hook-endpoint.ts), with an MCP token. */
  hooks?: (req: IncomingMessage, res: ServerResponse, client: string, url: URL, tokenName: string | undefined) => Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function unauthorized(res: ServerResponse, area: string): void {
  res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="airlock-${area}"` });
  res.end(JSON.stringify({ error: 'unauthorized', message: `a valid ${area} token is required (Authorization: Bearer ...)` }));
}

export class HttpServer {
  private readonly server: Server;
  private readonly options: HttpServerOptions;
  private boundPort = 0;

  constructor(options: HttpServerOptions) {
    this.options = options;
    const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
    this.server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(30_000, limits.headersTimeoutMs) }, (req, res) => {
      this.route(req, res).catch((err) => {
        options.onError?.(err);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'internal error' });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    this.server.timeout = limits.idleTimeoutMs;
    this.server.maxConnections = limits.maxConnections;
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.boundPort;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const denied = checkRequestOrigin(req, this.boundPort);
    if (denied) return sendJson(res, denied.status, { error: 'forbidden', message: denied.message });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.boundPort}`);
    const path = url.pathname;
    // Every area decodes path segments; a malformed escape is the client's error, not ours.
    if (!isWellFormedPath(path)) return sendJson(res, 400, { error: 'bad_request', message: 'the URL path has a malformed percent-escape' });
    if (path === IDENTITY_PATH && this.options.identity && req.method === 'GET') {
      const nonce = url.searchParams.get('nonce') ?? '';
      if (!/^[0-9a-f]{32,128}$/.test(nonce)) return sendJson(res, 400, { error: 'bad_request', message: 'expected ?nonce=<hex>' });
      return sendJson(res, 200, { proofs: this.options.identity(nonce) });
    }
    if (path === '/oauth/callback' && this.options.oauthCallback) return this.options.oauthCallback(req, res, url);
    const given = bearerToken(req.headers.authorization);
    const token = classifyToken(this.options.tokens, given);

    if (path.startsWith('/mcp/')) {
      if (token?.kind !== 'mcp') return sendMcpUnauthorized(res, given === undefined ? 'missing' : 'invalid');
      // An authenticated MCP request may wait minutes for a person (a long-polling POST,
      // the session's event stream): no idle limit for it. Keep-alive sets one again after.
      req.socket.setTimeout(0);
      const server = decodeURIComponent(path.slice(5).replace(/\/+$/, ''));
      let body: unknown;
      if (req.method === 'POST') {
        try {
          body = parseJsonBody((await readBody(req, this.options.maxBodyBytes)).toString('utf8'));
        } catch (err) {
          const tooLarge = err instanceof BodyTooLargeError;
          if (!tooLarge && !(err instanceof InvalidJsonError)) throw err;
          res.writeHead(tooLarge ? 413 : 400, { 'content-type': 'application/json', connection: 'close' });
          res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: `Parse error: ${(err as Error).message}` }, id: null }));
          return;
        }
      }
      return this.options.mcp.handle(req, res, server, body, token.identity);
    }
    if (path.startsWith('/hooks/') && this.options.hooks) {
      if (token?.kind !== 'mcp') return sendMcpUnauthorized(res, given === undefined ? 'missing' : 'invalid');
      return this.options.hooks(req, res, decodeURIComponent(path.slice(7).replace(/\/+$/, '')), url, token.identity);
    }
    if (path === '/api' || path.startsWith('/api/')) {
      if (token?.kind !== 'admin') return unauthorized(res, 'admin');
      return this.options.api(req, res, path.slice(4) || '/', url);
    }
    // Never the UI: a client probing for OAuth must get JSON that names the token it needs.
    if (isOAuthProbe(path)) return sendNotFound(res, path);
    return this.options.ui(req, res, path, url);
  }
}
