/** The hook adapters by client id, and where each client keeps its hooks (one file per client beside this one). */
import { claudeCodeAdapter, claudeCodeInstall } from './claude-code.ts';
import { codexAdapter, codexInstall } from './codex.ts';
import { copilotCliAdapter, copilotCliInstall } from './copilot-cli.ts';
import { cursorAdapter, cursorInstall } from './cursor.ts';
import { geminiCliAdapter, geminiCliInstall } from './gemini-cli.ts';
import { HookClientIdSchema, type HookAdapter, type HookClientId } from './hook-adapter.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { vscodeAdapter, vscodeInstall } from './vscode.ts';

interface HookClient {
  adapter: HookAdapter;
  install: HookInstallSpec;
}

const CLIENTS: Record<HookClientId, HookClient> = {
  'claude-code': { adapter: claudeCodeAdapter, install: claudeCodeInstall },
  cursor: { adapter: cursorAdapter, install: cursorInstall },
  codex: { adapter: codexAdapter, install: codexInstall },
  'gemini-cli': { adapter: geminiCliAdapter, install: geminiCliInstall },
  vscode: { adapter: vscodeAdapter, install: vscodeInstall },
  'copilot-cli': { adapter: copilotCliAdapter, install: copilotCliInstall },
};

export function hookAdapter(client: string): HookAdapter | undefined {
  const id = HookClientIdSchema.safeParse(client);
  return id.success ? CLIENTS[id.data].adapter : undefined;
}

export function hookInstall(client: HookClientId): HookInstallSpec {
  return CLIENTS[client].install;
}
