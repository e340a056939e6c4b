/**
 * Human approval through the control API: a call the policy marks `ask` waits for a
 * person, who approves, denies with a message, edits the arguments or remembers the
 * decision; timeouts, heartbeats, early answers and cancellations behave as promised.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Airlock } from '../../main/core/airlock.ts';
import type { Grant, PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import { demoPng } from '../../main/demo/image-server.ts';
import { DEMO_IMAGES, api, callerToken, connectHttp, newClient, resultText, revokeGrants, settleWaitingCalls, startAirlock, tempHome, waitFor, writeCallerTokens } from '../helpers/harness.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';

/** Each test's agent has its own named token: the caller is the token, not clientInfo. */
const CALLERS = ['agent-one', 'agent-three', 'agent-two', 'hasty', 'late-always', 'patient', 'retry-waits', 'sleepy'];

const POLICY = {
  version: '1',
  default: 'allow',
  tools: {
    image_to_image: { action: 'ask', reason: 'Costs money per image' },
    record_args: { action: 'ask', reason: 'Check the value first' },
    slow: { action: 'ask' },
    'probe/quick_timeout': { action: 'ask' },
  },
};
const image = demoPng(16, 16, 'approval');

async function pendingFor(airlock: Airlock, tool: string, count = 1): Promise<PendingCall[]> {
  return waitFor(async () => {
    const { body } = await api<PendingCall[]>(airlock, 'GET', '/pending');
    const mine = body.filter((p) => p.tool === tool);
    return mine.length >= count ? mine : undefined;
  }, 10_000, `${count} pending ${tool}`);
}

