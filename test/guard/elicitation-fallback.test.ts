/**
 * Nobody watching: with no UI connected a call still waits (fail closed); when enabled,
 * Airlock asks in the agent's own client through elicitation/create.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { connectHttp, newClient, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { probeServer } from '../fixtures/probe.ts';

const policy = { version: '1', default: 'allow', tools: { record_args: { action: 'ask', reason: 'check first' } } };
let stop: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stop) await s();
  stop = [];
});

async function setup(elicitationFallback: boolean): Promise<Airlock> {
  const home = tempHome();
  const airlock = await startAirlock(home.dir, { probe: probeServer(join(home.dir, 'probe.log')) }, { policy, settings: { elicitationFallback, earlyAnswerSeconds: 0 } });
  stop.push(async () => {
    await airlock.stop();
    home.cleanup();
  });
  return airlock;
}

describe('when no UI is connected', () => {
  it('asks in the client when the fallback is on and the client supports elicitation', async () => {
    const airlock = await setup(true);
    const client = newClient('elicit-client', { elicitation: { form: {} } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return { action: 'accept', content: { approve: true } };
    });
    await connectHttp(airlock, 'probe', client);
    const result = await client.callTool({ name: 'record_args', arguments: { value: 'hello' } });
    expect(result.isError).toBeFalsy();
    expect(asked[0]).toMatch(/record_args/);
    expect(airlock.stores.history.query({}).entries[0]).toMatchObject({ decision: 'approved', decidedBy: { kind: 'user' } });
    await client.close();
  });

  it('a decline in the client is a denial', async () => {
    const airlock = await setup(true);
    const client = newClient('elicit-client', { elicitation: { form: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
    await connectHttp(airlock, 'probe', client);
    const result = await client.callTool({ name: 'record_args', arguments: { value: 'hello' } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^\[Airlock\] Denied by the user/);
    await client.close();
  });

  it('with the fallback off (the default) the call waits for a person, fail closed', async () => {
    const airlock = await setup(false);
    const client = newClient('elicit-client', { elicitation: { form: {} } });
    let asked = false;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked = true;
      return { action: 'accept', content: { approve: true } };
    });
    await connectHttp(airlock, 'probe', client);
    const call = client.callTool({ name: 'record_args', arguments: { value: 'hello' } });
    const pending = await waitFor(() => airlock.queue.list()[0], 5000, 'pending');
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toBe(false);
    airlock.queue.decide(pending.id, { decision: 'approve' });
    expect((await call).isError).toBeFalsy();
    await client.close();
  });
});
