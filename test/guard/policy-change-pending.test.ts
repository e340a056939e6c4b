/**
 * A call waiting for a person is decided again when the policy changes: if the new policy
 * denies or hides its tool, the call is refused at once with that reason and never runs.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import type { Airlock } from '../../main/core/airlock.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { api, connectHttp, newClient, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

let airlock: Airlock | undefined;
let home: ReturnType<typeof tempHome> | undefined;
afterEach(async () => {
  await airlock?.stop();
  home?.cleanup();
  airlock = undefined;
  home = undefined;
});

const ASK = { version: '1', default: 'allow', tools: { record_args: { action: 'ask' } } };

describe('a waiting call when the policy changes', () => {
  it.each([
    { change: 'denies its tool', policy: { version: '1', default: 'allow', tools: { record_args: { action: 'deny', reason: 'no more records' } } }, reason: /no more records/ },
    { change: 'hides its tool', policy: { version: '1', default: 'allow', hide: ['record_args'] }, reason: /Denied/ },
  ])('is refused at once when the new policy $change, and never runs', async ({ policy, reason }) => {
    home = tempHome('airlock-redecide-');
    const log = join(home.dir, 'probe.log');
    airlock = await startAirlock(home.dir, { probe: probeServer(log) }, { policy: ASK, settings: { earlyAnswerSeconds: 0 } });
    const client = await connectHttp(airlock, 'probe', newClient('agent'));
    const call = client.callTool({ name: 'record_args', arguments: { value: 'waits' } }, undefined, { timeout: 60_000 });
    await waitFor(async () => ((await api<PendingCall[]>(airlock!, 'GET', '/pending')).body.length === 1 ? true : undefined), 10_000, 'the pending call');

    const put = await api(airlock, 'PUT', '/policy', JSON.stringify(policy, null, 2));
    expect(put.status).toBe(200);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^\[Airlock\] Denied/);
    expect(resultText(result)).toMatch(reason);
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toEqual([]);
    const { entries } = (await api<{ entries: HistoryEntry[] }>(airlock, 'GET', '/history?tool=record_args')).body;
    expect(entries.map((e) => e.decision)).toEqual(['denied']);
    expect(probeEvents(log).filter((e) => e.event === 'args')).toEqual([]);
    await client.close();
  });

  it('stays waiting when the new policy still asks', async () => {
    home = tempHome('airlock-redecide-');
    airlock = await startAirlock(home.dir, { probe: probeServer(join(home.dir, 'probe.log')) }, { policy: ASK, settings: { earlyAnswerSeconds: 0 } });
    const client = await connectHttp(airlock, 'probe', newClient('agent'));
    const call = client.callTool({ name: 'record_args', arguments: { value: 'still asks' } }, undefined, { timeout: 60_000 });
    const [pending] = await waitFor(async () => {
      const list = (await api<PendingCall[]>(airlock!, 'GET', '/pending')).body;
      return list.length === 1 ? list : undefined;
    }, 10_000, 'the pending call');
    expect((await api(airlock, 'PUT', '/policy', JSON.stringify({ ...ASK, tools: { ...ASK.tools, other: { action: 'deny' } } }))).status).toBe(200);
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body.map((p) => p.id)).toEqual([pending!.id]);
    await api(airlock, 'POST', `/pending/${pending!.id}`, { decision: 'approve' });
    expect(resultText(await call)).toContain('still asks');
    await client.close();
  });
});
