/** Name clashes, entries Airlock cannot import, and the person changing things behind our back. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverClients, importServers, protect, unprotect } from '../../main/core/clients/clients.ts';
import { TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { FAKE_SELF, FORMATS, sandbox, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function setConfig(s: Sandbox, config: unknown): void {
  writeFileSync(join(s.airlock, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}

function config(s: Sandbox): { mcpServers: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(s.airlock, 'config.json'), 'utf8'));
}

describe('import', () => {
  it('resolves a name clash visibly: a different server of that name → <name>-<client>', () => {
    const s = (box = sandbox());
    setConfig(s, { mcpServers: { fetch: { command: 'node', args: ['my-fetch.js'] } }, airlock: { port: 7323 } });
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}}');
    const result = protect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(true);
    expect(result.files[0]!.servers[0]).toMatchObject({ name: 'fetch', server: 'fetch-cursor', status: 'protected' });
    expect(result.files[0]!.servers[0]!.message).toMatch(/already has a different "fetch"; imported as "fetch-cursor"/);
    expect(config(s).mcpServers['fetch']).toMatchObject({ args: ['my-fetch.js'] });
    expect(config(s).mcpServers['fetch-cursor']).toMatchObject({ command: 'uvx', args: ['mcp-server-fetch'] });
    const entry = JSON.parse(s.read(join(s.homedir, '.cursor', 'mcp.json'))).mcpServers.fetch;
    expect(entry.url).toBe('http://127.0.0.1:7323/mcp/fetch-cursor');
  });

  it('reuses a server with the same definition, whatever it is called', () => {
    const s = (box = sandbox());
    setConfig(s, { mcpServers: { web: { command: 'uvx', args: ['mcp-server-fetch'], description: 'mine' } }, airlock: { port: 7323 } });
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}}');
    const before = readFileSync(join(s.airlock, 'config.json'), 'utf8');
    const result = importServers(s.ctx(), { client: 'cursor' });
    expect(result.files[0]!.servers[0]).toMatchObject({ name: 'fetch', server: 'web', status: 'reused' });
    expect(result.configChanged).toBe(false);
    expect(readFileSync(join(s.airlock, 'config.json'), 'utf8')).toBe(before);
  });

  it('gives entries with names a URL cannot carry a valid name', () => {
    const s = (box = sandbox());
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"@acme/tools server": {"command": "acme"}}}');
    const result = importServers(s.ctx(), { client: 'cursor' });
    expect(result.files[0]!.servers[0]).toMatchObject({ server: 'acme-tools-server', status: 'renamed' });
    expect(config(s).mcpServers['acme-tools-server']).toMatchObject({ command: 'acme' });
  });

  it('two clients with different servers of one name in one go: both imported, the second renamed', () => {
    const s = (box = sandbox());
    s.write(join(s.homedir, '.claude.json'), '{"mcpServers": {"db": {"type": "stdio", "command": "db-a"}}, "projects": {"/p": {"mcpServers": {"db": {"type": "stdio", "command": "db-b"}}}}}');
    const result = importServers(s.ctx(), { client: 'claude-code' });
    expect(result.files.flatMap((f) => f.servers.map((x) => x.server))).toEqual(['db', 'db-claude-code']);
  });

  it('skips entries that already go through Airlock', () => {
    const s = (box = sandbox());
    const bridge = { command: FAKE_SELF.command, args: [...FAKE_SELF.args, 'connect', 'x', '--home', s.airlock] };
    s.write(join(s.homedir, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { x: bridge, y: { url: 'http://127.0.0.1:7323/mcp/y' } } }));
    const before = readFileSync(join(s.airlock, 'config.json'), 'utf8');
    const result = importServers(s.ctx(), { client: 'cursor' });
    expect(result.files[0]!.servers.map((x) => [x.name, x.status, x.server])).toEqual([
      ['x', 'unchanged', 'x'],
      ['y', 'unchanged', 'y'],
    ]);
    expect(readFileSync(join(s.airlock, 'config.json'), 'utf8')).toBe(before);
    const listed = discoverClients(s.ctx()).find((c) => c.id === 'cursor')!.files[0]!.servers;
    expect(listed.map((x) => [x.protected, x.via, x.restorable])).toEqual([
      [true, 'stdio', false],
      [true, 'http', false],
    ]);
  });

  it('refuses VS Code input variables (only VS Code knows their values) and protects the rest', () => {
    const s = (box = sandbox());
    const format = FORMATS.find((f) => f.client === 'vscode' && f.scope === 'user')!;
    const file = s.write(format.path(s), format.text);
    const result = protect(s.ctx(), { client: 'vscode' });
    expect(result.ok).toBe(false);
    const outcome = result.files.find((f) => f.path === file)!;
    expect(outcome.servers.map((x) => [x.name, x.status])).toEqual([
      ['perplexity', 'error'],
      ['fetch', 'protected'],
      ['github', 'protected'],
    ]);
    expect(outcome.servers[0]!.message).toMatch(/input variables/);
    expect(JSON.stringify(config(s))).not.toContain('perplexity');
    expect(unprotect(s.ctx(), { client: 'vscode' }).ok).toBe(true);
    expect(s.read(file)).toBe(format.text);
  });

  it('carries SSE, project working folders, env and headers into config.json, and never into results', () => {
    const s = (box = sandbox());
    s.write(join(s.project, '.mcp.json'), '{"mcpServers": {"docs": {"type": "sse", "url": "https://d.example.com/sse", "headers": {"X-Key": "k_secret"}}, "local": {"type": "stdio", "command": "node", "args": ["srv.js"], "env": {"TOKEN": "t_secret"}}}}');
    const result = importServers(s.ctx(), { client: 'claude-code' });
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/_secret/);
    expect(config(s).mcpServers.docs).toMatchObject({ url: 'https://d.example.com/sse', transport: 'sse', headers: { 'X-Key': 'k_secret' } });
    expect(config(s).mcpServers.local).toMatchObject({ command: 'node', args: ['srv.js'], env: { TOKEN: 't_secret' }, cwd: s.project });
  });

  it('reports requested servers that are in none of the files', () => {
    const s = (box = sandbox());
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"a": {"command": "a"}}}');
    const result = protect(s.ctx(), { client: 'cursor', servers: ['a', 'nope'] });
    expect(result.ok).toBe(false);
    expect(result.notFound).toEqual(['nope']);
  });
});

describe('how clients reach Airlock', () => {
  it('Claude Desktop always gets the stdio bridge, even when HTTP is asked for', () => {
    const s = (box = sandbox());
    const file = s.write(join(s.homedir, '.config', 'Claude', 'claude_desktop_config.json'), '{"mcpServers": {"a": {"command": "a"}}}');
    const result = protect(s.ctx(), { client: 'claude-desktop', via: 'http' });
    expect(result.ok).toBe(true);
    expect(result.notes.join()).toMatch(/only spawns commands/);
    expect(JSON.parse(s.read(file)).mcpServers.a.args).toContain('connect');
  });

  it('project files (often committed) get no path of this machine and no token: the bridge is `airlock connect`, --via http reads the token from the environment', () => {
    const s = (box = sandbox());
    const cursorFile = s.write(join(s.project, '.cursor', 'mcp.json'), '{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b"}}}');
    const codeFile = s.write(join(s.project, '.mcp.json'), '{"mcpServers": {"c": {"type": "stdio", "command": "c"}}}');
    const vscodeFile = s.write(join(s.project, '.vscode', 'mcp.json'), '{"servers": {"d": {"type": "stdio", "command": "d"}}}');
    const bridged = protect(s.ctx(), { client: 'cursor', servers: ['a'] });
    expect(bridged.ok).toBe(true);
    // The sandbox's home is not the default one: the bridge finds it only through AIRLOCK_HOME.
    expect(bridged.notes.join('\n')).toContain(`find this home (${s.airlock}) through AIRLOCK_HOME`);
    const http = protect(s.ctx(), { client: 'cursor', servers: ['b'], via: 'http' });
    expect(http.ok).toBe(true);
    expect(http.notes.join('\n')).toContain('read it from AIRLOCK_MCP_TOKEN');
    expect(protect(s.ctx(), { client: 'claude-code', via: 'http' }).ok).toBe(true);
    expect(protect(s.ctx(), { client: 'vscode', via: 'http' }).ok).toBe(true);

    const servers = JSON.parse(s.read(cursorFile)).mcpServers;
    expect(servers.a).toEqual({ command: 'airlock', args: ['connect', 'a'] });
    expect(servers.b).toEqual({ url: 'http://127.0.0.1:7323/mcp/b', headers: { Authorization: 'Bearer ${env:AIRLOCK_MCP_TOKEN}' } });
    // Each client's own variable syntax.
    expect(JSON.parse(s.read(codeFile)).mcpServers.c).toEqual({ type: 'http', url: 'http://127.0.0.1:7323/mcp/c', headers: { Authorization: 'Bearer ${AIRLOCK_MCP_TOKEN}' } });
    expect(JSON.parse(s.read(vscodeFile)).servers.d).toEqual({ type: 'http', url: 'http://127.0.0.1:7323/mcp/d', headers: { Authorization: 'Bearer ${env:AIRLOCK_MCP_TOKEN}' } });
    for (const file of [cursorFile, codeFile, vscodeFile]) {
      const text = s.read(file);
      expect(text).not.toContain(TEST_MCP_TOKEN);
      expect(text).not.toContain(s.root);
      expect(text).not.toContain(FAKE_SELF.command);
    }
    // They still count as going through this Airlock, and unprotect restores them.
    const listed = discoverClients(s.ctx()).find((c) => c.id === 'cursor')!.files.find((f) => f.path === cursorFile)!;
    expect(listed.servers.map((x) => [x.name, x.protected, x.via])).toEqual([
      ['a', true, 'stdio'],
      ['b', true, 'http'],
    ]);
    expect(unprotect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    expect(s.read(cursorFile)).toBe('{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b"}}}');
  });

  it('HTTP entries get the configured port, never the port this run happens to use: refused, with the reason, while Airlock runs elsewhere', () => {
    const s = (box = sandbox());
    const text = '{"mcpServers": {"a": {"command": "a"}}}';
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), text);
    // Started with --port 0: listening on 45678 while config.json says 7323.
    writeFileSync(join(s.airlock, 'runtime.json'), JSON.stringify({ pid: process.pid, port: 45678, url: 'http://127.0.0.1:45678' }));
    const refused = protect(s.ctx(), { client: 'cursor' });
    expect(refused.ok).toBe(false);
    expect(refused.files[0]!.servers[0]!.message).toContain('Airlock runs on port 45678, not on its configured port 7323');
    expect(refused.files[0]!.servers[0]!.message).toContain('restart Airlock without --port');
    expect(s.read(file)).toBe(text);
    // The stdio bridge names no port: still possible.
    expect(protect(s.ctx(), { client: 'cursor', via: 'stdio' }).ok).toBe(true);
    expect(unprotect(s.ctx(), { client: 'cursor' }).ok).toBe(true);

    // Running on the configured port: the entry names it.
    writeFileSync(join(s.airlock, 'runtime.json'), JSON.stringify({ pid: process.pid, port: 7323, url: 'http://127.0.0.1:7323' }));
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    expect(JSON.parse(s.read(file)).mcpServers.a.url).toBe('http://127.0.0.1:7323/mcp/a');
  });

  it('refuses HTTP entries when the configured port is 0 (any free port), running or not', () => {
    const s = (box = sandbox());
    setConfig(s, { mcpServers: {}, airlock: { port: 0 } });
    const text = '{"mcpServers": {"a": {"command": "a"}}}';
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), text);
    for (const running of [false, true]) {
      if (running) writeFileSync(join(s.airlock, 'runtime.json'), JSON.stringify({ pid: process.pid, port: 45678, url: 'http://127.0.0.1:45678' }));
      const refused = protect(s.ctx(), { client: 'cursor' });
      expect(refused.ok).toBe(false);
      expect(refused.files[0]!.servers[0]!.message).toContain('airlock.port in config.json is 0');
      expect(s.read(file)).toBe(text);
    }
  });
});

describe('unprotect after the person changed things', () => {
  it('an entry the person removed is not brought back; one they replaced is left as they wrote it', () => {
    const s = (box = sandbox());
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), '{\n  "mcpServers": {\n    "a": {"command": "a"},\n    "b": {"command": "b"}\n  }\n}\n');
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    const edited = JSON.parse(s.read(file));
    delete edited.mcpServers.a;
    edited.mcpServers.b = { command: 'b2' };
    s.write(file, JSON.stringify(edited, null, 2));
    const result = unprotect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(true);
    expect(result.files[0]!.servers.map((x) => [x.name, x.status])).toEqual([
      ['a', 'skipped'],
      ['b', 'skipped'],
    ]);
    expect(JSON.parse(s.read(file))).toEqual({ mcpServers: { b: { command: 'b2' } } });
    expect(JSON.parse(readFileSync(join(s.airlock, 'protected.json'), 'utf8')).entries).toEqual([]);
  });

  it('unprotects only the servers named, and only for that client', () => {
    const s = (box = sandbox());
    const cursorText = '{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b"}}}';
    const cursor = s.write(join(s.homedir, '.cursor', 'mcp.json'), cursorText);
    const desktop = s.write(join(s.homedir, '.config', 'Claude', 'claude_desktop_config.json'), '{"mcpServers": {"a": {"command": "a"}}}');
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    expect(protect(s.ctx(), { client: 'claude-desktop' }).ok).toBe(true);
    const desktopProtected = s.read(desktop);
    expect(unprotect(s.ctx(), { client: 'cursor', servers: ['a'] }).ok).toBe(true);
    const servers = JSON.parse(s.read(cursor)).mcpServers;
    expect(servers.a).toEqual({ command: 'a' });
    expect(servers.b.url).toMatch(/\/mcp\/b$/);
    expect(s.read(desktop)).toBe(desktopProtected);
    expect(unprotect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    expect(s.read(cursor)).toBe(cursorText);
  });

  it('a client file deleted since is reported, with the backup that holds its last copy', () => {
    const s = (box = sandbox());
    const file = s.write(join(s.project, '.cursor', 'mcp.json'), '{"mcpServers": {"a": {"command": "a"}}}');
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    rmSync(file);
    const result = unprotect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(true);
    expect(result.files[0]!.servers[0]).toMatchObject({ name: 'a', status: 'skipped', message: expect.stringMatching(/the file is gone \(its last copy: .*backups/) });
    expect(JSON.parse(readFileSync(join(s.airlock, 'protected.json'), 'utf8')).entries).toEqual([]);
  });

  it('an Airlock entry with no record cannot be restored, and says so', () => {
    const s = (box = sandbox());
    const text = JSON.stringify({ mcpServers: { y: { url: 'http://127.0.0.1:7323/mcp/y' } } });
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), text);
    const result = unprotect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(false);
    expect(result.files[0]!.servers[0]!.message).toMatch(/no record of the original/);
    expect(s.read(file)).toBe(text);
  });

  it('a damaged protected.json stops protect and unprotect instead of being overwritten', () => {
    const s = (box = sandbox());
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"a": {"command": "a"}}}');
    writeFileSync(join(s.airlock, 'protected.json'), '{ not json');
    expect(() => protect(s.ctx(), { client: 'cursor' })).toThrow(/protected\.json is damaged/);
    expect(() => unprotect(s.ctx(), { client: 'cursor' })).toThrow(/protected\.json is damaged/);
    expect(readFileSync(join(s.airlock, 'protected.json'), 'utf8')).toBe('{ not json');
  });
});
