/**
 * main/electron/desktop-app.ts run whole, with a stand-in for the `electron` module (the
 * Electron binary cannot run here; see fake-electron-module.ts) and a memory store in place
 * of electron-store (which would load the real `electron` package). Everything behind the
 * shell is real: the core in a temporary home, the demo image server, an MCP client over
 * HTTP, SQLite on disk. What this cannot show: real windows, a real tray, real IPC
 * between processes, the preload in a real renderer.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStores } from '../../main/core/store/stores.ts';
import { CALL_CHANNEL, SIGN_IN_CHANNEL } from '../../main/electron/ipc-channels.ts';
import type { IpcResult } from '../../main/electron/ipc-channels.ts';
import { DEMO_IMAGES, newClient, repoRoot, tempHome, waitFor, writeConfig } from '../helpers/harness.ts';
import { FILE_WARNING, NO_KEYRING_WARNING } from '../../main/electron/safe-storage-secrets.ts';
import type { ServerStatus } from '../../shared/api/contract.ts';
import { signInLikeABrowser } from '../oauth/authorization-server.ts';
import { startWorld, type OAuthWorld } from '../oauth/oauth-harness.ts';
import * as electron from './fake-electron-module.ts';

vi.mock('electron', () => import('./fake-electron-module.ts'));
vi.mock('../../main/electron/electron-settings-store.ts', async () => {
  const { MemoryStore } = await import('../../main/electron/settings.ts');
  return { openElectronSettingsStore: () => new MemoryStore() };
});

const { app, ipcMain, dialog, FakeBrowserWindow, FakeTray, FakeNotification } = electron;

describe('desktop app with a stand-in for Electron (real core, real MCP client)', () => {
  const home = tempHome('airlock-desktop-');
  const userHome = tempHome('airlock-desktop-user-');
  const savedHome = process.env.HOME;
  let url = '';
  let mcpToken = '';
  /** A real authorization server and an MCP server that requires its tokens (test/oauth): `notes` signs in there. */
  let world: OAuthWorld;

  beforeAll(async () => {
    world = await startWorld();
    // The tray's "install the airlock command" writes under the user's home: a temporary one.
    process.env.HOME = userHome.dir;
    writeConfig(home.dir, { mcpServers: { images: DEMO_IMAGES, notes: { url: world.mcp.url, oauth: {} } }, airlock: { port: 0, earlyAnswerSeconds: 0 } });
    writeFileSync(join(home.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'ask' }));
    app.appPath = repoRoot;
    const { startDesktop } = await import('../../main/electron/desktop-app.ts');
    startDesktop({ home: home.dir, hidden: false });
    app.becomeReady();
    await waitFor(() => FakeTray.all.length === 1 && existsSync(join(home.dir, 'runtime.json')), 20_000, 'the desktop app to boot');
    url = (JSON.parse(readFileSync(join(home.dir, 'runtime.json'), 'utf8')) as { url: string }).url;
    mcpToken = (JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')) as { mcpToken: string }).mcpToken;
  }, 30_000);

  afterAll(async () => {
    if (!app.quitted) app.quit();
    await waitFor(() => app.quitted, 20_000, 'the app to quit');
    process.env.HOME = savedHome;
    await world?.close();
    home.cleanup();
    userHome.cleanup();
  });

  it('boots on the given home: tray with nothing waiting, main window on the approvals view, no error dialog', () => {
    expect(app.paths.get('userData')).toBe(home.dir);
    expect(dialog.errors).toEqual([]);
    const tray = FakeTray.all[0]!;
    expect(tray.tooltip).toBe('Airlock: no calls waiting');
    expect(tray.item('pending-none')?.label).toBe('No calls waiting');
    const main = FakeBrowserWindow.all.find((w) => w.url.endsWith('#/approvals'));
    expect(main?.visible).toBe(true);
    expect(main?.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  it('"Install the airlock command" in the tray writes the launcher and says where', async () => {
    const tray = FakeTray.all[0]!;
    const launcher = join(userHome.dir, '.local', 'bin', 'airlock');
    tray.clickItem('install-cli');
    await waitFor(() => dialog.messages.length > 0, 10_000, 'the result dialog');
    expect(dialog.messages[0]).toMatchObject({ type: 'info', message: `Installed the airlock command: ${launcher}` });
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
    expect(readFileSync(launcher, 'utf8')).toContain('--airlock-cli');
  });

  it('sign-in secrets on Linux without a keyring (stand-in safeStorage on basic_text): memory only, said in the log; the tray offers keeping them in a file and remembers the choice', async () => {
    const log = readFileSync(join(home.dir, 'logs', 'desktop.log'), 'utf8');
    expect(log).toContain('warn sign-in secrets: No system keyring was found');
    expect(existsSync(join(home.dir, 'secrets.safe-storage.json'))).toBe(false);
    const tray = FakeTray.all[0]!;
    expect(tray.item('secrets-file')).toMatchObject({ label: 'Keep sign-ins in a file (no keyring found)', type: 'checkbox', checked: false });
    tray.clickItem('secrets-file');
    await waitFor(() => tray.item('secrets-file')?.checked === true, 5000, 'the setting to show as on');
    await waitFor(() => readFileSync(join(home.dir, 'logs', 'desktop.log'), 'utf8').includes('sign-in secrets: kept in the file from now on'), 5000, 'the secrets to move to the file');
    expect(statSync(join(home.dir, 'secrets.safe-storage.json')).mode & 0o777).toBe(0o600);
    tray.clickItem('secrets-file');
    await waitFor(() => tray.item('secrets-file')?.checked === false, 5000, 'the setting to show as off');
  });

  it('the Servers view\'s sign-in channel asks the core for the page and opens nothing when the core refuses (a stdio server does not use sign-in); other senders are refused', async () => {
    const handler = ipcMain.handlers.get(SIGN_IN_CHANNEL) as (event: unknown, payload: unknown) => Promise<IpcResult>;
    const main = FakeBrowserWindow.all.find((w) => w.url.endsWith('#/approvals'))!;
    const fromMain = { sender: { id: main.webContents.id }, senderFrame: { url: 'app://airlock/index.html#/servers', parent: null } };
    const answer = await handler(fromMain, { server: 'images' });
    expect(answer).toMatchObject({ ok: false, error: { error: 'not_found' } });
    expect((answer as { error: { message: string } }).error.message).toMatch(/does not use sign-in/);
    expect(await handler({ ...fromMain, sender: { id: 9999 } }, { server: 'images' })).toMatchObject({ ok: false, error: { error: 'forbidden' } });
    expect(await handler(fromMain, { server: 'images', url: 'https://evil.example/' })).toMatchObject({ ok: false, error: { error: 'invalid_request' } });
    expect(electron.shell.opened).toEqual([]);
  });

  it('a remote server that needs sign-in (real core and authorization server): notified once, offered in the tray; its card reads the desktop\'s safe-storage store live; the tray item opens the provider\'s page in the system browser', async () => {
    const handler = ipcMain.handlers.get(CALL_CHANNEL) as (event: unknown, payload: unknown) => Promise<IpcResult>;
    const main = FakeBrowserWindow.all.find((w) => w.url.includes('#/'))!;
    const fromMain = { sender: { id: main.webContents.id }, senderFrame: { url: 'app://airlock/index.html#/servers', parent: null } };
    /** What the Servers view reads over IPC. */
    const notes = async () => {
      const answer = (await handler(fromMain, { method: 'servers.list' })) as { ok: true; value: ServerStatus[] };
      return answer.value.find((s) => s.name === 'notes')!.signIn;
    };
    const file = join(home.dir, 'secrets.safe-storage.json');
    /** How many secrets the file holds (none when it does not exist). */
    const inFile = () => (existsSync(file) ? Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { entries: object }).entries).length : 0);
    const tray = FakeTray.all[0]!;
    // Start from memory only (the setting off), whatever ran before.
    if (tray.item('secrets-file')?.checked) tray.clickItem('secrets-file');
    await waitFor(() => tray.item('secrets-file')?.checked === false, 5000, 'the file setting off');

    await waitFor(async () => (await notes())?.reason && (await notes())?.secrets?.kind === 'memory', 10_000, 'notes to have answered 401, its secrets in memory');
    expect((await notes())?.state).toBe('needs_sign_in');
    // The core reports the store the desktop app gave it: safeStorage on basic_text, memory only.
    expect((await notes())?.secrets).toEqual({ kind: 'memory', warning: NO_KEYRING_WARNING });
    expect(FakeNotification.shown.filter((n) => n.title === 'Sign in to notes')).toEqual([
      { title: 'Sign in to notes', body: 'notes asks you to sign in; calls to it are refused until you do. Click to open the sign-in page.' },
    ]);
    expect(tray.item('sign-in:notes')?.label).toBe('Sign in to notes…');

    const openedBefore = electron.shell.opened.length;
    tray.clickItem('sign-in:notes');
    const page = await waitFor(() => electron.shell.opened[openedBefore], 10_000, 'the sign-in page in the system browser');
    expect(new URL(page).origin).toBe(world.as.issuer);
    // The person signs in there (the provider's login and consent, by HTTP) and is sent back to Airlock.
    const callback = await signInLikeABrowser(page, `${url}/oauth/callback`);
    expect((await fetch(callback)).status).toBe(200);
    await waitFor(async () => (await notes())?.state === 'ready', 10_000, 'notes to be signed in');
    await waitFor(() => tray.item('sign-in:notes') === undefined, 5000, 'the tray item to go');
    expect(inFile()).toBe(0);

    // Keeping sign-ins in the file: the card says so at once, and the sign-in moves there.
    tray.clickItem('secrets-file');
    await waitFor(async () => (await notes())?.secrets?.kind === 'file', 5000, 'the card to say file');
    expect((await notes())?.secrets).toEqual({ kind: 'file', warning: FILE_WARNING });
    await waitFor(() => inFile() > 0, 5000, 'the sign-in in the file');
    expect((await notes())?.state).toBe('ready');
    tray.clickItem('secrets-file');
    await waitFor(async () => (await notes())?.secrets?.kind === 'memory', 5000, 'the card to say memory again');
    await waitFor(() => inFile() === 0, 5000, 'the file emptied');
    expect((await notes())?.state).toBe('ready');
  });

  it('a waiting call shows 1 on the tray and the popup; approving through IPC lets it through, back to 0; quitting flushes it to history', async () => {
    const client = newClient('desk-agent');
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/images', url), { requestInit: { headers: { Authorization: `Bearer ${mcpToken}` } } }));
    const tray = FakeTray.all[0]!;
    try {
      const result = client.callTool({ name: 'text_to_image', arguments: { prompt: 'a lighthouse', size: '1K' } });
      await waitFor(() => tray.tooltip === 'Airlock: 1 call waiting', 10_000, 'the tray to count 1');
      expect(tray.item('pending-open')?.label).toBe('Review 1 waiting call…');

      const popup = await waitFor(() => FakeBrowserWindow.all.find((w) => w.url.endsWith('#/popup') && w.visible), 5000, 'the popup');
      // Shown without taking the keyboard focus: typing elsewhere must not approve anything.
      expect(popup.shows[0]).toBe('inactive');

      // What the popup's preload sends when the person clicks Approve.
      const handler = ipcMain.handlers.get(CALL_CHANNEL) as (event: unknown, payload: unknown) => Promise<IpcResult>;
      const fromPopup = { sender: { id: popup.webContents.id }, senderFrame: { url: 'app://airlock/index.html#/popup', parent: null } };
      const listed = await handler(fromPopup, { method: 'pending.list' });
      expect(listed.ok).toBe(true);
      const [pending] = (listed as { value: Array<{ id: string; tool: string }> }).value;
      expect(pending?.tool).toBe('text_to_image');
      // A sender that is not one of the app's windows is refused.
      expect(await handler({ ...fromPopup, sender: { id: 9999 } }, { method: 'pending.decide', input: { id: pending!.id, decision: 'approve' } })).toMatchObject({ ok: false, error: { error: 'forbidden' } });
      expect(await handler(fromPopup, { method: 'pending.decide', input: { id: pending!.id, decision: 'approve' } })).toMatchObject({ ok: true });

      const answer = await result;
      expect(answer.isError).toBeFalsy();
      await waitFor(() => tray.tooltip === 'Airlock: no calls waiting', 5000, 'the tray back to 0');
      await waitFor(() => !popup.visible, 5000, 'the popup to hide');
      // The popup's window heard the queue change through the event channel.
      expect(popup.webContents.sent.some((m) => (m.payload as { type?: string }).type === 'pending.resolved')).toBe(true);
    } finally {
      await client.close();
    }

    tray.clickItem('quit');
    await waitFor(() => app.quitted, 20_000, 'the app to quit');
    expect(tray.destroyed).toBe(true);
    expect(existsSync(join(home.dir, 'runtime.json'))).toBe(false);
    const stores = openStores(join(home.dir, 'history.db'), { readOnly: true });
    try {
      const { entries } = stores.history.query({ limit: 10 });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ tool: 'text_to_image', decision: 'approved', state: 'completed', arguments: { prompt: 'a lighthouse' } });
      expect(entries[0]!.result).toBeDefined();
    } finally {
      stores.close();
    }
  });

});
