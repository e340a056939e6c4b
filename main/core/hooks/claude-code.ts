/**
 * Claude Code's PreToolUse hook (https://code.claude.com/docs/en/hooks): the event on stdin
 * carries session_id, cwd, hook_event_name, tool_name and tool_input; the answer is exit 0
 * with `hookSpecificOutput.permissionDecision` allow | deny | ask, a
 * `permissionDecisionReason` (shown to Claude for deny, to the person for ask) and an
 * optional `updatedInput` that replaces the tool's input. A `type: "http"` hook posts the
 * same event and reads the same JSON from the response body. Command hooks time out after
 * 600 s by default; the entry's `timeout` (seconds) overrides it.
 */
import { pathApi } from '../clients/locations.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { isRecord, optionalString, splitMcpToolName, type HookAdapter, type HookEvent, type HookVerdict } from './hook-adapter.ts';

export function parseClaudeStyle(event: unknown): HookEvent | string {
  if (!isRecord(event)) return 'the hook event is not a JSON object';
  const tool = optionalString(event.tool_name);
  if (!tool) return 'the hook event names no tool_name';
  const input = event.tool_input ?? {};
  if (!isRecord(input)) return 'tool_input is not an object';
  const mcp = splitMcpToolName(tool);
  const cwd = optionalString(event.cwd);
  const session = optionalString(event.session_id);
  return {
    event: optionalString(event.hook_event_name) ?? 'PreToolUse',
    tool,
    input,
    ...(cwd && { cwd }),
    ...(session && { session }),
    ...(mcp && { mcp }),
  };
}

export function claudeStyleAnswer(verdict: HookVerdict, event: HookEvent | undefined): { stdout: string; exitCode: number } {
  const output: Record<string, unknown> = {
    hookEventName: event?.event ?? 'PreToolUse',
    permissionDecision: verdict.kind,
    ...(verdict.reason && { permissionDecisionReason: verdict.reason }),
    ...(verdict.kind === 'allow' && verdict.updatedInput && { updatedInput: verdict.updatedInput }),
  };
  return { stdout: JSON.stringify({ hookSpecificOutput: output }), exitCode: 0 };
}

export const claudeCodeAdapter: HookAdapter = {
  client: 'claude-code',
  parse: parseClaudeStyle,
  answer: claudeStyleAnswer,
  canEdit: true,
  canHandBack: true,
  defaultTimeoutSeconds: 600,
  protectTimeoutSeconds: 600,
  reference: 'https://code.claude.com/docs/en/hooks',
};

/**
 * User settings: `~/.claude/settings.json` (`$CLAUDE_CONFIG_DIR/settings.json` when set),
 * `hooks.PreToolUse`: one matcher group for every tool running `airlock hook claude-code`.
 */
export const claudeCodeInstall: HookInstallSpec = {
  settingsFile: (env) => {
    const { join } = pathApi(env.platform);
    return join(env.env.CLAUDE_CONFIG_DIR || join(env.homedir, '.claude'), 'settings.json');
  },
  jsonc: false,
  slots: ({ command, timeoutSeconds }) => [
    { location: ['hooks', 'PreToolUse'], value: { matcher: '*', hooks: [{ type: 'command', command, timeout: timeoutSeconds }] } },
  ],
  // The user's own settings file, like ~/.claude.json's HTTP server entries: the token may stand in it.
  httpSlots: ({ url, token, timeoutSeconds }) => [
    { location: ['hooks', 'PreToolUse'], value: { matcher: '*', hooks: [{ type: 'http', url, headers: { Authorization: `Bearer ${token}` }, timeout: timeoutSeconds }] } },
  ],
};
