/**
 * Remote entries that sign in with OAuth: a client entry that is a plain URL (no headers)
 * becomes an Airlock server that needs sign-in (`"oauth": {}`), so protecting it does not
 * leave a server that only answers 401; an entry with its own Authorization keeps it.
 * Real client config files in a temp HOME; `airlock import` run as a person runs it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importServers, protect } from '../../main/core/clients/clients.ts';
import { loadConfig } from '../../main/core/home/home.ts';
import { cliPath } from '../helpers/harness.ts';
import { sandbox, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function servers(s: Sandbox): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(join(s.airlock, 'config.json'), 'utf8')).mcpServers;
}

describe('importing remote entries that sign in', () => {
  it('Claude Code: a `type: "http"` entry without headers is protected as a server Airlock signs in to', () => {
    const s = (box = sandbox());
    const file = s.write(
      join(s.homedir, '.claude.json'),
      JSON.stringify({ numStartups: 3, mcpServers: { notion: { type: 'http', url: 'https://mcp.notion.com/mcp' } } }, null, 2),
    );
    const result = protect(s.ctx(), { client: 'claude-code' });
    expect(result.ok).toBe(true);
    expect(result.files[0]!.servers[0]).toMatchObject({ name: 'notion', server: 'notion', status: 'protected' });
    expect(servers(s).notion).toEqual({ url: 'https://mcp.notion.com/mcp', oauth: {}, description: `Imported from Claude Code (${file})` });
    expect(result.notes.join('\n')).toMatch(/notion .*sends no credentials: imported as a server Airlock signs in to .*airlock login/);
    // The client now reaches the server through Airlock, with Airlock's token and nothing of the server's.
    const entry = JSON.parse(s.read(file)).mcpServers.notion;
    expect(entry).toMatchObject({ type: 'http', url: 'http://127.0.0.1:7323/mcp/notion' });
    // What was written is a config the core loads, with the sign-in field intact.
    expect(loadConfig(join(s.airlock, 'config.json')).mcpServers.notion).toMatchObject({ url: 'https://mcp.notion.com/mcp', oauth: {} });
  });

  it('VS Code: an http entry under "servers" without headers needs sign-in; an SSE one too', () => {
    const s = (box = sandbox());
    s.write(
      join(s.homedir, '.config', 'Code', 'User', 'mcp.json'),
      '{\n\t// remote servers\n\t"servers": {\n\t\t"atlassian": { "type": "http", "url": "https://mcp.atlassian.com/v1/mcp" },\n\t\t"legacy": { "type": "sse", "url": "https://legacy.example.com/sse" },\n\t},\n}\n',
    );
    const result = importServers(s.ctx(), { client: 'vscode' });
    expect(result.files[0]!.servers.map((x) => [x.name, x.status])).toEqual([
      ['atlassian', 'added'],
      ['legacy', 'added'],
    ]);
    expect(servers(s).atlassian).toMatchObject({ url: 'https://mcp.atlassian.com/v1/mcp', oauth: {} });
    expect(servers(s).legacy).toMatchObject({ url: 'https://legacy.example.com/sse', transport: 'sse', oauth: {} });
  });

  it('Cursor: a `url` entry needs sign-in, while an entry with its own Authorization header keeps the header and no sign-in', () => {
    const s = (box = sandbox());
    s.write(
      join(s.homedir, '.cursor', 'mcp.json'),
      JSON.stringify({
        mcpServers: {
          linear: { url: 'https://mcp.linear.app/mcp' },
          github: { url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ghp_fixture_secret' } },
        },
      }),
    );
    const result = protect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(true);
    expect(servers(s).linear).toMatchObject({ url: 'https://mcp.linear.app/mcp', oauth: {} });
    expect(servers(s).github).toMatchObject({ url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ghp_fixture_secret' } });
    expect(servers(s).github).not.toHaveProperty('oauth');
    expect(result.notes.filter((n) => n.includes('signs in to'))).toHaveLength(1);
  });

  it('an entry with an API-key header of its own is not turned into a sign-in', () => {
    const s = (box = sandbox());
    s.write(join(s.project, '.mcp.json'), '{"mcpServers": {"docs": {"type": "http", "url": "https://docs.example.com/mcp", "headers": {"X-API-Key": "k_secret"}}}}');
    importServers(s.ctx(), { client: 'claude-code' });
    expect(servers(s).docs).toMatchObject({ headers: { 'X-API-Key': 'k_secret' } });
    expect(servers(s).docs).not.toHaveProperty('oauth');
  });

  it('importing the same plain URL again reuses the server that signs in, and changes nothing', () => {
    const s = (box = sandbox());
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"linear": {"url": "https://mcp.linear.app/mcp"}}}');
    importServers(s.ctx(), { client: 'cursor' });
    const before = readFileSync(join(s.airlock, 'config.json'), 'utf8');
    const again = importServers(s.ctx(), { client: 'cursor' });
    expect(again.files[0]!.servers[0]).toMatchObject({ name: 'linear', server: 'linear', status: 'reused' });
    expect(readFileSync(join(s.airlock, 'config.json'), 'utf8')).toBe(before);
  });

  it('`airlock import` says which servers need sign-in', () => {
    const s = (box = sandbox());
    s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {"linear": {"url": "https://mcp.linear.app/mcp"}}}');
    const env: Record<string, string> = { ...(process.env as Record<string, string>), HOME: s.homedir };
    for (const key of ['XDG_CONFIG_HOME', 'CLAUDE_CONFIG_DIR', 'AIRLOCK_HOME', 'AIRLOCK_MCP_TOKEN', 'AIRLOCK_ADMIN_TOKEN']) delete env[key];
    const run = spawnSync(process.execPath, [cliPath, 'import', 'cursor', '--home', s.airlock, '--project', s.project], { encoding: 'utf8', env, timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/linear.*sends no credentials: imported as a server Airlock signs in to/);
    expect(servers(s).linear).toMatchObject({ oauth: {} });
  });
});
