/**
 * Token revocation (RFC 7009) on sign-out. The SDK has no revocation call (only the
 * request's type), so this is Airlock's own: the refresh token first (revoking it ends the
 * grant at most servers), then the access token, with the client's authentication.
 */
import { discoverAuthorizationServerMetadata, type FetchLike, type OAuthClientInformationMixed, type OAuthDiscoveryState } from '@modelcontextprotocol/client';
import type { StoredTokens } from './credential-store.ts';
import { assertSignInUrl } from './sign-in-errors.ts';

export interface RevokeInput {
  tokens: StoredTokens;
  client: OAuthClientInformationMixed | undefined;
  discovery: OAuthDiscoveryState | undefined;
  issuer: string | undefined;
  fetch?: FetchLike;
}

/** Says what happened, in words, for the server's log. */
export async function revokeTokens({ tokens, client, discovery, issuer, fetch: fetchFn = fetch }: RevokeInput): Promise<string> {
  let found = discovery?.authorizationServerMetadata;
  if (!found && issuer) found = await discoverAuthorizationServerMetadata(issuer, { fetchFn });
  // OpenID metadata also carries the RFC 8414 revocation fields; the SDK's union type does not say so.
  const metadata = found as { revocation_endpoint?: string; revocation_endpoint_auth_methods_supported?: string[] } | undefined;
  const endpoint = metadata?.revocation_endpoint;
  if (!endpoint) return 'the authorization server offers no revocation';
  if (!client) return 'no client registration to revoke with';
  assertSignInUrl('the revocation endpoint', endpoint);
  const methods = metadata?.revocation_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const revoked: string[] = [];
  for (const [token, hint] of [
    [tokens.refresh_token, 'refresh_token'],
    [tokens.access_token, 'access_token'],
  ] as const) {
    if (!token) continue;
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (client.client_secret && methods.includes('client_secret_basic')) {
      const user = encodeURIComponent(client.client_id);
      const pass = encodeURIComponent(client.client_secret);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    } else {
      body.set('client_id', client.client_id);
      if (client.client_secret) body.set('client_secret', client.client_secret);
    }
    const res = await fetchFn(endpoint, { method: 'POST', headers, body });
    await res.text().catch(() => undefined);
    if (res.ok) revoked.push(hint);
  }
  return revoked.length ? `revoked the ${revoked.join(' and the ')}` : 'the authorization server did not confirm the revocation';
}
