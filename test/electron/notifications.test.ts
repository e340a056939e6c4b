/**
 * Notifications for waiting calls: one at once for the first call, the rest of a burst
 * merged into a single "N calls are waiting", none while the popup is already in front of
 * the person, and a click opens the popup. Electron's Notification is a fake; the core
 * and the calls are real; time is a manual clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COALESCE_WINDOW_MS, NotificationCoalescer, type NotificationContent } from '../../main/electron/notification-coalescer.ts';
import { PendingTracker } from '../../main/electron/pending-tracker.ts';
import { PopupController } from '../../main/electron/popup-controller.ts';
import type { AlertMode } from '../../main/electron/settings.ts';
import { waitFor } from '../helpers/harness.ts';
import { startCore, type CoreFixture } from './core-fixture.ts';
import { FakePopupWindow, ManualTimers } from './fake-electron.ts';

interface Shown extends NotificationContent {
  click: () => void;
}

describe('notifications (fake Notification, real core)', () => {
  let core: CoreFixture;
  let tracker: PendingTracker;
  let coalescer: NotificationCoalescer | undefined;
  let popup: PopupController | undefined;
  let timers: ManualTimers;
  let shown: Shown[];
  let popupVisible = false;
  let opened = 0;
  let mode: AlertMode = 'notification';

  function start(): void {
    timers = new ManualTimers();
    shown = [];
    coalescer = new NotificationCoalescer({
      tracker,
      env: {
        show: (content, click) => shown.push({ ...content, click }),
        popupVisible: () => popup?.visible ?? popupVisible,
        mode: () => mode,
        openPopup: () => opened++,
        setTimeout: timers.setTimeout,
        clearTimeout: timers.clearTimeout,
      },
    });
    coalescer.start();
  }

  async function waiting(n: number): Promise<void> {
    await waitFor(() => tracker.count === n, 5000, `${n} waiting calls`);
  }

  beforeAll(async () => {
    core = await startCore();
    tracker = new PendingTracker(core.airlock.control);
    await tracker.start();
  });
  afterEach(async () => {
    coalescer?.stop();
    popup?.stop();
    coalescer = undefined;
    popup = undefined;
    popupVisible = false;
    opened = 0;
    mode = 'notification';
    for (const p of await core.airlock.control.call('pending.list')) await core.deny(p.id);
    await waiting(0);
  });
  afterAll(async () => {
    tracker?.stop();
    await core?.close();
  });

  it('announces the first waiting call at once, naming tool and client but not the arguments', async () => {
    start();
    await core.callThatWaits('secret prompt text');
    await waitFor(() => shown.length === 1, 5000, 'a notification');
    expect(shown[0]!.title).toBe('Approve images › text_to_image?');
    expect(shown[0]!.body).toMatch(/^test-agent is waiting for your decision/);
    expect(JSON.stringify(shown)).not.toContain('secret prompt text');
  });

  it('merges a burst of calls into one summary after the window, not one notification each', async () => {
    start();
    await core.callThatWaits();
    for (let i = 0; i < 9; i++) await core.callThatWaits();
    await waiting(10);
    expect(shown).toHaveLength(1);
    timers.advance(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(2);
    expect(shown[1]!.title).toBe('10 calls are waiting');
    expect(shown[1]!.body).toBe('images › text_to_image. Click to review.');
    // Nothing new came: the next window closes quietly.
    timers.advance(COALESCE_WINDOW_MS * 3);
    expect(shown).toHaveLength(2);
  });

  it('a steady stream gives at most one notification per window', async () => {
    start();
    for (let round = 0; round < 3; round++) {
      await core.callThatWaits();
      await core.callThatWaits();
      timers.advance(COALESCE_WINDOW_MS);
    }
    expect(shown.map((s) => s.title)).toEqual(['Approve images › text_to_image?', '2 calls are waiting', '4 calls are waiting', '6 calls are waiting']);
  });

  it('says nothing more when the later calls of a burst were decided before the window closed', async () => {
    start();
    await core.callThatWaits();
    const later = await core.callThatWaits();
    await core.deny(later.id);
    await waiting(1);
    timers.advance(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(1);
  });

  it('stays quiet while the popup is visible, and in "popup only" mode', async () => {
    start();
    popupVisible = true;
    await core.callThatWaits();
    await waiting(1);
    expect(shown).toHaveLength(0);
    popupVisible = false;
    mode = 'popup';
    await core.callThatWaits();
    await waiting(2);
    expect(shown).toHaveLength(0);
  });

  it('clicking a notification opens the popup', async () => {
    start();
    await core.callThatWaits();
    await waitFor(() => shown.length === 1, 5000, 'a notification');
    shown[0]!.click();
    expect(opened).toBe(1);
  });

  it('in "both" mode the first call pops the popup and notifies; later calls join the visible popup silently', async () => {
    mode = 'both';
    start();
    const windows: FakePopupWindow[] = [];
    // Registered after the notifier, as in the app: "visible" means visible before this call.
    popup = new PopupController({
      tracker,
      mode: () => mode,
      env: {
        platform: 'linux',
        createWindow: () => {
          const w = new FakePopupWindow();
          windows.push(w);
          return w;
        },
        trayBounds: () => undefined,
        workArea: () => ({ x: 0, y: 0, width: 1280, height: 800 }),
      },
    });
    popup.start();
    await core.callThatWaits();
    await waitFor(() => popup!.visible, 5000, 'the popup');
    expect(shown).toHaveLength(1);
    await core.callThatWaits();
    await waiting(2);
    timers.advance(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(1);
  });
});
