/**
 * Named client tokens (auth.json `clients`): each protected client gets its own, created on
 * first use and kept after; a call with one is recorded with the token's name as caller,
 * whatever name the agent declares; a running Airlock accepts a token added after it started.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { classifyToken, ensureClientToken, loadOrCreateAuth } from '../../main/core/home/auth.ts';
import { api, connectHttp, EVERYTHING, newClient, startAirlock, tempHome, TEST_MCP_TOKEN } from '../helpers/harness.ts';
import type { HistoryEntry } from '../../shared/history.ts';

let home: ReturnType<typeof tempHome> | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  home?.cleanup();
  airlock = home = undefined;
});

describe('named client tokens', () => {
  it('are created once per client in auth.json (0600, other keys kept) and reused after', () => {
    home = tempHome('airlock-named-');
    const file = join(home.dir, 'auth.json');
    writeFileSync(file, JSON.stringify({ mcpToken: 'shared-mcp-token-0123456789', adminToken: 'admin-token-0123456789ab', note: 'kept' }));
    const cursor = ensureClientToken(file, 'cursor', {});
    expect(ensureClientToken(file, 'cursor', {})).toBe(cursor);
    const code = ensureClientToken(file, 'claude-code', {});
    expect(code).not.toBe(cursor);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ mcpToken: 'shared-mcp-token-0123456789', note: 'kept', clients: { cursor, 'claude-code': code } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => ensureClientToken(file, '../evil', {})).toThrow(/cannot name a client token/);
  });

  it('classify as MCP tokens carrying their name; a token added to the file later is picked up', () => {
    home = tempHome('airlock-named-');
    const file = join(home.dir, 'auth.json');
    const tokens = loadOrCreateAuth(file, {});
    expect(classifyToken(tokens, tokens.mcpToken)).toEqual({ kind: 'mcp' });
    const later = ensureClientToken(file, 'vscode', {});
    expect(classifyToken(tokens, later)).toEqual({ kind: 'mcp', identity: 'vscode' });
    expect(classifyToken(tokens, 'not-a-token-of-this-home')).toBeUndefined();
  });

  it('a call with a token added while Airlock runs is accepted without a restart and recorded with the token\'s name as caller', async () => {
    home = tempHome('airlock-named-');
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
    const token = ensureClientToken(join(home.dir, 'auth.json'), 'cursor');
    const client = await connectHttp(airlock, 'everything', newClient('declares-another-name'), token);
    try {
      await client.callTool({ name: 'echo', arguments: { message: 'named' } });
    } finally {
      await client.close();
    }
    const shared = await connectHttp(airlock, 'everything', newClient('shared-token-client'), TEST_MCP_TOKEN);
    try {
      await shared.callTool({ name: 'echo', arguments: { message: 'shared' } });
    } finally {
      await shared.close();
    }
    const { entries } = (await api<{ entries: HistoryEntry[] }>(airlock, 'GET', '/history?limit=10')).body;
    expect(entries.find((e) => e.arguments.message === 'named')).toMatchObject({ client: 'cursor', clientInfo: { name: 'declares-another-name' } });
    expect(entries.find((e) => e.arguments.message === 'shared')?.client).not.toBe('cursor');
  });
});
