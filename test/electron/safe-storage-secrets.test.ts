/**
 * The desktop app's sign-in secrets, with a stand-in for Electron's safeStorage (AES-GCM
 * under a key the stand-in holds, as the OS keyring would): encrypted blobs in a 0600 file
 * in a real temporary home that survive a restart; on Linux's basic_text backend, memory
 * only with a warning unless the person accepted the file; secrets that no longer decrypt
 * are forgotten; concurrent writes lose nothing.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../main/core/logger.ts';
import { FILE_WARNING, NO_KEYRING_WARNING, SECRETS_FILE, SafeStorageSecrets, UNAVAILABLE_WARNING, type SafeStorageLike } from '../../main/electron/safe-storage-secrets.ts';
import { tempHome } from '../helpers/harness.ts';

const TOKEN = 'at_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** Stand-in for Electron's safeStorage: real encryption under a key of its own. */
function standInSafeStorage(options: { backend?: string; available?: boolean; key?: Buffer; reEncrypt?: boolean } = {}) {
  const key = options.key ?? randomBytes(32);
  const calls = { backend: 0, encrypt: 0 };
  const safeStorage: SafeStorageLike = {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    async encryptStringAsync(plain) {
      calls.encrypt++;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    async decryptStringAsync(encrypted) {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      const result = Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
      return { result, shouldReEncrypt: options.reEncrypt ?? false };
    },
    ...(options.backend !== undefined && {
      getSelectedStorageBackend: () => {
        calls.backend++;
        return options.backend!;
      },
    }),
  };
  return { safeStorage, key, calls };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

let home: ReturnType<typeof tempHome> | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

function open(safeStorage: SafeStorageLike, extra: { platform?: NodeJS.Platform; fileAccepted?: boolean; logger?: Logger } = {}) {
  home ??= tempHome('airlock-secrets-');
  return SafeStorageSecrets.open({
    safeStorage,
    platform: extra.platform ?? 'linux',
    file: join(home.dir, SECRETS_FILE),
    fileAccepted: extra.fileAccepted ?? false,
    logger: extra.logger ?? recordingLogger(),
  });
}

const file = () => join(home!.dir, SECRETS_FILE);

describe("sign-in secrets in Electron safeStorage (stand-in for Electron's safeStorage)", () => {
  it('with a keyring: encrypted in a 0600 file that never holds the token in clear, kept across a restart, forgotten on delete', async () => {
    const { safeStorage } = standInSafeStorage({ backend: 'gnome_libsecret' });
    const store = await open(safeStorage);
    expect([store.kind, store.warning]).toEqual(['safe-storage', undefined]);
    await store.set('tokens:https://auth.example|https://mcp.example/mcp', TOKEN);
    expect(await store.get('tokens:https://auth.example|https://mcp.example/mcp')).toBe(TOKEN);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    const text = readFileSync(file(), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));

    const restarted = await open(safeStorage);
    expect(await restarted.get('tokens:https://auth.example|https://mcp.example/mcp')).toBe(TOKEN);
    await restarted.delete('tokens:https://auth.example|https://mcp.example/mcp');
    expect(await restarted.get('tokens:https://auth.example|https://mcp.example/mcp')).toBeUndefined();
    expect(await (await open(safeStorage)).get('tokens:https://auth.example|https://mcp.example/mcp')).toBeUndefined();
  });

  it('macOS and Windows have no backend to ask: the OS keychain / DPAPI encrypts', async () => {
    const { safeStorage, calls } = standInSafeStorage({ backend: 'basic_text' });
    for (const platform of ['darwin', 'win32'] as const) {
      const store = await open(safeStorage, { platform });
      expect(store.kind).toBe('safe-storage');
      await store.set('k', TOKEN);
      expect(await store.get('k')).toBe(TOKEN);
    }
    expect(calls.backend).toBe(0);
  });

  it('Linux with basic_text and no consent: memory only, with a warning that says where to change it; nothing is written and a restart forgets', async () => {
    const logger = recordingLogger();
    const { safeStorage } = standInSafeStorage({ backend: 'basic_text' });
    const store = await open(safeStorage, { logger });
    expect(store.kind).toBe('memory');
    expect(store.warning).toBe(NO_KEYRING_WARNING);
    expect(store.warning).toMatch(/tray menu/);
    expect(logger.lines).toContain(`warn sign-in secrets: ${NO_KEYRING_WARNING}`);
    await store.set('k', TOKEN);
    expect(await store.get('k')).toBe(TOKEN);
    expect(existsSync(file())).toBe(false);
    expect(await (await open(safeStorage)).get('k')).toBeUndefined();
  });

  it('Linux with a backend it cannot name (`unknown`) is treated as no keyring: memory only', async () => {
    const store = await open(standInSafeStorage({ backend: 'unknown' }).safeStorage);
    expect([store.kind, store.warning]).toEqual(['memory', NO_KEYRING_WARNING]);
  });

  it('Linux with basic_text and the file accepted: kept in the 0600 file across a restart, with a warning that only the file mode protects it', async () => {
    const { safeStorage } = standInSafeStorage({ backend: 'basic_text' });
    const store = await open(safeStorage, { fileAccepted: true });
    expect([store.kind, store.warning]).toEqual(['file', FILE_WARNING]);
    await store.set('k', TOKEN);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(await (await open(safeStorage, { fileAccepted: true })).get('k')).toBe(TOKEN);
  });

  it('turning the file setting on moves the secrets from memory into the file; turning it off moves them back and empties the file', async () => {
    const { safeStorage } = standInSafeStorage({ backend: 'basic_text' });
    const store = await open(safeStorage);
    await store.set('a', 'secret-a');
    await store.setFileAccepted(true);
    expect(store.kind).toBe('file');
    expect(await store.get('a')).toBe('secret-a');
    expect(await (await open(safeStorage, { fileAccepted: true })).get('a')).toBe('secret-a');

    await store.setFileAccepted(false);
    expect(store.kind).toBe('memory');
    expect(await store.get('a')).toBe('secret-a');
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ version: 1, entries: {} });
  });

  it('a secret written while the setting is being turned off goes to memory, not into the file just emptied; a quick on-then-off ends off', async () => {
    const { safeStorage } = standInSafeStorage({ backend: 'basic_text' });
    const store = await open(safeStorage, { fileAccepted: true });
    await store.set('a', 'secret-a');
    // Not awaited one by one: the person toggles while a sign-in finishes.
    await Promise.all([store.setFileAccepted(false), store.set('b', TOKEN)]);
    expect(store.kind).toBe('memory');
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ version: 1, entries: {} });
    expect([await store.get('a'), await store.get('b')]).toEqual(['secret-a', TOKEN]);

    await Promise.all([store.setFileAccepted(true), store.setFileAccepted(false)]);
    expect(store.kind).toBe('memory');
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ version: 1, entries: {} });
    expect(await store.get('b')).toBe(TOKEN);
  });

  it('safeStorage unavailable: memory only with its own warning, and the file setting cannot change that', async () => {
    const { safeStorage, calls } = standInSafeStorage({ backend: 'gnome_libsecret', available: false });
    const store = await open(safeStorage, { fileAccepted: true });
    expect([store.kind, store.warning, store.canKeepInFile]).toEqual(['memory', UNAVAILABLE_WARNING, false]);
    await store.setFileAccepted(true);
    await store.set('k', TOKEN);
    expect(store.kind).toBe('memory');
    expect(existsSync(file())).toBe(false);
    expect(calls.encrypt).toBe(0);
  });

  it('a secret that no longer decrypts (the keyring was reset) is forgotten, and said in the log without its value', async () => {
    const first = standInSafeStorage({ backend: 'kwallet6' });
    await (await open(first.safeStorage)).set('k', TOKEN);
    const logger = recordingLogger();
    const afterReset = await open(standInSafeStorage({ backend: 'kwallet6' }).safeStorage, { logger });
    expect(await afterReset.get('k')).toBeUndefined();
    expect(JSON.parse(readFileSync(file(), 'utf8')).entries).toEqual({});
    expect(logger.lines.some((l) => l.startsWith('warn sign-in secret k could not be decrypted'))).toBe(true);
    expect(logger.lines.join('\n')).not.toContain(TOKEN);
  });

  it('a secret safeStorage asks to re-encrypt (a rotated key) is stored again', async () => {
    const key = randomBytes(32);
    await (await open(standInSafeStorage({ key }).safeStorage)).set('k', TOKEN);
    const before = readFileSync(file(), 'utf8');
    const rotating = standInSafeStorage({ key, reEncrypt: true });
    expect(await (await open(rotating.safeStorage)).get('k')).toBe(TOKEN);
    expect(rotating.calls.encrypt).toBe(1);
    expect(readFileSync(file(), 'utf8')).not.toBe(before);
  });

  it('many secrets written at once are all kept', async () => {
    const { safeStorage } = standInSafeStorage({ backend: 'gnome_libsecret' });
    const store = await open(safeStorage);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    const restarted = await open(safeStorage);
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => restarted.get(`k${i}`)))).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });

  it('a file Airlock did not write is moved aside, not trusted, and sign-in starts over', async () => {
    const { safeStorage } = standInSafeStorage({ backend: 'gnome_libsecret' });
    home = tempHome('airlock-secrets-');
    writeFileSync(file(), '{"entries": "not this"}');
    const store = await open(safeStorage);
    expect(await store.get('k')).toBeUndefined();
    expect(readdirSync(home.dir).some((f) => f.startsWith(`${SECRETS_FILE}.broken-`))).toBe(true);
    await store.set('k', TOKEN);
    expect(await store.get('k')).toBe(TOKEN);
  });
});
