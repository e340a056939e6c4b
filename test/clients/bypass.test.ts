/** A server Airlock guards is bypassed when a client still runs it directly. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBypasses, protect } from '../../main/core/clients/clients.ts';
import { sandbox, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function guard(s: Sandbox, mcpServers: Record<string, unknown>): void {
  writeFileSync(join(s.airlock, 'config.json'), JSON.stringify({ mcpServers, airlock: { port: 7323 } }, null, 2));
}

describe('bypass detection', () => {
  it('finds unprotected entries with the same command line or URL, in any client', () => {
    const s = (box = sandbox());
    guard(s, {
      files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'] },
      linear: { url: 'https://mcp.linear.app/mcp', headers: { Authorization: 'Bearer x' } },
      off: { command: 'off-server', disabled: true },
      other: { command: 'npx', args: ['-y', 'something-else'] },
    });
    s.write(join(s.homedir, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { linear: { url: 'https://mcp.linear.app/mcp/' }, off: { command: 'off-server' } } }));
    s.write(
      join(s.project, '.vscode', 'mcp.json'),
      JSON.stringify({ servers: { fs: { type: 'stdio', command: '/opt/homebrew/bin/npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'] } } }),
    );
    s.write(join(s.homedir, '.config', 'Claude', 'claude_desktop_config.json'), JSON.stringify({ mcpServers: { fs2: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/other'] } } }));
    const bypasses = findBypasses(s.ctx());
    expect(bypasses).toEqual([
      { server: 'linear', client: 'cursor', scope: 'user', path: join(s.homedir, '.cursor', 'mcp.json'), entry: 'linear', match: 'url' },
      { server: 'files', client: 'vscode', scope: 'project', path: join(s.project, '.vscode', 'mcp.json'), project: s.project, entry: 'fs', match: 'command' },
    ]);
  });

  it('is gone once the client entry is protected', () => {
    const s = (box = sandbox());
    guard(s, { fetch: { command: 'uvx', args: ['mcp-server-fetch'] } });
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"web": {"command": "uvx", "args": ["mcp-server-fetch"]}}}');
    expect(findBypasses(s.ctx()).map((b) => [b.server, b.entry])).toEqual([['fetch', 'web']]);
    const result = protect(s.ctx(), { client: 'cursor', servers: ['web'] });
    expect(result.files[0]!.servers[0]).toMatchObject({ server: 'fetch', status: 'protected' });
    expect(findBypasses(s.ctx())).toEqual([]);
  });
});
