/**
 * Desktop settings: zod-validated over a key-value store (electron-store in the app, a
 * Map here), with defaults, and hand-edited nonsense reset instead of crashing the app.
 */
import { describe, expect, it } from 'vitest';
import { DesktopSettings, MemoryStore } from '../../main/electron/settings.ts';
import { DEFAULT_MAIN_SIZE, restoreBounds } from '../../main/electron/window-bounds.ts';

describe('desktop settings', () => {
  it('starts with defaults: popup and notification, not at login, sign-ins not in a file, no saved window', () => {
    const settings = new DesktopSettings(new MemoryStore());
    expect(settings.all()).toEqual({ alerts: 'both', launchAtLogin: false, secretsInFile: false, mainWindow: undefined });
  });

  it('stores valid values and tells listeners', () => {
    const store = new MemoryStore();
    const settings = new DesktopSettings(store);
    const changed: string[] = [];
    settings.onChange((key) => changed.push(key));
    settings.set('alerts', 'notification');
    settings.set('mainWindow', { x: 10, y: 20, width: 900, height: 700, maximized: false });
    expect(store.values.get('alerts')).toBe('notification');
    expect(new DesktopSettings(store).get('mainWindow')).toEqual({ x: 10, y: 20, width: 900, height: 700, maximized: false });
    expect(changed).toEqual(['alerts', 'mainWindow']);
  });

  it('refuses to write a value outside the schema', () => {
    const store = new MemoryStore();
    const settings = new DesktopSettings(store);
    expect(() => settings.set('alerts', 'loud' as never)).toThrow();
    expect(() => settings.set('mainWindow', { x: 0, y: 0, width: 5, height: 5, maximized: false })).toThrow();
    expect(store.values.size).toBe(0);
  });

  it('resets a hand-edited invalid value to the default and reports it', () => {
    const store = new MemoryStore();
    store.set('alerts', 'sometimes');
    store.set('launchAtLogin', 'yes');
    const reports: string[] = [];
    const settings = new DesktopSettings(store, (key) => reports.push(key));
    expect(settings.get('alerts')).toBe('both');
    expect(settings.get('launchAtLogin')).toBe(false);
    expect(reports).toEqual(['alerts', 'launchAtLogin']);
    expect(store.values.has('alerts')).toBe(false);
  });
});

describe('main window bounds', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1050 };

  it('restores the saved place when it is on a screen', () => {
    expect(restoreBounds({ x: 100, y: 80, width: 1000, height: 700, maximized: true }, [display])).toEqual({ x: 100, y: 80, width: 1000, height: 700, maximized: true });
  });

  it('falls back to the default size, centred, when the saved screen is gone', () => {
    expect(restoreBounds({ x: 3000, y: 80, width: 1000, height: 700, maximized: false }, [display])).toEqual({ width: 1000, height: 700, maximized: false });
    expect(restoreBounds(undefined, [display])).toEqual({ ...DEFAULT_MAIN_SIZE, maximized: false });
  });

  it('keeps the title bar reachable and the window no larger than the screen', () => {
    expect(restoreBounds({ x: 10, y: -300, width: 4000, height: 3000, maximized: false }, [display])).toEqual({ x: 10, y: 0, width: 1920, height: 1050, maximized: false });
  });
});
