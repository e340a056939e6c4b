/**
 * `"sessions": "shared"` in a server's entry: 2025-era sessions use the pool's shared
 * upstream connection instead of one each, so many agents on a stdio server cost one server
 * process. Real server-everything over stdio, real SDK 1.x clients over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { connectHttp as connectEra } from '../era/clients.ts';
import { EVERYTHING, TEST_MCP_TOKEN, connectHttp, newClient, resultText, startAirlock, tempHome } from '../helpers/harness.ts';

describe('legacy sessions on the shared connection (sessions: "shared")', () => {
  let home: ReturnType<typeof tempHome>;
  let airlock: Airlock;

  beforeAll(async () => {
    home = tempHome('airlock-shared-sessions-');
    airlock = await startAirlock(home.dir, { shared: { ...EVERYTHING, sessions: 'shared' }, own: EVERYTHING });
  }, 60_000);

  afterAll(async () => {
    await airlock?.stop();
    home?.cleanup();
  });

  it('eight agents, one upstream process besides the catalog connection: every call answered with its own result', async () => {
    const upstream = airlock.upstreams.get('shared')!;
    const before = upstream.pids().length;
    const agents = await Promise.all(Array.from({ length: 8 }, (_, i) => connectHttp(airlock, 'shared', newClient(`agent-${i}`, {}))));
    try {
      const results = await Promise.all(agents.map((agent, i) => agent.callTool({ name: 'echo', arguments: { message: `agent ${i} says hi` } })));
      expect(results.map((r) => resultText(r))).toEqual(agents.map((_, i) => `Echo: agent ${i} says hi`));
      expect(upstream.pids().length).toBe(before + 1);
    } finally {
      await Promise.all(agents.map((agent) => agent.close()));
    }
  });

  it('progress of concurrent calls reaches each agent with its own token', async () => {
    const agents = await Promise.all([0, 1].map((i) => connectHttp(airlock, 'shared', newClient(`progress-${i}`, {}))));
    try {
      const seen: number[][] = [[], []];
      await Promise.all(
        agents.map((agent, i) =>
          agent.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, { onprogress: (p) => void seen[i]!.push(p.progress) }),
        ),
      );
      expect(seen).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
    } finally {
      await Promise.all(agents.map((agent) => agent.close()));
    }
  });

  it('an agent that can answer elicitation gets the server\'s request on its own call (a connection leased for the call)', async () => {
    const agent = await connectEra('legacy', new URL('/mcp/shared', airlock.url).href, TEST_MCP_TOKEN, {
      elicitation: () => ({ action: 'accept', content: { name: 'Ada', color: 'blue', email: 'ada@example.com', check: true, integer: 3 } }),
    });
    try {
      const result = await agent.callTool('trigger-elicitation-request', {});
      expect(agent.elicitations).toHaveLength(1);
      expect(JSON.stringify(result.content)).toMatch(/Name: Ada/);
    } finally {
      await agent.close();
    }
  });

  it('offers nothing session-scoped (log level, subscriptions, list_changed), which the default session connection does', async () => {
    const shared = await connectHttp(airlock, 'shared', newClient('caps-shared', {}));
    const own = await connectHttp(airlock, 'own', newClient('caps-own', {}));
    try {
      const sharedCaps = shared.getServerCapabilities()!;
      const ownCaps = own.getServerCapabilities()!;
      expect(ownCaps).toMatchObject({ logging: {}, resources: { subscribe: true } });
      expect(sharedCaps.logging).toBeUndefined();
      expect(sharedCaps.resources).toEqual({});
      expect(sharedCaps.tools).toEqual({});
    } finally {
      await shared.close();
      await own.close();
    }
  });
});
