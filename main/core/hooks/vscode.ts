/**
 * VS Code's agent hooks (https://code.visualstudio.com/docs/agents/reference/hooks-reference):
 * Claude-compatible events (tool_name, tool_input, tool_use_id, cwd, sessionId) and
 * answers (`hookSpecificOutput.permissionDecision` allow | deny | ask, a reason, and
 * `updatedInput`). Hook files hold `{"hooks": {"PreToolUse": [{"type": "command", ...}]}}`;
 * Airlock writes its own file in the user's hook folder `~/.copilot/hooks/`. A hook times
 * out after 30 s unless its entry's `timeout` (seconds) says otherwise.
 */
import { pathApi } from '../clients/locations.ts';
import { claudeStyleAnswer, parseClaudeStyle } from './claude-code.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { isRecord, optionalString, type HookAdapter } from './hook-adapter.ts';

export const vscodeAdapter: HookAdapter = {
  client: 'vscode',
  parse(event) {
    const parsed = parseClaudeStyle(event);
    if (typeof parsed === 'string' || parsed.session || !isRecord(event)) return parsed;
    const session = optionalString(event.sessionId);
    return session ? { ...parsed, session } : parsed;
  },
  answer: claudeStyleAnswer,
  canEdit: true,
  canHandBack: true,
  defaultTimeoutSeconds: 30,
  protectTimeoutSeconds: 600,
  reference: 'https://code.visualstudio.com/docs/agents/reference/hooks-reference',
};

export const vscodeInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.homedir, '.copilot', 'hooks', 'airlock.json'),
  jsonc: true,
  slots: ({ command, timeoutSeconds }) => [{ location: ['hooks', 'PreToolUse'], value: { type: 'command', command, timeout: timeoutSeconds } }],
};
