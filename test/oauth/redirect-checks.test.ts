/**
 * The redirect back to Airlock is checked before any code is redeemed: its `state` must be
 * one Airlock issued and has not seen (single use), its `iss` the authorization server the
 * sign-in started with, and its code still valid. Each refusal says what was wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { connectModern, redirectFor, serverStatus, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';
import { signInMessage } from '../../main/core/upstream/oauth/sign-in-errors.ts';

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.href;
}

async function open(url: string): Promise<{ status: number; page: string }> {
  const res = await fetch(url);
  return { status: res.status, page: await res.text() };
}

describe('the redirect to /oauth/callback', () => {
  it('refuses an iss of another authorization server, and the used state cannot be replayed', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const callback = await redirectFor(airlock);
    expect(new URL(callback).searchParams.get('iss')).toBe(world.as.issuer);

    const forged = await open(withParam(callback, 'iss', 'https://attacker.example'));
    expect(forged.status).toBe(400);
    expect(forged.page).toContain('another authorization server than the one the sign-in started with');
    expect(forged.page).not.toContain('attacker.example');
    const status = await serverStatus(airlock);
    expect(status.signIn?.state).toBe('sign_in_failed');
    expect(status.signIn?.error).toContain('"iss" does not match');
    // No code was redeemed for the forged redirect.
    expect(world.as.requests.filter((r) => r.grantType === 'authorization_code')).toEqual([]);

    const replayed = await open(callback);
    expect(replayed.status).toBe(400);
    expect(replayed.page).toContain('Airlock is not waiting for this sign-in');
    expect((await serverStatus(airlock)).signIn?.state).toBe('sign_in_failed');
    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'x' } }))).toBe(signInMessage('remote'));
    await agent.close();
  });

  it('refuses a state Airlock did not issue without spoiling the sign-in in progress', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const callback = await redirectFor(airlock);
    const foreign = await open(withParam(callback, 'state', 'not-a-state-airlock-issued'));
    expect(foreign.status).toBe(400);
    expect(foreign.page).toContain('Airlock is not waiting for this sign-in');
    expect((await serverStatus(airlock)).signIn?.state).toBe('signing_in');

    const real = await open(callback);
    expect(real.status).toBe(200);
    expect((await serverStatus(airlock)).signIn?.state).toBe('ready');
  });

  it('refuses an expired code with the authorization server\'s reason', async () => {
    world = await startWorld();
    world.as.lifetimes.code = 1;
    airlock = await startAirlockFor(world);
    const callback = await redirectFor(airlock);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const late = await open(callback);
    expect(late.status).toBe(400);
    expect(late.page).toContain('invalid_grant');
    const status = await serverStatus(airlock);
    expect(status.signIn).toMatchObject({ state: 'sign_in_failed' });
    expect(status.signIn?.error).toContain('invalid_grant');
  });

  it('says so when the person refuses at the authorization server', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const callback = await redirectFor(airlock);
    const refusedUrl = new URL(callback);
    refusedUrl.searchParams.delete('code');
    refusedUrl.searchParams.set('error', 'access_denied');
    refusedUrl.searchParams.set('error_description', '<script>alert(1)</script>');
    const refused = await open(refusedUrl.href);
    expect(refused.status).toBe(400);
    expect(refused.page).toContain('access_denied');
    expect(refused.page).not.toContain('<script>');
    expect((await serverStatus(airlock)).signIn).toMatchObject({ state: 'sign_in_failed', error: 'the authorization server answered access_denied' });
  });
});
