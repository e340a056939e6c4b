/**
 * The answers a client gets when it reaches Airlock's port without what it needs: a 401 for
 * `/mcp/*` without a valid token, and a JSON 404 for everything that is no endpoint and no
 * page of the UI. MCP clients (Claude Code, mcp-remote) treat a 401 as "try OAuth": they
 * fetch the OAuth discovery documents and POST `/register`, and print what they get. An
 * HTML page there made them fail with "JSON Parse error: Unrecognized token '<'"; these
 * JSON answers say instead that the endpoint takes a bearer token, and where to find it.
 */
import type { ServerResponse } from 'node:http';

/** Where a person finds the token, in the words every answer below uses. */
export const TOKEN_HINT =
  'Airlock endpoints take a bearer token, not OAuth: add the header "Authorization: Bearer <token>" with mcpToken from auth.json in the Airlock home ' +
  '(the Connect view of the Airlock UI shows it), or run `airlock protect <client>`.';

/** Paths an OAuth-capable client probes after a 401 (RFC 9728, RFC 8414, OpenID discovery, RFC 7591 registration). */
export function isOAuthProbe(path: string): boolean {
  return path.startsWith('/.well-known/') || path === '/register' || path === '/authorize' || path === '/token';
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(value));
}

/** `/mcp/*` without a valid token. `reason`: no token at all, or one Airlock does not know. */
export function sendMcpUnauthorized(res: ServerResponse, reason: 'missing' | 'invalid'): void {
  const message =
    reason === 'missing'
      ? `This Airlock endpoint needs a token and none was sent. ${TOKEN_HINT}`
      : `The token sent is not this Airlock's MCP token (the admin token does not work here either). ${TOKEN_HINT}`;
  // RFC 6750: error="invalid_token" for a wrong token; no error code when none was sent.
  const challenge = reason === 'missing' ? 'Bearer realm="airlock"' : 'Bearer realm="airlock", error="invalid_token", error_description="unknown token"';
  send(res, 401, { 'www-authenticate': challenge }, { error: reason === 'missing' ? 'unauthorized' : 'invalid_token', error_description: message, message });
}

/** Anything that is neither an endpoint nor a page of the UI. */
export function sendNotFound(res: ServerResponse, path: string): void {
  if (isOAuthProbe(path)) {
    // The OAuth error shape (RFC 7591 §3.2.2), and short: Claude Code prints the body of a
    // failed registration verbatim, cut at about 450 characters.
    return send(res, 404, {}, { error: 'not_found', error_description: `${path} does not exist. ${TOKEN_HINT}` });
  }
  send(res, 404, {}, { error: 'not_found', message: `nothing at ${path}: Airlock serves /mcp/<server>, /api/... and its web UI at /` });
}
