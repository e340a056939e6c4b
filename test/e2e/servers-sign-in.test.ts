/**
 * The Servers view's sign-in to a remote server, end to end in Debian's Chromium: a real
 * Airlock, the built UI over the real HTTP API and event stream, and a real loopback server
 * that answers every MCP request with 401 and a Bearer challenge, as a server that needs
 * OAuth does. The sign-in state itself comes from the core's OAuth client, which this test
 * does not run: its status and its servers.login / servers.logout answers are injected into
 * the real core (the server's description and the control API's dispatch), and said so in
 * each test's name. One test uses the core's own answer to a server without sign-in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { ServerStatus, SignInStatus } from '../../shared/api/contract.ts';
import { PROBE_SERVER_FILE } from '../fixtures/probe.ts';
import { startAirlock, tempHome } from '../helpers/harness.ts';
import { buildRenderer, goTo, launchBrowser, openPage, screenshotBoth, type WatchedPage } from './ui-helpers.ts';

const home = tempHome('airlock-e2e-signin-');
let uiRoot: string;
let remote: Server;
let remoteUrl: string;
let airlock: Airlock;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

/** The sign-in status the core's OAuth client would report, per server (the injected part). */
const signIns = new Map<string, SignInStatus>();
/** servers.login / servers.logout as the OAuth client would answer them (undefined: the real handler). */
let stand: { login: (server: string) => { authorizationUrl: string }; logout: (server: string) => { ok: true } } | undefined;
const asked: string[] = [];

const card = (name: string) => page.getByRole('region', { name: `Server ${name}`, exact: true });
const signInOf = (name: string) => page.getByRole('region', { name: `Sign-in to ${name}`, exact: true });

/** Sets a server's sign-in status and announces it the way the core does: servers.changed. */
function announce(server: string, signIn: SignInStatus | undefined): void {
  if (signIn) signIns.set(server, signIn);
  else signIns.delete(server);
  const upstream = airlock.upstreams.get(server)!;
  airlock.control.emit({ type: 'servers.changed', server: airlock.catalog.describe(upstream.status) });
}

