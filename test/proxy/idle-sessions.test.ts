/**
 * Abandoned 2025-era sessions end after `sessionIdleMinutes` with their upstream processes,
 * while a session with a call waiting for a person stays.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { probeServer } from '../fixtures/probe.ts';
import { api, connectHttp, newClient, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

let airlock: Airlock | undefined;
let home: ReturnType<typeof tempHome> | undefined;
afterEach(async () => {
  await airlock?.stop();
  home?.cleanup();
  airlock = undefined;
  home = undefined;
});

async function setup(): Promise<Airlock> {
  home = tempHome('airlock-idle-');
  // 0.02 minutes: 1.2 s.
  airlock = await startAirlock(
    home.dir,
    { probe: probeServer(join(home.dir, 'probe.log')) },
    { policy: { version: '1', default: 'allow', tools: { record_args: { action: 'ask' } } }, settings: { sessionIdleMinutes: 0.02 } },
  );
  return airlock;
}

describe('idle legacy sessions', () => {
  it('an abandoned session is ended with its upstream process, and its id is gone', async () => {
    const a = await setup();
    const processesBefore = a.upstreams.get('probe')!.pids().length;
    const client = await connectHttp(a, 'probe', newClient('walked-away'));
    await client.listTools();
    expect(a.mcp.sessionCount).toBe(1);
    expect(a.upstreams.get('probe')!.pids().length).toBe(processesBefore + 1);
    await waitFor(() => a.mcp.sessionCount === 0, 10_000, 'the idle session to be ended');
    await waitFor(() => a.upstreams.get('probe')!.pids().length === processesBefore, 10_000, "the session's upstream process to end");
    await expect(client.listTools()).rejects.toThrow();
    await client.close().catch(() => undefined);
  });

  it('a session whose call waits for a person is not idle', async () => {
    const a = await setup();
    const client = await connectHttp(a, 'probe', newClient('waiting'));
    const call = client.callTool({ name: 'record_args', arguments: { value: 'waits' } }, undefined, { timeout: 60_000, resetTimeoutOnProgress: true });
    const pending = await waitFor(async () => (await api<Array<{ id: string }>>(a, 'GET', '/pending')).body[0], 10_000, 'the pending call');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(a.mcp.sessionCount).toBe(1);
    await api(a, 'POST', `/pending/${pending.id}`, { decision: 'approve' });
    expect(JSON.stringify((await call).content)).toContain('waits');
    await client.close();
  });
});
