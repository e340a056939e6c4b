/** Secrets kept in memory only: gone when Airlock stops (tests, or when nothing safer exists). */
import type { SecretStore } from './secret-store.ts';

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly warning: string | undefined;
  private readonly values = new Map<string, string>();

  constructor(warning?: string) {
    this.warning = warning;
  }

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}
