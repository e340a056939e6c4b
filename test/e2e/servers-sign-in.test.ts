/**
 * The Servers view's sign-in to a remote server, end to end in Debian's Chromium: a real
 * Airlock with its OAuth client, the built UI over the real HTTP API and event stream, a
 * real authorization server (oidc-provider) and an MCP server on SDK v2 that requires its
 * tokens (test/oauth). Chromium itself follows the sign-in link to the provider's login and
 * consent pages and its redirect back to Airlock. A second remote server answers 401 but has
 * no authorization server behind it, so its sign-in cannot start. Each test starts its own
 * Airlock in a fresh home. Stand-ins: the OS keyring, reported missing so the core keeps
 * secrets in its 0600 file as it does on a machine without one (the same on every run), and
 * in one test the answer of servers.login (said in its name).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { openSecretStore } from '../../main/core/home/open-secret-store.ts';
import type { KeyringSecretStore } from '../../main/core/home/keyring-secret-store.ts';
import type { ServerStatus } from '../../shared/api/contract.ts';
import { PROBE_SERVER_FILE } from '../fixtures/probe.ts';
import { startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { signInLikeABrowser, TEST_ACCOUNT } from '../oauth/authorization-server.ts';
import { startWorld, type OAuthWorld } from '../oauth/oauth-harness.ts';
import { buildRenderer, goTo, launchBrowser, openPage, screenshotBoth, type WatchedPage } from './ui-helpers.ts';

let uiRoot: string;
let world: OAuthWorld;
let closed: Server;
let closedUrl: string;
let browser: Browser;
let home: { dir: string; cleanup(): void };
let airlock: Airlock;
let watched: WatchedPage;
let page: Page;

/** The keyring as on a machine without one: the core picks its 0600 file and says why. */
const noKeyring = { works: async () => ({ ok: false, reason: 'no secret service is running' }) } as unknown as KeyringSecretStore;

const card = (name: string) => page.getByRole('region', { name: `Server ${name}`, exact: true });
const signInOf = (name: string) => page.getByRole('region', { name: `Sign-in to ${name}`, exact: true });
const statusOf = async (name: string) => (await airlock.control.call('servers.list')).find((s: ServerStatus) => s.name === name)?.signIn;

/** A sign-in made elsewhere (the person's browser by HTTP), for tests that start signed in. */
async function signInByHttp(server: string): Promise<void> {
  const { authorizationUrl } = await airlock.control.call('servers.login', { server });
  await (await fetch(await signInLikeABrowser(authorizationUrl, `${airlock.url}/oauth/callback`))).text();
  await waitFor(async () => (await statusOf(server))?.state === 'ready', 10_000, `${server} to be signed in`);
}

beforeAll(async () => {
  uiRoot = buildRenderer();
  world = await startWorld();
  closed = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer scope="docs.read"' }).end(JSON.stringify({ error: 'invalid_token' }));
  });
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/mcp`;
  browser = await launchBrowser();
}, 120_000);

beforeEach(async () => {
  home = tempHome('airlock-e2e-signin-');
  airlock = await startAirlock(
    home.dir,
    { notes: { url: world.mcp.url, oauth: {} }, docs: { url: closedUrl }, probe: { command: process.execPath, args: [PROBE_SERVER_FILE] } },
    { uiRoot, restartBackoffMs: 60_000, secrets: await openSecretStore(home.dir, noKeyring) },
  );
  await waitFor(async () => (await statusOf('notes'))?.reason && (await statusOf('docs'))?.reason, 10_000, 'both remote servers to need sign-in');
  watched = await openPage(browser);
  page = watched.page;
  await page.goto(`${airlock.url}/#/servers?code=${airlock.issueLoginCode()}`);
  await card('probe').waitFor();
}, 60_000);

