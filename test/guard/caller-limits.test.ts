/**
 * A per-client cap holds per caller, and the caller is the token: 10 callers with their own
 * tokens in auth.json send 200 calls at once against a cap of 10 a minute per client; exactly
 * 10 of each caller's reach the upstream (which records each call), and after a SIGKILL of
 * Airlock and a restart the counters still refuse every further call in that minute.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { killHard, resultText, spawnServe, stopChild, tempHome, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, writeConfig } from '../helpers/harness.ts';

const CALLERS = Array.from({ length: 10 }, (_, i) => ({ name: `caller-${i}`, token: `caller-${i}-token-0123456789abcdef` }));
const POLICY = { version: '1', default: 'deny', tools: { record_args: { limits: [{ counter: 'records', window: 'minute', max: 10, scope: 'client' }] } } };

let home: ReturnType<typeof tempHome> | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child);
  home?.cleanup();
  home = undefined;
});

async function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const served = await spawnServe(dir);
  children.push(served.child);
  return served;
}

async function connect(url: string, token: string): Promise<Client> {
  // Every caller claims the same clientInfo: only the token may tell them apart.
  const client = new Client({ name: 'same-agent', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/probe', url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function burst(url: string, perCaller: number, tag: string): Promise<Map<string, number>> {
  const clients = await Promise.all(CALLERS.map((c) => connect(url, c.token)));
  const allowed = new Map<string, number>();
  await Promise.all(
    CALLERS.flatMap((caller, i) =>
      Array.from({ length: perCaller }, async (_, n) => {
        const result = await clients[i]!.callTool({ name: 'record_args', arguments: { value: `${tag}:${caller.name}:${n}` } }, undefined, { timeout: 60_000 });
        if (!result.isError) allowed.set(caller.name, (allowed.get(caller.name) ?? 0) + 1);
        else expect(resultText(result)).toMatch(/\[Airlock\].*limit/i);
      }),
    ),
  );
  await Promise.all(clients.map((c) => c.close()));
  return allowed;
}

const reachedBy = (log: string, tag: string) => {
  const counts = new Map<string, number>();
  for (const e of probeEvents(log)) {
    const value = String(e.args?.value ?? '');
    if (e.event !== 'args' || !value.startsWith(`${tag}:`)) continue;
    const caller = value.split(':')[1]!;
    counts.set(caller, (counts.get(caller) ?? 0) + 1);
  }
  return counts;
};

describe('per-client limits with one token per caller', () => {
  it('200 concurrent calls from 10 callers: exactly 10 per caller reach the upstream, and still after a SIGKILL and restart', { timeout: 180_000 }, async () => {
    home = tempHome('airlock-caller-limits-');
    const log = join(home.dir, 'probe.log');
    writeConfig(home.dir, { mcpServers: { probe: probeServer(log) }, airlock: { port: 0 } });
    writeFileSync(join(home.dir, 'policy.json'), JSON.stringify(POLICY));
    writeFileSync(
      join(home.dir, 'auth.json'),
      JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients: Object.fromEntries(CALLERS.map((c) => [c.name, c.token])) }),
      { mode: 0o600 },
    );

    const first = await serve(home.dir);
    const allowed = await burst(first.url, 20, 'first');
    const everyCallerTen = Object.fromEntries(CALLERS.map((c) => [c.name, 10]));
    expect(Object.fromEntries(allowed)).toEqual(everyCallerTen);
    expect(Object.fromEntries(reachedBy(log, 'first'))).toEqual(everyCallerTen);

    // SIGKILL: no clean shutdown, upstream processes left behind (ended by killHard).
    await killHard(first.child);

    const second = await serve(home.dir);
    const afterRestart = await burst(second.url, 2, 'second');
    expect(Object.fromEntries(afterRestart)).toEqual({});
    expect(Object.fromEntries(reachedBy(log, 'second'))).toEqual({});
  });
});
