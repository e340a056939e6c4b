/**
 * Where sign-in secrets are kept: OAuth tokens, client registrations and client secrets of
 * remote servers. Never config.json, history, logs or exports. Implementations: the OS
 * keyring (headless), Electron's safeStorage (the desktop app), a 0600 file in the home
 * (the fallback, with a warning) and memory only.
 */
export type SecretStoreKind = 'keyring' | 'safe-storage' | 'file' | 'memory';

export interface SecretStore {
  readonly kind: SecretStoreKind;
  /** Said in the log and the UI when secrets are kept less safely than the platform allows. */
  readonly warning?: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}
