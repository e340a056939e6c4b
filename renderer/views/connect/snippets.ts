/**
 * The client entries the Connect view offers for one server, in each client's own format:
 * what a person pastes into Claude Desktop, Claude Code, Cursor or VS Code. The same shapes
 * `airlock protect` writes (main/core/clients/entries.ts), for people who edit by hand.
 */
import type { ClientId } from '../../../shared/clients.ts';
import type { ConnectInfo } from '../../../shared/api/contract.ts';

export interface Snippet {
  client: ClientId;
  /** Where it goes, in words. */
  where: string;
  /** `command`: a shell command; `json`: an object to merge into the client's file. */
  kind: 'command' | 'json';
  text: string;
  /** The snippet carries the MCP token (Claude Desktop's bridge reads it from the home). */
  hasToken: boolean;
}

/** Shown instead of the token until the person reveals it. */
export const TOKEN_MASK = '••••••••••••••••';

export function endpointUrl(info: Pick<ConnectInfo, 'url'>, server: string): string {
  return `${info.url}/mcp/${encodeURIComponent(server)}`;
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export function snippetsFor(info: ConnectInfo, server: string, token: string): Snippet[] {
  const url = endpointUrl(info, server);
  const authorization = `Bearer ${token}`;
  const bridgeArgs = [...info.bridge.args, 'connect', server, '--home', info.home];
  return [
    {
      client: 'claude-desktop',
      where: 'claude_desktop_config.json, under "mcpServers". Claude Desktop only spawns commands: this runs the stdio bridge, which reads the token from the Airlock home.',
      kind: 'json',
      text: json({ mcpServers: { [server]: { command: info.bridge.command, args: bridgeArgs } } }),
      hasToken: false,
    },
    {
      client: 'claude-code',
      where: 'Run in a terminal (add --scope user to use it in every project).',
      kind: 'command',
      text: ['claude', 'mcp', 'add', '--transport', 'http', server, url, '--header', `"Authorization: ${authorization}"`].map((w) => (w.startsWith('"') ? w : shellWord(w))).join(' '),
      hasToken: true,
    },
    {
      client: 'cursor',
      where: '~/.cursor/mcp.json, under "mcpServers".',
      kind: 'json',
      text: json({ mcpServers: { [server]: { url, headers: { Authorization: authorization } } } }),
      hasToken: true,
    },
    {
      client: 'vscode',
      where: 'mcp.json in the VS Code user folder (MCP: Open User Configuration), under "servers".',
      kind: 'json',
      text: json({ servers: { [server]: { type: 'http', url, headers: { Authorization: authorization } } } }),
      hasToken: true,
    },
  ];
}
