/**
 * Calls nobody answered: a timed-out call is kept in the missed list, and a person can let
 * the agent's next identical retry through once. And a call whose agent was answered
 * "approval pending, retry" says so on the pending call, announced to UIs as an update.
 * Real Airlock, real probe MCP server, real SDK client over HTTP.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { ApprovalQueue } from '../../main/core/approvals/approval-queue.ts';
import { MissedCalls, type RetryGate } from '../../main/core/approvals/missed-calls.ts';
import type { AirlockEvent, MissedCall, PendingCall } from '../../shared/api/contract.ts';
import { api, callerToken, connectHttp, newClient, resultText, startAirlock, tempHome, waitFor, writeCallerTokens } from '../helpers/harness.ts';
import { probeServer } from '../fixtures/probe.ts';

/** Each test's agent has its own named token: the caller is the token, not clientInfo. */
const CALLERS = ['away-agent', 'early-agent', 'other-agent'];

describe('missed calls', () => {
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
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('a call that timed out is listed as missed; "allow retry" lets exactly one identical retry through', async () => {
    const client = await connectHttp(airlock, 'probe', newClient('away-agent'), callerToken('away-agent'));
    const other = await connectHttp(airlock, 'probe', newClient('other-agent'), callerToken('other-agent'));
    try {
      const timedOut = await client.callTool({ name: 'record_args', arguments: { value: 'missed me' } }, undefined, { onprogress: () => undefined });
      expect(resultText(timedOut)).toMatch(/^\[Airlock\] Approval timed out/);

      const list = await waitFor(async () => {
        const { body } = await api<MissedCall[]>(airlock, 'POST', '/rpc/missed.list', {});
        return body.length > 0 ? body : undefined;
      }, 5000, 'the missed call');
      expect(list[0]).toMatchObject({ server: 'probe', tool: 'record_args', arguments: { value: 'missed me' }, client: { id: 'away-agent' } });
      expect(list[0]!.retryAllowedUntil).toBeUndefined();

      const allowed = await api<MissedCall>(airlock, 'POST', '/rpc/missed.allowRetry', { id: list[0]!.id });
      expect(allowed.status).toBe(200);
      expect(allowed.body.retryAllowedUntil).toBeGreaterThan(Date.now());

      // Another caller's identical call is not covered: it waits for a person (and times out).
      const fromOther = await other.callTool({ name: 'record_args', arguments: { value: 'missed me' } }, undefined, { onprogress: () => undefined });
      expect(resultText(fromOther)).toMatch(/^\[Airlock\] Approval timed out/);

      // The identical retry runs at once, without a prompt.
      const retry = await client.callTool({ name: 'record_args', arguments: { value: 'missed me' } }, undefined, { onprogress: () => undefined });
      expect(retry.isError).toBeFalsy();
      expect(resultText(retry)).toContain('missed me');
      const [entry] = airlock.stores.history.query({ tool: 'record_args', client: 'away-agent' }).entries;
      expect(entry).toMatchObject({ decision: 'approved', decidedBy: { kind: 'user' } });

      // Single use: the next identical call asks again.
      const again = await client.callTool({ name: 'record_args', arguments: { value: 'missed me' } }, undefined, { onprogress: () => undefined });
      expect(resultText(again)).toMatch(/^\[Airlock\] Approval timed out/);
    } finally {
      await client.close();
      await other.close();
    }
  }, 20_000);

  it('an unknown missed call is a 404, not a pass', async () => {
    const res = await api<{ error: string }>(airlock, 'POST', '/rpc/missed.allowRetry', { id: 'no-such-call' });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('after the early "approval pending" answer the pending call carries answeredEarlyAt, announced as pending.updated', async () => {
    const events: AirlockEvent[] = [];
    const unsubscribe = airlock.control.subscribe((event) => events.push(event));
    const client = await connectHttp(airlock, 'probe', newClient('early-agent'), callerToken('early-agent'));
    try {
      const first = await client.callTool({ name: 'slow', arguments: { ms: 10, tag: 'early' } });
      expect(resultText(first)).toMatch(/^\[Airlock\] approval pending/);
      const { body } = await api<PendingCall[]>(airlock, 'GET', '/pending');
      const pending = body.find((p) => p.client.id === 'early-agent');
      expect(pending?.answeredEarlyAt).toBeGreaterThanOrEqual(pending!.createdAt);
      const updated = events.find((e) => e.type === 'pending.updated');
      expect(updated).toMatchObject({ type: 'pending.updated', pending: { id: pending!.id } });
      await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'deny' });
    } finally {
      unsubscribe();
      await client.close();
    }
  });
});

describe('the missed list on its own (a real ApprovalQueue, the guard\'s pass recorded by a stand-in gate)', () => {
  const pendingCall = (n: number, expiresAt: number): PendingCall => ({
    id: `p${n}`,
    historyId: `h${n}`,
    server: 'images',
    tool: 'image_to_image',
    arguments: { prompt: `call ${n}` },
    client: { id: 'agent', name: 'Agent' },
    sessionId: 's',
    rule: '/tools/image_to_image',
    createdAt: Date.now(),
    expiresAt,
  });

  it('keeps only timed-out calls, newest first, at most `keep`; a pass goes to the gate with the call and its expiry', async () => {
    const queue = new ApprovalQueue();
    const passes: Array<Parameters<RetryGate>> = [];
    const missed = new MissedCalls({ queue, gate: (...args) => passes.push(args), passMs: () => 60_000, keep: 3 });
    for (let n = 1; n <= 5; n++) queue.add(pendingCall(n, Date.now()));
    queue.add(pendingCall(6, Date.now() + 60_000));
    queue.decide('p6', { decision: 'deny' });
    await waitFor(() => missed.list().length === 3, 2000, 'three missed calls');
    expect(missed.list().map((m) => m.id)).toEqual(['p5', 'p4', 'p3']);
    const allowed = missed.allowRetry('p4');
    expect(allowed.retryAllowedUntil).toBeGreaterThan(Date.now() + 50_000);
    expect(passes).toHaveLength(1);
    expect(passes[0]![0]).toMatchObject({ server: 'images', tool: 'image_to_image', arguments: { prompt: 'call 4' }, client: { id: 'agent' } });
    expect(passes[0]![2]).toBe('h4');
    expect(() => missed.allowRetry('p6')).toThrow(/no missed call/);
  });
});
