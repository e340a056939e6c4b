/**
 * A pre-registered client's secret does not stay in config.json: one written there
 * (`"oauth": { "clientId", "clientSecret" }`) is moved into the secret store when Airlock
 * starts and removed from the file, which keeps its comments-free formatting and every
 * other key as it was. The SignIn reads it from the store from then on.
 */
import { readFileSync } from 'node:fs';
import { applyEdits, modify } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { isStdioServer, type Config } from '../../../../shared/config.ts';
import type { CredentialStore } from './credential-store.ts';

/** Returns the config without client secrets, and the names of the servers whose secret moved. */
export async function moveClientSecrets(configFile: string, config: Config, credentials: CredentialStore): Promise<{ config: Config; moved: string[] }> {
  const moved: string[] = [];
  const servers = { ...config.mcpServers };
  for (const [name, server] of Object.entries(servers)) {
    if (isStdioServer(server) || !server.oauth?.clientSecret) continue;
    await credentials.setClientSecret(name, server.oauth.clientSecret);
    const { clientSecret: _moved, ...oauth } = server.oauth;
    servers[name] = { ...server, oauth };
    moved.push(name);
  }
  if (moved.length === 0) return { config, moved };
  let text = readFileSync(configFile, 'utf8');
  for (const name of moved) {
    text = applyEdits(text, modify(text, ['mcpServers', name, 'oauth', 'clientSecret'], undefined, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
  }
  writeFileAtomic.sync(configFile, text, { mode: 0o600 });
  return { config: { ...config, mcpServers: servers }, moved };
}
