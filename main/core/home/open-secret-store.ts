/**
 * Chooses where headless Airlock keeps sign-in secrets, once at start: the OS keyring when
 * it works, else a 0600 file in the home, with a warning that says why.
 */
import { join } from 'node:path';
import { FileSecretStore } from './file-secret-store.ts';
import { KeyringSecretStore } from './keyring-secret-store.ts';
import type { SecretStore } from './secret-store.ts';

export const SECRETS_FILE = 'secrets.json';

export async function openSecretStore(home: string, keyring = new KeyringSecretStore(home)): Promise<SecretStore> {
  const probe = await keyring.works();
  if (probe.ok) return keyring;
  const file = join(home, SECRETS_FILE);
  return new FileSecretStore(file, `the OS keyring is not available (${probe.reason}): sign-in tokens are kept in ${file} (mode 0600)`);
}
