/**
 * The desktop shell and remote servers that need sign-in: the tray's "Sign in to
 * <server>…" items, the notification when a server starts needing it, and opening the
 * sign-in page in the system browser. Electron's Tray, Menu and shell.openExternal are
 * stand-ins; everything else is real: the core with its OAuth client, a real authorization
 * server (oidc-provider) and an MCP server that requires its tokens (test/oauth), and a
 * plain loopback server that answers 401 and offers no way to sign in. The stand-in for
 * shell.openExternal is the person's browser: it walks the provider's login and consent
 * pages by HTTP and follows the redirect to Airlock, as signInLikeABrowser does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { FileSecretStore } from '../../main/core/home/file-secret-store.ts';
import { silentLogger } from '../../main/core/logger.ts';
import { PendingTracker } from '../../main/electron/pending-tracker.ts';
import { openSignIn, type SignInOptions } from '../../main/electron/sign-in.ts';
import { SignInTracker, signInNotice, type SignInNeed } from '../../main/electron/sign-in-tracker.ts';
import { TrayController, type TrayActions } from '../../main/electron/tray-controller.ts';
import type { ServerStatus } from '../../shared/api/contract.ts';
import { connectHttp, DEMO_IMAGES, newClient, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { signInLikeABrowser } from '../oauth/authorization-server.ts';
import { startWorld, type OAuthWorld } from '../oauth/oauth-harness.ts';
import { fakeTrayFactory, type FakeTray } from './fake-electron.ts';

let world: OAuthWorld;
/** A remote server that answers 401 and has no authorization server behind it: its sign-in cannot start. */
let closed: Server;
let closedUrl: string;
let home: { dir: string; cleanup(): void };
let airlock: Airlock;
/** The browser pages the stand-in for shell.openExternal was given. */
const opened: string[] = [];

/** The person's browser: the provider's login and consent, then the redirect to Airlock's callback. */
async function browser(url: string): Promise<void> {
  opened.push(url);
  const callback = await signInLikeABrowser(url, `${airlock.url}/oauth/callback`);
  const res = await fetch(callback);
  await res.text();
}

const signInOptions = (): SignInOptions => ({ api: airlock.control, openExternal: browser, logger: silentLogger });
const signInOf = async (name: string) => (await airlock.control.call('servers.list')).find((s: ServerStatus) => s.name === name)?.signIn;

