/**
 * Cursor's agent hooks (https://cursor.com/docs/agent/hooks), in `~/.cursor/hooks.json`
 * (`{"version": 1, "hooks": {"<event>": [{"command": ...}]}}`). Airlock answers
 * `beforeShellExecution` (event: command, cwd) and `beforeMCPExecution` (event: tool_name,
 * tool_input, and the server's url or command) with `{"permission": "allow" | "deny" |
 * "ask", "user_message", "agent_message"}`; `ask` hands the call to Cursor's own prompt.
 * These events take no edited input, so the card offers no editing. `failClosed: true` on
 * the entry makes Cursor refuse the call when the hook itself fails or times out.
 */
import { pathApi } from '../clients/locations.ts';
import type { HookInstallSpec } from './hook-install.ts';
import { isRecord, optionalString, type HookAdapter, type HookEvent, type HookVerdict } from './hook-adapter.ts';

function toolInput(value: unknown): Record<string, unknown> | string {
  if (value === undefined) return {};
  if (typeof value === 'string') {
    // Cursor has sent tool_input as a JSON string as well as an object.
    try {
      const parsed: unknown = JSON.parse(value);
      return isRecord(parsed) ? parsed : { value: parsed };
    } catch {
      return 'tool_input is neither an object nor JSON';
    }
  }
  return isRecord(value) ? value : 'tool_input is not an object';
}

/** The server name of an Airlock endpoint URL (`http://127.0.0.1:<port>/mcp/<name>`), else a label for the server. */
function serverLabel(url: string | undefined, command: string | undefined): string {
  if (url) {
    const match = /\/mcp\/([^/?#]+)/.exec(url);
    if (match?.[1]) return decodeURIComponent(match[1]);
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  }
  return command?.split(/\s+/)[0] ?? 'unknown';
}

export const cursorAdapter: HookAdapter = {
  client: 'cursor',
  parse(event) {
    if (!isRecord(event)) return 'the hook event is not a JSON object';
    const name = optionalString(event.hook_event_name);
    const cwd = optionalString(event.cwd) ?? (Array.isArray(event.workspace_roots) ? optionalString(event.workspace_roots[0]) : undefined);
    const session = optionalString(event.conversation_id);
    const context = { ...(cwd && { cwd }), ...(session && { session }) };
    if (name === 'beforeShellExecution') {
      const command = optionalString(event.command);
      if (!command) return 'beforeShellExecution names no command';
      return { event: name, tool: 'Shell', input: { command, ...(cwd && { cwd }) }, ...context };
    }
    if (name === 'beforeMCPExecution') {
      const tool = optionalString(event.tool_name);
      if (!tool) return 'beforeMCPExecution names no tool_name';
      const input = toolInput(event.tool_input);
      if (typeof input === 'string') return input;
      const url = optionalString(event.url);
      const server = serverLabel(url, optionalString(event.command));
      return { event: name, tool: `mcp__${server}__${tool}`, input, ...context, mcp: { server, tool, ...(url && { url }) } } satisfies HookEvent;
    }
    return `Airlock answers beforeShellExecution and beforeMCPExecution, not ${name ?? 'an unnamed event'}`;
  },
  answer(verdict: HookVerdict) {
    const reason = verdict.reason ?? '';
    return {
      stdout: JSON.stringify({ permission: verdict.kind, ...(reason && { user_message: reason, agent_message: reason }) }),
      exitCode: 0,
    };
  },
  canEdit: false,
  canHandBack: true,
  defaultTimeoutSeconds: 60,
  protectTimeoutSeconds: 600,
  reference: 'https://cursor.com/docs/agent/hooks',
};

export const cursorInstall: HookInstallSpec = {
  settingsFile: (env) => pathApi(env.platform).join(env.homedir, '.cursor', 'hooks.json'),
  jsonc: false,
  preamble: { version: 1 },
  slots: ({ command, timeoutSeconds }) =>
    ['beforeShellExecution', 'beforeMCPExecution'].map((event) => ({
      location: ['hooks', event],
      value: { command, timeout: timeoutSeconds, failClosed: true },
    })),
};
