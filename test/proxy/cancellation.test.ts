/** A client that gives up on a call stops it upstream: abort, dropped connection, DELETE. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { TEST_MCP_TOKEN, connectBridge, connectHttp, newClient, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';

describe('cancellation reaches the upstream', () => {
  const home = tempHome();
  const log = join(home.dir, 'probe.log');
  let airlock: Airlock;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { probe: probeServer(log) });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  const started = (tag: string) => probeEvents(log).some((e) => e.event === 'started' && e.tag === tag);
  const cancelled = (tag: string) => probeEvents(log).find((e) => e.event === 'cancelled' && e.tag === tag);

  it('client abort sends notifications/cancelled upstream', async () => {
    const client = await connectHttp(airlock, 'probe');
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { tag: 'abort' } }, undefined, { signal: controller.signal });
    await waitFor(() => started('abort'), 10_000, 'upstream to start the call');
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    const event = await waitFor(() => cancelled('abort'), 10_000, 'upstream cancellation');
    expect(event.event).toBe('cancelled');
    await client.close();
  });

  it('dropping the HTTP connection mid-call cancels it upstream', async () => {
    const client = await connectHttp(airlock, 'probe');
    const transport = client.transport as StreamableHTTPClientTransport;
    const controller = new AbortController();
    // A raw POST on the client's session, then the connection is torn down mid-call.
    const response = fetch(new URL('/mcp/probe', airlock.url), {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${TEST_MCP_TOKEN}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'drop-1', method: 'tools/call', params: { name: 'slow', arguments: { tag: 'drop' } } }),
    });
    await waitFor(() => started('drop'), 10_000, 'upstream to start the call');
    controller.abort();
    await expect(response.then((r) => r.text())).rejects.toThrow();
    await waitFor(() => cancelled('drop'), 10_000, 'upstream cancellation after disconnect');
    // The session itself survives a dropped request.
    const still = await client.callTool({ name: 'record_args', arguments: { value: 'still here' } });
    expect(JSON.stringify(still.content)).toContain('still here');
    await client.close();
  });

  it('ending the session (DELETE) cancels its calls upstream', async () => {
    const client = await connectHttp(airlock, 'probe');
    const call = client.callTool({ name: 'slow', arguments: { tag: 'delete' } }).catch((e: Error) => e);
    await waitFor(() => started('delete'), 10_000, 'upstream to start the call');
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(() => cancelled('delete') ?? probeEvents(log).some((e) => e.tag === 'delete' && e.event === 'finished'), 10_000, 'upstream to stop');
    await client.close();
    await call;
  });

  it('a client of the stdio bridge that aborts cancels upstream too', async () => {
    const client = await connectBridge(home.dir, 'probe', newClient('bridge-client'));
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { tag: 'bridge' } }, undefined, { signal: controller.signal });
    await waitFor(() => started('bridge'), 10_000, 'upstream to start the call');
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(() => cancelled('bridge'), 10_000, 'upstream cancellation via the bridge');
    await client.close();
  });
});
