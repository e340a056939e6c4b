/**
 * Signing in to one remote server: its state (needs_sign_in, signing_in, ready,
 * sign_in_failed), starting a sign-in, finishing it from the redirect, keeping the access
 * token fresh, and signing out. The OAuth machinery is the SDK's `auth()`; this class
 * decides when it runs, so nothing happens behind the person's back: the SDK's transport
 * would start a new authorization (and register a client) on any 401, a proxy must
 * instead say "needs sign-in" and wait for someone to ask for it.
 */
import { EventEmitter } from 'node:events';
import {
  auth,
  computeScopeUnion,
  IssuerMismatchError,
  OAuthError,
  extractWWWAuthenticateParams,
  type AuthProvider,
  type FetchLike,
  type OAuthDiscoveryState,
} from '@modelcontextprotocol/client';
import type { SignInStatus } from '../../../../shared/api/contract.ts';
import type { OAuthConfig } from '../../../../shared/config.ts';
import type { SecretStore } from '../../home/secret-store.ts';
import type { CredentialStore, StoredTokens } from './credential-store.ts';
import { AirlockOAuthProvider, type ProviderContext } from './oauth-provider.ts';
import { revokeTokens } from './revoke-tokens.ts';
import { assertSignInUrl, SignInRequiredError } from './sign-in-errors.ts';
import type { PendingFlow, SignInFlows } from './sign-in-flows.ts';

/** Refresh when less than this much of the token's life is left (and at most a minute before). */
const REFRESH_MARGIN_MS = 60_000;

export interface SignInOptions {
  server: string;
  url: string;
  /** `oauth` from config.json; absent: sign-in starts to matter when the server answers 401. */
  config: OAuthConfig | undefined;
  credentials: CredentialStore;
  secrets: SecretStore;
  flows: SignInFlows;
  /** http://127.0.0.1:<port>/oauth/callback (the port is known once Airlock listens). */
  redirectUrl: () => string;
  version: string;
  /** A line in the server's log (never a token). */
  note: (line: string) => void;
  /** The fetch Airlock's OAuth requests go through (tests observe it); the global one by default. */
  fetch?: FetchLike;
}

export interface SignInEvents {
  changed: [SignInStatus];
  /** Tokens arrived (a sign-in finished): the upstream connects again. */
  signedIn: [];
  /** Tokens are gone (signed out): the upstream drops its connections. */
  signedOut: [];
}

/** The reason of needs_sign_in after a sign-out the person asked for (the desktop shell does not notify about it). */
export const SIGNED_OUT = 'signed out';

export class SignIn extends EventEmitter<SignInEvents> {
  readonly server: string;
  private readonly options: SignInOptions;
  private readonly serverUrl: URL;
  private active: boolean;
  private value: SignInStatus = { state: 'needs_sign_in' };
  private readonly discovery: { value?: OAuthDiscoveryState } = {};
  private clientSecret: string | undefined;
  private challenge: { scope?: string; resourceMetadataUrl?: URL } = {};
  /** The scope of a step-up after insufficient_scope, asked for once. */
  private stepUpScope: string | undefined;
  private steppedUp = false;
  private refreshing: Promise<boolean> | undefined;

  constructor(options: SignInOptions) {
    super();
    this.options = options;
    this.server = options.server;
    this.serverUrl = new URL(options.url);
    this.active = options.config !== undefined;
  }

  /**
   * Every request of the flow (discovery, registration, tokens, revocation) goes to https or
   * a loopback host: the SDK checks only the token endpoint.
   */
  private readonly authFetch: FetchLike = (url, init) => {
    assertSignInUrl('the sign-in request to', url);
    return (this.options.fetch ?? fetch)(url, init);
  };

