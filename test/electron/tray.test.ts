/**
 * The tray follows the approval queue: its count (drawn into the icon, or the macOS title)
 * and its context menu change as calls start and stop waiting. Electron's Tray and Menu are
 * fakes (no Electron binary here); the core, its queue and the MCP calls are real.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PendingTracker } from '../../main/electron/pending-tracker.ts';
import { TrayController, MENU_PENDING_LIMIT, type TrayActions } from '../../main/electron/tray-controller.ts';
import type { AlertMode } from '../../main/electron/settings.ts';
import { waitFor } from '../helpers/harness.ts';
import { startCore, type CoreFixture } from './core-fixture.ts';
import { fakeTrayFactory, type FakeTray } from './fake-electron.ts';

describe('tray (fake Electron tray, real core)', () => {
  let core: CoreFixture;
  let tracker: PendingTracker;
  let controller: TrayController<{ count: number }, { template: unknown[] }> | undefined;
  const actions: string[] = [];
  let alerts: AlertMode = 'both';

  const recordingActions: TrayActions = {
    openPopup: () => actions.push('popup'),
    openMainWindow: () => actions.push('main'),
    setPaused: (paused) => {
      actions.push(`pause:${paused}`);
      void core.airlock.control.call('approvals.pause', { paused });
    },
    setAlertMode: (mode) => {
      alerts = mode;
      actions.push(`alerts:${mode}`);
      controller?.refresh();
    },
    setLaunchAtLogin: (enabled) => actions.push(`login:${enabled}`),
    quit: () => actions.push('quit'),
  };

  function startTray(usesTitle = false): FakeTray {
    const factory = fakeTrayFactory({ usesTitle });
    controller = new TrayController({ factory, tracker, actions: recordingActions, prefs: { alerts: () => alerts, launchAtLogin: () => false } });
    controller.start();
    return factory.trays[0]!;
  }

  beforeAll(async () => {
    core = await startCore();
    tracker = new PendingTracker(core.airlock.control);
    await tracker.start();
  });
  afterEach(async () => {
    controller?.destroy();
    controller = undefined;
    actions.length = 0;
    for (const p of await core.airlock.control.call('pending.list')) await core.deny(p.id);
    await waitFor(() => tracker.count === 0, 5000, 'an empty queue');
  });
  afterAll(async () => {
    tracker?.stop();
    await core?.close();
  });

  it('starts with no count and a menu that says nothing waits, with open, pause and quit always present', () => {
    const tray = startTray();
    expect(tray.image).toEqual({ count: 0 });
    expect(tray.tooltip).toBe('Airlock: no calls waiting');
    expect(tray.labels()).toEqual([
      'No calls waiting',
      'Open Airlock',
      'Pause all (deny every call that asks)',
      'When a call waits',
      'Start Airlock at login',
      'Quit Airlock',
    ]);
  });

  it('draws the pending count into the icon and lists the waiting calls as calls start and end waiting', async () => {
    const tray = startTray();
    const first = await core.callThatWaits('a red fox');
    await waitFor(() => tray.image.count === 1, 5000, 'count 1 on the icon');
    expect(tray.tooltip).toBe('Airlock: 1 call waiting');
    expect(tray.item('pending-open')?.label).toBe('Review 1 waiting call…');
    expect(tray.item(`pending:${first.id}`)?.label).toBe('images › text_to_image (test-agent)');

    const second = await core.callThatWaits('a blue whale');
    await waitFor(() => tray.image.count === 2, 5000, 'count 2 on the icon');
    expect(tray.item('pending-open')?.label).toBe('Review 2 waiting calls…');
    expect(tray.item(`pending:${second.id}`)).toBeDefined();

    await core.deny(first.id);
    await waitFor(() => tray.image.count === 1, 5000, 'count back to 1');
    expect(tray.item(`pending:${first.id}`)).toBeUndefined();
    await core.deny(second.id);
    await waitFor(() => tray.image.count === 0, 5000, 'count back to 0');
    expect(tray.item('pending-none')?.label).toBe('No calls waiting');
  });

  it('puts the count in the title where the tray has one (macOS) and keeps the icon', async () => {
    const tray = startTray(true);
    await core.callThatWaits();
    await waitFor(() => tray.title === '1', 5000, 'title 1');
    expect(tray.images).toEqual([]);
    const [pending] = await core.airlock.control.call('pending.list');
    await core.deny(pending!.id);
    await waitFor(() => tray.title === '', 5000, 'empty title');
  });

  it('redraws the icon only when the badge changes, not on every event', async () => {
    const tray = startTray();
    for (let i = 0; i < 11; i++) await core.callThatWaits();
    await waitFor(() => tracker.count === 11, 5000, '11 waiting');
    // 1..9 are drawn, then "9+" once for 10 and 11.
    expect(tray.images.map((i) => i.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(tray.item('pending-more')?.label).toBe(`and ${11 - MENU_PENDING_LIMIT} more…`);
  });

  it('a click opens the popup when calls wait and the main window when none do', async () => {
    const tray = startTray();
    tray.click();
    expect(actions).toEqual(['main']);
    await core.callThatWaits();
    await waitFor(() => tracker.count === 1, 5000, 'a waiting call');
    tray.click();
    expect(actions).toEqual(['main', 'popup']);
    tray.clickItem('pending-open');
    expect(actions).toEqual(['main', 'popup', 'popup']);
  });

  it('"pause all" pauses the core, and the menu shows it checked', async () => {
    const tray = startTray();
    expect(tray.item('pause')?.checked).toBe(false);
    tray.clickItem('pause');
    await waitFor(() => tray.item('pause')?.checked === true, 5000, 'pause checked');
    expect(tray.tooltip).toContain('paused');
    expect((await core.airlock.control.call('status.get')).paused).toBe(true);
    tray.clickItem('pause');
    await waitFor(() => tray.item('pause')?.checked === false, 5000, 'pause unchecked');
    expect((await core.airlock.control.call('status.get')).paused).toBe(false);
  });

  it('offers the alert modes as radio items, the current one checked', () => {
    const tray = startTray();
    expect(tray.item('alerts:both')?.checked).toBe(true);
    tray.clickItem('alerts:notification');
    expect(tray.item('alerts:notification')?.checked).toBe(true);
    expect(tray.item('alerts:both')?.checked).toBe(false);
    alerts = 'both';
  });

  it('quits from the menu and escapes "&" in tool names (a mnemonic marker on Windows and Linux)', async () => {
    const tray = startTray();
    tray.clickItem('quit');
    expect(actions).toEqual(['quit']);
    const { pendingLabel } = await import('../../main/electron/tray-controller.ts');
    const [pending] = [await core.callThatWaits()];
    expect(pendingLabel({ ...pending!, tool: 'search & replace' })).toBe('images › search && replace (test-agent)');
  });
});
