/**
 * Chooses where headless Airlock keeps sign-in secrets, once at start: the OS keyring when
 * it works, else a 0600 file in the home, with a warning that says why. A file that already
 * holds secrets stays in use even when the keyring answers later (keyrings can fail on one
 * start and work on the next): switching silently would lose every sign-in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileSecretStore } from './file-secret-store.ts';
import { KeyringSecretStore } from './keyring-secret-store.ts';
import type { SecretStore } from './secret-store.ts';

export const SECRETS_FILE = 'secrets.json';

function holdsSecrets(file: string): boolean {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
  } catch {
    return false;
  }
}

export async function openSecretStore(home: string, keyring = new KeyringSecretStore(home)): Promise<SecretStore> {
  const file = join(home, SECRETS_FILE);
  if (holdsSecrets(file)) return new FileSecretStore(file, `sign-in tokens are kept in ${file} (mode 0600), where an earlier start put them when the OS keyring was not available`);
  const probe = await keyring.works();
  if (probe.ok) return keyring;
  return new FileSecretStore(file, `the OS keyring is not available (${probe.reason}): sign-in tokens are kept in ${file} (mode 0600)`);
}
