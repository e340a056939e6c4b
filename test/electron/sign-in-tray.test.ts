/**
 * The desktop shell and remote servers that need sign-in: the tray's "Sign in to
 * <server>…" items, the notification when a server starts needing it, and opening the
 * sign-in page in the system browser. Electron's Tray, Menu and shell.openExternal are
 * stand-ins; the core is real, with a real loopback server that answers 401 with a Bearer
 * challenge. The sign-in state comes from the core's OAuth client, which these tests do not
 * run: it is injected into the real core's server description and announced on its real
 * event stream (servers.changed), as the OAuth client does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { silentLogger } from '../../main/core/logger.ts';
import { PendingTracker } from '../../main/electron/pending-tracker.ts';
import { openSignIn, type SignInOptions } from '../../main/electron/sign-in.ts';
import { SignInTracker, signInNotice, type SignInNeed } from '../../main/electron/sign-in-tracker.ts';
import { TrayController, type TrayActions } from '../../main/electron/tray-controller.ts';
import type { ServerStatus, SignInStatus } from '../../shared/api/contract.ts';
import { DEMO_IMAGES, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { fakeTrayFactory, type FakeTray } from './fake-electron.ts';

const home = tempHome('airlock-signin-tray-');
let remote: Server;
let airlock: Airlock;
let pending: PendingTracker;
const signIns = new Map<string, SignInStatus>();

function announce(server: string, signIn: SignInStatus | undefined): void {
  if (signIn) signIns.set(server, signIn);
  else signIns.delete(server);
  airlock.control.emit({ type: 'servers.changed', server: airlock.catalog.describe(airlock.upstreams.get(server)!.status) });
}

beforeAll(async () => {
  remote = createServer((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Bearer scope="notes.read"', 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/mcp`;
  airlock = await startAirlock(home.dir, { images: DEMO_IMAGES, notes: { url, oauth: {} }, docs: { url, oauth: {} } }, { restartBackoffMs: 60_000 });
  const describeServer = airlock.catalog.describe.bind(airlock.catalog);
  airlock.catalog.describe = (status): ServerStatus => {
    const signIn = signIns.get(status.name);
    return { ...describeServer(status), ...(signIn && { signIn }) };
  };
  pending = new PendingTracker(airlock.control);
  await pending.start();
}, 60_000);

afterEach(() => {
  for (const name of [...signIns.keys()]) announce(name, undefined);
});

afterAll(async () => {
  pending?.stop();
  await airlock?.stop();
  await new Promise((resolve) => remote?.close(resolve));
  home.cleanup();
});

async function startTracker(): Promise<{ tracker: SignInTracker; needed: SignInNeed[] }> {
  const tracker = new SignInTracker(airlock.control);
  const needed: SignInNeed[] = [];
  tracker.on('needed', (need) => needed.push(need));
  await tracker.start();
  return { tracker, needed };
}

describe('tray and notifications for servers that need sign-in (stand-in Electron tray, real core, sign-in status injected)', () => {
  it('lists "Sign in to <server>…" for each server that needs it, and a click starts that server\u2019s sign-in; the item goes once signed in', async () => {
    const { tracker } = await startTracker();
    const asked: string[] = [];
    const actions: TrayActions = { openPopup: () => undefined, openMainWindow: () => undefined, setPaused: () => undefined, setAlertMode: () => undefined, quit: () => undefined, signIn: (server) => asked.push(server) };
    const factory = fakeTrayFactory();
    const controller = new TrayController({ factory, tracker: pending, actions, prefs: { alerts: () => 'both', launchAtLogin: () => false }, signIns: tracker });
    controller.start();
    const tray: FakeTray = factory.trays[0]!;
    try {
      expect(tray.labels()).not.toContain('Sign in to notes…');
      announce('notes', { state: 'needs_sign_in', issuer: 'https://auth.notes.example' });
      announce('docs', { state: 'sign_in_failed', error: 'invalid_client' });
      await waitFor(() => tray.item('sign-in:notes') && tray.item('sign-in:docs'), 5000, 'the sign-in items');
      expect(tray.labels().slice(0, 3)).toEqual(['No calls waiting', 'Sign in to docs…', 'Sign in to notes…']);
      tray.clickItem('sign-in:notes');
      expect(asked).toEqual(['notes']);

      announce('notes', { state: 'ready', issuer: 'https://auth.notes.example' });
      await waitFor(() => tray.item('sign-in:notes') === undefined, 5000, 'the item to go');
      expect(tray.item('sign-in:docs')).toBeDefined();
    } finally {
      controller.destroy();
      tracker.stop();
    }
  });

  it('notifies when a server starts needing sign-in (at start, and when a sign-in ends), not after a failed attempt the person just made', async () => {
    announce('notes', { state: 'needs_sign_in', issuer: 'https://auth.notes.example' });
    const { tracker, needed } = await startTracker();
    try {
      expect(needed.map((n) => n.server)).toEqual(['notes']);
      expect(signInNotice(needed[0]!)).toEqual({
        title: 'Sign in to notes',
        body: 'https://auth.notes.example asks you to sign in; calls to notes are refused until you do. Click to open the sign-in page.',
      });
      announce('notes', { state: 'signing_in' });
      announce('notes', { state: 'sign_in_failed', error: 'access_denied' });
      announce('notes', { state: 'ready' });
      // A refresh the server refused: the person must sign in again, and is told.
      announce('notes', { state: 'needs_sign_in' });
      await waitFor(() => needed.length === 2, 5000, 'the second notice');
      expect(needed.map((n) => [n.server, n.signIn.state])).toEqual([
        ['notes', 'needs_sign_in'],
        ['notes', 'needs_sign_in'],
      ]);
      expect(signInNotice(needed[1]!).body).toBe('It asks you to sign in; calls to notes are refused until you do. Click to open the sign-in page.');
      // Servers without sign-in never show up.
      expect(tracker.list().map((n) => n.server)).toEqual(['notes']);
    } finally {
      tracker.stop();
    }
  });
});

describe('opening the sign-in page in the system browser (stand-in for shell.openExternal)', () => {
  const opened: string[] = [];
  const options = (api: SignInOptions['api']): SignInOptions => ({ api, openExternal: async (url) => void opened.push(url), logger: silentLogger });
  afterEach(() => {
    opened.length = 0;
  });

  it('asks the real core and opens nothing when it refuses (a server that does not use sign-in)', async () => {
    await expect(openSignIn(options(airlock.control), 'images')).rejects.toThrow(/does not use sign-in/);
    expect(opened).toEqual([]);
  });

  it('opens the page servers.login returns (its answer stood in for), and only a web page', async () => {
    const answering = (authorizationUrl: string): SignInOptions['api'] => ({ call: (async () => ({ authorizationUrl })) as SignInOptions['api']['call'] });
    await expect(openSignIn(options(answering('https://auth.notes.example/authorize?state=s')), 'notes')).resolves.toEqual({ authorizationUrl: 'https://auth.notes.example/authorize?state=s' });
    expect(opened).toEqual(['https://auth.notes.example/authorize?state=s']);
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'notes-app://authorize']) {
      await expect(openSignIn(options(answering(bad)), 'notes')).rejects.toThrow('the sign-in page of notes is not a web address; it was not opened');
    }
    expect(opened).toEqual(['https://auth.notes.example/authorize?state=s']);
  });
});
