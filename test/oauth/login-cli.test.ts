/**
 * `airlock login` and `airlock logout` as a person runs them: the command asks the running
 * Airlock, prints the authorization URL (no browser here: --no-browser), waits for the
 * redirect and exits 0 once signed in, or non-zero with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { signInMessage } from '../../main/core/upstream/oauth/sign-in-errors.ts';
import { cliPath, TEST_ADMIN_TOKEN } from '../helpers/harness.ts';
import { signInLikeABrowser } from './authorization-server.ts';
import { connectModern, serverStatus, SERVER, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null>; url: Promise<string> } {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  let found: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (found = resolve));
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const match = /^\s+(http\S+)$/m.exec(out);
    if (match) found(match[1]!);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit, url };
}

describe('airlock login / logout', () => {
  it('prints the URL, waits for the redirect and exits 0 when signed in; logout makes calls refused again', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const login = run(['login', SERVER, '--no-browser', '--home', world.home.dir]);
    const authorizationUrl = await login.url;
    expect(authorizationUrl.startsWith(world.as.issuer)).toBe(true);
    const callback = await signInLikeABrowser(authorizationUrl, `${airlock.url}/oauth/callback`);
    expect((await fetch(callback)).status).toBe(200);
    expect(await login.exit).toBe(0);
    expect(login.stdout()).toContain(`Signed in to "${SERVER}"`);

    const agent = await connectModern(airlock);
    expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'cli' } }))).toBe('echo: cli');

    const logout = run(['logout', SERVER, '--home', world.home.dir]);
    expect(await logout.exit).toBe(0);
    expect((await serverStatus(airlock)).signIn?.state).toBe('needs_sign_in');
    expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'cli' } }))).toBe(signInMessage(SERVER));
    await agent.close();
  });

  it('exits non-zero with the reason when the sign-in fails', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const login = run(['login', SERVER, '--no-browser', '--home', world.home.dir]);
    const callback = new URL(await signInLikeABrowser(await login.url, `${airlock.url}/oauth/callback`));
    callback.searchParams.set('iss', 'https://attacker.example');
    expect((await fetch(callback)).status).toBe(400);
    expect(await login.exit).toBe(1);
    expect(login.stderr()).toContain(`sign-in to "${SERVER}" failed: the redirect came from another authorization server`);
  });

  it('exits non-zero for a server that does not use sign-in', async () => {
    world = await startWorld();
    airlock = await startAirlockFor(world);
    const login = run(['login', 'no-such-server', '--no-browser', '--home', world.home.dir]);
    expect(await login.exit).toBe(1);
    expect(login.stderr()).toContain('no server named "no-such-server"');
  });
});