beforeAll(async () => {
  uiRoot = buildRenderer();
  // A remote MCP server that needs sign-in: 401 with the challenge MCP authorization defines.
  remote = createServer((req, res) => {
    if (req.url?.startsWith('/authorize')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in to Notes</title><h1>Sign in to Notes</h1>');
      return;
    }
    const port = (remote.address() as AddressInfo).port;
    res
      .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp", scope="notes.read notes.write"` })
      .end(JSON.stringify({ error: 'invalid_token' }));
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  airlock = await startAirlock(home.dir, { notes: { url: `${remoteUrl}/mcp`, oauth: {} }, probe: { command: process.execPath, args: [PROBE_SERVER_FILE] } }, { uiRoot, restartBackoffMs: 60_000 });

  const describeServer = airlock.catalog.describe.bind(airlock.catalog);
  airlock.catalog.describe = (status): ServerStatus => {
    const signIn = signIns.get(status.name);
    return { ...describeServer(status), ...(signIn && { signIn }) };
  };
  const dispatch = airlock.control.dispatch.bind(airlock.control);
  airlock.control.dispatch = async (method, input) => {
    const server = (input as { server?: string } | undefined)?.server ?? '';
    if (method === 'servers.login' || method === 'servers.logout') asked.push(`${method} ${server}`);
    if (stand && method === 'servers.login') return stand.login(server);
    if (stand && method === 'servers.logout') return stand.logout(server);
    return dispatch(method, input);
  };

  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await page.goto(`${airlock.url}/#/servers?code=${airlock.issueLoginCode()}`);
  await card('probe').waitFor();
}, 120_000);

afterEach(() => {
  stand = undefined;
  asked.length = 0;
  expect(watched?.problems ?? []).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await airlock?.stop();
  await new Promise((resolve) => remote?.close(resolve));
  home.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('Servers view: signing in to a remote server', () => {
  it('needs_sign_in (status injected): says who asked for which scopes, why, and where tokens are kept, with the storage warning; a server without sign-in shows none', async () => {
    await goTo(page, 'servers');
    announce('notes', {
      state: 'needs_sign_in',
      issuer: 'https://auth.notes.example',
      scopes: ['notes.read', 'notes.write'],
      reason: 'the server answered 401 to initialize',
      secrets: { kind: 'memory', warning: 'No secret storage is available: sign-ins are kept in memory and forgotten when Airlock quits.' },
    });
    const panel = signInOf('notes');
    await panel.getByText('Needs sign-in').waitFor();
    expect(await panel.getByTestId('sign-in-words').textContent()).toBe(
      'https://auth.notes.example asks you to sign in, for the scopes notes.read, notes.write. Calls to this server are refused until you sign in.',
    );
    expect(await panel.textContent()).toContain('the server answered 401 to initialize');
    expect(await panel.textContent()).toContain('Tokens are kept in memory only: you sign in again after Airlock restarts.');
    expect(await panel.getByRole('note').textContent()).toBe('No secret storage is available: sign-ins are kept in memory and forgotten when Airlock quits.');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await card('probe').getByRole('region').count()).toBe(0);
    await screenshotBoth(page, 'servers-sign-in');
  });

  it('Sign in in a browser tab (servers.login stood in for): offers the sign-in page as a link that opens in a new tab, and follows servers.changed to Signed in without a reload', async () => {
    await goTo(page, 'servers');
    stand = {
      login: (server) => {
        // The core announces signing_in when it hands out the page.
        setTimeout(() => announce(server, { state: 'signing_in', issuer: 'https://auth.notes.example' }), 0);
        return { authorizationUrl: `${remoteUrl}/authorize?client_id=airlock&state=s1` };
      },
      logout: () => ({ ok: true }),
    };
    announce('notes', { state: 'needs_sign_in', issuer: 'https://auth.notes.example', scopes: ['notes.read'] });
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    const link = panel.getByRole('link', { name: 'open the sign-in page' });
    await link.waitFor();
    expect(asked).toEqual(['servers.login notes']);
    expect(await link.getAttribute('href')).toBe(`${remoteUrl}/authorize?client_id=airlock&state=s1`);
    await panel.getByText('Signing in', { exact: true }).waitFor();

    const [tab] = await Promise.all([watched.context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(`${remoteUrl}/authorize?client_id=airlock&state=s1`);
    expect(await tab.title()).toBe('Sign in to Notes');
    // The link opens the page without handing it the Airlock tab.
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    await tab.close();

    announce('notes', { state: 'ready', issuer: 'https://auth.notes.example', scopes: ['notes.read'], secrets: { kind: 'keyring' } });
    await panel.getByText('Signed in', { exact: true }).waitFor();
    expect(await panel.getByTestId('sign-in-words').textContent()).toBe('Signed in at https://auth.notes.example, with the scopes notes.read.');
    expect(await panel.getByRole('link').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
    expect(await panel.textContent()).toContain("Tokens are kept in the system's keyring.");
  });

  it('sign_in_failed (status injected): shows the authorization server’s error text and offers Sign in again', async () => {
    await goTo(page, 'servers');
    announce('notes', { state: 'sign_in_failed', issuer: 'https://auth.notes.example', error: 'access_denied: The resource owner denied the request' });
    const panel = signInOf('notes');
    await panel.getByText('Sign-in failed').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe('access_denied: The resource owner denied the request');
    expect(await panel.getByTestId('sign-in-words').textContent()).toContain('https://auth.notes.example refused the sign-in.');
    await panel.getByRole('button', { name: 'Sign in again' }).waitFor();
  });

  it('Sign out (servers.logout stood in for) asks the core to forget the sign-in, and shows the state the core announces next', async () => {
    await goTo(page, 'servers');
    stand = {
      login: () => ({ authorizationUrl: `${remoteUrl}/authorize` }),
      logout: (server) => {
        setTimeout(() => announce(server, { state: 'needs_sign_in', issuer: 'https://auth.notes.example' }), 0);
        return { ok: true };
      },
    };
    announce('notes', { state: 'ready', issuer: 'https://auth.notes.example' });
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign out' }).click();
    await panel.getByText('Needs sign-in').waitFor();
    expect(asked).toEqual(['servers.logout notes']);
    await panel.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it('a refusal of the core (its own servers.login for a server that does not use sign-in) is shown, and no link is offered', async () => {
    await goTo(page, 'servers');
    // The status says sign-in, the core's handler on this build does not know it: its refusal is what the person reads.
    announce('notes', { state: 'needs_sign_in' });
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toMatch(/does not use sign-in/);
    expect(await panel.getByRole('link').count()).toBe(0);
    expect(asked).toEqual(['servers.login notes']);
    expect(watched.problems).toEqual(['console error: Failed to load resource: the server responded with a status of 404 (Not Found)']);
    watched.problems.length = 0;
  });

  it('at 360 px (status injected, servers.login stood in for) the sign-in panel, its long issuer, warning and link fit the window', async () => {
    await page.setViewportSize({ width: 360, height: 640 });
    try {
      await goTo(page, 'servers');
      stand = { login: () => ({ authorizationUrl: `${remoteUrl}/authorize?client_id=${'x'.repeat(120)}&state=s2` }), logout: () => ({ ok: true }) };
      announce('notes', {
        state: 'needs_sign_in',
        issuer: `https://login.${'verylongtenantname'.repeat(4)}.example.com/oauth2/v2.0`,
        scopes: ['https://graph.example.com/notes.readwrite.all', 'offline_access'],
        secrets: { kind: 'file', warning: 'No system keyring was found: sign-ins are kept in a file in the Airlock home that only your user can read.' },
      });
      const panel = signInOf('notes');
      await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
      await panel.getByRole('link', { name: 'open the sign-in page' }).waitFor();
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('section.sign-in, section.sign-in *')]
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
          })
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      );
      expect(wide).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1200, height: 860 });
    }
  });

  it('a sign-in page that is not a web address is not offered as a link (servers.login stood in for)', async () => {
    await goTo(page, 'servers');
    stand = { login: () => ({ authorizationUrl: 'javascript:alert(1)' }), logout: () => ({ ok: true }) };
    announce('notes', { state: 'needs_sign_in' });
    const panel = signInOf('notes');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toBe('the sign-in page is not a web address (javascript:alert(1))');
    expect(await panel.getByRole('link').count()).toBe(0);
  });
});
