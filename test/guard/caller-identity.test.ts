/**
 * The caller is the token, never the name a client gives itself: one agent holding the
 * shared MCP token that names each session differently stays one caller (`airlock-mcp-token`)
 * under a per-client cap and for `client` conditions; its clientInfo names are kept beside
 * the caller in history. A named token's name is its caller, whatever clientInfo says.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { DEFAULT_CALLER } from '../../main/core/proxy/tool-call.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { connectHttp, newClient, resultText, startAirlock, tempHome, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN } from '../helpers/harness.ts';

let airlock: Airlock | undefined;
let home: ReturnType<typeof tempHome> | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await airlock?.stop();
  home?.cleanup();
  airlock = undefined;
  home = undefined;
});

async function session(name: string, token = TEST_MCP_TOKEN): Promise<Client> {
  const client = await connectHttp(airlock!, 'probe', newClient(name), token);
  clients.push(client);
  return client;
}

describe('caller identity comes from the token', () => {
  it('one agent with the shared MCP token, a new clientInfo name per session, stays one caller under a per-client cap', { timeout: 60_000 }, async () => {
    home = tempHome('airlock-identity-');
    const log = join(home.dir, 'probe.log');
    const policy = { version: '1', default: 'deny', tools: { record_args: { limits: [{ counter: 'records', window: 'minute', max: 3, scope: 'client' }] } } };
    airlock = await startAirlock(home.dir, { probe: probeServer(log) }, { policy });

    const results = [];
    for (let i = 0; i < 8; i++) {
      const agent = await session(`agent-${i}`);
      results.push(await agent.callTool({ name: 'record_args', arguments: { value: `call ${i}` } }));
    }
    expect(results.filter((r) => !r.isError)).toHaveLength(3);
    for (const refused of results.slice(3)) expect(resultText(refused)).toMatch(/^\[Airlock\] Rate limit reached/);
    expect(probeEvents(log).filter((e) => e.event === 'args')).toHaveLength(3);

    const { entries } = airlock.stores.history.query({ tool: 'record_args' });
    expect(new Set(entries.map((e) => e.client))).toEqual(new Set([DEFAULT_CALLER]));
    // What each session called itself is shown beside the caller.
    expect(new Set(entries.map((e) => e.clientInfo?.name))).toEqual(new Set(Array.from({ length: 8 }, (_, i) => `agent-${i}`)));
  });

  it('a client condition reads the token, not clientInfo: naming itself after a trusted caller gets nothing', { timeout: 60_000 }, async () => {
    home = tempHome('airlock-identity-');
    const log = join(home.dir, 'probe.log');
    writeFileSync(
      join(home.dir, 'auth.json'),
      JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients: { trusted: 'trusted-token-0123456789abcdef' } }),
      { mode: 0o600 },
    );
    const policy = { version: '1', default: 'deny', tools: { record_args: { require: [{ path: 'client', op: 'eq', value: 'trusted' }] } } };
    airlock = await startAirlock(home.dir, { probe: probeServer(log) }, { policy });

    const impostor = await session('trusted');
    const refused = await impostor.callTool({ name: 'record_args', arguments: { value: 'impostor' } });
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toMatch(/^\[Airlock\] Denied by policy/);

    const trusted = await session('some-other-name', 'trusted-token-0123456789abcdef');
    const allowed = await trusted.callTool({ name: 'record_args', arguments: { value: 'trusted' } });
    expect(allowed.isError).toBeFalsy();
    expect(probeEvents(log).filter((e) => e.event === 'args').map((e) => e.args?.value)).toEqual(['trusted']);

    const { entries } = airlock.stores.history.query({ tool: 'record_args' });
    expect(entries.map((e) => [e.client, e.clientInfo?.name, e.decision])).toEqual([
      ['trusted', 'some-other-name', 'allowed'],
      [DEFAULT_CALLER, 'trusted', 'denied'],
    ]);
  });
});
