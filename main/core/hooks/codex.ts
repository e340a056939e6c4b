/**
 * Codex CLI's hooks (https://developers.openai.com/codex/hooks), in `~/.codex/hooks.json`
 * with Claude Code's layout (event → matcher groups → command hooks). PreToolUse fires for
 * `Bash`, `apply_patch` and MCP tools (`mcp__<server>__<tool>`); its event carries
 * session_id, cwd, hook_event_name, tool_name and tool_input. Codex honours a
 * `permissionDecision: "deny"` with its reason; it documents no `ask` for PreToolUse and
 * does not run edited input, so Airlock allows by answering nothing (Codex's own approval
 * policy then applies) and refuses with deny. Hooks time out after 600 s by default.
 */
import { pathApi } from '../clients/locations.ts';
import { parseClaudeStyle } from './claude-code.ts';
import type { HookInstallSpec } from './hook-install.ts';
import type { HookAdapter, HookVerdict } from './hook-adapter.ts';

export const codexAdapter: HookAdapter = {
  client: 'codex',
  parse: parseClaudeStyle,
  answer(verdict: HookVerdict) {
    if (verdict.kind === 'allow') return { stdout: '', exitCode: 0 };
    return { stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: verdict.reason } }), exitCode: 0 };
  },
  canEdit: false,
  canHandBack: false,
  defaultTimeoutSeconds: 600,
  protectTimeoutSeconds: 600,
  reference: 'https://developers.openai.com/codex/hooks',
};

export const codexInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.env.CODEX_HOME || pathApi(env.platform).join(env.homedir, '.codex'), 'hooks.json'),
  jsonc: false,
  slots: ({ command, timeoutSeconds }) => [
    { location: ['hooks', 'PreToolUse'], value: { matcher: '.*', hooks: [{ type: 'command', command, timeout: timeoutSeconds }] } },
  ],
};
