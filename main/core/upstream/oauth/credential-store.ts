/**
 * Sign-in secrets in the SecretStore: tokens and client registrations keyed by the
 * authorization server's issuer and the resource they are for (a client_id of one
 * authorization server must never be sent to another), which credential set a server
 * uses, and the client secret of a pre-registered client.
 */
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/client';
import { z } from 'zod';
import type { SecretStore } from '../../home/secret-store.ts';

/** Tokens as kept: the SDK's, plus when they were obtained and when the access token expires. */
export type StoredTokens = OAuthTokens & { issuer?: string; obtainedAt: number; expiresAt?: number };
export type StoredClient = OAuthClientInformationMixed & { issuer?: string; redirect_uris?: string[] };

export interface Binding {
  issuer: string;
  resource: string;
}

const BindingSchema = z.object({ issuer: z.string(), resource: z.string() });

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

const pair = (b: Binding) => `${b.issuer} ${b.resource}`;

/**
 * Reads are cached: every request upstream asks for the token, and a keyring read is an IPC
 * round trip. Only this Airlock writes these keys (one Airlock per home), so the cache
 * stays true.
 */
class CachedSecrets {
  private readonly store: SecretStore;
  private readonly cache = new Map<string, string | undefined>();

  constructor(store: SecretStore) {
    this.store = store;
  }

  async get(key: string): Promise<string | undefined> {
    if (this.cache.has(key)) return this.cache.get(key);
    const value = await this.store.get(key);
    this.cache.set(key, value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.store.set(key, value);
    this.cache.set(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.store.delete(key);
    this.cache.set(key, undefined);
  }
}

export class CredentialStore {
  private readonly secrets: CachedSecrets;

  constructor(secrets: SecretStore) {
    this.secrets = new CachedSecrets(secrets);
  }

  async binding(server: string): Promise<Binding | undefined> {
    const parsed = BindingSchema.safeParse(parse(await this.secrets.get(`oauth:server:${server}`)));
    return parsed.success ? parsed.data : undefined;
  }

  setBinding(server: string, binding: Binding): Promise<void> {
    return this.secrets.set(`oauth:server:${server}`, JSON.stringify(binding));
  }

  deleteBinding(server: string): Promise<void> {
    return this.secrets.delete(`oauth:server:${server}`);
  }

  async tokens(binding: Binding): Promise<StoredTokens | undefined> {
    return parse<StoredTokens>(await this.secrets.get(`oauth:tokens:${pair(binding)}`));
  }

  saveTokens(binding: Binding, tokens: OAuthTokens & { issuer?: string }, now = Date.now()): Promise<void> {
    const stored: StoredTokens = {
      ...tokens,
      obtainedAt: now,
      ...(typeof tokens.expires_in === 'number' && { expiresAt: now + tokens.expires_in * 1000 }),
    };
    return this.secrets.set(`oauth:tokens:${pair(binding)}`, JSON.stringify(stored));
  }

  deleteTokens(binding: Binding): Promise<void> {
    return this.secrets.delete(`oauth:tokens:${pair(binding)}`);
  }

  async client(binding: Binding): Promise<StoredClient | undefined> {
    return parse<StoredClient>(await this.secrets.get(`oauth:client:${pair(binding)}`));
  }

  saveClient(binding: Binding, client: StoredClient): Promise<void> {
    return this.secrets.set(`oauth:client:${pair(binding)}`, JSON.stringify(client));
  }

  deleteClient(binding: Binding): Promise<void> {
    return this.secrets.delete(`oauth:client:${pair(binding)}`);
  }

  /** The issuer a pre-registered client was first used with. */
  async clientIssuer(server: string): Promise<string | undefined> {
    return this.secrets.get(`oauth:client-issuer:${server}`);
  }

  setClientIssuer(server: string, issuer: string): Promise<void> {
    return this.secrets.set(`oauth:client-issuer:${server}`, issuer);
  }

  async clientSecret(server: string): Promise<string | undefined> {
    return this.secrets.get(`oauth:client-secret:${server}`);
  }

  setClientSecret(server: string, secret: string): Promise<void> {
    return this.secrets.set(`oauth:client-secret:${server}`, secret);
  }
}
