/**
 * Desktop-only settings (alerts, launch at login, sign-ins in a file, window bounds), validated with zod over
 * a plain key-value store. The app backs it with electron-store; the core never sees it
 * (ARCHITECTURE.md §4), and tests back it with a Map.
 */
import { z } from 'zod';

export const AlertModeSchema = z.enum(['popup', 'notification', 'both']);
export type AlertMode = z.infer<typeof AlertModeSchema>;

export const WindowBoundsSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(150).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowBounds = z.infer<typeof WindowBoundsSchema>;

export const DesktopSettingsSchema = z.object({
  /** How a new waiting call is announced: the tray popup, a notification, or both. */
  alerts: AlertModeSchema.default('both'),
  launchAtLogin: z.boolean().default(false),
  /**
   * Linux without a keyring: keep sign-in secrets in the home's file anyway (protected by
   * its permissions only) rather than in memory. The tray's "Keep sign-ins in a file".
   */
  secretsInFile: z.boolean().default(false),
  mainWindow: WindowBoundsSchema.optional(),
});
export type DesktopSettingsValues = z.infer<typeof DesktopSettingsSchema>;
export type SettingKey = keyof DesktopSettingsValues;

/** The storage underneath (electron-store's get/set/delete, or a Map in tests). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

const keySchemas = DesktopSettingsSchema.shape;

export class DesktopSettings {
  private readonly store: KeyValueStore;
  private readonly onInvalid: (key: string, message: string) => void;
  private readonly listeners = new Set<(key: SettingKey) => void>();

  constructor(store: KeyValueStore, onInvalid: (key: string, message: string) => void = () => undefined) {
    this.store = store;
    this.onInvalid = onInvalid;
  }

  /**
   * The stored value if it passes the schema, else the default. A value edited by hand
   * into something invalid is dropped (and reported) rather than crashing the app.
   */
  get<K extends SettingKey>(key: K): DesktopSettingsValues[K] {
    const schema = keySchemas[key];
    const raw = this.store.get(key);
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data as DesktopSettingsValues[K];
    this.onInvalid(key, parsed.error.issues.map((i) => i.message).join('; '));
    this.store.delete(key);
    return schema.parse(undefined) as DesktopSettingsValues[K];
  }

  /** Throws on a value outside the schema: nothing invalid is ever written. */
  set<K extends SettingKey>(key: K, value: DesktopSettingsValues[K]): void {
    const parsed = keySchemas[key].parse(value);
    if (parsed === undefined) this.store.delete(key);
    else this.store.set(key, parsed);
    for (const listener of this.listeners) listener(key);
  }

  all(): DesktopSettingsValues {
    return {
      alerts: this.get('alerts'),
      launchAtLogin: this.get('launchAtLogin'),
      secretsInFile: this.get('secretsInFile'),
      mainWindow: this.get('mainWindow'),
    };
  }

  onChange(listener: (key: SettingKey) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A Map-backed store, for tests and as the fallback when the settings file cannot be opened. */
export class MemoryStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}
