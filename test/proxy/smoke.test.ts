/** The interception point sees every tools/call with who made it, and when. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock, CallRecord } from '../../main/core/airlock.ts';
import { EVERYTHING, connectHttp, newClient, startAirlock, tempHome } from '../helpers/harness.ts';

describe('interception point', () => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('records server, tool, arguments, client and timing of every call', async () => {
    const records: CallRecord[] = [];
    airlock.on('call', (r) => records.push(r));
    const client = await connectHttp(airlock, 'everything', newClient('recording-client'));
    const before = Date.now();
    await client.callTool({ name: 'echo', arguments: { message: 'recorded' } });
    await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      server: 'everything',
      tool: 'echo',
      arguments: { message: 'recorded' },
      client: { id: 'recording-client', info: { name: 'recording-client', version: '1.0.0' } },
      outcome: 'ok',
    });
    expect(records[0]!.sessionId).toMatch(/[0-9a-f-]{36}/);
    expect(records[0]!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(records[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(records[1]!.tool).toBe('get-sum');
    await client.close();
  });
});
