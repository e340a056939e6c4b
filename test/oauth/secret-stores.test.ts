/**
 * Where headless Airlock keeps sign-in secrets. On this machine the OS keyring refuses the
 * first access of a process ("Couldn't access platform storage: AccessDenied"), which is the
 * real failure the fallback is for: Airlock then keeps secrets in a 0600 file in the home and
 * says so in its log and in each server's sign-in state. The first test must be the first
 * keyring access of this file's process.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { FileSecretStore } from '../../main/core/home/file-secret-store.ts';
import { MemorySecretStore } from '../../main/core/home/memory-secret-store.ts';
import { openSecretStore } from '../../main/core/home/open-secret-store.ts';
import { api, startAirlock, tempHome } from '../helpers/harness.ts';
import type { ServerStatus } from '../../shared/api/contract.ts';

const homes: { cleanup(): void }[] = [];
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  airlock = undefined;
  for (const h of homes.splice(0)) h.cleanup();
});

function home() {
  const h = tempHome('airlock-secrets-');
  homes.push(h);
  return h.dir;
}

// A remote entry on a port nothing listens on: the store is chosen whatever the server does.
const REMOTE = { url: 'http://127.0.0.1:9/mcp', oauth: {} };

describe('secret stores', () => {
  it('falls back to a 0600 file with a warning in the log and the sign-in state when the keyring refuses (real keyring, AccessDenied here)', async () => {
    const dir = home();
    const warnings: string[] = [];
    airlock = await startAirlock(dir, { remote: REMOTE }, { logger: { info() {}, warn: (m) => warnings.push(m), error() {} } });
    expect(airlock.secrets.kind).toBe('file');
    expect(airlock.secrets.warning).toContain('AccessDenied');
    expect(warnings.some((w) => w.includes('the OS keyring is not available') && w.includes(join(dir, 'secrets.json')))).toBe(true);
    const { body } = await api<ServerStatus[]>(airlock, 'GET', '/servers');
    expect(body[0]!.signIn?.secrets).toEqual({ kind: 'file', warning: airlock.secrets.warning });
  });

  it('keeps using a secrets file that holds sign-ins, whatever the keyring says at the next start', async () => {
    const dir = home();
    const file = new FileSecretStore(join(dir, 'secrets.json'));
    await file.set('oauth:server:remote', '{"issuer":"i","resource":"r"}');
    const chosen = await openSecretStore(dir);
    expect(chosen.kind).toBe('file');
    expect(await chosen.get('oauth:server:remote')).toBe('{"issuer":"i","resource":"r"}');
  });

  it('the file store is private to the user, survives a new instance and loses no concurrent write', async () => {
    const dir = home();
    const path = join(dir, 'secrets.json');
    const store = new FileSecretStore(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    await store.delete('k3');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = new FileSecretStore(path);
    expect(await again.get('k7')).toBe('v7');
    expect(await again.get('k3')).toBeUndefined();
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toHaveLength(19);
  });

  it('uses the store the shell passes (the desktop app passes safeStorage; memory here)', async () => {
    const dir = home();
    airlock = await startAirlock(dir, { remote: REMOTE }, { secrets: new MemorySecretStore('kept in memory only') });
    const { body } = await api<ServerStatus[]>(airlock, 'GET', '/servers');
    expect(body[0]!.signIn?.secrets).toEqual({ kind: 'memory', warning: 'kept in memory only' });
  });
});
