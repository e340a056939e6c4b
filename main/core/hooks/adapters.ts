/** The hook adapters by client id, and where each client keeps its hooks (one file per client beside this one). */
import { claudeCodeAdapter, claudeCodeInstall } from './claude-code.ts';
import { HookClientIdSchema, type HookAdapter, type HookClientId } from './hook-adapter.ts';
import type { HookInstallSpec } from './hook-install.ts';

interface HookClient {
  adapter: HookAdapter;
  install: HookInstallSpec;
}

const CLIENTS: Partial<Record<HookClientId, HookClient>> = {
  'claude-code': { adapter: claudeCodeAdapter, install: claudeCodeInstall },
};

export function hookAdapter(client: string): HookAdapter | undefined {
  const id = HookClientIdSchema.safeParse(client);
  return id.success ? CLIENTS[id.data]?.adapter : undefined;
}

export function hookInstall(client: HookClientId): HookInstallSpec {
  const found = CLIENTS[client];
  if (!found) throw new Error(`no hook support for ${client}`);
  return found.install;
}

export function hookClients(): HookClientId[] {
  return HookClientIdSchema.options.filter((id) => CLIENTS[id] !== undefined);
}