describe('approvals', () => {
  const home = tempHome();
  const probeLog = join(home.dir, 'probe.log');
  let airlock: Airlock;
  let client: Client;

  beforeAll(async () => {
    writeCallerTokens(home.dir, CALLERS);
    airlock = await startAirlock(home.dir, { images: DEMO_IMAGES, probe: probeServer(probeLog) }, { policy: POLICY, settings: { earlyAnswerSeconds: 0 } });
    client = await connectHttp(airlock, 'images', newClient('agent-one'), callerToken('agent-one'));
  });
  // Whatever a test leaves (a call still waiting, a remembered decision) goes with it, even when it fails half-way.
  afterEach(async () => {
    await settleWaitingCalls(airlock);
    await revokeGrants(airlock);
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await airlock?.stop();
    home.cleanup();
  });

  it('shows the waiting call with its arguments, and approving returns the real upstream result', async () => {
    const call = client.callTool({ name: 'image_to_image', arguments: { prompt: 'a red fox', images: [image], size: '1K' } });
    const [pending] = await pendingFor(airlock, 'image_to_image');
    expect(pending).toMatchObject({
      server: 'images',
      tool: 'image_to_image',
      arguments: { prompt: 'a red fox', size: '1K' },
      client: { id: 'agent-one', name: 'agent-one' },
      rule: '/tools/image_to_image',
      reason: 'Costs money per image',
    });
    expect(pending!.toolDefinition?.annotations?.openWorldHint).toBe(true);
    expect(pending!.expiresAt - pending!.createdAt).toBe(120_000);
    await new Promise((r) => setTimeout(r, 150));
    const decided = await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve' });
    expect(decided).toMatchObject({ status: 200, body: { outcome: 'approved', by: 'user' } });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect((result.content as Array<{ type: string; mimeType?: string }>)[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });

    const entry = await api<HistoryEntry>(airlock, 'GET', `/history/${pending!.historyId}`);
    expect(entry.body).toMatchObject({ decision: 'approved', decidedBy: { kind: 'user' }, state: 'completed' });
    expect(entry.body.waitMs).toBeGreaterThanOrEqual(150);
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toHaveLength(0);
  });

  it('a denial with a message reaches the agent as a tool error with the message', async () => {
    const call = client.callTool({ name: 'image_to_image', arguments: { prompt: 'x', images: [image], size: '4K' } });
    const [pending] = await pendingFor(airlock, 'image_to_image');
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'deny', message: 'Use 1K, 4K is too expensive' });
    const result = await call;
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe('[Airlock] Denied by the user: Use 1K, 4K is too expensive');
    const entry = airlock.stores.history.get(pending!.historyId)!;
    expect(entry).toMatchObject({ decision: 'rejected_by_user', userMessage: 'Use 1K, 4K is too expensive' });
  });

  it('approve always: the next call does not wait, not even after a restart; revoking makes it wait again', async () => {
    const args = { prompt: 'always', images: [image], size: '1K' };
    const first = client.callTool({ name: 'image_to_image', arguments: args });
    const [pending] = await pendingFor(airlock, 'image_to_image');
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve', remember: 'always' });
    expect((await first).isError).toBeFalsy();
    const second = await client.callTool({ name: 'image_to_image', arguments: { ...args, prompt: 'no wait' } });
    expect(second.isError).toBeFalsy();
    const grants = (await api<Grant[]>(airlock, 'GET', '/grants')).body;
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ server: 'images', tool: 'image_to_image', effect: 'allow', scope: 'always' });

    // Restart: the grant survives.
    await client.close().catch(() => undefined);
    await airlock.stop();
    airlock = await startAirlock(home.dir, { images: DEMO_IMAGES, probe: probeServer(probeLog) }, { policy: POLICY, settings: { earlyAnswerSeconds: 0 } });
    client = await connectHttp(airlock, 'images', newClient('agent-one'), callerToken('agent-one'));
    expect((await client.callTool({ name: 'image_to_image', arguments: args })).isError).toBeFalsy();
    expect(airlock.queue.size).toBe(0);

    expect((await api(airlock, 'DELETE', `/grants/${grants[0]!.id}`)).status).toBe(200);
    const waits = client.callTool({ name: 'image_to_image', arguments: args });
    const [again] = await pendingFor(airlock, 'image_to_image');
    await api(airlock, 'POST', `/pending/${again!.id}`, { decision: 'approve' });
    expect((await waits).isError).toBeFalsy();
  });

  it('approving with edited arguments sends the edited ones upstream; edits that break the schema are refused', async () => {
    const probe = await connectHttp(airlock, 'probe', newClient('agent-two'), callerToken('agent-two'));
    const call = probe.callTool({ name: 'record_args', arguments: { value: 'rm -rf /' } });
    const [pending] = await pendingFor(airlock, 'record_args');
    const bad = await api<{ error: string; message: string }>(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve', arguments: { value: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/input schema/);
    expect(airlock.queue.get(pending!.id)).toBeDefined(); // still waiting
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve', arguments: { value: 'ls /tmp' } });
    const result = (await call) as CallToolResult;
    // The agent is told first that a person changed its arguments, and which.
    expect(resultText(result)).toBe(
      '[Airlock] A person edited the arguments of this call before approving it: changed value (now "ls /tmp"). The result below is for the edited arguments, not the ones you sent.',
    );
    expect(result.content.slice(1).some((c) => c.type === 'text' && c.text.includes('ls /tmp'))).toBe(true);
    const seen = probeEvents(probeLog).filter((e) => e.event === 'args');
    expect(seen.at(-1)?.args).toEqual({ value: 'ls /tmp' });
    expect(seen.some((e) => e.args?.value === 'rm -rf /')).toBe(false);
    // History keeps both: what ran and what the agent sent.
    expect(airlock.stores.history.get(pending!.historyId)).toMatchObject({ arguments: { value: 'ls /tmp' }, originalArguments: { value: 'rm -rf /' }, decision: 'approved' });
    await probe.close();
  });

  it('two pending calls: deciding the first leaves the second waiting', async () => {
    const a = client.callTool({ name: 'image_to_image', arguments: { prompt: 'first', images: [image], size: '1K' } });
    const b = client.callTool({ name: 'image_to_image', arguments: { prompt: 'second', images: [image], size: '1K' } });
    const both = await pendingFor(airlock, 'image_to_image', 2);
    expect(both.map((p) => p.arguments.prompt)).toEqual(['first', 'second']);
    await api(airlock, 'POST', `/pending/${both[0]!.id}`, { decision: 'deny' });
    expect((await a).isError).toBe(true);
    expect(airlock.queue.list().map((p) => p.arguments.prompt)).toEqual(['second']);
    await api(airlock, 'POST', `/pending/${both[1]!.id}`, { decision: 'approve' });
    expect((await b).isError).toBeFalsy();
  });

  it('a client that aborts, or drops its connection, withdraws its pending call (history: cancelled)', async () => {
    const probe = await connectHttp(airlock, 'probe', newClient('agent-three'), callerToken('agent-three'));
    const controller = new AbortController();
    const aborted = probe.callTool({ name: 'slow', arguments: { tag: 'withdrawn' } }, undefined, { signal: controller.signal });
    const [pending] = await pendingFor(airlock, 'slow');
    controller.abort();
    await expect(aborted).rejects.toThrow();
    await waitFor(() => !airlock.queue.get(pending!.id), 5000, 'withdrawal');
    await waitFor(() => airlock.stores.history.get(pending!.historyId)?.decision === 'cancelled', 5000, 'cancelled in history');

    const transport = probe.transport as StreamableHTTPClientTransport;
    const drop = new AbortController();
    const raw = fetch(new URL('/mcp/probe', airlock.url), {
      method: 'POST',
      signal: drop.signal,
      headers: {
        authorization: `Bearer ${callerToken('agent-three')}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'drop', method: 'tools/call', params: { name: 'slow', arguments: { tag: 'dropped' } } }),
    });
    const [dropped] = await pendingFor(airlock, 'slow');
    drop.abort();
    await expect(raw.then((r) => r.text())).rejects.toThrow();
    await waitFor(() => !airlock.queue.get(dropped!.id), 5000, 'withdrawal after disconnect');
    await waitFor(() => airlock.stores.history.get(dropped!.historyId)?.decision === 'cancelled', 5000, 'cancelled in history');
    await probe.close();
  });
});

describe('approval deadlines', () => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    writeCallerTokens(home.dir, CALLERS);
    airlock = await startAirlock(
      home.dir,
      { probe: probeServer(join(home.dir, 'probe.log')) },
      {
        policy: { version: '1', default: 'allow', tools: { record_args: { action: 'ask', timeout: 1 }, slow: { action: 'ask' } } },
        settings: { earlyAnswerSeconds: 1, heartbeatSeconds: 1 },
      },
    );
  });
  afterEach(async () => {
    await settleWaitingCalls(airlock);
    await revokeGrants(airlock);
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('a timeout is reported as a timeout, not a denial', async () => {
    const client = await connectHttp(airlock, 'probe', newClient('sleepy'), callerToken('sleepy'));
    const result = await client.callTool({ name: 'record_args', arguments: { value: 'late' } }, undefined, { onprogress: () => undefined });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^\[Airlock\] Approval timed out after/);
    expect(resultText(result)).not.toMatch(/denied/i);
    const [entry] = airlock.stores.history.query({ tool: 'record_args' }).entries;
    expect(entry).toMatchObject({ decision: 'timed_out', decidedBy: { kind: 'timeout' } });
    await client.close();
  });

  it('a client with a progress token and a 5 s request timeout survives a 12 s wait', async () => {
    const client = await connectHttp(airlock, 'probe', newClient('patient'), callerToken('patient'));
    const progress: number[] = [];
    const call = client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'patient' } }, undefined, {
      timeout: 5000,
      resetTimeoutOnProgress: true,
      onprogress: (p) => progress.push(p.progress),
    });
    const [pending] = await pendingFor(airlock, 'slow');
    await new Promise((r) => setTimeout(r, 12_000));
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve' });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // monotonic
    await client.close();
  }, 30_000);

  it('a client without a progress token gets "approval pending"; its retry after approval passes without a second prompt', async () => {
    const client = await connectHttp(airlock, 'probe', newClient('hasty'), callerToken('hasty'));
    const first = await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'hasty' } });
    expect(first.isError).toBe(true);
    expect(resultText(first)).toMatch(/^\[Airlock\] approval pending/);
    expect(resultText(first)).toMatch(/[Rr]etry the same call/);
    const [pending] = await pendingFor(airlock, 'slow');
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve' });
    const retry = await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'hasty' } });
    expect(retry.isError).toBeFalsy();
    expect(resultText(retry)).toContain('slept');
    expect(airlock.queue.size).toBe(0);
    const entries = airlock.stores.history.query({ tool: 'slow', client: 'hasty' }).entries;
    // The first call never ran: it is not a plain approval, and it names the retry that ran it.
    expect(entries.map((e) => e.decision)).toEqual(['approved', 'approved_for_retry']);
    expect(entries[1]).toMatchObject({ retriedBy: entries[0]!.id, state: 'completed' });
    expect(entries[1]!.result).toBeUndefined();
    expect(entries[0]).toMatchObject({ retryOf: entries[1]!.id });
    // A different call is not covered by that approval.
    void client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'other' } }).catch(() => undefined);
    await pendingFor(airlock, 'slow');
    await client.close();
  });

  it('a retry that waits on the same approval is the call that runs: linked, recorded with its result, and no pass left over', async () => {
    const client = await connectHttp(airlock, 'probe', newClient('retry-waits'), callerToken('retry-waits'));
    const first = await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'shared' } });
    expect(resultText(first)).toMatch(/^\[Airlock\] approval pending/);
    const [pending] = (await pendingFor(airlock, 'slow')).filter((p) => p.client.id === 'retry-waits');
    // The retry asks for progress, so it waits on the approval instead of being answered early.
    const retry = client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'shared' } }, undefined, { onprogress: () => undefined });
    await waitFor(() => airlock.stores.history.get(pending!.historyId)?.retriedBy, 5_000, 'the retry to be linked');
    expect(airlock.queue.list().filter((p) => p.client.id === 'retry-waits')).toHaveLength(1);
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve' });
    expect(resultText(await retry)).toContain('slept');

    const original = airlock.stores.history.get(pending!.historyId)!;
    await waitFor(() => airlock.stores.history.get(original.retriedBy!)?.state === 'completed', 5_000, 'the retry to complete');
    const ran = airlock.stores.history.get(original.retriedBy!)!;
    expect(original).toMatchObject({ decision: 'approved_for_retry' });
    expect(ran).toMatchObject({ decision: 'approved', retryOf: original.id, state: 'completed' });
    expect(ran.result?.textPreview).toContain('slept');

    // The approval was used by the retry: an identical third call asks again.
    void client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'shared' } }).catch(() => undefined);
    await waitFor(() => airlock.queue.list().find((p) => p.client.id === 'retry-waits'), 5_000, 'a new card for the third call');
    await client.close();
  });

  it('"Always" chosen after the agent was told to retry is remembered, for that caller', async () => {
    const client = await connectHttp(airlock, 'probe', newClient('late-always'), callerToken('late-always'));
    const first = await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'late' } });
    expect(resultText(first)).toMatch(/^\[Airlock\] approval pending/);
    const [pending] = (await pendingFor(airlock, 'slow')).filter((p) => p.client.id === 'late-always');
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve', remember: 'always' });
    await waitFor(async () => (await api<Grant[]>(airlock, 'GET', '/grants')).body.find((g) => g.client === 'late-always'), 5_000, 'the grant');
    // The retry passes; so does a later call with other arguments, on the grant, without a card.
    expect((await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'late' } })).isError).toBeFalsy();
    expect((await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'later' } })).isError).toBeFalsy();
    expect(airlock.queue.list().filter((p) => p.client.id === 'late-always')).toEqual([]);
    const grants = (await api<Grant[]>(airlock, 'GET', '/grants')).body.filter((g) => g.client === 'late-always');
    expect(grants).toEqual([expect.objectContaining({ tool: 'slow', scope: 'always', effect: 'allow' })]);
    await client.close();
  });
});
