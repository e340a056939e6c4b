/**
 * Signing in to a remote server against a real authorization server (oidc-provider) and an
 * MCP server that requires its tokens: before sign-in Airlock refuses every call and sends
 * nothing; after the person signs in, an agent lists and calls tools through Airlock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { signInMessage } from '../../main/core/upstream/oauth/sign-in-errors.ts';
import { TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { connectModern, serverStatus, SERVER, signIn, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';

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
});
