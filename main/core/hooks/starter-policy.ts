/**
 * A starting point for the calls hook clients ask about (servers named after the clients):
 * tools that only read run without a card; the shell, edits, writes, fetches and anything
 * else wait for a person. `airlock policy starter hooks` prints it as a whole policy (the
 * default policy's rules plus these servers) to start a policy.json from, or to copy its
 * `servers` into an existing one. The names are each client's own tool names.
 */
import { PolicySchema, type PolicyFile } from '../../../shared/policy/schema.ts';
import { DEFAULT_POLICY } from '../policy/default-policy.ts';
import type { HookClientId } from './hook-adapter.ts';

const READ_ONLY: Record<HookClientId, string[]> = {
  // https://code.claude.com/docs/en/settings#tools-available-to-claude
  'claude-code': ['Read', 'Glob', 'Grep', 'LS', 'NotebookRead', 'TodoWrite', 'ToolSearch', 'ListAgents', 'WebSearch'],
  // VS Code agent tools (https://code.visualstudio.com/docs/copilot/reference/copilot-vscode-features#_chat-tools)
  vscode: ['readFile', 'listDirectory', 'fileSearch', 'textSearch', 'codebase', 'search', 'problems', 'usages', 'changes'],
  // Cursor's hooks see only shell commands and MCP calls: nothing to allow unasked.
  cursor: [],
  // Codex's PreToolUse names its shell tool Bash; of the rest it sees, these only read (Codex CLI 0.169.0).
  codex: ['view_image', 'get_goal'],
  // https://geminicli.com/docs/reference/tools (0.61.0; search_file_content is grep_search's older name)
  'gemini-cli': ['read_file', 'read_many_files', 'glob', 'grep_search', 'search_file_content', 'list_directory', 'google_web_search', 'write_todos'],
  // https://docs.github.com/en/copilot/reference/hooks-reference#tool-names-for-hook-matching, and
  // the tools 1.0.102 offers that only read a shell's or a subagent's output.
  'copilot-cli': ['view', 'glob', 'grep', 'read_bash', 'list_bash', 'read_agent', 'list_agents'],
};

function serverRules(client: HookClientId) {
  return {
    default: 'ask' as const,
    tools: {
      ...Object.fromEntries(READ_ONLY[client].map((tool) => [tool, { action: 'allow' as const, reason: 'only reads' }])),
      '*': { action: 'ask' as const, reason: 'runs commands, changes files or reaches the network' },
    },
  };
}

export const HOOK_STARTER_POLICY: PolicyFile = PolicySchema.parse({
  ...DEFAULT_POLICY,
  servers: Object.fromEntries((Object.keys(READ_ONLY) as HookClientId[]).map((client) => [client, serverRules(client)])),
});

export const HOOK_STARTER_POLICY_TEXT = JSON.stringify(HOOK_STARTER_POLICY, null, 2) + '\n';
