/**
 * Gemini CLI's hooks (https://geminicli.com/docs/hooks/reference, also in the npm package at
 * bundle/docs/hooks/reference.md), in `~/.gemini/settings.json` (`$GEMINI_CLI_HOME/.gemini/`
 * when set; comments allowed) under `hooks.BeforeTool`: matcher groups of command hooks whose
 * `timeout` is in milliseconds, 60000 by default. The BeforeTool event carries session_id,
 * transcript_path, cwd, hook_event_name, timestamp, tool_name and tool_input (and
 * `mcp_context` for an MCP tool, named `mcp_<server>_<tool>`); the answer is exit 0 with
 * `{"decision": "allow" | "deny", "reason"}` on stdout, the reason going to the model as
 * "Tool execution blocked: <reason>". `hookSpecificOutput.tool_input` is merged over the
 * model's arguments before the tool runs, so edited arguments can run.
 *
 * Gemini CLI decides its own approval after the hook: an `allow` does not skip its own
 * confirmation. Its undocumented `"decision": "ask"` forces that confirmation, but in
 * headless `-p` runs it ends the run without a word, so Airlock never hands back to it.
 * A hook that times out or exits 1 lets the tool run: Airlock answers well before the
 * timeout and always exits 0 with a decision.
 */
import { pathApi } from '../clients/locations.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { isRecord, optionalString, type HookAdapter, type HookEvent, type HookVerdict } from './hook-adapter.ts';

/** Gemini CLI merges tool_input over the model's arguments: an argument the edit took out would still run. */
function editProblem(original: Record<string, unknown>, edited: Record<string, unknown>): string | undefined {
  const dropped = Object.keys(original).filter((key) => !(key in edited));
  return dropped.length ? `the edit removed ${dropped.join(', ')}, and Gemini CLI keeps arguments an edit leaves out; edit their values instead` : undefined;
}

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
    const url = optionalString(mcpContext?.url);
    return {
      event: optionalString(event.hook_event_name) ?? 'BeforeTool',
      tool,
      input,
      ...(cwd && { cwd }),
      ...(session && { session }),
      ...(server && { mcp: { server, tool: optionalString(mcpContext?.tool_name) ?? tool, ...(url && { url }) } }),
    };
  },
  answer(verdict: HookVerdict, event: HookEvent | undefined) {
    if (verdict.kind === 'allow' && verdict.updatedInput) {
      // Refused at approval already (editProblem); kept here so no such edit can ever run.
      const problem = editProblem(event?.input ?? {}, verdict.updatedInput);
      if (problem) return { stdout: JSON.stringify({ decision: 'deny', reason: `[Airlock] Denied: ${problem}` }), exitCode: 0 };
      const hookSpecificOutput = { hookEventName: event?.event ?? 'BeforeTool', tool_input: verdict.updatedInput };
      return { stdout: JSON.stringify({ decision: 'allow', ...(verdict.reason && { reason: verdict.reason }), hookSpecificOutput }), exitCode: 0 };
    }
    // No prompt Airlock hands back to: an `ask` is a refusal that says why.
    const decision = verdict.kind === 'allow' ? 'allow' : 'deny';
    return { stdout: JSON.stringify({ decision, ...(verdict.reason && { reason: verdict.reason }) }), exitCode: 0 };
  },
  canEdit: true,
  editProblem,
  canHandBack: false,
  defaultTimeoutSeconds: 60,
  protectTimeoutSeconds: 600,
  reference: 'https://geminicli.com/docs/hooks/reference',
};

export const geminiCliInstall: HookInstallSpec = {
  settingsFile: (env) => {
    const { join } = pathApi(env.platform);
    return join(env.env.GEMINI_CLI_HOME || env.homedir, '.gemini', 'settings.json');
  },
  jsonc: true,
  slots: ({ command, timeoutSeconds }) => [
    { location: ['hooks', 'BeforeTool'], value: { matcher: '.*', hooks: [{ name: 'airlock', type: 'command', command, timeout: timeoutSeconds * 1000 }] } },
  ],
};
