/**
 * GitHub Copilot CLI's hooks (https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-hooks-reference):
 * files `.github/hooks/*.json` in the repository (`{"version": 1, "hooks": {"preToolUse":
 * [{"type": "command", "bash": ..., "timeoutSec": N}]}}`, 30 s by default). The
 * preToolUse event carries timestamp, cwd, toolName and toolArgs (a JSON string); the
 * answer is `{"permissionDecision": "allow" | "deny", "permissionDecisionReason"}`. Only a
 * denial is certain to be honoured, so Airlock neither hands back nor edits for it.
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
    const mcp = splitMcpToolName(tool);
    return { event: 'preToolUse', tool, input, ...(cwd && { cwd }), ...(mcp && { mcp }) };
  },
  answer(verdict: HookVerdict) {
    const decision = verdict.kind === 'allow' ? 'allow' : 'deny';
    return { stdout: JSON.stringify({ permissionDecision: decision, ...(verdict.reason && { permissionDecisionReason: verdict.reason }) }), exitCode: 0 };
  },
  canEdit: false,
  canHandBack: false,
  defaultTimeoutSeconds: 30,
  protectTimeoutSeconds: 600,
  reference: 'https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-hooks-reference',
};

/** A repository's file: the first project folder (`--project`, default the current folder). */
export const copilotCliInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.projects[0] ?? '.', '.github', 'hooks', 'airlock.json'),
  jsonc: false,
  project: true,
  preamble: { version: 1 },
  slots: ({ command, timeoutSeconds }) => [{ location: ['hooks', 'preToolUse'], value: { type: 'command', bash: command, timeoutSec: timeoutSeconds } }],
};