afterEach(async () => {
  await watched?.context.close();
  await airlock?.stop();
  home?.cleanup();
  expect(watched?.problems ?? []).toEqual([]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => closed?.close(resolve));
  await world?.close();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('Servers view: signing in to a remote server (real core, authorization server and protected MCP server)', () => {
  it('needs_sign_in: says who asked for which scopes, why, and where tokens are kept, with the storage warning; a server without sign-in shows none', async () => {
    await goTo(page, 'servers');
    const panel = signInOf('notes');
    await panel.getByText('Needs sign-in').waitFor();
    expect(await panel.getByTestId('sign-in-words').textContent()).toBe('The server asks you to sign in, for the scopes mcp:tools. Calls to this server are refused until you sign in.');
    expect(await panel.textContent()).toContain('the server answered 401: it requires sign-in');
    expect(await panel.textContent()).toContain('Tokens are kept in a file in the Airlock home (readable by your user only).');
    expect(await panel.getByRole('note').textContent()).toBe(`the OS keyring is not available (no secret service is running): sign-in tokens are kept in ${home.dir}/secrets.json (mode 0600)`);
    await panel.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await card('probe').getByRole('region').count()).toBe(0);
    // The connection fails until the sign-in (401 by design): no alarm on the card, the panel says what to do.
    expect(await card('notes').getByText('Not signed in', { exact: true }).count()).toBe(1);
    expect(await card('notes').getByText('Failed', { exact: true }).count()).toBe(0);
    expect(await card('notes').getByRole('alert').count()).toBe(0);
    expect(await card('notes').textContent()).not.toContain('airlock login notes');
    await screenshotBoth(page, 'servers-sign-in');
  });

  it('Sign in in a browser tab: the link is the provider’s page; Chromium signs in there and comes back, and the view follows to Signed in without a reload', async () => {
    await goTo(page, 'servers');
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    const link = panel.getByRole('link', { name: 'open the sign-in page' });
    await link.waitFor();
    const href = new URL((await link.getAttribute('href'))!);
    expect(href.origin + href.pathname).toBe(`${world.as.issuer}/auth`);
    expect(href.searchParams.get('redirect_uri')).toBe(`${airlock.url}/oauth/callback`);
    expect(href.searchParams.get('code_challenge_method')).toBe('S256');
    await panel.getByText('Signing in', { exact: true }).waitFor();

    const [tab] = await Promise.all([watched.context.waitForEvent('page'), link.click()]);
    // The link opens the page without handing it the Airlock tab.
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    await tab.locator('input[name="login"]').fill(TEST_ACCOUNT);
    await tab.locator('input[name="password"]').fill('any password');
    await tab.getByRole('button', { name: 'Sign-in' }).click();
    await tab.getByRole('button', { name: 'Continue' }).click();
    await tab.waitForURL(`${airlock.url}/oauth/callback?**`);
    expect(await tab.textContent('body')).toContain('You can close this tab and return to Airlock.');
    await tab.close();

    await panel.getByText('Signed in', { exact: true }).waitFor();
    expect(await panel.getByTestId('sign-in-words').textContent()).toBe(`Signed in at ${world.as.issuer}, with the scopes mcp:tools.`);
    expect(await panel.getByRole('link').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
    // The server behind it now answers: its tool shows on the card.
    await card('notes').getByText('echo', { exact: true }).waitFor();
  });

  it('sign_in_failed: cancelling on the provider’s page shows the authorization server’s answer and offers Sign in again', async () => {
    await goTo(page, 'servers');
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    const link = panel.getByRole('link', { name: 'open the sign-in page' });
    const [tab] = await Promise.all([watched.context.waitForEvent('page'), link.click()]);
    await tab.getByRole('link', { name: '[ Cancel ]' }).click();
    await tab.waitForURL(`${airlock.url}/oauth/callback?**`);
    expect(await tab.textContent('body')).toContain('was not completed (access_denied)');
    await tab.close();

    await panel.getByText('Sign-in failed').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe('the authorization server answered access_denied');
    expect(await panel.getByTestId('sign-in-words').textContent()).toBe(`${world.as.issuer} refused the sign-in. Calls to this server are refused until you sign in.`);
    expect(await panel.getByRole('link').count()).toBe(0);
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();
  });

  it('Sign out asks the core to forget the sign-in (the tokens are revoked) and shows needs_sign_in again', async () => {
    await signInByHttp('notes');
    await goTo(page, 'servers');
    const panel = signInOf('notes');
    const revocations = world.as.requests.filter((r) => r.path === '/token/revocation').length;
    await panel.getByRole('button', { name: 'Sign out' }).click();
    await panel.getByText('Needs sign-in').waitFor();
    expect(await panel.textContent()).toContain('signed out');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(world.as.requests.filter((r) => r.path === '/token/revocation').length).toBeGreaterThan(revocations);
    expect((await statusOf('notes'))?.state).toBe('needs_sign_in');
  });

  it('a sign-in the core cannot start (no authorization server behind the 401) shows its refusal once, and no link', async () => {
    await goTo(page, 'servers');
    const panel = signInOf('docs');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel.getByText('Sign-in failed').waitFor();
    await expect.poll(() => panel.getByRole('alert').allTextContents()).toEqual(['Dynamic Client Registration rejected (HTTP 401): {"error":"invalid_token"}']);
    expect(await panel.getByRole('link').count()).toBe(0);
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();
    expect(watched.problems).toEqual(['console error: Failed to load resource: the server responded with a status of 502 (Bad Gateway)']);
    watched.problems.length = 0;
  });

  it('at 360 px the sign-in panel, its warning and the link to the real (long) authorization URL fit the window', async () => {
    await page.setViewportSize({ width: 360, height: 640 });
    await goTo(page, 'servers');
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel.getByRole('link', { name: 'open the sign-in page' }).waitFor();
    expect((await panel.getByRole('link').getAttribute('href'))!.length).toBeGreaterThan(200);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('section.sign-in, section.sign-in *')]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    );
    expect(wide).toEqual([]);
  });

  it('a sign-in page that is not a web address is not offered as a link (servers.login answered by a stand-in: the real core only returns http(s) pages)', async () => {
    const dispatch = airlock.control.dispatch.bind(airlock.control);
    airlock.control.dispatch = async (method, input) => (method === 'servers.login' ? { authorizationUrl: 'javascript:alert(1)' } : dispatch(method, input));
    await goTo(page, 'servers');
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe('the sign-in page is not a web address (javascript:alert(1))');
    expect(await panel.getByRole('link').count()).toBe(0);
  });
});
