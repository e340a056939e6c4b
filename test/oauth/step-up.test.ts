/**
 * A server that answers 403 insufficient_scope: Airlock asks for the wider scope once (the
 * state says why and which scope), the next sign-in requests the union, and calls work
 * again; a server that still refuses after that is a failed sign-in, not a loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { signInMessage } from '../../main/core/upstream/oauth/sign-in-errors.ts';
import { api, waitFor } from '../helpers/harness.ts';
import { ADMIN_SCOPE, MCP_SCOPE } from './authorization-server.ts';
import { connectModern, redirectFor, serverStatus, SERVER, signIn, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

const echo = { name: 'echo', arguments: { message: 'more' } };

describe('step-up on insufficient_scope', () => {
  it('asks once for the wider scope, says so, and works after signing in again', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    await signIn(airlock, world);
    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool(echo))).toBe('echo: more');

    world.mcp.requiredScopes.push(ADMIN_SCOPE);
    expect(toolText(await agent.callTool(echo))).toBe(signInMessage(SERVER));
    const status = await serverStatus(airlock);
    expect(status.signIn?.state).toBe('needs_sign_in');
    expect(status.signIn?.reason).toContain('asks for more access');
    expect(status.signIn?.scopes).toEqual(expect.arrayContaining([MCP_SCOPE, ADMIN_SCOPE]));

    const { body } = await api<{ authorizationUrl: string }>(airlock, 'POST', `/servers/${SERVER}/login`);
    expect(new URL(body.authorizationUrl).searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining([MCP_SCOPE, ADMIN_SCOPE]));
    expect((await signIn(airlock, world)).status).toBe(200);
    expect(toolText(await agent.callTool(echo))).toBe('echo: more');
    await agent.close();
  });

  it('does not loop: a server that still refuses after the step-up fails the sign-in', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    await signIn(airlock, world);
    world.mcp.requiredScopes.push(ADMIN_SCOPE, 'mcp:never-granted');
    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool(echo))).toBe(signInMessage(SERVER));
    // The redirect is accepted; the server's next answer (to Airlock's own reconnection) is the same 403.
    expect((await fetch(await redirectFor(airlock))).status).toBe(200);
    await waitFor(async () => (await serverStatus(airlock!)).signIn?.state === 'sign_in_failed', 10_000, 'sign_in_failed');
    expect(toolText(await agent.callTool(echo))).toBe(signInMessage(SERVER));
    const status = await serverStatus(airlock);
    expect(status.signIn?.state).toBe('sign_in_failed');
    expect(status.signIn?.error).toContain('still refuses with insufficient_scope');
    await agent.close();
  });
});
