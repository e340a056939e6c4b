/**
 * Transparent forwarding: an agent behind Airlock sees what it would see talking to the
 * server directly, over HTTP (/mcp/<server>) and over the stdio bridge (airlock connect).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { EVERYTHING, connectBridge, connectHttp, connectStdio, newClient, startAirlock, tempHome } from '../helpers/harness.ts';

function withHandlers(client: Client, seen: { sampling: unknown[]; elicitation: unknown[] }): Client {
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    seen.sampling.push(request.params);
    return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled by the real client' } };
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    seen.elicitation.push(request.params);
    return { action: 'accept', content: { name: 'Ada Lovelace', check: true, email: 'ada@example.com' } };
  });
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///tmp', name: 'tmp' }] }));
  return client;
}

const modes = ['http', 'bridge'] as const;

describe.each(modes)('forwarding to server-everything over %s', (mode) => {
  const home = tempHome();
  let airlock: Airlock;
  let direct: Client;
  let proxied: Client;
  const seen = { sampling: [] as unknown[], elicitation: [] as unknown[] };

  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
    direct = await connectStdio(EVERYTHING, withHandlers(newClient(), { sampling: [], elicitation: [] }));
    const client = withHandlers(newClient(), seen);
    proxied = mode === 'http' ? await connectHttp(airlock, 'everything', client) : await connectBridge(home.dir, 'everything', client);
    // server-everything registers capability-dependent tools right after initialization.
    await new Promise((r) => setTimeout(r, 200));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([direct?.close(), proxied?.close()]);
    await airlock?.stop();
    home.cleanup();
  });

  it('advertises the upstream server and its capabilities', () => {
    expect(proxied.getServerVersion()).toEqual(direct.getServerVersion());
    const caps = proxied.getServerCapabilities();
    expect(caps?.tools).toBeDefined();
    expect(caps?.resources).toBeDefined();
    expect(caps?.prompts).toBeDefined();
    expect(caps?.logging).toBeDefined();
    // Tasks cannot be forwarded faithfully yet, so they are not advertised.
    expect((caps as Record<string, unknown>).tasks).toBeUndefined();
  });

  it('lists the same tools, resources and prompts as a direct client', async () => {
    expect(await proxied.listTools()).toEqual(await direct.listTools());
    expect(await proxied.listResources()).toEqual(await direct.listResources());
    expect(await proxied.listResourceTemplates()).toEqual(await direct.listResourceTemplates());
    expect(await proxied.listPrompts()).toEqual(await direct.listPrompts());
  });

  it('returns the same tool results', async () => {
    const calls = [
      { name: 'echo', arguments: { message: 'hello through Airlock' } },
      { name: 'get-sum', arguments: { a: 19, b: 23 } },
      { name: 'get-structured-content', arguments: { location: 'Chicago' } },
      { name: 'get-tiny-image', arguments: {} },
    ];
    for (const call of calls) {
      expect(await proxied.callTool(call), call.name).toEqual(await direct.callTool(call));
    }
    const sum = await proxied.callTool({ name: 'get-sum', arguments: { a: 19, b: 23 } });
    expect(JSON.stringify(sum.content)).toContain('42');
  });

  it('reads resources and gets prompts', async () => {
    const { resources } = await direct.listResources();
    const uri = resources[0]!.uri;
    expect(await proxied.readResource({ uri })).toEqual(await direct.readResource({ uri }));
    expect(await proxied.getPrompt({ name: 'simple-prompt' })).toEqual(await direct.getPrompt({ name: 'simple-prompt' }));
    const args = { name: 'prompt-args', arguments: { city: 'Paris', state: 'Texas' } };
    const prompts = (await direct.listPrompts()).prompts.map((p) => p.name);
    if (prompts.includes('args-prompt')) {
      expect(await proxied.getPrompt({ name: 'args-prompt', arguments: args.arguments })).toEqual(
        await direct.getPrompt({ name: 'args-prompt', arguments: args.arguments }),
      );
    }
  });

  it('delivers progress notifications with the client\'s own progress token', async () => {
    const progress: Progress[] = [];
    const result = await proxied.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 4 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(JSON.stringify(result.content)).toContain('Long running operation completed');
    // The SDK client only routes progress whose token it issued, so any progress here
    // proves the token was restored on the way back.
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4]);
    expect(progress.every((p) => p.total === 4)).toBe(true);
  });

  it('completes a sampling round trip initiated by the server', async () => {
    const result = await proxied.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'a haiku', maxTokens: 20 } });
    expect(JSON.stringify(result.content)).toContain('sampled by the real client');
    expect(JSON.stringify(seen.sampling.at(-1))).toContain('a haiku');
  });

  it('completes an elicitation round trip initiated by the server', async () => {
    const result = await proxied.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(seen.elicitation.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.content)).toContain('Ada Lovelace');
  });
});
