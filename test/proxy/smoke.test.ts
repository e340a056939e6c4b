import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { EVERYTHING, connectHttp, connectStdio, startAirlock, tempHome } from '../helpers/harness.ts';

describe('smoke', () => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });
  it('lists tools like a direct client', async () => {
    const direct = await connectStdio(EVERYTHING);
    const proxied = await connectHttp(airlock, 'everything');
    const a = await direct.listTools();
    const b = await proxied.listTools();
    expect(b).toEqual(a);
    const r = await proxied.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(r).toEqual(await direct.callTool({ name: 'echo', arguments: { message: 'hi' } }));
    await direct.close();
    await proxied.close();
  });
});
