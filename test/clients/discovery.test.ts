/** Where each client's config is looked for, on each platform, and what discovery reports. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverClients, protect, unprotect } from '../../main/core/clients/clients.ts';
import { clientLocations, projectConfigPath, userConfigPath, type ClientEnvironment } from '../../main/core/clients/locations.ts';
import { sandbox, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

describe('documented locations', () => {
  const mac: ClientEnvironment = { homedir: '/Users/me', platform: 'darwin', env: {}, projects: [] };
  const linux: ClientEnvironment = { homedir: '/home/me', platform: 'linux', env: {}, projects: [] };
  const windows: ClientEnvironment = { homedir: 'C:\\Users\\me', platform: 'win32', env: { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, projects: [] };

  it('Claude Desktop: Application Support, %APPDATA%, ~/.config', () => {
    expect(userConfigPath('claude-desktop', mac)).toBe('/Users/me/Library/Application Support/Claude/claude_desktop_config.json');
    expect(userConfigPath('claude-desktop', windows)).toBe('C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    expect(userConfigPath('claude-desktop', linux)).toBe('/home/me/.config/Claude/claude_desktop_config.json');
    expect(userConfigPath('claude-desktop', { ...linux, env: { XDG_CONFIG_HOME: '/home/me/.xdg' } })).toBe('/home/me/.xdg/Claude/claude_desktop_config.json');
  });

  it('Claude Code: ~/.claude.json (or $CLAUDE_CONFIG_DIR) and <project>/.mcp.json', () => {
    expect(userConfigPath('claude-code', mac)).toBe('/Users/me/.claude.json');
    expect(userConfigPath('claude-code', windows)).toBe('C:\\Users\\me\\.claude.json');
    expect(userConfigPath('claude-code', { ...linux, env: { CLAUDE_CONFIG_DIR: '/home/me/.claude-work' } })).toBe('/home/me/.claude-work/.claude.json');
    expect(projectConfigPath('claude-code', '/home/me/app', linux)).toBe('/home/me/app/.mcp.json');
  });

  it('Cursor: ~/.cursor/mcp.json and <project>/.cursor/mcp.json', () => {
    expect(userConfigPath('cursor', mac)).toBe('/Users/me/.cursor/mcp.json');
    expect(userConfigPath('cursor', windows)).toBe('C:\\Users\\me\\.cursor\\mcp.json');
    expect(projectConfigPath('cursor', 'C:\\src\\app', windows)).toBe('C:\\src\\app\\.cursor\\mcp.json');
  });

  it('VS Code: the user folder mcp.json and <workspace>/.vscode/mcp.json, key "servers"', () => {
    expect(userConfigPath('vscode', mac)).toBe('/Users/me/Library/Application Support/Code/User/mcp.json');
    expect(userConfigPath('vscode', windows)).toBe('C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json');
    expect(userConfigPath('vscode', linux)).toBe('/home/me/.config/Code/User/mcp.json');
    const [user, workspace] = clientLocations('vscode', { ...linux, projects: ['/home/me/app'] });
    expect(user).toMatchObject({ scope: 'user', location: ['servers'] });
    expect(workspace).toMatchObject({ scope: 'project', path: '/home/me/app/.vscode/mcp.json', project: '/home/me/app', location: ['servers'] });
  });

  it('Claude Desktop has no project files; a project opened at ~ is listed once', () => {
    expect(clientLocations('claude-desktop', { ...linux, projects: ['/home/me/app'] })).toHaveLength(1);
    expect(clientLocations('cursor', { ...linux, projects: ['/home/me'] })).toEqual([{ client: 'cursor', scope: 'user', path: '/home/me/.cursor/mcp.json', location: ['mcpServers'] }]);
  });
});

describe('discovery', () => {
  it('reports every client, with missing files as missing', () => {
    const s = (box = sandbox());
    const clients = discoverClients(s.ctx());
    expect(clients.map((c) => c.id)).toEqual(['claude-desktop', 'claude-code', 'cursor', 'vscode']);
    expect(clients.find((c) => c.id === 'claude-desktop')!.stdioOnly).toBe(true);
    for (const file of clients.flatMap((c) => c.files)) expect(file).toMatchObject({ status: 'missing', servers: [] });
  });

  it('finds the macOS locations under Library/Application Support', () => {
    const s = (box = sandbox('darwin'));
    const support = join(s.homedir, 'Library', 'Application Support');
    s.write(join(support, 'Claude', 'claude_desktop_config.json'), '{"mcpServers":{"a":{"command":"x"}}}');
    s.write(join(support, 'Code', 'User', 'mcp.json'), '{"servers":{"b":{"type":"http","url":"https://example.com/mcp"}}}');
    const files = discoverClients(s.ctx()).flatMap((c) => c.files).filter((f) => f.status === 'ok');
    expect(files.map((f) => [f.client, f.servers.map((x) => x.name)])).toEqual([
      ['claude-desktop', ['a']],
      ['vscode', ['b']],
    ]);
    expect(files[1]!.servers[0]).toMatchObject({ transport: 'http', url: 'https://example.com/mcp', protected: false });
  });

  it("lists Claude Code's per-project (local) servers from ~/.claude.json, and protects them in place", () => {
    const s = (box = sandbox());
    const file = join(s.homedir, '.claude.json');
    const text = `{
  "mcpServers": {},
  "projects": {
    "/home/me/app": { "mcpServers": { "db": { "type": "stdio", "command": "node", "args": ["db.js"], "env": { "DB_URL": "postgres://secret" } } } },
    "/home/me/empty": { "mcpServers": {} }
  }
}
`;
    s.write(file, text);
    const files = discoverClients(s.ctx()).find((c) => c.id === 'claude-code')!.files;
    const local = files.filter((f) => f.scope === 'local');
    expect(local).toEqual([
      expect.objectContaining({ path: file, project: '/home/me/app', location: ['projects', '/home/me/app', 'mcpServers'], status: 'ok' }),
    ]);
    expect(local[0]!.servers.map((x) => x.name)).toEqual(['db']);

    const result = protect(s.ctx(), { client: 'claude-code', servers: ['db'] });
    expect(result.ok).toBe(true);
    expect(result.files[0]).toMatchObject({ scope: 'local', project: '/home/me/app', status: 'written' });
    const after = JSON.parse(s.read(file));
    expect(after.projects['/home/me/app'].mcpServers.db).toMatchObject({ type: 'http', url: 'http://127.0.0.1:7323/mcp/db' });
    expect(unprotect(s.ctx(), { client: 'claude-code' }).ok).toBe(true);
    expect(s.read(file)).toBe(text);
  });
});
