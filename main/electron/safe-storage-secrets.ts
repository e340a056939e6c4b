/**
 * The desktop app's SecretStore (main/core/home/secret-store.ts): sign-in tokens and client
 * secrets of remote servers, encrypted with Electron's safeStorage (its async API: the OS
 * keychain on macOS, DPAPI on Windows, the desktop's secret service or KWallet on Linux)
 * and kept as encrypted blobs in `secrets.safe-storage.json` in the home (mode 0600).
 *
 * On Linux without a keyring, safeStorage falls back to its `basic_text` backend, whose key
 * is a fixed string: its "encryption" protects nothing. Then secrets stay in memory only
 * (sign in again after a restart), with a warning, unless the person accepted keeping them
 * in the file anyway (the tray's "Keep sign-ins in a file" setting, desktop-settings.json
 * `secretsInFile`); that file is then protected by its permissions alone, and says so.
 * safeStorage is injected, so this logic is tested without the Electron binary.
 */
import { chmod, readFile, rename } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { Logger } from '../core/logger.ts';
import type { SecretStore, SecretStoreKind } from '../core/home/secret-store.ts';

/** The part of Electron's safeStorage this store uses (Electron 45). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: which password store safeStorage picked. */
  getSelectedStorageBackend?(): string;
}

export const SECRETS_FILE = 'secrets.safe-storage.json';

const FileSchema = z.strictObject({
  version: z.literal(1),
  /** Each secret, encrypted by safeStorage, in base64. */
  entries: z.record(z.string(), z.string()),
});

export const NO_KEYRING_WARNING =
  'No system keyring was found (Electron\u2019s safe storage would use its basic_text backend, which protects nothing): sign-ins are kept in memory only and forgotten when Airlock quits. To keep them anyway, turn on \u201cKeep sign-ins in a file\u201d in the tray menu.';
export const FILE_WARNING =
  'No system keyring was found: sign-ins are kept in a file in the Airlock home that only your user can read, without encryption that would protect them from anyone who can read the file.';
export const UNAVAILABLE_WARNING = 'Electron\u2019s safe storage is not available on this system: sign-ins are kept in memory only and forgotten when Airlock quits.';

export interface SafeStorageSecretsOptions {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  /** The file in the home (`<home>/secrets.safe-storage.json`). */
  file: string;
  /** The person accepted keeping secrets in the file when there is no keyring (a desktop setting). */
  fileAccepted: boolean;
  logger: Logger;
}

type Mode = 'encrypted' | 'plain-file' | 'memory';

export class SafeStorageSecrets implements SecretStore {
  private mode: Mode;
  /** Why there is no keyring, when there is none: `basic_text`, or safeStorage unavailable. */
  private readonly noKeyring: 'basic_text' | 'unavailable' | undefined;
  private readonly safeStorage: SafeStorageLike;
  private readonly file: string;
  private readonly logger: Logger;
  /** memory mode: the secrets themselves; otherwise nothing (the file is read each time). */
  private readonly memory = new Map<string, string>();
  /** Reads, writes and moves one after another: two sign-ins at once cannot lose each other's secret, nor one a move. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(options: SafeStorageSecretsOptions, noKeyring: 'basic_text' | 'unavailable' | undefined) {
    this.safeStorage = options.safeStorage;
    this.file = options.file;
    this.logger = options.logger;
    this.noKeyring = noKeyring;
    this.mode = noKeyring === undefined ? 'encrypted' : noKeyring === 'basic_text' && options.fileAccepted ? 'plain-file' : 'memory';
  }

  /** Asks safeStorage what it can do (after Electron's `ready`) and picks the mode. */
  static async open(options: SafeStorageSecretsOptions): Promise<SafeStorageSecrets> {
    const available = await options.safeStorage.isAsyncEncryptionAvailable().catch(() => false);
    const backend = options.platform === 'linux' ? options.safeStorage.getSelectedStorageBackend?.() : undefined;
    // `unknown` is what it says before `ready`: not known to be a keyring, so treated as none.
    const noKeyring = !available ? 'unavailable' : backend === 'basic_text' || backend === 'unknown' ? 'basic_text' : undefined;
    const store = new SafeStorageSecrets(options, noKeyring);
    if (store.warning) options.logger.warn(`sign-in secrets: ${store.warning}`);
    else options.logger.info(`sign-in secrets: encrypted with Electron's safe storage${backend ? ` (${backend})` : ''} in ${options.file}`);
    return store;
  }