beforeAll(async () => {
  world = await startWorld();
  closed = createServer((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Bearer scope="docs.read"', 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
  });
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/mcp`;
}, 60_000);

beforeEach(async () => {
  home = tempHome('airlock-signin-tray-');
  airlock = await startAirlock(
    home.dir,
    { images: DEMO_IMAGES, notes: { url: world.mcp.url, oauth: {} }, docs: { url: closedUrl } },
    { restartBackoffMs: 60_000, secrets: new FileSecretStore(join(home.dir, 'secrets.json')) },
  );
  // Both remote servers have answered Airlock's probe with 401: they need sign-in for real.
  await waitFor(async () => (await signInOf('notes'))?.reason && (await signInOf('docs'))?.reason, 10_000, 'both servers to need sign-in');
}, 60_000);

afterEach(async () => {
  opened.length = 0;
  world.as.lifetimes.accessToken = 3600;
  world.as.lifetimes.refreshToken = 86_400;
  await airlock?.stop();
  home.cleanup();
});

afterAll(async () => {
  await new Promise((resolve) => closed?.close(resolve));
  await world?.close();
});

async function startTracker(): Promise<{ tracker: SignInTracker; needed: SignInNeed[] }> {
  const tracker = new SignInTracker(airlock.control);
  const needed: SignInNeed[] = [];
  tracker.on('needed', (need) => needed.push(need));
  await tracker.start();
  return { tracker, needed };
}

describe('tray and notifications for servers that need sign-in (stand-in Electron tray and browser, real core and authorization server)', () => {
  it('lists "Sign in to <server>…" for each server that needs it; a click signs in through the real provider and the item goes; a sign-in that cannot start keeps its item', async () => {
    const { tracker } = await startTracker();
    const pending = new PendingTracker(airlock.control);
    await pending.start();
    const attempts: Promise<unknown>[] = [];
    const actions: TrayActions = {
      openPopup: () => undefined,
      openMainWindow: () => undefined,
      setPaused: () => undefined,
      setAlertMode: () => undefined,
      quit: () => undefined,
      signIn: (server) => attempts.push(openSignIn(signInOptions(), server).catch((err: Error) => err)),
    };
    const factory = fakeTrayFactory();
    const controller = new TrayController({ factory, tracker: pending, actions, prefs: { alerts: () => 'both', launchAtLogin: () => false }, signIns: tracker });
    controller.start();
    const tray: FakeTray = factory.trays[0]!;
    try {
      expect(tray.labels().slice(0, 3)).toEqual(['No calls waiting', 'Sign in to docs…', 'Sign in to notes…']);
      expect(tray.labels()).not.toContain('Sign in to images…');

      tray.clickItem('sign-in:notes');
      expect(attempts).toHaveLength(1);
      expect(await attempts[0]).toMatchObject({ authorizationUrl: expect.stringContaining(`${world.as.issuer}/auth?`) });
      expect(opened).toEqual([(await attempts[0] as { authorizationUrl: string }).authorizationUrl]);
      await waitFor(() => tray.item('sign-in:notes') === undefined, 10_000, 'the notes item to go once signed in');
      expect((await signInOf('notes'))?.state).toBe('ready');
      expect(tray.item('sign-in:docs')).toBeDefined();

      // docs has no authorization server: the core's refusal is the answer and nothing opens.
      tray.clickItem('sign-in:docs');
      const refusal = (await attempts[1]) as Error;
      expect(refusal.message).toMatch(/^sign-in to "docs" failed: /);
      expect(opened).toHaveLength(1);
      await waitFor(async () => (await signInOf('docs'))?.state === 'sign_in_failed', 5000, 'docs to be sign_in_failed');
      expect(tray.labels().slice(0, 2)).toEqual(['No calls waiting', 'Sign in to docs…']);
    } finally {
      controller.destroy();
      tracker.stop();
      pending.stop();
    }
  });

  it('keeps the item while a sign-in is under way (the page can be opened again), and drops it once signed in', async () => {
    const { tracker } = await startTracker();
    try {
      const { authorizationUrl } = await airlock.control.call('servers.login', { server: 'notes' });
      await waitFor(() => tracker.list().find((n) => n.server === 'notes')?.signIn.state === 'signing_in', 5000, 'signing_in in the list');
      await browser(authorizationUrl);
      await waitFor(() => !tracker.list().some((n) => n.server === 'notes'), 10_000, 'notes to leave the list');
      expect(tracker.list().map((n) => n.server)).toEqual(['docs']);
    } finally {
      tracker.stop();
    }
  });

  it('notifies at start and when a sign-in ends on its own (a refused refresh), not after an attempt the person made nor their own sign-out', async () => {
    const { tracker, needed } = await startTracker();
    try {
      expect(needed.map((n) => n.server).sort()).toEqual(['docs', 'notes']);
      const notes = needed.find((n) => n.server === 'notes')!;
      // Before a sign-in has discovered the authorization server, the server itself asks.
      expect(signInNotice(notes)).toEqual({
        title: 'Sign in to notes',
        body: 'notes asks you to sign in; calls to it are refused until you do. Click to open the sign-in page.',
      });

      // An attempt that fails (docs), one that succeeds (notes), and the person's own sign-out: no notice.
      await expect(openSignIn(signInOptions(), 'docs')).rejects.toThrow(/failed/);
      await openSignIn(signInOptions(), 'notes');
      await waitFor(async () => (await signInOf('notes'))?.state === 'ready', 10_000, 'notes to be ready');
      await airlock.control.call('servers.logout', { server: 'notes' });
      await waitFor(async () => (await signInOf('notes'))?.reason === 'signed out', 5000, 'notes to be signed out');

      // Signed in again with tokens that soon expire and a refresh the server refuses.
      world.as.lifetimes.accessToken = 2;
      world.as.lifetimes.refreshToken = 1;
      await openSignIn(signInOptions(), 'notes');
      await waitFor(async () => (await signInOf('notes'))?.state === 'ready', 10_000, 'notes to be ready again');
      expect(needed).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 2200));
      // An agent reaching notes needs a token: the refresh is tried and refused, and the agent is refused.
      const reached = await connectHttp(airlock, 'notes', newClient('tray-test-agent')).then(
        async (agent) => resultText(await agent.callTool({ name: 'echo', arguments: { message: 'hi' } }).finally(() => agent.close())),
        (err: Error) => err.message,
      );
      expect(reached).toMatch(/needs sign-in: run `airlock login notes`/);
      await waitFor(() => needed.length === 3, 5000, 'the notice after the refused refresh');
      const again = needed[2]!;
      expect(again.server).toBe('notes');
      expect(again.signIn.reason).toMatch(/refresh/);
      expect(signInNotice(again).body).toBe(`${world.as.issuer} asks you to sign in to notes; calls to it are refused until you do. Click to open the sign-in page.`);
      // Servers without sign-in never show up.
      expect(tracker.list().map((n) => n.server)).toEqual(['docs', 'notes']);
    } finally {
      tracker.stop();
    }
  });
});

describe('opening the sign-in page in the system browser (stand-in for shell.openExternal)', () => {
  it('asks the real core and opens nothing when it refuses (a server that does not use sign-in)', async () => {
    await expect(openSignIn(signInOptions(), 'images')).rejects.toThrow(/does not use sign-in/);
    expect(opened).toEqual([]);
  });

  it('opens the page the real core returns: the authorization server\u2019s own, for this sign-in', async () => {
    const bare: SignInOptions = { api: airlock.control, openExternal: async (url) => void opened.push(url), logger: silentLogger };
    const { authorizationUrl } = await openSignIn(bare, 'notes');
    expect(opened).toEqual([authorizationUrl]);
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(world.as.issuer);
    expect(url.searchParams.get('redirect_uri')).toBe(`${airlock.url}/oauth/callback`);
    expect(url.searchParams.get('resource')).toBe(world.mcp.url);
  });

  it('opens only a web page (servers.login answered by a stand-in: the real core never returns another kind of address)', async () => {
    const answering = (authorizationUrl: string): SignInOptions['api'] => ({ call: (async () => ({ authorizationUrl })) as SignInOptions['api']['call'] });
    const options = (api: SignInOptions['api']): SignInOptions => ({ api, openExternal: async (url) => void opened.push(url), logger: silentLogger });
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'notes-app://authorize']) {
      await expect(openSignIn(options(answering(bad)), 'notes')).rejects.toThrow('the sign-in page of notes is not a web address; it was not opened');
    }
    expect(opened).toEqual([]);
  });
});
