/** The Clients view's way in: list, import and protect client configs through /api. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { ClientsList } from '../../shared/clients.ts';
import { api, freePort, startAirlock, tempHome } from '../helpers/harness.ts';

describe('clients through the control API', () => {
  const home = tempHome();
  const user = tempHome('airlock-user-');
  const savedHome = process.env.HOME;
  let airlock: Airlock;
  const cursorFile = join(user.dir, '.cursor', 'mcp.json');

  beforeAll(async () => {
    process.env.HOME = user.dir;
    mkdirSync(join(user.dir, '.cursor'), { recursive: true });
    writeFileSync(cursorFile, JSON.stringify({ mcpServers: { notes: { command: 'notes-server', args: ['--dir', '/tmp/notes'] } } }, null, 2));
    airlock = await startAirlock(home.dir, {}, { port: await freePort() });
  });
  afterAll(async () => {
    process.env.HOME = savedHome;
    await airlock?.stop();
    home.cleanup();
    user.cleanup();
  });

  it('lists the servers a client has, then imports and protects them through Airlock', async () => {
    const listed = await api<ClientsList>(airlock, 'GET', '/clients');
    expect(listed.status).toBe(200);
    const cursor = listed.body.clients.find((c) => c.id === 'cursor')!;
    const file = cursor.files.find((f) => f.path === cursorFile)!;
    expect(file.status).toBe('ok');
    expect(JSON.stringify(file)).toContain('notes');

    const imported = await api(airlock, 'POST', '/clients/import', { client: 'cursor' });
    expect(imported.status).toBe(200);
    expect(JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8')).mcpServers.notes).toMatchObject({ command: 'notes-server' });

    const protectedResult = await api(airlock, 'POST', '/clients/protect', { client: 'cursor' });
    expect(protectedResult.status).toBe(200);
    const rewritten = JSON.parse(readFileSync(cursorFile, 'utf8')).mcpServers.notes;
    expect(rewritten.url).toBe(`${airlock.url}/mcp/notes`);
    // Cursor's own named token (auth.json clients.cursor), not the shared MCP token.
    const auth = JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')) as { clients: Record<string, string> };
    expect(rewritten.headers.Authorization).toBe(`Bearer ${auth.clients.cursor}`);
    expect(auth.clients.cursor).not.toBe(airlock.tokens.mcpToken);

    expect((await api(airlock, 'POST', '/clients/protect', { client: 'nope' })).status).toBe(400);
  });
});