  /** Reads what the store holds: tokens from an earlier run make the server ready at once. */
  async init(): Promise<void> {
    let tokens: StoredTokens | undefined;
    try {
      this.clientSecret = await this.options.credentials.clientSecret(this.server);
      tokens = await this.storedTokens();
    } catch (err) {
      // A store that cannot be read keeps this server signed out; the others still start.
      this.active = true;
      this.set({ state: 'sign_in_failed', error: `cannot read the ${this.options.secrets.kind} secret store: ${(err as Error).message}` });
      return;
    }
    if (tokens) {
      this.active = true;
      this.set({ state: 'ready', ...(tokens.issuer && { issuer: tokens.issuer }), ...(tokens.scope && { scopes: tokens.scope.split(' ') }) });
      return;
    }
    try {
      assertSignInUrl('the server URL', this.serverUrl);
      // The reason comes with the server's first 401 (or from whoever asked, e.g. "signed out").
      this.set({ state: 'needs_sign_in' });
    } catch (err) {
      this.set({ state: 'sign_in_failed', error: (err as Error).message });
    }
  }

  /** The state for servers.list; undefined for a server that has not shown it uses sign-in. */
  status(): SignInStatus | undefined {
    if (!this.active) return undefined;
    const { kind, warning } = this.options.secrets;
    return { ...this.value, secrets: { kind, ...(warning && { warning }) } };
  }

  /** The secret store now says another kind or warning (the desktop's file setting): the status says it again. */
  secretsChanged(): void {
    if (this.active) this.emit('changed', this.status()!);
  }

  /** Whether calls must be refused: sign-in is in use and there is no token. */
  get blocking(): boolean {
    return this.active && this.value.state !== 'ready';
  }

  private set(next: SignInStatus): void {
    const issuer = next.issuer ?? this.value.issuer;
    this.value = { ...next, ...(issuer && { issuer }) };
    if (this.active) this.emit('changed', this.status()!);
  }

  private needsSignIn(reason: string): void {
    this.active = true;
    this.set({ state: 'needs_sign_in', reason, ...(this.requestedScope() && { scopes: this.requestedScope()!.split(' ') }) });
  }

  private requestedScope(): string | undefined {
    return computeScopeUnion(this.options.config?.scopes?.join(' '), this.challenge.scope, this.stepUpScope);
  }

  private context(): ProviderContext {
    return {
      server: this.server,
      serverUrl: this.serverUrl,
      config: this.options.config ?? {},
      credentials: this.options.credentials,
      redirectUrl: this.options.redirectUrl(),
      clientSecret: this.clientSecret,
      discovery: this.discovery,
      version: this.options.version,
    };
  }

  private async storedTokens(): Promise<StoredTokens | undefined> {
    const binding = await this.options.credentials.binding(this.server);
    return binding ? this.options.credentials.tokens(binding) : undefined;
  }

  /**
   * What the upstream transports authenticate with. The catalog connection may probe
   * without a token (its 401 names the authorization server and the scopes); a connection
   * that carries an agent's request never goes without one.
   */
  authProvider(role: 'catalog' | 'agent'): AuthProvider {
    return {
      token: () => this.accessToken(role),
      onUnauthorized: async (ctx) => {
        const { scope, resourceMetadataUrl, error } = extractWWWAuthenticateParams(ctx.response);
        this.challenge = { ...(scope && { scope }), ...((resourceMetadataUrl ?? this.challenge.resourceMetadataUrl) && { resourceMetadataUrl: resourceMetadataUrl ?? this.challenge.resourceMetadataUrl }) };
        const tokens = await this.storedTokens();
        // A rejected token is refreshed once; the transport then retries the request once.
        if (tokens?.refresh_token && (await this.refresh(`the server refused the access token${error ? ` (${error})` : ''}`))) return;
        if (tokens) await this.forgetTokens();
        const known = this.value.state === 'needs_sign_in' ? this.value.reason : undefined;
        this.needsSignIn(tokens ? `the server refused the access token${error ? ` (${error})` : ''}: sign in again` : (known ?? 'the server answered 401: it requires sign-in'));
        throw new SignInRequiredError(this.server);
      },
    };
  }

  /**
   * The fetch of a transport: a request that carries an agent's message never leaves without
   * a token, and a 403 insufficient_scope is noted for a step-up (the SDK's own step-up
   * would start a new authorization behind the person's back).
   */
  fetchFor(role: 'catalog' | 'agent', base: FetchLike = this.options.fetch ?? fetch): FetchLike {
    return async (url, init) => {
      const headers = new Headers(init?.headers);
      if (role === 'agent' && this.active && !headers.has('authorization')) throw new SignInRequiredError(this.server);
      const res = await base(url, init);
      if (res.ok && role === 'agent' && this.steppedUp && this.value.state === 'ready') this.steppedUp = false; // the step-up worked
      if (res.status === 403) {
        const { error, scope } = extractWWWAuthenticateParams(res);
        if (error === 'insufficient_scope') this.insufficientScope(scope);
      }
      return res;
    };
  }

