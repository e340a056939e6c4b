/**
 * VS Code's agent hooks (https://code.visualstudio.com/docs/agents/reference/hooks-reference):
 * Claude-compatible events (tool_name, tool_input, tool_use_id, cwd, sessionId) and
 * answers (`hookSpecificOutput.permissionDecision` allow | deny | ask, a reason, and
 * `updatedInput`). Hook files hold `{"hooks": {"PreToolUse": [{"type": "command", ...}]}}`;
 * Airlock writes its own file in the user's hook folder `~/.copilot/hooks/`. A hook times
 * out after 30 s unless its entry's `timeout` (seconds) says otherwise.
 *
 * GitHub Copilot CLI reads that folder too (as its own user hook folder, when COPILOT_HOME is
 * unset or is ~/.copilot) and runs this entry before each of its own tools, with the event
 * in Claude's format (hook_event_name, session_id, an ISO timestamp, cwd, Claude's tool names
 * such as `Bash`; no tool_use_id) and COPILOT_CLI=1 and COPILOT_HOOK_DIR (the folder) in the
 * environment. It runs that folder's entries before the inline ones of its settings.json, one
 * after the other: a deny ends it (and an ask in `-p`), an allow or an answer without a
 * decision goes on to the next. So where Airlock's Copilot CLI entry is installed too, this
 * entry steps aside for it (`alsoRunBy`), and one call is asked about once.
 */
import { dirname, join } from 'node:path';
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
  alsoRunBy(event, env) {
    const hookDir = optionalString(env.COPILOT_HOOK_DIR);
    if (env.COPILOT_CLI !== '1' || !hookDir || !isRecord(event)) return undefined;
    // Copilot CLI's Claude-format event; VS Code's own says sessionId and hookEventName.
    const copilotShape = optionalString(event.hook_event_name) && optionalString(event.session_id) && !('sessionId' in event) && !('hookEventName' in event);
    if (!copilotShape) return undefined;
    // The hook folder is <Copilot CLI's home>/hooks; its settings.json is beside it.
    return { client: 'copilot-cli', settingsFile: join(dirname(hookDir), 'settings.json') };
  },
  // Copilot CLI reads an answer without permissionDecision as no decision.
  neutralAnswer: { stdout: '{}', exitCode: 0 },
};

export const vscodeInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.homedir, '.copilot', 'hooks', 'airlock.json'),
  jsonc: true,
  slots: ({ command, timeoutSeconds }) => [{ location: ['hooks', 'PreToolUse'], value: { type: 'command', command, timeout: timeoutSeconds } }],
};
