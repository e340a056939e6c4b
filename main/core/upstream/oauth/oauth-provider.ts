/**
 * The storage and redirect surface the SDK's `auth()` drives, for one run of it (a sign-in
 * start, its callback, or a refresh). The SDK does discovery (protected-resource metadata
 * from the 401's WWW-Authenticate, authorization-server metadata with the OAuth and OpenID
 * fallbacks), registration in the spec's order (this provider's pre-registered client →
 * a Client ID Metadata Document URL where the server supports it → dynamic registration),
 * PKCE, the resource indicator, `iss` validation and the token requests. What is Airlock's:
 * where the values live (CredentialStore, keyed by issuer and resource) and which flow a
 * verifier belongs to (PendingFlow, by state).
 */
import { randomBytes } from 'node:crypto';
import {
  checkResourceAllowed,
  resourceUrlFromServerUrl,
  type OAuthClientInformationContext,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type { OAuthConfig } from '../../../../shared/config.ts';
import type { Binding, CredentialStore } from './credential-store.ts';
import type { PendingFlow } from './sign-in-flows.ts';

export interface ProviderContext {
  server: string;
  serverUrl: URL;
  config: OAuthConfig;
  credentials: CredentialStore;
  redirectUrl: string;
  clientSecret: string | undefined;
  /** Discovery kept for this process (refreshes need not rediscover every time). */
  discovery: { value?: OAuthDiscoveryState };
  version: string;
}

export class AirlockOAuthProvider implements OAuthClientProvider {
  private readonly ctx: ProviderContext;
  /** Present for an interactive sign-in: its state, verifier and discovery. */
  private readonly flow: PendingFlow | undefined;
  private resource: string;
  /** Set when auth() wanted a person (a refresh that could not be done silently). */
  redirected: URL | undefined;
  /** Set when auth() saved tokens (who issued them). */
  savedIssuer: string | undefined;

  constructor(ctx: ProviderContext, flow?: PendingFlow) {
    this.ctx = ctx;
    this.flow = flow;
    this.resource = ctx.config.resource ?? resourceUrlFromServerUrl(ctx.serverUrl).href;
    if (ctx.config.clientMetadataUrl) this.clientMetadataUrl = ctx.config.clientMetadataUrl;
  }

  clientMetadataUrl?: string;

  get redirectUrl(): string {
    return this.ctx.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Airlock',
      client_uri: 'https://github.com/airlock',
      software_id: 'airlock',
      software_version: this.ctx.version,
      redirect_uris: [this.ctx.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      // A desktop app on the user's machine with a loopback redirect (RFC 8252).
      application_type: 'native',
      ...(this.ctx.config.scopes?.length && { scope: this.ctx.config.scopes.join(' ') }),
    };
  }

  private binding(issuer: string): Binding {
    return { issuer, resource: this.resource };
  }

  state(): string {
    // A refresh that falls back to a new authorization gets a state nobody can redeem.
    return this.flow?.state ?? randomBytes(24).toString('base64url');
  }

  async clientInformation(info?: OAuthClientInformationContext): Promise<StoredOAuthClientInformation | undefined> {
    const { config } = this.ctx;
    if (config.clientId) {
      // Pinned to the authorization server it was first used with: a server that later names
      // another one never receives this client's secret (the SDK drops a mismatched stamp).
      const issuer = await this.ctx.credentials.clientIssuer(this.ctx.server);
      return { client_id: config.clientId, ...(this.ctx.clientSecret && { client_secret: this.ctx.clientSecret }), ...(issuer && { issuer }) };
    }
    if (!info) return undefined;
    const stored = await this.ctx.credentials.client(this.binding(info.issuer));
    // A registration made for another redirect URI (Airlock ran on another port) cannot
    // start a sign-in; it still refreshes the tokens it was issued with.
    if (stored && this.flow && stored.redirect_uris && !stored.redirect_uris.includes(this.ctx.redirectUrl)) return undefined;
    return stored;
  }

  async saveClientInformation(client: StoredOAuthClientInformation, info?: OAuthClientInformationContext): Promise<void> {
    if (this.ctx.config.clientId) {
      if (client.client_id === this.ctx.config.clientId && client.issuer) await this.ctx.credentials.setClientIssuer(this.ctx.server, client.issuer);
      return;
    }
    if (!info) return;
    await this.ctx.credentials.saveClient(this.binding(info.issuer), { ...client, redirect_uris: [this.ctx.redirectUrl] });
  }

  async tokens(info?: OAuthClientInformationContext): Promise<StoredOAuthTokens | undefined> {
    const binding = info ? this.binding(info.issuer) : await this.ctx.credentials.binding(this.ctx.server);
    return binding ? this.ctx.credentials.tokens(binding) : undefined;
  }

  async saveTokens(tokens: OAuthTokens & { issuer?: string }, info?: OAuthClientInformationContext): Promise<void> {
    const issuer = info?.issuer ?? tokens.issuer;
    if (!issuer) throw new Error('tokens without an issuer cannot be kept');
    const binding = this.binding(issuer);
    await this.ctx.credentials.saveTokens(binding, tokens);
    await this.ctx.credentials.setBinding(this.ctx.server, binding);
    this.savedIssuer = issuer;
  }

  redirectToAuthorization(url: URL): void {
    if (this.flow) this.flow.authorizationUrl = url;
    else this.redirected = url;
  }

  saveCodeVerifier(verifier: string): void {
    if (this.flow) this.flow.codeVerifier = verifier;
  }

  codeVerifier(): string {
    if (!this.flow?.codeVerifier) throw new Error('this sign-in has no PKCE verifier');
    return this.flow.codeVerifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    if (this.flow) this.flow.discovery = state;
    this.ctx.discovery.value = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    // The callback leg must see what the redirect was built from (the SDK binds the code to that issuer).
    return this.flow?.discovery ?? (this.flow ? undefined : this.ctx.discovery.value);
  }

  saveResourceUrl(resource: string): void {
    this.resource = resource;
  }

  /**
   * Always send a resource indicator (the MCP authorization spec requires it): the one
   * configured, else the server's protected-resource metadata's (when it is this server),
   * else the server's own URL.
   */
  async validateResourceURL(serverUrl: string | URL, resource?: string): Promise<URL | undefined> {
    if (this.ctx.config.resource) return new URL(this.ctx.config.resource);
    const own = resourceUrlFromServerUrl(serverUrl);
    if (!resource) return own;
    if (!checkResourceAllowed({ requestedResource: own, configuredResource: resource })) {
      throw new Error(`the server's metadata names resource ${resource}, which is not ${own.href}`);
    }
    return new URL(resource);
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const binding = await this.ctx.credentials.binding(this.ctx.server);
    if ((scope === 'all' || scope === 'tokens') && binding) await this.ctx.credentials.deleteTokens(binding);
    if ((scope === 'all' || scope === 'client') && binding && !this.ctx.config.clientId) await this.ctx.credentials.deleteClient(binding);
    if (scope === 'all' || scope === 'discovery') this.ctx.discovery.value = undefined;
    if ((scope === 'all' || scope === 'verifier') && this.flow) delete this.flow.codeVerifier;
  }
}
