/**
 * Client registration in the spec's order: a client registered beforehand (confidential,
 * with its secret moved out of config.json, or public), a Client ID Metadata Document URL
 * where the authorization server supports one (this one does not: dynamic registration
 * follows), and dynamic registration as a native application.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { api } from '../helpers/harness.ts';
import { connectModern, SERVER, signIn, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';

const CONFIDENTIAL = { client_id: 'airlock-confidential', client_secret: 'confidential-client-secret-0123456789' };
const PUBLIC = { client_id: 'airlock-public' };
const LOOPBACK = { redirect_uris: ['http://127.0.0.1/oauth/callback'], application_type: 'native', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

async function callsThrough(a: Airlock): Promise<void> {
  const agent = await connectModern(a);
  expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'through' } }))).toBe('echo: through');
  await agent.close();
}

describe('client registration', () => {
  it('registers dynamically as a native application when nothing is configured, with PKCE and the resource indicator', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const { body } = await api<{ authorizationUrl: string }>(airlock, 'POST', `/servers/${SERVER}/login`);
    const asked = new URL(body.authorizationUrl).searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('resource')).toBe(world.mcp.url);
    expect(asked.get('redirect_uri')).toBe(`${airlock.url}/oauth/callback`);
    expect((await signIn(airlock, world)).status).toBe(200);
    const exchange = new URLSearchParams(world.as.requests.find((r) => r.grantType === 'authorization_code')!.body);
    expect(exchange.get('resource')).toBe(world.mcp.url);
    expect(exchange.get('code_verifier')).toMatch(/^[\w.~-]{43,128}$/);
    const registration = world.as.requests.find((r) => r.path === '/reg');
    expect(JSON.parse(registration!.body!)).toMatchObject({ application_type: 'native', redirect_uris: [`${airlock.url}/oauth/callback`] });
    await callsThrough(airlock);
  });

  it('uses a pre-registered confidential client, and moves its secret out of config.json', async () => {
    world = await startWorld({ clients: () => [{ ...CONFIDENTIAL, ...LOOPBACK, token_endpoint_auth_method: 'client_secret_basic' }] });
    airlock = await startAirlockFor(world, { clientId: CONFIDENTIAL.client_id, clientSecret: CONFIDENTIAL.client_secret });
    const config = readFileSync(join(world.home.dir, 'config.json'), 'utf8');
    expect(config).not.toContain(CONFIDENTIAL.client_secret);
    expect(JSON.parse(config).mcpServers.remote.oauth).toEqual({ clientId: CONFIDENTIAL.client_id });
    expect((await signIn(airlock, world)).status).toBe(200);
    expect(world.as.requests.some((r) => r.path === '/reg')).toBe(false);
    await callsThrough(airlock);
  });

  it('uses a pre-registered public client', async () => {
    world = await startWorld({ clients: () => [{ ...PUBLIC, ...LOOPBACK, token_endpoint_auth_method: 'none' }] });
    airlock = await startAirlockFor(world, { clientId: PUBLIC.client_id });
    expect((await signIn(airlock, world)).status).toBe(200);
    expect(world.as.requests.some((r) => r.path === '/reg')).toBe(false);
    const exchange = world.as.requests.find((r) => r.grantType === 'authorization_code');
    expect(new URLSearchParams(exchange!.body).get('client_id')).toBe(PUBLIC.client_id);
    await callsThrough(airlock);
  });

  it('falls back to dynamic registration when the server does not support client metadata documents', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world, { clientMetadataUrl: 'https://airlock.example/oauth/client.json' });
    expect((await signIn(airlock, world)).status).toBe(200);
    expect(world.as.requests.some((r) => r.path === '/reg')).toBe(true);
    await callsThrough(airlock);
  });
});
