/**
 * An MCP server on SDK v2 that requires tokens from the test authorization server: bearer
 * auth (`requireBearerAuth`, tokens checked by introspection, bound to this server's URL as
 * their resource) and protected-resource metadata (`oauthMetadataResponse`). It records
 * every request it receives (method and Authorization header), so a test can say that
 * nothing reached it, and what did.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  getOAuthProtectedResourceMetadataUrl,
  McpServer,
  OAuthError,
  OAuthErrorCode,
  oauthMetadataResponse,
  requireBearerAuth,
  type AuthInfo,
  type OAuthMetadata,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { MCP_SCOPE, RESOURCE_SERVER, type AuthorizationServer } from './authorization-server.ts';

export interface Received {
  method: string;
  path: string;
  authorization?: string;
  /** The JSON-RPC methods of a POST body. */
  rpc: string[];
}

export interface ProtectedMcpServer {
  url: string;
  received: Received[];
  /** Scopes a token needs (tests raise it to provoke insufficient_scope). */
  requiredScopes: string[];
  close(): Promise<void>;
}

function build(): McpServer {
  const server = new McpServer({ name: 'protected-fixture', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool('echo', { description: 'Returns its message', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
    content: [{ type: 'text', text: `echo: ${message}` }],
  }));
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export async function startProtectedMcpServer(as: AuthorizationServer): Promise<ProtectedMcpServer> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  const mcpUrl = new URL(url);
  const oauthMetadata = (await (await fetch(`${as.issuer}/.well-known/openid-configuration`)).json()) as OAuthMetadata;
  const received: Received[] = [];
  const requiredScopes = [MCP_SCOPE];

  const verifyAccessToken = async (token: string): Promise<AuthInfo> => {
    const res = await fetch(`${as.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${RESOURCE_SERVER.client_id}:${RESOURCE_SERVER.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token }).toString(),
    });
    const info = (await res.json()) as { active: boolean; client_id?: string; scope?: string; exp?: number; aud?: string | string[] };
    if (!info.active) throw new OAuthError(OAuthErrorCode.InvalidToken, 'the token is not active');
    const aud = Array.isArray(info.aud) ? info.aud[0] : info.aud;
    return { token, clientId: info.client_id ?? '', scopes: (info.scope ?? '').split(' ').filter(Boolean), ...(info.exp && { expiresAt: info.exp }), ...(aud && { resource: new URL(aud) }) };
  };
  const handler = createMcpHandler(() => build());
  const node = toNodeHandler(handler);

  http.on('request', (req, res) => {
    void (async () => {
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const messages = (Array.isArray(body) ? body : body ? [body] : []) as { method?: string }[];
      received.push({
        method: req.method ?? '',
        path: new URL(req.url ?? '/', url).pathname,
        ...(req.headers.authorization && { authorization: req.headers.authorization }),
        rpc: messages.map((m) => m.method ?? '(response)'),
      });
      const web = await toWebRequest(req, body);
      const meta = oauthMetadataResponse(web, { oauthMetadata, resourceServerUrl: mcpUrl, scopesSupported: [MCP_SCOPE], dangerouslyAllowInsecureIssuerUrl: true });
      const gate = requireBearerAuth({
        verifier: { verifyAccessToken },
        requiredScopes,
        resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
        expectedResource: mcpUrl,
      });
      const answer = meta ?? (await gate(web));
      if (answer instanceof Response) {
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
        return;
      }
      (req as IncomingMessage & { auth?: AuthInfo }).auth = answer;
      await node(req, res, body);
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err.message));
    });
  });
  return {
    url,
    received,
    requiredScopes,
    close: () => new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    }),
  };
}
