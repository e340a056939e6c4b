/**
 * An approval is consumed once, even across a crash: a modern agent's call is approved while
 * the agent is away (it was answered input_required and has not come back), so the approved
 * call waits to be sent. Airlock is SIGKILLed at that moment. After the restart, history
 * shows the call approved and not run, the upstream (a fixture that records every call it
 * receives) never saw it, and the agent's retry with its old requestState runs nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, type InputRequiredResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { api, killHard, spawnServe, stopChild, tempHome, TEST_MCP_TOKEN, waitFor, writeConfig } from '../helpers/harness.ts';

let home: ReturnType<typeof tempHome> | undefined;
const children: ChildProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  for (const child of children.splice(0)) await stopChild(child);
  home?.cleanup();
  home = undefined;
});

async function modernClient(url: string): Promise<Client> {
  const client = new Client({ name: 'modern-agent', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/probe', url), { requestInit: { headers: { Authorization: `Bearer ${TEST_MCP_TOKEN}` } } }));
  clients.push(client);
  return client;
}

const call = (client: Client, requestState?: string) =>
  client.request(
    { method: 'tools/call', params: { name: 'record_args', arguments: { value: 'approved-then-crash' }, ...(requestState && { requestState }) } },
    { allowInputRequired: true, timeout: 30_000 },
  );

describe('a crash between an approval and sending the call', () => {
  it('leaves the call approved and not run in history, and nothing runs it after the restart', { timeout: 120_000 }, async () => {
    home = tempHome('airlock-approval-crash-');
    const log = join(home.dir, 'probe.log');
    writeConfig(home.dir, { mcpServers: { probe: probeServer(log) }, airlock: { port: 0, earlyAnswerSeconds: 0.5, retryGraceSeconds: 120 } });
    writeFileSync(join(home.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'deny', tools: { record_args: { action: 'ask', timeout: 600 } } }));

    const first = await spawnServe(home.dir);
    children.push(first.child);
    const agent = await modernClient(first.url);
    const round = (await call(agent)) as unknown as InputRequiredResult;
    expect(round).toMatchObject({ resultType: 'input_required' });

    const [pending] = await waitFor(async () => {
      const list = (await api<PendingCall[]>(first, 'GET', '/pending')).body;
      return list.length ? list : undefined;
    });
    expect((await api(first, 'POST', `/pending/${pending!.id}`, { decision: 'approve' })).status).toBe(200);
    // Decided and recorded in the same step; not sent: the agent has not come back for it.
    const held = (await api<HistoryEntry>(first, 'POST', '/rpc/history.get', { id: pending!.historyId })).body;
    expect(held).toMatchObject({ decision: 'approved', state: 'pending', decidedBy: { kind: 'user' } });

    await killHard(first.child);
    const second = await spawnServe(home.dir);
    children.push(second.child);

    const after = (await api<HistoryEntry>(second, 'POST', '/rpc/history.get', { id: pending!.historyId })).body;
    expect(after).toMatchObject({ decision: 'approved_not_run', state: 'completed' });
    expect(after.error).toMatch(/approved and before it was sent: it did not run/);
    expect((await api<PendingCall[]>(second, 'GET', '/pending')).body).toEqual([]);

    // The agent comes back with its old requestState: refused, nothing runs.
    const back = await modernClient(second.url);
    await expect(call(back, round.requestState!)).rejects.toThrow(/\[Airlock\].*nothing was run/);
    expect(probeEvents(log).filter((e) => e.event === 'args')).toEqual([]);
    const { entries } = (await api<{ entries: HistoryEntry[] }>(second, 'GET', '/history?tool=record_args')).body;
    expect(entries.map((e) => e.decision)).toEqual(['approved_not_run']);
  });
});
