/**
 * "Pause all" is its own outcome, not a cancellation: a waiting call is refused the moment
 * approvals are paused, and a call that would ask is refused at once while they stay paused;
 * the agent reads that approvals are paused and history records a denial by the pause, the
 * same story on both sides. Real Airlock, the recording probe server, a real SDK client.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { api, callerToken, connectHttp, newClient, resultText, startAirlock, tempHome, waitFor, writeCallerTokens } from '../helpers/harness.ts';

let airlock: Airlock | undefined;
let client: Client | undefined;
let home: ReturnType<typeof tempHome> | undefined;
afterEach(async () => {
  await client?.close().catch(() => undefined);
  await airlock?.stop();
  home?.cleanup();
  airlock = client = home = undefined;
});

describe('pause all', () => {
  it('refuses the waiting call and every call that would ask, as denied by the pause in history and to the agent', { timeout: 60_000 }, async () => {
    home = tempHome('airlock-pause-');
    const log = join(home.dir, 'probe.log');
    writeCallerTokens(home.dir, ['pauser']);
    airlock = await startAirlock(home.dir, { probe: probeServer(log) }, {
      policy: { version: '1', default: 'deny', tools: { record_args: { action: 'ask', reason: 'Check the value' } } },
      settings: { earlyAnswerSeconds: 0 },
    });
    client = await connectHttp(airlock, 'probe', newClient('pauser'), callerToken('pauser'));

    const waiting = client.callTool({ name: 'record_args', arguments: { value: 'waiting' } });
    await waitFor(async () => (await api<PendingCall[]>(airlock!, 'GET', '/pending')).body.length === 1);
    expect((await api(airlock, 'POST', '/approvals/pause', { paused: true })).status).toBe(200);
    const refused = await waiting;
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toMatch(/^\[Airlock\] Denied: approvals are paused in Airlock.*Reason the policy asks: Check the value$/);

    const later = await client.callTool({ name: 'record_args', arguments: { value: 'while paused' } });
    expect(resultText(later)).toMatch(/^\[Airlock\] Denied: approvals are paused in Airlock/);
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toEqual([]);
    expect(probeEvents(log).filter((e) => e.event === 'args')).toEqual([]);

    const { entries } = airlock.stores.history.query({ tool: 'record_args' });
    expect(entries.map((e) => [e.arguments.value, e.decision, e.decidedBy?.detail, e.reason])).toEqual([
      ['while paused', 'denied', 'approvals paused', 'approvals are paused'],
      ['waiting', 'denied', 'approvals paused', 'approvals are paused'],
    ]);
  });
});
