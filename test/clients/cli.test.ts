/** `airlock clients | import | protect | unprotect` as a person runs them (HOME is a temp folder). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/harness.ts';
import { FORMATS, sandbox, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function airlock(s: Sandbox, ...args: string[]) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), HOME: s.homedir };
  for (const key of ['XDG_CONFIG_HOME', 'CLAUDE_CONFIG_DIR', 'AIRLOCK_HOME', 'AIRLOCK_MCP_TOKEN', 'AIRLOCK_ADMIN_TOKEN']) delete env[key];
  return spawnSync(process.execPath, [cliPath, ...args, '--home', s.airlock, '--project', s.project], { encoding: 'utf8', env, timeout: 20_000 });
}

describe('airlock clients / protect / unprotect', () => {
  it('lists what it found, protects, shows it protected, and unprotects back to the original', () => {
    const s = (box = sandbox());
    const format = FORMATS.find((f) => f.client === 'claude-desktop')!;
    const file = s.write(format.path(s), format.text);
    writeGuarded(s);

    const listed = airlock(s, 'clients');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(file);
    expect(listed.stdout).toMatch(/github\s+NOT protected\s+docker run/);
    expect(listed.stdout).toMatch(/Reachable without Airlock[\s\S]*gh: Claude Desktop entry "github"/);
    expect(listed.stdout).not.toContain('ghp_fixture_secret');

    const protectedRun = airlock(s, 'protect', 'claude-desktop', 'github');
    expect(protectedRun.status).toBe(0);
    expect(protectedRun.stdout).toMatch(/github: protected → gh/);
    expect(protectedRun.stdout).toMatch(/backup: .*claude-desktop-.*\.json/);

    const json = JSON.parse(airlock(s, 'clients', '--json').stdout);
    const desktop = json.clients.find((c: { id: string }) => c.id === 'claude-desktop');
    expect(desktop.files[0].servers.find((x: { name: string }) => x.name === 'github')).toMatchObject({ protected: true, airlockServer: 'gh', via: 'stdio' });
    expect(json.bypasses).toEqual([]);

    const restored = airlock(s, 'unprotect', 'claude-desktop');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/github: restored/);
    expect(s.read(file)).toBe(format.text);
  });

  it('exits non-zero and names the file when a client config is malformed', () => {
    const s = (box = sandbox());
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), '{"mcpServers": {');
    const result = airlock(s, 'protect', 'cursor');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(file);
    expect(result.stdout).toMatch(/FAILED: malformed: line 1/);
    expect(s.read(file)).toBe('{"mcpServers": {');
  });

  it('rejects an unknown client with the list of known ones', () => {
    const s = (box = sandbox());
    const result = airlock(s, 'protect', 'notepad');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/claude-desktop, claude-code, cursor, vscode/);
  });
});

/** config.json guards the GitHub server of the fixture under another name. */
function writeGuarded(s: Sandbox): void {
  const desktop = JSON.parse(FORMATS.find((f) => f.client === 'claude-desktop')!.text).mcpServers.github;
  const config = JSON.parse(readFileSync(join(s.airlock, 'config.json'), 'utf8'));
  config.mcpServers.gh = desktop;
  s.write(join(s.airlock, 'config.json'), JSON.stringify(config, null, 2));
}
