/**
 * The fallback when no OS keyring answers: one JSON file in the home, mode 0600 (only this
 * user can read it), written atomically. Anyone who can read the user's files can read
 * these secrets, so choosing it comes with a warning in the log and the UI.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writePrivateJson } from './home.ts';
import type { SecretStore } from './secret-store.ts';

const FileSchema = z.record(z.string(), z.string());

export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  readonly warning: string;
  readonly file: string;
  private cache: Map<string, string> | undefined;
  /** Writes one after another: two at once must not lose each other's key. */
  private chain: Promise<void> = Promise.resolve();

  constructor(file: string, warning = `secrets are kept in ${file} (mode 0600), not in an OS keyring`) {
    this.file = file;
    this.warning = warning;
  }

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache;
    let text: string | undefined;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const parsed = text === undefined ? {} : FileSchema.parse(JSON.parse(text));
    this.cache = new Map(Object.entries(parsed));
    return this.cache;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.load()).get(key);
  }

  set(key: string, value: string): Promise<void> {
    return this.update((values) => values.set(key, value));
  }

  delete(key: string): Promise<void> {
    return this.update((values) => values.delete(key));
  }

  private update(change: (values: Map<string, string>) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const values = await this.load();
      change(values);
      writePrivateJson(this.file, Object.fromEntries(values));
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
