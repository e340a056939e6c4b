/**
 * Signing in to a remote server against a real authorization server (oidc-provider) and an
 * MCP server that requires its tokens: before sign-in Airlock refuses every call and sends
 * nothing; after the person signs in, an agent lists and calls tools through Airlock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { signInMessage } from '../../main/core/upstream/oauth/sign-in-errors.ts';
import { api, connectBridge, newClient, resultText, startAirlock, TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { connectModern, serverStatus, SERVER, signIn, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';
import { FileSecretStore } from '../../main/core/home/file-secret-store.ts';
import { join } from 'node:path';

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

describe('sign-in to a remote server', () => {
  it('refuses calls with the sign-in message and sends nothing before sign-in; lists and calls tools after it', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const before = await serverStatus(airlock);
    expect(before.signIn?.state).toBe('needs_sign_in');
    expect(before.signIn?.secrets?.kind).toBe('file');

    const seenBefore = world.mcp.received.length;
    const agent = await connectModern(airlock);
    const refused = await agent.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(refused.isError).toBe(true);
    expect(toolText(refused)).toBe(signInMessage(SERVER));
    await expect(agent.listTools()).rejects.toThrow(`"${SERVER}" needs sign-in: run \`airlock login ${SERVER}\``);
    // Only Airlock's own token-less probe reached the server, nothing of the agent's.
    expect(world.mcp.received.slice(seenBefore)).toEqual([]);
    expect(world.mcp.received.every((r) => r.authorization === undefined)).toBe(true);

    const { status, page } = await signIn(airlock, world);
    expect(status).toBe(200);
    expect(page).toContain('return to Airlock');
    const after = await serverStatus(airlock);
    expect(after.signIn).toMatchObject({ state: 'ready', issuer: world.as.issuer });

    const again = await connectModern(airlock);
    expect((await again.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    const called = await again.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(toolText(called)).toBe('echo: hi');
    const call = world.mcp.received.find((r) => r.rpc.includes('tools/call'));
    expect(call?.authorization).toMatch(/^Bearer \S+$/);
    // The agent's own Authorization (Airlock's MCP token) never goes upstream.
    expect(world.mcp.received.some((r) => r.authorization?.includes(TEST_MCP_TOKEN))).toBe(false);
    await agent.close();
    await again.close();
  });

  it('a remote entry without "oauth" that answers 401 needs sign-in too, and signs in by discovery alone', async () => {
    world = await startWorld();
    airlock = await startAirlock(world.home.dir, { [SERVER]: { url: world.mcp.url } }, { secrets: new FileSecretStore(join(world.home.dir, 'secrets.json')) });
    const status = await serverStatus(airlock);
    expect(status.signIn).toMatchObject({ state: 'needs_sign_in', reason: 'the server answered 401: it requires sign-in', scopes: ['mcp:tools'] });
    expect((await signIn(airlock, world)).status).toBe(200);
    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'found' } }))).toBe('echo: found');
    await agent.close();
  });

  it('a 2025-era client (stdio bridge) is refused the same way before sign-in', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const seen = world.mcp.received.length;
    const agent = await connectBridge(world.home.dir, SERVER, newClient('bridge-client', {}));
    const refused = await agent.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toBe(signInMessage(SERVER));
    await expect(agent.listTools()).rejects.toThrow('needs sign-in');
    expect(world.mcp.received.slice(seen)).toEqual([]);
    await agent.close();
  });

  it('refuses plain http to a host that is not loopback, with a clear error', async () => {
    world = await startWorld();
    airlock = await startAirlock(world.home.dir, { [SERVER]: { url: 'http://airlock-test.invalid/mcp', oauth: {} } }, { secrets: new FileSecretStore(join(world.home.dir, 'secrets.json')) });
    const status = await serverStatus(airlock);
    expect(status.signIn?.state).toBe('sign_in_failed');
    expect(status.signIn?.error).toContain('http://airlock-test.invalid/mcp is not https');
    const login = await api<{ error: string; message: string }>(airlock, 'POST', `/servers/${SERVER}/login`);
    expect(login.status).toBe(502);
    expect(login.body).toMatchObject({ error: 'sign_in_failed' });
    expect(login.body.message).toContain('sign-in uses plain http only for loopback hosts');
  });
});
