/**
 * Gemini CLI's hooks (https://geminicli.com/docs/hooks/reference), in
 * `~/.gemini/settings.json` under `hooks.BeforeTool` (matcher groups of command hooks whose
 * `timeout` is in milliseconds, 60000 by default). The BeforeTool event carries
 * session_id, cwd, hook_event_name, tool_name and tool_input (and `mcp_context` for an MCP
 * tool); the answer is exit 0 with `{"decision": "allow" | "deny", "reason"}` on stdout.
 * Airlock neither hands back to a prompt nor edits the input for Gemini CLI.
 */
import { pathApi } from '../clients/locations.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { isRecord, optionalString, type HookAdapter, type HookVerdict } from './hook-adapter.ts';

export const geminiCliAdapter: HookAdapter = {
  client: 'gemini-cli',
  parse(event) {
    if (!isRecord(event)) return 'the hook event is not a JSON object';
    const tool = optionalString(event.tool_name);
    if (!tool) return 'the hook event names no tool_name';
    const input = event.tool_input ?? {};
    if (!isRecord(input)) return 'tool_input is not an object';
    const cwd = optionalString(event.cwd);
    const session = optionalString(event.session_id);
    const mcpContext = isRecord(event.mcp_context) ? event.mcp_context : undefined;
    const server = optionalString(mcpContext?.server_name);
    return {
      event: optionalString(event.hook_event_name) ?? 'BeforeTool',
      tool,
      input,
      ...(cwd && { cwd }),
      ...(session && { session }),
      ...(server && { mcp: { server, tool: optionalString(mcpContext?.tool_name) ?? tool } }),
    };
  },
  answer(verdict: HookVerdict) {
    // No prompt to hand back to: an `ask` is a refusal that says why.
    const decision = verdict.kind === 'allow' ? 'allow' : 'deny';
    return { stdout: JSON.stringify({ decision, ...(verdict.reason && { reason: verdict.reason }) }), exitCode: 0 };
  },
  canEdit: false,
  canHandBack: false,
  defaultTimeoutSeconds: 60,
  protectTimeoutSeconds: 600,
  reference: 'https://geminicli.com/docs/hooks/reference',
};

export const geminiCliInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.homedir, '.gemini', 'settings.json'),
  jsonc: true,
  slots: ({ command, timeoutSeconds }) => [
    { location: ['hooks', 'BeforeTool'], value: { matcher: '.*', hooks: [{ name: 'airlock', type: 'command', command, timeout: timeoutSeconds * 1000 }] } },
  ],
};
