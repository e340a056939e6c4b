/**
 * The pieces every sign-in test starts: a real authorization server (oidc-provider), an MCP
 * server that requires its tokens, and an Airlock in front of it with `oauth` on the entry;
 * plus an SDK v2 client (2026-07-28 era) reaching the server through Airlock.
 */
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { FileSecretStore } from '../../main/core/home/file-secret-store.ts';
import type { Airlock } from '../../main/core/airlock.ts';
import { api, startAirlock, tempHome, TEST_MCP_TOKEN, waitFor } from '../helpers/harness.ts';
import { signInLikeABrowser, startAuthorizationServer, type AuthorizationServer } from './authorization-server.ts';
import { startProtectedMcpServer, type ProtectedMcpServer } from './protected-mcp-server.ts';
import type { ServerStatus } from '../../shared/api/contract.ts';
import type { ClientMetadata } from 'oidc-provider';

export const SERVER = 'remote';

export interface OAuthWorld {
  as: AuthorizationServer;
  mcp: ProtectedMcpServer;
  home: { dir: string; cleanup(): void };
  close(): Promise<void>;
}

export async function startWorld(options: { clients?: (mcpUrl: () => string) => ClientMetadata[] } = {}): Promise<OAuthWorld> {
  let mcpUrl = '';
  const as = await startAuthorizationServer({ resource: () => mcpUrl, ...(options.clients && { clients: options.clients(() => mcpUrl) }) });
  const mcp = await startProtectedMcpServer(as);
  mcpUrl = mcp.url;
  const home = tempHome('airlock-oauth-');
  return {
    as,
    mcp,
    home,
    close: async () => {
      await mcp.close();
      await as.close();
      home.cleanup();
    },
  };
}

/**
 * Secrets go to the home's 0600 file, the store headless Airlock falls back to here: the
 * keyring on this machine refuses the first access of a process and lets later ones
 * through, so which store a start picks would depend on test order (that decision has
 * its own test, secret-stores.test.ts).
 */
export function startAirlockFor(world: OAuthWorld, oauth: Record<string, unknown> = {}, extra: Parameters<typeof startAirlock>[2] = {}): Promise<Airlock> {
  return startAirlock(world.home.dir, { [SERVER]: { url: world.mcp.url, oauth } }, { secrets: new FileSecretStore(join(world.home.dir, 'secrets.json')), ...extra });
}

export async function serverStatus(airlock: Airlock): Promise<ServerStatus> {
  const { body } = await api<ServerStatus[]>(airlock, 'GET', '/servers');
  return body.find((s) => s.name === SERVER)!;
}

/** Starts a sign-in and walks the browser's steps up to (not into) the redirect to Airlock. */
export async function redirectFor(airlock: Airlock): Promise<string> {
  const { status, body } = await api<{ authorizationUrl: string }>(airlock, 'POST', `/servers/${SERVER}/login`);
  if (status !== 200) throw new Error(`login answered ${status}: ${JSON.stringify(body)}`);
  return signInLikeABrowser(body.authorizationUrl, `${airlock.url}/oauth/callback`);
}

/** Signs in the way a person does: login through the control API, the browser's steps, the redirect to Airlock. */
export async function signIn(airlock: Airlock, world: OAuthWorld): Promise<{ page: string; status: number }> {
  const { status, body } = await api<{ authorizationUrl: string }>(airlock, 'POST', `/servers/${SERVER}/login`);
  if (status !== 200) throw new Error(`login answered ${status}: ${JSON.stringify(body)}`);
  const callback = await signInLikeABrowser(body.authorizationUrl, `${airlock.url}/oauth/callback`);
  const res = await fetch(callback);
  const page = await res.text();
  if (res.status === 200) await waitFor(async () => (await serverStatus(airlock)).state === 'ready', 10_000, 'the server to be ready after sign-in');
  void world;
  return { page, status: res.status };
}

export async function connectModern(airlock: Airlock): Promise<Client> {
  const client = new Client({ name: 'oauth-test-client', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`/mcp/${SERVER}`, airlock.url), { requestInit: { headers: { Authorization: `Bearer ${TEST_MCP_TOKEN}` } } }),
  );
  return client;
}

export function toolText(result: unknown): string {
  const first = (result as { content?: { type: string; text?: string }[] }).content?.[0];
  return first?.type === 'text' ? (first.text ?? '') : '';
}
