/**
 * How a modern (2026-07-28) agent waits for a person: its call is answered with
 * `input_required` carrying only Airlock's signed requestState while the approval is open,
 * the SDK client's automatic retry re-attaches to the same approval, and the call runs once
 * when approved. A requestState Airlock did not mint, one already used, or one whose call has
 * ended is refused, and nothing runs.
 */
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, type CallToolResult, type InputRequiredResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { Airlock } from '../../main/core/airlock.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { api, startAirlock, tempHome, TEST_MCP_TOKEN, waitFor } from '../helpers/harness.ts';

const ASK_RECORD = { version: '1', default: 'allow', tools: { record_args: { action: 'ask' } } };

let airlock: Airlock | undefined;
let home: ReturnType<typeof tempHome> | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await airlock?.stop();
  home?.cleanup();
  airlock = undefined;
  home = undefined;
});

async function setup(settings: Record<string, unknown>): Promise<{ log: string }> {
  home = tempHome('airlock-modern-wait-');
  const log = join(home.dir, 'probe.log');
  airlock = await startAirlock(home.dir, { probe: probeServer(log) }, { policy: ASK_RECORD, settings });
  return { log };
}

async function modernClient(options: { autoFulfill?: boolean } = {}): Promise<Client> {
  const client = new Client(
    { name: 'modern-agent', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, ...(options.autoFulfill === false && { inputRequired: { autoFulfill: false } }) },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp/probe', airlock!.url), { requestInit: { headers: { Authorization: `Bearer ${TEST_MCP_TOKEN}` } } }),
  );
  clients.push(client);
  return client;
}

const pendingCalls = async (): Promise<PendingCall[]> => (await api<PendingCall[]>(airlock!, 'GET', '/pending')).body;
const ranWith = (log: string, value: string) => probeEvents(log).filter((e) => e.event === 'args' && e.args?.value === value);

/** The first round of an ask call, as a client that does not retry by itself sees it. */
async function firstRound(client: Client, value: string): Promise<InputRequiredResult> {
  const result = await client.request(
    { method: 'tools/call', params: { name: 'record_args', arguments: { value } } },
    { allowInputRequired: true, timeout: 30_000 },
  );
  expect(result).toMatchObject({ resultType: 'input_required' });
  return result as unknown as InputRequiredResult;
}

function retry(client: Client, value: string, requestState: string): Promise<unknown> {
  return client.request({ method: 'tools/call', params: { name: 'record_args', arguments: { value }, requestState } }, { allowInputRequired: true, timeout: 30_000 });
}

describe('a modern agent waiting for a person', () => {
  it('a pinned client with a 10 s request timeout, approved after 30 s, gets the real result; the call ran once', { timeout: 90_000 }, async () => {
    const { log } = await setup({ earlyAnswerSeconds: 5 });
    const client = await modernClient();
    const started = Date.now();
    const call = client.callTool({ name: 'record_args', arguments: { value: 'after-30s' } }, { timeout: 10_000 });
    const [pending] = await waitFor(async () => ((await pendingCalls()).length ? pendingCalls() : undefined));
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() - started)));
    // Several rounds went by: still one card, nothing ran.
    expect((await pendingCalls()).map((p) => p.id)).toEqual([pending!.id]);
    expect(ranWith(log, 'after-30s')).toHaveLength(0);

    expect((await api(airlock!, 'POST', `/pending/${pending!.id}`, { decision: 'approve' })).status).toBe(200);
    const result = (await call) as CallToolResult;
    expect(JSON.stringify(result.content)).toContain('after-30s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(30_000);
    expect(ranWith(log, 'after-30s')).toHaveLength(1);

    const { entries } = (await api<{ entries: HistoryEntry[] }>(airlock!, 'GET', '/history?tool=record_args')).body;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ decision: 'approved', state: 'completed', era: 'modern', protocolVersion: '2026-07-28' });
  });

  it('answers a waiting call with input_required carrying only Airlock\'s requestState, and a retry re-attaches to the same approval', async () => {
    const { log } = await setup({ earlyAnswerSeconds: 1 });
    const client = await modernClient({ autoFulfill: false });
    const first = await firstRound(client, 'reattach');
    expect(Object.keys(first.inputRequests ?? {})).toEqual([]);
    expect(typeof first.requestState).toBe('string');
    const [pending] = await pendingCalls();
    const second = (await retry(client, 'reattach', first.requestState!)) as InputRequiredResult;
    expect(second.resultType).toBe('input_required');
    expect(second.requestState).not.toBe(first.requestState);
    expect((await pendingCalls()).map((p) => p.id)).toEqual([pending!.id]);

    const third = retry(client, 'reattach', second.requestState!);
    await api(airlock!, 'POST', `/pending/${pending!.id}`, { decision: 'approve' });
    expect(JSON.stringify(((await third) as CallToolResult).content)).toContain('reattach');
    expect(ranWith(log, 'reattach')).toHaveLength(1);
  });

  it('refuses a forged requestState and runs nothing', async () => {
    const { log } = await setup({ earlyAnswerSeconds: 1 });
    const client = await modernClient({ autoFulfill: false });
    const first = await firstRound(client, 'forged');
    const state = first.requestState!;
    const middle = Math.floor(state.length / 2);
    const forged = state.slice(0, middle) + (state[middle] === 'A' ? 'B' : 'A') + state.slice(middle + 1);
    await expect(retry(client, 'forged', forged)).rejects.toThrow(/\[Airlock\] this requestState was not issued by Airlock or has expired; nothing was run/);
    await expect(retry(client, 'forged', 'made-up-state')).rejects.toThrow(/not issued by Airlock/);
    expect(ranWith(log, 'forged')).toHaveLength(0);
  });

  it('refuses a replayed requestState, and one used for other arguments, and runs nothing', async () => {
    const { log } = await setup({ earlyAnswerSeconds: 1 });
    const client = await modernClient({ autoFulfill: false });
    const first = await firstRound(client, 'replay');
    await expect(retry(client, 'other-arguments', first.requestState!)).rejects.toThrow(/belongs to another call/);
    const second = (await retry(client, 'replay', first.requestState!)) as InputRequiredResult;
    expect(second.resultType).toBe('input_required');
    await expect(retry(client, 'replay', first.requestState!)).rejects.toThrow(/already used or its call has ended; nothing was run/);
    expect(ranWith(log, 'replay')).toHaveLength(0);
    expect(ranWith(log, 'other-arguments')).toHaveLength(0);
  });

  it('refuses the requestState of a call whose agent did not come back in time, withdraws the approval and runs nothing', async () => {
    const { log } = await setup({ earlyAnswerSeconds: 1, retryGraceSeconds: 1 });
    const client = await modernClient({ autoFulfill: false });
    const first = await firstRound(client, 'expired');
    await waitFor(async () => ((await pendingCalls()).length === 0 ? true : undefined), 10_000, 'the abandoned approval to be withdrawn');
    await expect(retry(client, 'expired', first.requestState!)).rejects.toThrow(/already used or its call has ended/);
    expect(ranWith(log, 'expired')).toHaveLength(0);
    const { entries } = (await api<{ entries: HistoryEntry[] }>(airlock!, 'GET', '/history?tool=record_args')).body;
    expect(entries.map((e) => e.decision)).toEqual(['cancelled']);
  });
});
