/**
 * A real Airlock for the shell's tests: a temporary home, the demo image server, a policy
 * that asks about everything, and an MCP client whose calls then wait for a person. The
 * shell pieces under test see exactly what the desktop app would: the core's control API.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { DEMO_IMAGES, connectHttp, newClient, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

export interface CoreFixture {
  airlock: Airlock;
  client: Client;
  /** Starts a tools/call that waits for approval; resolves when the core lists it as pending. */
  callThatWaits(prompt?: string): Promise<PendingCall>;
  deny(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function startCore(): Promise<CoreFixture> {
  const home = tempHome('airlock-electron-');
  const airlock = await startAirlock(home.dir, { images: DEMO_IMAGES }, { policy: { version: '1', default: 'ask' }, settings: { earlyAnswerSeconds: 0 } });
  const client = await connectHttp(airlock, 'images', newClient('test-agent'));
  let counter = 0;
  const calls: Promise<unknown>[] = [];
  return {
    airlock,
    client,
    async callThatWaits(prompt = `picture ${++counter}`) {
      // The result arrives once somebody decides; the tests decide through the control API.
      calls.push(client.callTool({ name: 'text_to_image', arguments: { prompt, size: '1K' } }).catch(() => undefined));
      return waitFor(async () => (await airlock.control.call('pending.list')).find((p) => p.arguments.prompt === prompt), 10_000, `pending call "${prompt}"`);
    },
    async deny(id) {
      await airlock.control.call('pending.decide', { id, decision: 'deny', message: 'not now' });
    },
    async close() {
      await client.close().catch(() => undefined);
      await airlock.stop();
      await Promise.allSettled(calls);
      home.cleanup();
    },
  };
}
