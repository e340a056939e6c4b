/** The interception point sees every tools/call with who made it, and when. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { EVERYTHING, connectHttp, newClient, startAirlock, tempHome } from '../helpers/harness.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

describe('interception point', () => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    writeFileSync(join(home.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'allow' }));
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('records server, tool, arguments, client and timing of every call', async () => {
    const client = await connectHttp(airlock, 'everything', newClient('recording-client'));
    const before = Date.now();
    await client.callTool({ name: 'echo', arguments: { message: 'recorded' } });
    await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    const { entries } = airlock.stores.history.query({});
    expect(entries.map((e) => e.tool)).toEqual(['get-sum', 'echo']);
    const echo = entries[1]!;
    expect(echo).toMatchObject({
      server: 'everything',
      tool: 'echo',
      arguments: { message: 'recorded' },
      // The shared MCP token's one caller; what the client calls itself is kept beside it.
      client: 'airlock-mcp-token',
      clientInfo: { name: 'recording-client', version: '1.0.0' },
      state: 'completed',
      decision: 'allowed',
      decidedBy: { kind: 'rule', rule: '/default' },
    });
    expect(echo.sessionId).toMatch(/[0-9a-f-]{36}/);
    expect(echo.receivedAt).toBeGreaterThanOrEqual(before);
    expect(echo.upstreamMs).toBeGreaterThanOrEqual(0);
    expect(echo.result?.textPreview).toContain('recorded');
    await client.close();
  });
});

describe('with "history": false', () => {
  it('decides calls as usual and keeps nothing about them', async () => {
    const home = tempHome();
    const airlock = await startAirlock(home.dir, { everything: EVERYTHING }, {
      policy: { version: '1', default: 'allow', tools: { 'get-env': { action: 'deny' } } },
      settings: { history: false },
    });
    const client = await connectHttp(airlock, 'everything', newClient('private'));
    expect((await client.callTool({ name: 'echo', arguments: { message: 'x' } })).isError).toBeFalsy();
    expect((await client.callTool({ name: 'get-env', arguments: {} })).isError).toBe(true);
    expect(airlock.stores.history.query({}).entries).toEqual([]);
    await client.close();
    await airlock.stop();
    home.cleanup();
  });
});
