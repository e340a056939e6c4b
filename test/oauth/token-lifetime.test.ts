/**
 * Tokens over time: an access token about to expire is refreshed without the person; a
 * refresh the authorization server refuses moves the server to needs_sign_in (announced as
 * servers.changed) and calls are refused again; a restart keeps the sign-in (the 0600 file
 * store here, where the keyring answers AccessDenied); signing out forgets it.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AirlockEvent } from '../../shared/api/contract.ts';
import type { Airlock } from '../../main/core/airlock.ts';
import { signInMessage } from '../../main/core/upstream/oauth/sign-in-errors.ts';
import { api, waitFor } from '../helpers/harness.ts';
import { connectModern, serverStatus, SERVER, signIn, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

const echo = { name: 'echo', arguments: { message: 'again' } };

describe('tokens over time', () => {
  it('refreshes an access token that is about to expire, without the person', async () => {
    world = await startWorld();
    world.as.lifetimes.accessToken = 2;
    airlock = await startAirlockFor(world);
    await signIn(airlock, world);
    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool(echo))).toBe('echo: again');
    const firstToken = world.mcp.received.findLast((r) => r.rpc.includes('tools/call'))!.authorization;
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(toolText(await agent.callTool(echo))).toBe('echo: again');
    expect(world.as.requests.filter((r) => r.grantType === 'refresh_token').length).toBeGreaterThanOrEqual(1);
    const secondToken = world.mcp.received.findLast((r) => r.rpc.includes('tools/call'))!.authorization;
    expect(secondToken).not.toBe(firstToken);
    expect((await serverStatus(airlock)).signIn?.state).toBe('ready');
    await agent.close();
  });

  it('moves the server to needs_sign_in and says so when the refresh is refused', async () => {
    world = await startWorld();
    world.as.lifetimes.accessToken = 2;
    world.as.lifetimes.refreshToken = 1;
    airlock = await startAirlockFor(world);
    await signIn(airlock, world);
    const events: AirlockEvent[] = [];
    airlock.on('event', (event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const agent = await connectModern(airlock);
    const seen = world.mcp.received.length;
    // The refresh is tried when the next request needs a token, and refused (the refresh token expired).
    expect(toolText(await agent.callTool(echo))).toBe(signInMessage(SERVER));
    await waitFor(async () => (await serverStatus(airlock!)).signIn?.state === 'needs_sign_in', 5000, 'needs_sign_in');
    const status = await serverStatus(airlock);
    expect(status.signIn?.reason).toMatch(/refresh/);
    expect(events.some((e) => e.type === 'servers.changed' && e.server.name === SERVER && e.server.signIn?.state === 'needs_sign_in')).toBe(true);
    const refused = await agent.callTool(echo);
    expect(toolText(refused)).toBe(signInMessage(SERVER));
    expect(world.mcp.received.slice(seen).filter((r) => r.rpc.includes('tools/call'))).toEqual([]);
    await agent.close();
  });

  it('keeps the sign-in across a restart, and forgets it on logout (revoking the tokens)', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    expect((await signIn(airlock, world)).status).toBe(200);
    await airlock.stop();
    const file = join(world.home.dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    airlock = await startAirlockFor(world);
    await waitFor(async () => (await serverStatus(airlock!)).state === 'ready', 10_000, 'ready after restart');
    expect((await serverStatus(airlock)).signIn?.state).toBe('ready');
    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool(echo))).toBe('echo: again');

    expect((await api(airlock, 'POST', `/servers/${SERVER}/logout`)).status).toBe(200);
    expect(world.as.requests.filter((r) => r.path === '/token/revocation').length).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await serverStatus(airlock!)).signIn?.state === 'needs_sign_in', 5000, 'needs_sign_in after logout');
    expect((await serverStatus(airlock)).signIn?.reason).toBe('signed out');
    const seen = world.mcp.received.length;
    expect(toolText(await agent.callTool(echo))).toBe(signInMessage(SERVER));
    expect(world.mcp.received.slice(seen).filter((r) => r.rpc.includes('tools/call'))).toEqual([]);
    await agent.close();

    // Still signed out after the next restart.
    await airlock.stop();
    airlock = await startAirlockFor(world);
    expect((await serverStatus(airlock)).signIn?.state).toBe('needs_sign_in');
  });
});