  get kind(): SecretStoreKind {
    return this.mode === 'encrypted' ? 'safe-storage' : this.mode === 'plain-file' ? 'file' : 'memory';
  }

  get warning(): string | undefined {
    if (this.mode === 'encrypted') return undefined;
    if (this.mode === 'plain-file') return FILE_WARNING;
    return this.noKeyring === 'basic_text' ? NO_KEYRING_WARNING : UNAVAILABLE_WARNING;
  }

  /** True when the file setting matters: Linux with no keyring but a working basic_text backend. */
  get canKeepInFile(): boolean {
    return this.noKeyring === 'basic_text';
  }

  /**
   * The person changed "Keep sign-ins in a file": the secrets move with the choice (to the
   * file, or out of it into memory), so nothing is lost and nothing stays behind. The move,
   * and every read and write, run one after another: a secret written during a move (a
   * sign-in finishing then) goes where the new choice says, not into a file just emptied.
   */
  async setFileAccepted(accepted: boolean): Promise<void> {
    if (!this.canKeepInFile) return;
    const next: Mode = accepted ? 'plain-file' : 'memory';
    const moved = await this.serially(async () => {
      if (next === this.mode) return false;
      if (next === 'plain-file') {
        const entries = await this.readEntries();
        for (const [key, value] of this.memory) entries[key] = await this.seal(value);
        await this.writeEntries(entries);
        this.memory.clear();
      } else {
        for (const [key, blob] of Object.entries(await this.readEntries())) {
          const value = await this.open(key, blob);
          if (value !== undefined) this.memory.set(key, value.result);
        }
        await this.writeEntries({});
      }
      this.mode = next;
      return true;
    });
    if (moved) this.logger.info(`sign-in secrets: ${accepted ? 'kept in the file from now on' : 'kept in memory only from now on; the file was emptied'}`);
  }

  async get(key: string): Promise<string | undefined> {
    const found = await this.serially(async (): Promise<{ value?: string; broken?: true; reEncrypt?: boolean }> => {
      if (this.mode === 'memory') return { value: this.memory.get(key) };
      const blob = (await this.readEntries())[key];
      if (blob === undefined) return {};
      const opened = await this.open(key, blob);
      return opened ? { value: opened.result, reEncrypt: opened.shouldReEncrypt } : { broken: true };
    });
    if (found.broken) await this.delete(key);
    // The key was rotated or a better one is available: store it again under the new key.
    else if (found.reEncrypt && found.value !== undefined) await this.set(key, found.value);
    return found.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.serially(async () => {
      if (this.mode === 'memory') {
        this.memory.set(key, value);
        return;
      }
      const entries = await this.readEntries();
      entries[key] = await this.seal(value);
      await this.writeEntries(entries);
    });
  }

  async delete(key: string): Promise<void> {
    await this.serially(async () => {
      this.memory.delete(key);
      if (this.mode === 'memory') return;
      const entries = await this.readEntries();
      if (!(key in entries)) return;
      delete entries[key];
      await this.writeEntries(entries);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async seal(value: string): Promise<string> {
    return (await this.safeStorage.encryptStringAsync(value)).toString('base64');
  }

  /** A secret that no longer decrypts (the keyring was reset, another user's file) is gone: sign in again. */
  private async open(key: string, blob: string): Promise<{ result: string; shouldReEncrypt: boolean } | undefined> {
    try {
      return await this.safeStorage.decryptStringAsync(Buffer.from(blob, 'base64'));
    } catch (err) {
      this.logger.warn(`sign-in secret ${key} could not be decrypted (${(err as Error).message}); it is forgotten`);
      return undefined;
    }
  }

  private async readEntries(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    let parsed: z.infer<typeof FileSchema> | undefined;
    try {
      parsed = FileSchema.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed) return { ...parsed.entries };
    // Kept aside, not deleted: the person may want to look; Airlock starts from no sign-ins.
    const aside = `${this.file}.broken-${Date.now()}`;
    await rename(this.file, aside);
    this.logger.warn(`${this.file} was not a secrets file Airlock wrote; moved to ${aside}, sign in again`);
    return {};
  }

  private async writeEntries(entries: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, entries } satisfies z.infer<typeof FileSchema>, null, 2) + '\n', { mode: 0o600 });
    // write-file-atomic keeps an existing file's mode: make sure it is ours alone.
    if (process.platform !== 'win32') await chmod(this.file, 0o600);
  }
}
