/**
 * The one local port: `/mcp/<server>` for agents, `/api/...` for UIs and scripts, `/` for
 * the web UI. Bound to 127.0.0.1 only. Every request passes the Host/Origin guard; then
 * each area checks its own token (the MCP token never opens `/api`, and vice versa).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerToken, classifyToken, type AuthTokens } from '../home/auth.ts';
import { sendMcpUnauthorized, isOAuthProbe, sendNotFound } from './http-answers.ts';
import { BodyTooLargeError, checkRequestOrigin, readBody } from './http-guard.ts';
import type { McpEndpoint } from './mcp-endpoint.ts';

export interface ApiHandler {
  (req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  tokens: AuthTokens;
  maxBodyBytes: number;
  mcp: McpEndpoint;
  api: ApiHandler;
  ui: ApiHandler;
  onError?: (err: unknown) => void;
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
    this.server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
      this.route(req, res).catch((err) => {
        options.onError?.(err);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'internal error' });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 60_000;
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
    const given = bearerToken(req.headers.authorization);
    const token = classifyToken(this.options.tokens, given);

    if (path.startsWith('/mcp/')) {
      if (token?.kind !== 'mcp') return sendMcpUnauthorized(res, given === undefined ? 'missing' : 'invalid');
      const server = decodeURIComponent(path.slice(5).replace(/\/+$/, ''));
      let body: unknown;
      if (req.method === 'POST') {
        try {
          body = JSON.parse((await readBody(req, this.options.maxBodyBytes)).toString('utf8'));
        } catch (err) {
          const tooLarge = err instanceof BodyTooLargeError;
          res.writeHead(tooLarge ? 413 : 400, { 'content-type': 'application/json', connection: 'close' });
          res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: tooLarge ? (err as Error).message : 'Parse error' }, id: null }));
          return;
        }
      }
      return this.options.mcp.handle(req, res, server, body, token.identity);
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
