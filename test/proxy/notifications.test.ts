/** Server→client notifications and client requests that steer them pass through unchanged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { EVERYTHING, connectBridge, connectHttp, newClient, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

describe.each(['http', 'bridge'] as const)('notifications over %s', (mode) => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('forwards logging/setLevel and delivers the server\'s log messages', async () => {
    const client = newClient('logs', {});
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(n.params));
    const c = mode === 'http' ? await connectHttp(airlock, 'everything', client) : await connectBridge(home.dir, 'everything', client);
    await c.setLoggingLevel('debug');
    await c.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await waitFor(() => messages.length > 0, 10_000, 'a log message');
    expect(messages[0]).toMatchObject({ level: expect.any(String) });
    await c.close();
  });

  it('forwards resources/subscribe and delivers resources/updated', async () => {
    const client = newClient('subs', {});
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    const c = mode === 'http' ? await connectHttp(airlock, 'everything', client) : await connectBridge(home.dir, 'everything', client);
    const { resources } = await c.listResources();
    const uri = resources[0]!.uri;
    await c.subscribeResource({ uri });
    await c.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await waitFor(() => updated.includes(uri), 10_000, 'resources/updated');
    await c.unsubscribeResource({ uri });
    await c.close();
  });
});
