/**
 * What "remember" covers, through the real proxy: two callers, each with its own named
 * token in auth.json and its own SDK client, call the same tool with the same arguments.
 * A person's "always" for one caller lets that caller's next call through without a card
 * and leaves the other caller's identical call waiting for a person.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Airlock } from '../../main/core/airlock.ts';
import type { Grant, PendingCall } from '../../shared/api/contract.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, api, connectHttp, newClient, resultText, revokeGrants, settleWaitingCalls, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

const POLICY = { version: '1', default: 'allow', tools: { record_args: { action: 'ask', reason: 'Check the value first' } } };
const TOKEN_A = 'caller-a-token-0123456789abcdef';
const TOKEN_B = 'caller-b-token-0123456789abcdef';

async function waitingFrom(airlock: Airlock, caller: string): Promise<PendingCall> {
  return waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body.find((p) => p.client.id === caller), 10_000, `a call from ${caller} waiting`);
}

describe('remembered decisions are scoped to the caller', () => {
  const home = tempHome();
  const probeLog = join(home.dir, 'probe.log');
  let airlock: Airlock;
  let a: Client;
  let b: Client;
  const recorded = (value: string) => probeEvents(probeLog).filter((e) => e.event === 'args' && e.args?.value === value).length;

  beforeAll(async () => {
    // Named tokens: the caller identity is the token's name, whatever clientInfo says.
    writeFileSync(
      join(home.dir, 'auth.json'),
      JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients: { 'caller-a': TOKEN_A, 'caller-b': TOKEN_B } }),
      { mode: 0o600 },
    );
    airlock = await startAirlock(home.dir, { probe: probeServer(probeLog) }, { policy: POLICY, settings: { earlyAnswerSeconds: 0 } });
  }, 60_000);
  // Each test has its own sessions (one test ends A's), and leaves no waiting call and no grant behind, even when it fails.
  beforeEach(async () => {
    // Both declare the same clientInfo name: only the token tells them apart.
    a = await connectHttp(airlock, 'probe', newClient('same-agent'), TOKEN_A);
    b = await connectHttp(airlock, 'probe', newClient('same-agent'), TOKEN_B);
  });
  afterEach(async () => {
    await settleWaitingCalls(airlock);
    await a?.close().catch(() => undefined);
    await b?.close().catch(() => undefined);
    await revokeGrants(airlock);
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('"always" from caller A lets A\'s next call through without a card, not B\'s identical call', async () => {
    const args = { value: 'always for a' };
    const first = a.callTool({ name: 'record_args', arguments: args });
    const card = await waitingFrom(airlock, 'caller-a');
    expect(card.client).toMatchObject({ id: 'caller-a', name: 'same-agent' });
    expect((await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'approve', remember: 'always' })).status).toBe(200);
    expect((await first).isError).toBeFalsy();

    const grants = (await api<Grant[]>(airlock, 'GET', '/grants')).body;
    expect(grants).toEqual([expect.objectContaining({ tool: 'record_args', scope: 'always', client: 'caller-a', effect: 'allow' })]);
    expect(grants[0]!.argsHash).toBeUndefined();

    // A again, other arguments too: no card, it runs.
    expect(resultText(await a.callTool({ name: 'record_args', arguments: { value: 'a again' } }))).toContain('a again');
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toEqual([]);

    // B, the identical call: it waits for a person (a card), and has not reached the server.
    const fromB = b.callTool({ name: 'record_args', arguments: args });
    const cardB = await waitingFrom(airlock, 'caller-b');
    expect(cardB.arguments).toEqual(args);
    expect(recorded(args.value)).toBe(1);
    await api(airlock, 'POST', `/pending/${cardB.id}`, { decision: 'deny', message: 'not for you' });
    expect(resultText(await fromB)).toContain('not for you');
    expect(recorded(args.value)).toBe(1);
  });

  it('"always, these arguments" covers only that caller\'s identical call', async () => {
    const args = { value: 'exact for a', count: 2 };
    const first = a.callTool({ name: 'record_args', arguments: args });
    const card = await waitingFrom(airlock, 'caller-a');
    await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'approve', remember: 'always_arguments' });
    expect((await first).isError).toBeFalsy();
    const grants = (await api<Grant[]>(airlock, 'GET', '/grants')).body;
    expect(grants).toEqual([expect.objectContaining({ scope: 'always', client: 'caller-a', argsHash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);

    // The same arguments, keys in another order: through without a card.
    expect((await a.callTool({ name: 'record_args', arguments: { count: 2, value: 'exact for a' } })).isError).toBeFalsy();
    expect(recorded('exact for a')).toBe(2);

    // Other arguments from A wait for a person.
    const other = a.callTool({ name: 'record_args', arguments: { value: 'something else' } });
    const otherCard = await waitingFrom(airlock, 'caller-a');
    expect(otherCard.arguments).toEqual({ value: 'something else' });
    await api(airlock, 'POST', `/pending/${otherCard.id}`, { decision: 'deny' });
    expect((await other).isError).toBe(true);

    // B's identical call waits too.
    const fromB = b.callTool({ name: 'record_args', arguments: args });
    const cardB = await waitingFrom(airlock, 'caller-b');
    await api(airlock, 'POST', `/pending/${cardB.id}`, { decision: 'deny' });
    expect((await fromB).isError).toBe(true);
    expect(recorded('exact for a')).toBe(2);
  });

  it('"always, every caller" is an explicit choice that covers B too', async () => {
    const first = a.callTool({ name: 'record_args', arguments: { value: 'for everyone' } });
    const card = await waitingFrom(airlock, 'caller-a');
    await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'approve', remember: 'always_everyone' });
    expect((await first).isError).toBeFalsy();
    const grants = (await api<Grant[]>(airlock, 'GET', '/grants')).body;
    expect(grants).toHaveLength(1);
    expect(grants[0]!.client).toBeUndefined();
    expect(resultText(await b.callTool({ name: 'record_args', arguments: { value: 'b on the shared grant' } }))).toContain('b on the shared grant');
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toEqual([]);
  });

  it('a remembered denial for caller A refuses A\'s next call at once, and asks for B\'s', async () => {
    const first = a.callTool({ name: 'record_args', arguments: { value: 'deny a' } });
    const card = await waitingFrom(airlock, 'caller-a');
    await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'deny', remember: 'always' });
    expect((await first).isError).toBe(true);
    const again = await a.callTool({ name: 'record_args', arguments: { value: 'deny a, again' } });
    expect(resultText(again)).toBe('[Airlock] Denied: a person chose to always deny "record_args" on "probe".');
    const fromB = b.callTool({ name: 'record_args', arguments: { value: 'deny a' } });
    const cardB = await waitingFrom(airlock, 'caller-b');
    await api(airlock, 'POST', `/pending/${cardB.id}`, { decision: 'approve' });
    expect((await fromB).isError).toBeFalsy();
  });

  it('"this session" is listed with its session and covers only this caller\'s session', async () => {
    const first = a.callTool({ name: 'record_args', arguments: { value: 'session a' } });
    const card = await waitingFrom(airlock, 'caller-a');
    await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'approve', remember: 'session' });
    expect((await first).isError).toBeFalsy();
    const grants = (await api<Grant[]>(airlock, 'GET', '/grants')).body;
    expect(grants).toEqual([expect.objectContaining({ scope: 'session', client: 'caller-a', sessionId: card.sessionId })]);
    expect((await a.callTool({ name: 'record_args', arguments: { value: 'session a, again' } })).isError).toBeFalsy();

    const fromB = b.callTool({ name: 'record_args', arguments: { value: 'session a' } });
    const cardB = await waitingFrom(airlock, 'caller-b');
    await api(airlock, 'POST', `/pending/${cardB.id}`, { decision: 'deny' });
    expect((await fromB).isError).toBe(true);

    // The session ends: its grant goes with it.
    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    await a.close();
    await waitFor(async () => (await api<Grant[]>(airlock, 'GET', '/grants')).body.length === 0, 10_000, 'the session grant to go');
  });
});
