/**
 * The approval popup appears when a call starts waiting (unless alerts are notification
 * only), without stealing focus, and hides when nothing waits any more. It hangs off the
 * tray icon on macOS and Windows and is centred on Linux. The window is a fake (no Electron
 * binary here); the core and its calls are real.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PendingTracker } from '../../main/electron/pending-tracker.ts';
import { PopupController } from '../../main/electron/popup-controller.ts';
import { POPUP_MARGIN, popupPosition, type Rect } from '../../main/electron/popup-position.ts';
import type { AlertMode } from '../../main/electron/settings.ts';
import { waitFor } from '../helpers/harness.ts';
import { startCore, type CoreFixture } from './core-fixture.ts';
import { FakePopupWindow } from './fake-electron.ts';

const SIZE = { width: 420, height: 560 };

describe('popup window (fake BrowserWindow, real core)', () => {
  let core: CoreFixture;
  let tracker: PendingTracker;
  let controller: PopupController | undefined;
  let windows: FakePopupWindow[] = [];
  let mode: AlertMode = 'both';

  function startPopup(platform: NodeJS.Platform = 'darwin', trayBounds?: Rect): PopupController {
    controller = new PopupController({
      tracker,
      mode: () => mode,
      env: {
        platform,
        createWindow: () => {
          const w = new FakePopupWindow([SIZE.width, SIZE.height]);
          windows.push(w);
          return w;
        },
        trayBounds: () => trayBounds,
        workArea: () => ({ x: 0, y: 25, width: 1440, height: 875 }),
      },
    });
    controller.start();
    return controller;
  }

  beforeAll(async () => {
    core = await startCore();
    tracker = new PendingTracker(core.airlock.control);
    await tracker.start();
  });
  afterEach(async () => {
    controller?.stop();
    controller = undefined;
    windows = [];
    mode = 'both';
    for (const p of await core.airlock.control.call('pending.list')) await core.deny(p.id);
    await waitFor(() => tracker.count === 0, 5000, 'an empty queue');
  });
  afterAll(async () => {
    tracker?.stop();
    await core?.close();
  });

  it('shows on a new waiting call without taking focus, and hides when the queue empties', async () => {
    const popup = startPopup('darwin', { x: 1200, y: 0, width: 22, height: 24 });
    expect(windows).toHaveLength(0);
    const first = await core.callThatWaits();
    await waitFor(() => popup.visible, 5000, 'the popup to show');
    const [w] = windows;
    expect(w!.shows).toEqual(['inactive']);
    expect(w!.focused).toBe(false);

    const second = await core.callThatWaits();
    await core.deny(first.id);
    // One call still waits: the popup stays.
    await waitFor(() => tracker.count === 1, 5000, 'one call left');
    expect(popup.visible).toBe(true);
    await core.deny(second.id);
    await waitFor(() => !popup.visible, 5000, 'the popup to hide');
    expect(w!.hides).toBe(1);

    // The window is reused for the next call.
    await core.callThatWaits();
    await waitFor(() => popup.visible, 5000, 'the popup to show again');
    expect(windows).toHaveLength(1);
  });

  it('stays hidden in "notification only" mode, but opens (focused) when the person asks', async () => {
    mode = 'notification';
    const popup = startPopup();
    await core.callThatWaits();
    await waitFor(() => tracker.count === 1, 5000, 'a waiting call');
    expect(popup.visible).toBe(false);
    popup.show({ focus: true });
    expect(windows[0]!.shows).toEqual(['focused']);
    expect(windows[0]!.focused).toBe(true);
  });

  it('"popup only" mode shows it too', async () => {
    mode = 'popup';
    const popup = startPopup();
    await core.callThatWaits();
    await waitFor(() => popup.visible, 5000, 'the popup to show');
  });

  it('is anchored under the macOS menu-bar icon', async () => {
    const popup = startPopup('darwin', { x: 1200, y: 0, width: 22, height: 24 });
    await core.callThatWaits();
    await waitFor(() => popup.visible, 5000, 'the popup to show');
    // Centred under the icon (x 1200 + 11), just below the menu bar.
    expect(windows[0]!.position).toEqual([1211 - SIZE.width / 2, 25 + POPUP_MARGIN]);
  });

  it('is centred on Linux, where the tray reports no bounds', async () => {
    const popup = startPopup('linux', { x: 0, y: 0, width: 0, height: 0 });
    await core.callThatWaits();
    await waitFor(() => popup.visible, 5000, 'the popup to show');
    expect(windows[0]!.position).toEqual([Math.round((1440 - SIZE.width) / 2), Math.round(25 + (875 - SIZE.height) / 2)]);
  });
});

describe('popup anchoring', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1080 };

  it('hangs below a macOS menu-bar icon, centred on it', () => {
    const workArea = { x: 0, y: 25, width: 1920, height: 1055 };
    expect(popupPosition({ platform: 'darwin', size: SIZE, trayBounds: { x: 900, y: 0, width: 24, height: 24 }, workArea })).toEqual({
      x: 912 - SIZE.width / 2,
      y: 25 + POPUP_MARGIN,
    });
  });

  it('sits above a Windows taskbar icon at the bottom, kept inside the screen on the right', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(popupPosition({ platform: 'win32', size: SIZE, trayBounds: { x: 1880, y: 1044, width: 32, height: 32 }, workArea })).toEqual({
      x: 1920 - SIZE.width - POPUP_MARGIN,
      y: 1040 - SIZE.height - POPUP_MARGIN,
    });
  });

  it('sits beside a taskbar on the left or right', () => {
    const left = { x: 48, y: 0, width: 1872, height: 1080 };
    expect(popupPosition({ platform: 'win32', size: SIZE, trayBounds: { x: 8, y: 900, width: 32, height: 32 }, workArea: left })).toEqual({
      x: 48 + POPUP_MARGIN,
      y: 1080 - SIZE.height - POPUP_MARGIN,
    });
    const right = { x: 0, y: 0, width: 1872, height: 1080 };
    expect(popupPosition({ platform: 'win32', size: SIZE, trayBounds: { x: 1880, y: 100, width: 32, height: 32 }, workArea: right })).toEqual({
      x: 1872 - SIZE.width - POPUP_MARGIN,
      y: POPUP_MARGIN,
    });
  });

  it('handles an auto-hidden taskbar (tray inside the work area) by the nearer half', () => {
    expect(popupPosition({ platform: 'win32', size: SIZE, trayBounds: { x: 1700, y: 1050, width: 30, height: 30 }, workArea: screen })).toEqual({
      // Centred on the icon would cross the right edge: kept inside.
      x: 1920 - SIZE.width - POPUP_MARGIN,
      y: 1050 - SIZE.height - POPUP_MARGIN,
    });
  });

  it('is centred on the work area on Linux, or when a platform reports no tray bounds', () => {
    const centred = { x: (1920 - SIZE.width) / 2, y: (1080 - SIZE.height) / 2 };
    expect(popupPosition({ platform: 'linux', size: SIZE, trayBounds: { x: 1800, y: 0, width: 24, height: 24 }, workArea: screen })).toEqual(centred);
    expect(popupPosition({ platform: 'win32', size: SIZE, trayBounds: undefined, workArea: screen })).toEqual(centred);
    expect(popupPosition({ platform: 'darwin', size: SIZE, trayBounds: { x: 0, y: 0, width: 0, height: 0 }, workArea: screen })).toEqual(centred);
  });

  it('works on a second display with negative coordinates', () => {
    const workArea = { x: -1440, y: 25, width: 1440, height: 875 };
    const { x, y } = popupPosition({ platform: 'darwin', size: SIZE, trayBounds: { x: -1460, y: 0, width: 22, height: 22 }, workArea });
    expect(x).toBe(-1440 + POPUP_MARGIN);
    expect(y).toBe(25 + POPUP_MARGIN);
  });
});
