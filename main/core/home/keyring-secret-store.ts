/**
 * Secrets in the OS keyring (macOS Keychain, Windows Credential Manager, the Secret Service
 * on Linux) through @napi-rs/keyring, one entry per key under the service "Airlock <home>",
 * so two homes never share a token.
 */
import type * as Keyring from '@napi-rs/keyring';
import type { SecretStore } from './secret-store.ts';

// Loaded on first use: a native module that the desktop app (safeStorage) never needs, kept
// out of its bundle.
let keyring: Promise<typeof Keyring> | undefined;
const entry = async (service: string, key: string) => {
  keyring ??= import('@napi-rs/keyring');
  return new (await keyring).AsyncEntry(service, key);
};

export class KeyringSecretStore implements SecretStore {
  readonly kind = 'keyring' as const;
  readonly service: string;

  constructor(home: string) {
    this.service = `Airlock ${home}`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await (await entry(this.service, key)).getPassword()) ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    await (await entry(this.service, key)).setPassword(value);
  }

  async delete(key: string): Promise<void> {
    await (await entry(this.service, key)).deletePassword();
  }

  /** Whether the keyring answers here at all: a write, a read back and a delete of a probe entry. */
  async works(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const probe = `probe-${process.pid}-${Date.now()}`;
    try {
      await this.set(probe, 'airlock');
      const back = await this.get(probe);
      await this.delete(probe);
      return back === 'airlock' ? { ok: true } : { ok: false, reason: 'the keyring did not return what was stored' };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }
}
