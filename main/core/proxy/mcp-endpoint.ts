/**
 * `/mcp/<server>`: the Streamable HTTP endpoint agents connect to. One SDK transport and
 * one DownstreamSession per MCP session; authentication and origin checks happened before.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, isJSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Upstream } from '../upstream/upstream.ts';
import { DownstreamSession } from './downstream-session.ts';
import type { ProxyHooks } from './tool-call.ts';

interface LiveSession {
  server: string;
  transport: StreamableHTTPServerTransport;
  session: DownstreamSession;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function requestIds(body: unknown): RequestId[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => isJSONRPCRequest(m)).map((m) => m.id);
}

export class McpEndpoint {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly upstreams: (name: string) => Upstream | undefined;
  private readonly hooks: () => ProxyHooks;

  constructor(options: { upstreams: (name: string) => Upstream | undefined; hooks: () => ProxyHooks }) {
    this.upstreams = options.upstreams;
    this.hooks = options.hooks;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async handle(req: IncomingMessage, res: ServerResponse, server: string, body: unknown, tokenName: string | undefined): Promise<void> {
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    if (sessionId) {
      const live = this.sessions.get(sessionId);
      if (!live || live.server !== server) return jsonRpcError(res, 404, -32001, 'Session not found');
      return this.dispatch(live, req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(Array.isArray(body) ? body[0] : body)) {
      return jsonRpcError(res, 400, -32000, 'Bad Request: no valid session id (start with initialize)');
    }
    const upstream = this.upstreams(server);
    if (!upstream) return jsonRpcError(res, 404, -32001, `Unknown server "${server}": it is not in Airlock's config.json`);

    const session = new DownstreamSession({ server, upstream, hooks: this.hooks(), ...(tokenName && { tokenName }) });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.sessionId = id;
        this.sessions.set(id, live);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    const live: LiveSession = { server, transport, session };
    const onclose = session.onclose;
    session.onclose = () => {
      onclose?.();
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await session.connect(transport);
    await this.dispatch(live, req, res, body);
  }

  private async dispatch(live: LiveSession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method === 'POST') {
      const ids = requestIds(body);
      if (ids.length) {
        // A client that drops the connection mid-call gives up on the call: cancel upstream.
        res.once('close', () => {
          if (!res.writableFinished) live.session.abortRequests(ids, 'client disconnected');
        });
      }
    }
    await live.transport.handleRequest(req, res, body);
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.session.close()));
  }
}
