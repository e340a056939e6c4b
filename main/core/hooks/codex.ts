/**
 * Codex CLI's hooks (https://developers.openai.com/codex/hooks), in `~/.codex/hooks.json`
 * (`$CODEX_HOME/hooks.json`) with Claude Code's layout (event → matcher groups → command
 * hooks). As Codex CLI 0.169.0 runs them: PreToolUse fires for its shell (`exec_command`,
 * reported as tool `Bash` with `{ command }`), `view_image`, the goal tools, MCP tools
 * (`mcp__<server>__<tool>`) and, as documented, `apply_patch`; the event carries
 * session_id, turn_id, cwd, hook_event_name, tool_name, tool_use_id and tool_input. Codex honours
 * `permissionDecision: "deny"` with its reason (the model gets "Command blocked by PreToolUse
 * hook: <reason>") and `"allow"` only together with an `updatedInput`, which it runs instead;
 * a bare `"allow"`, an `"ask"`, a non-zero exit or a hook that outlives its `timeout` (600 s
 * by default) count as a failed hook and the tool runs. So Airlock allows by answering
 * nothing (Codex's own approval policy then applies), runs edits through `updatedInput`,
 * and refuses with deny; Codex has no prompt a PreToolUse hook can hand back to.
 */
import { pathApi } from '../clients/locations.ts';
import { parseClaudeStyle } from './claude-code.ts';
import type { HookInstallSpec } from './hook-install.ts';
import type { HookAdapter, HookVerdict } from './hook-adapter.ts';

export const codexAdapter: HookAdapter = {
  client: 'codex',
  parse: parseClaudeStyle,
  answer(verdict: HookVerdict) {
    if (verdict.kind === 'allow') {
      if (!verdict.updatedInput) return { stdout: '', exitCode: 0 };
      return { stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', updatedInput: verdict.updatedInput } }), exitCode: 0 };
    }
    return { stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: verdict.reason } }), exitCode: 0 };
  },
  canEdit: true,
  canHandBack: false,
  defaultTimeoutSeconds: 600,
  protectTimeoutSeconds: 600,
  reference: 'https://developers.openai.com/codex/hooks',
};

export const codexInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.env.CODEX_HOME || pathApi(env.platform).join(env.homedir, '.codex'), 'hooks.json'),
  jsonc: false,
  // Codex runs a new or changed hook only once trusted, and skips an untrusted one silently.
  nextStep: "Codex runs it only once you trust it: open /hooks in Codex and trust Airlock's PreToolUse entry (until then Codex asks Airlock nothing, and its tools run unguarded)",
  slots: ({ command, timeoutSeconds }) => [
    { location: ['hooks', 'PreToolUse'], value: { matcher: '.*', hooks: [{ type: 'command', command, timeout: timeoutSeconds }] } },
  ],
};