  private async accessToken(role: 'catalog' | 'agent'): Promise<string | undefined> {
    let tokens = await this.storedTokens();
    if (tokens && expiresSoon(tokens)) {
      tokens = (await this.refresh('the access token was about to expire')) ? await this.storedTokens() : undefined;
    }
    if (tokens) return tokens.access_token;
    // Airlock's own probe may go without a token: its 401 says where and how to sign in. A
    // server that never asked for sign-in gets none.
    if (role === 'catalog' || !this.active) return undefined;
    throw new SignInRequiredError(this.server);
  }

  /** A new access token from the refresh token, without the person; false when a sign-in is needed. */
  private refresh(why: string): Promise<boolean> {
    this.refreshing ??= (async () => {
      const tokens = await this.storedTokens();
      if (!tokens?.refresh_token) {
        await this.forgetTokens();
        this.needsSignIn(`${why}, and there is no refresh token: sign in again`);
        return false;
      }
      const provider = new AirlockOAuthProvider(this.context());
      try {
        const result = await auth(provider, {
          serverUrl: this.serverUrl,
          ...(this.challenge.resourceMetadataUrl && { resourceMetadataUrl: this.challenge.resourceMetadataUrl }),
          fetchFn: this.authFetch,
        });
        if (result === 'AUTHORIZED' && !provider.redirected) {
          this.options.note('refreshed the access token');
          const fresh = await this.storedTokens();
          this.set({ state: 'ready', ...(fresh?.scope && { scopes: fresh.scope.split(' ') }) });
          return true;
        }
        await this.forgetTokens();
        this.needsSignIn(`${why}, and the refresh was refused: sign in again`);
      } catch (err) {
        await this.forgetTokens();
        this.needsSignIn(`${why}, and the refresh failed (${describeError(err)}): sign in again`);
      }
      this.options.note(`the refresh failed: ${this.value.reason}`);
      return false;
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * The server answered 403 insufficient_scope: ask for the union of what was granted and
   * what it wants, once. A second refusal after that sign-in is an error, not another loop.
   */
  insufficientScope(required: string | undefined): void {
    if (this.steppedUp) {
      this.set({ state: 'sign_in_failed', error: `the server still refuses with insufficient_scope after signing in again with scope "${this.requestedScope() ?? ''}"` });
      return;
    }
    this.steppedUp = true;
    this.stepUpScope = computeScopeUnion(this.value.scopes?.join(' '), required);
    void this.forgetTokens().then(() => this.needsSignIn(`the server asks for more access (scope "${required ?? ''}"): sign in again to grant it`));
  }

  /** Starts a sign-in: the URL a person opens; the redirect comes back to /oauth/callback. */
  async login(): Promise<string> {
    const flow = this.options.flows.start(this.server);
    flow.scope = this.requestedScope();
    this.active = true;
    this.set({ state: 'signing_in', ...(flow.scope && { scopes: flow.scope.split(' ') }) });
    try {
      assertSignInUrl('the server URL', this.serverUrl);
      const result = await auth(new AirlockOAuthProvider(this.context(), flow), {
        serverUrl: this.serverUrl,
        ...(flow.scope && { scope: flow.scope }),
        ...(this.challenge.resourceMetadataUrl && { resourceMetadataUrl: this.challenge.resourceMetadataUrl }),
        fetchFn: this.authFetch,
        forceReauthorization: true,
      });
      if (result !== 'REDIRECT' || !flow.authorizationUrl) throw new Error('the authorization server did not start a sign-in');
      assertSignInUrl('the authorization endpoint', flow.authorizationUrl);
      const issuer = flow.discovery?.authorizationServerMetadata?.issuer ?? flow.discovery?.authorizationServerUrl;
      this.set({ state: 'signing_in', ...(issuer && { issuer }), ...(flow.scope && { scopes: flow.scope.split(' ') }) });
      this.options.note(`sign-in started with ${issuer ?? 'the authorization server'}`);
      return flow.authorizationUrl.href;
    } catch (err) {
      this.options.flows.forget(this.server);
      this.failed(describeError(err));
      throw new SignInFailedError(this.server, describeError(err));
    }
  }

  /** The redirect for a flow of this server: exchanges the code (the SDK checks `iss` first). */
  async complete(flow: PendingFlow, params: URLSearchParams): Promise<void> {
    const code = params.get('code');
    try {
      if (!code) throw new Error('the redirect carries no authorization code');
      const provider = new AirlockOAuthProvider(this.context(), flow);
      const iss = params.get('iss');
      const result = await auth(provider, {
        serverUrl: this.serverUrl,
        authorizationCode: code,
        ...(iss !== null && { iss }),
        ...(flow.scope && { scope: flow.scope }),
        ...(this.challenge.resourceMetadataUrl && { resourceMetadataUrl: this.challenge.resourceMetadataUrl }),
        fetchFn: this.authFetch,
      });
      if (result !== 'AUTHORIZED') throw new Error('the authorization server issued no tokens');
    } catch (err) {
      this.failed(describeError(err));
      throw new SignInFailedError(this.server, describeError(err));
    }
    const tokens = await this.storedTokens();
    this.set({ state: 'ready', ...(tokens?.issuer && { issuer: tokens.issuer }), ...(tokens?.scope && { scopes: tokens.scope.split(' ') }) });
    this.options.note(`signed in${tokens?.issuer ? ` with ${tokens.issuer}` : ''}`);
    this.emit('signedIn');
  }

  /** The redirect said the sign-in did not happen (the person refused, the server failed). */
  failed(error: string): void {
    this.active = true;
    this.set({ state: 'sign_in_failed', error });
    this.options.note(`sign-in failed: ${error}`);
  }

  /** Signs out: revokes the tokens where the server offers it, then forgets them. */
  async logout(): Promise<void> {
    this.options.flows.forget(this.server);
    const tokens = await this.storedTokens();
    if (tokens) {
      const binding = await this.options.credentials.binding(this.server);
      const provider = new AirlockOAuthProvider(this.context());
      const client = binding && (await provider.clientInformation({ issuer: binding.issuer }));
      const result = await revokeTokens({
        tokens,
        client,
        discovery: this.discovery.value,
        issuer: binding?.issuer,
        fetch: this.authFetch,
      }).catch((err: Error) => `revocation failed: ${err.message}`);
      this.options.note(`signed out (${result})`);
    }
    await this.forgetTokens();
    this.steppedUp = false;
    this.stepUpScope = undefined;
    this.needsSignIn(SIGNED_OUT);
    this.emit('signedOut');
  }

  private async forgetTokens(): Promise<void> {
    const binding = await this.options.credentials.binding(this.server);
    if (binding) await this.options.credentials.deleteTokens(binding);
    await this.options.credentials.deleteBinding(this.server);
  }
}

/** A sign-in that could not start or finish, with the reason in words. */
export class SignInFailedError extends Error {
  constructor(server: string, reason: string) {
    super(`sign-in to "${server}" failed: ${reason}`);
    this.name = 'SignInFailedError';
  }
}

function expiresSoon(tokens: StoredTokens, now = Date.now()): boolean {
  if (tokens.expiresAt === undefined) return false;
  const margin = Math.min(REFRESH_MARGIN_MS, (tokens.expiresAt - tokens.obtainedAt) / 2);
  return tokens.expiresAt - now < margin;
}

/** The reason in words. Never the callback's error_description on an issuer mismatch: an attacker writes it. */
export function describeError(err: unknown): string {
  if (err instanceof IssuerMismatchError) {
    return err.kind === 'authorization_response'
      ? 'the redirect came from another authorization server than the one the sign-in started with (its "iss" does not match); nothing was accepted'
      : `the authorization server's metadata names another issuer (expected ${err.expected ?? 'none'}); nothing was accepted`;
  }
  if (err instanceof OAuthError) return `${err.code}${err.message && err.message !== err.code ? `: ${err.message}` : ''}`;
  return (err as Error)?.message ?? String(err);
}
