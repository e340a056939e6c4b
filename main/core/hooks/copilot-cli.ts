/**
 * GitHub Copilot CLI's hooks (https://docs.github.com/en/copilot/reference/hooks-reference),
 * as the real CLI (npm @github/copilot 1.0.102) runs them. The camelCase `preToolUse` event
 * carries sessionId, timestamp, cwd, toolName (`bash`, `view`, `create`, `edit`...) and
 * toolArgs (an object; older releases sent a JSON string). The answer is
 * `{"permissionDecision": "allow" | "deny" | "ask", "permissionDecisionReason", "modifiedArgs"}`:
 * `modifiedArgs` runs edited arguments, `ask` hands the call to Copilot CLI's own hook
 * prompt (in `-p` it cannot ask and refuses). A hook timeout lets the call through to
 * Copilot's own permission flow (fail-open), so Airlock answers well before it; 30 s by default.
 */
import { pathApi } from '../clients/locations.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { isRecord, optionalString, splitMcpToolName, type HookAdapter, type HookVerdict } from './hook-adapter.ts';

export const copilotCliAdapter: HookAdapter = {
  client: 'copilot-cli',
  parse(event) {
    if (!isRecord(event)) return 'the hook event is not a JSON object';
    const tool = optionalString(event.toolName);
    if (!tool) return 'the hook event names no toolName';
    let input: unknown = event.toolArgs ?? {};
    if (typeof input === 'string') {
      try {
        input = JSON.parse(input);
      } catch {
        return 'toolArgs is not JSON';
      }
    }
    if (!isRecord(input)) return 'toolArgs is not an object';
    const cwd = optionalString(event.cwd);
    const session = optionalString(event.sessionId);
    const mcp = splitMcpToolName(tool);
    return { event: 'preToolUse', tool, input, ...(cwd && { cwd }), ...(session && { session }), ...(mcp && { mcp }) };
  },
  answer(verdict: HookVerdict) {
    const output = {
      permissionDecision: verdict.kind,
      ...(verdict.reason && { permissionDecisionReason: verdict.reason }),
      ...(verdict.kind === 'allow' && verdict.updatedInput && { modifiedArgs: verdict.updatedInput }),
    };
    return { stdout: JSON.stringify(output), exitCode: 0 };
  },
  canEdit: true,
  canHandBack: true,
  defaultTimeoutSeconds: 30,
  protectTimeoutSeconds: 600,
  reference: 'https://docs.github.com/en/copilot/reference/hooks-reference',
};

/** Copilot CLI's configuration folder: COPILOT_HOME, else ~/.copilot. */
export function copilotHome(env: { homedir: string; platform: NodeJS.Platform; env: Record<string, string | undefined> }): string {
  return env.env.COPILOT_HOME || pathApi(env.platform).join(env.homedir, '.copilot');
}

/**
 * The inline `hooks` of the user's settings.json: loaded in every folder and in `-p`, where a
 * repository's `.github/hooks/*.json` loads only once the folder is trusted. Not a file in
 * `hooks/`: that folder is shared with VS Code (vscode.ts writes there), and a client runs
 * every entry it finds in it.
 */
export const copilotCliInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(copilotHome(env), 'settings.json'),
  jsonc: true,
  slots: ({ command, timeoutSeconds }) => [{ location: ['hooks', 'preToolUse'], value: { type: 'command', bash: command, timeoutSec: timeoutSeconds } }],
};
