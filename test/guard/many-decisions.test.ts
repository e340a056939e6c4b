/**
 * 100 calls from 10 callers (each with its own token) wait at once; a person decides them in
 * random order through the control API, each decision sent twice at the same moment. Each
 * caller gets exactly its own outcome, each approved call runs once, every second decision
 * of an id is "not pending", and history agrees with what the upstream saw. And the same
 * with a real `airlock serve` SIGKILLed while a third still wait: after the restart nothing decided is lost,
 * nothing undecided runs, and no approved call runs twice.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { Airlock } from '../../main/core/airlock.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  api,
  connectHttp,
  killHard,
  newClient,
  resultText,
  spawnServe,
  startAirlock,
  stopChild,
  tempHome,
  TEST_ADMIN_TOKEN,
  TEST_MCP_TOKEN,
  waitFor,
  writeConfig,
} from '../helpers/harness.ts';

const CALLERS = Array.from({ length: 10 }, (_, i) => ({ name: `caller-${i}`, token: `decider-${i}-token-0123456789abcdef` }));

let airlock: Airlock | undefined;
let home: ReturnType<typeof tempHome> | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await stopChild(child);
  await airlock?.stop();
  home?.cleanup();
  airlock = undefined;
  home = undefined;
});

/** A fixed shuffle (so a failure can be replayed): a linear congruential generator. */
function shuffled<T>(items: T[], seed = 12345): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('many waiting calls decided at once', () => {
  it('100 calls from 10 callers, decided in random order with duplicate and concurrent decisions', { timeout: 120_000 }, async () => {
    home = tempHome('airlock-decisions-');
    const log = join(home.dir, 'probe.log');
    writeFileSync(
      join(home.dir, 'auth.json'),
      JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients: Object.fromEntries(CALLERS.map((c) => [c.name, c.token])) }),
      { mode: 0o600 },
    );
    airlock = await startAirlock(
      home.dir,
      { probe: probeServer(log) },
      { policy: { version: '1', default: 'deny', tools: { record_args: { action: 'ask', timeout: 600 } } }, settings: { earlyAnswerSeconds: 0 } },
    );
    const clients = await Promise.all(CALLERS.map((c) => connectHttp(airlock!, 'probe', newClient('same-agent'), c.token)));
    const calls = CALLERS.flatMap((caller, i) =>
      Array.from({ length: 10 }, (_, n) => {
        const value = `${caller.name}:${n}`;
        return { caller: caller.name, value, approve: (i + n) % 2 === 0, result: clients[i]!.callTool({ name: 'record_args', arguments: { value } }, undefined, { timeout: 120_000 }) };
      }),
    );

    const pending = await waitFor(async () => {
      const list = (await api<PendingCall[]>(airlock!, 'GET', '/pending')).body;
      return list.length === 100 ? list : undefined;
    }, 60_000, '100 pending calls');
    // The card shows the token's caller, not what the client claims to be.
    expect(new Set(pending.map((p) => p.client.id))).toEqual(new Set(CALLERS.map((c) => c.name)));

    const byValue = new Map(calls.map((c) => [c.value, c]));
    const statuses: number[] = [];
    await Promise.all(
      shuffled(pending).map(async (p) => {
        const call = byValue.get(String(p.arguments.value))!;
        expect(p.client.id).toBe(call.caller);
        const decision = call.approve ? { decision: 'approve' } : { decision: 'deny', message: `not ${call.value}` };
        const twice = await Promise.all([api(airlock!, 'POST', `/pending/${p.id}`, decision), api(airlock!, 'POST', `/pending/${p.id}`, decision)]);
        statuses.push(...twice.map((r) => r.status).sort());
      }),
    );
    // Exactly one of each pair took effect; the other was told the call is no longer pending.
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 404)).toHaveLength(100);

    for (const call of calls) {
      const text = resultText(await call.result);
      if (call.approve) expect(text, call.value).toContain(call.value);
      else expect(text, call.value).toBe(`[Airlock] Denied by the user: not ${call.value}`);
    }
    const ran = probeEvents(log).filter((e) => e.event === 'args').map((e) => String(e.args?.value));
    expect(ran.sort()).toEqual(calls.filter((c) => c.approve).map((c) => c.value).sort());

    const { entries } = (await api<{ entries: HistoryEntry[] }>(airlock!, 'GET', '/history?limit=200&tool=record_args')).body;
    expect(entries).toHaveLength(100);
    for (const entry of entries) {
      const call = byValue.get(String(entry.arguments.value))!;
      expect(entry.client).toBe(call.caller);
      expect(entry.decision).toBe(call.approve ? 'approved' : 'rejected_by_user');
    }
    await Promise.all(clients.map((c) => c.close()));
  });

  it('SIGKILL with two thirds of 100 waiting calls decided: after the restart the decided ones keep their outcome, the rest never run', { timeout: 180_000 }, async () => {
    home = tempHome('airlock-decisions-kill-');
    const log = join(home.dir, 'probe.log');
    writeFileSync(
      join(home.dir, 'auth.json'),
      JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients: Object.fromEntries(CALLERS.map((c) => [c.name, c.token])) }),
      { mode: 0o600 },
    );
    writeConfig(home.dir, { mcpServers: { probe: probeServer(log) }, airlock: { port: 0, earlyAnswerSeconds: 0 } });
    writeFileSync(join(home.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'deny', tools: { record_args: { action: 'ask', timeout: 600 } } }));
    const first = await spawnServe(home.dir);
    children.push(first.child);

    const clients = await Promise.all(
      CALLERS.map(async (c) => {
        const client = new Client({ name: 'same-agent', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/probe', first.url), { requestInit: { headers: { authorization: `Bearer ${c.token}` } } }));
        return client;
      }),
    );
    const calls = CALLERS.flatMap((caller, i) =>
      Array.from({ length: 10 }, (_, n) => {
        const value = `${caller.name}:${n}`;
        // Every third call is left undecided; of the others, half are approved.
        const plan = n % 3 === 2 ? 'undecided' : (i + n) % 2 === 0 ? 'approve' : 'deny';
        const result = clients[i]!.callTool({ name: 'record_args', arguments: { value } }, undefined, { timeout: 120_000 }).catch((err: Error) => err);
        return { value, plan, result };
      }),
    );
    const pending = await waitFor(async () => {
      const list = (await api<PendingCall[]>(first, 'GET', '/pending')).body;
      return list.length === 100 ? list : undefined;
    }, 60_000, '100 pending calls');
    const byValue = new Map(calls.map((c) => [c.value, c]));
    await Promise.all(
      shuffled(pending).map(async (p) => {
        const call = byValue.get(String(p.arguments.value))!;
        if (call.plan === 'undecided') return;
        const decision = call.plan === 'approve' ? { decision: 'approve' } : { decision: 'deny' };
        await Promise.all([api(first, 'POST', `/pending/${p.id}`, decision), api(first, 'POST', `/pending/${p.id}`, decision)]);
      }),
    );
    const decided = calls.filter((c) => c.plan !== 'undecided');
    for (const call of decided) {
      const result = await call.result;
      if (call.plan === 'approve') expect(resultText(result as object), call.value).toContain(call.value);
      else expect(resultText(result as object), call.value).toMatch(/^\[Airlock\] Denied by the user/);
    }

    await killHard(first.child);
    // The agents give up on the calls still waiting (closing rejects them at once).
    await Promise.allSettled(clients.map((c) => c.close()));
    for (const call of calls.filter((c) => c.plan === 'undecided')) expect(await call.result, call.value).toBeInstanceOf(Error);
    const second = await spawnServe(home.dir);
    children.push(second.child);

    expect((await api<PendingCall[]>(second, 'GET', '/pending')).body).toEqual([]);
    const { entries } = (await api<{ entries: HistoryEntry[] }>(second, 'GET', '/history?limit=200&tool=record_args')).body;
    expect(entries).toHaveLength(100);
    const expected = { approve: 'approved', deny: 'rejected_by_user', undecided: 'cancelled' } as const;
    for (const entry of entries) {
      const call = byValue.get(String(entry.arguments.value))!;
      expect(entry.decision, call.value).toBe(expected[call.plan as keyof typeof expected]);
      expect(entry.state).toBe('completed');
    }
    const ran = probeEvents(log).filter((e) => e.event === 'args').map((e) => String(e.args?.value));
    expect(ran.sort()).toEqual(calls.filter((c) => c.plan === 'approve').map((c) => c.value).sort());
  });
});
