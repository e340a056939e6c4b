/**
 * The desktop settings file (`desktop-settings.json` in the Airlock home), kept by
 * electron-store: atomic writes, and a corrupt file is reset instead of crashing the app.
 * Validation is DesktopSettings' job (zod), so this is a plain key-value store.
 */
import Store from 'electron-store';
import type { KeyValueStore } from './settings.ts';

export function openElectronSettingsStore(dir: string): KeyValueStore {
  const store = new Store<Record<string, unknown>>({
    name: 'desktop-settings',
    cwd: dir,
    clearInvalidConfig: true,
    accessPropertiesByDotNotation: false,
  });
  return {
    get: (key) => store.get(key),
    set: (key, value) => store.set(key, value),
    delete: (key) => store.delete(key),
  };
}
