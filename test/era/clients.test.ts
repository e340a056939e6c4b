/**
 * The era-matrix client helpers against the modern-only fixture directly, over HTTP (with a
 * bearer token) and stdio: the two modern kinds do every matrix operation on 2026-07-28, and
 * the 2025-11-25 client is refused with -32022 (what Airlock meets upstream today).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modernStdioServer, readModernLog, serveModernHttp, type ModernHttpServer, type ReceivedEntry } from '../fixtures/modern.ts';
import { connectHttp, connectStdio, MODERN_VERSION, type ElicitAnswer, type EraClient, type EraClientOptions } from './clients.ts';

const FIXTURE = modernStdioServer().args[0] ?? '';
const TOKEN = 'era-client-token';

let http: ModernHttpServer;
beforeAll(async () => {
  http = await serveModernHttp();
});
afterAll(async () => {
  await http.close();
});

const open: EraClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

type Transport = 'http' | 'stdio';
function connect(kind: 'pinned' | 'auto', transport: Transport, options: EraClientOptions = {}): Promise<EraClient> {
  return transport === 'http' ? connectHttp(kind, http.url, TOKEN, options) : connectStdio(kind, { command: process.execPath, args: [FIXTURE, 'stdio'] }, options);
}

async function received(client: EraClient): Promise<ReceivedEntry[]> {
  const result = await client.callTool('received');
  return (result.structuredContent as { received: ReceivedEntry[] }).received;
}

const textOf = (result: { content?: unknown }): string => ((result.content as { type: string; text?: string }[] | undefined) ?? []).map((c) => c.text ?? '').join('');

describe.each([
  ['pinned', 'http'],
  ['auto', 'http'],
  ['pinned', 'stdio'],
  ['auto', 'stdio'],
] as const)('SDK v2 client (%s) over %s against the modern-only fixture', (kind, transport) => {
  // One connection per kind and transport (a stdio one spawns the fixture twice: probe and
  // session); each test tags its own calls and sets the person's next answer.
  let client: EraClient;
  let nextAnswer: ElicitAnswer = { action: 'decline' };
  beforeAll(async () => {
    client = await connect(kind, transport, { elicitation: () => nextAnswer });
  });
  afterAll(async () => {
    await client.close();
  });

  it('negotiates 2026-07-28, lists the tools and calls one', async () => {
    expect(client.era).toBe('modern');
    expect(client.protocolVersion).toBe(MODERN_VERSION);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'slow', 'confirm', 'received']));
    expect(textOf(await client.callTool('echo', { message: 'hello both eras' }))).toBe('hello both eras');
  });

  it('reads the resource and gets the prompt', async () => {
    const resource = await client.readResource('fixture://hello');
    expect(resource.contents).toEqual([expect.objectContaining({ uri: 'fixture://hello', text: 'Hello from the modern fixture' })]);
    const prompt = await client.getPrompt('greet', { name: 'Ada' });
    expect(prompt.messages).toEqual([expect.objectContaining({ role: 'user', content: { type: 'text', text: 'Say hello to Ada.' } })]);
  });

  it('receives progress for its own token', async () => {
    const updates: number[] = [];
    const tag = `progress-${kind}-${transport}`;

    const result = await client.callTool('slow', { ms: 300, stepMs: 100, tag }, { onprogress: (p) => updates.push(p.progress) });

    expect(textOf(result)).toBe('waited 300 ms');
    expect(updates.length).toBeGreaterThan(0);
    const call = (await received(client)).find((entry) => entry.method === 'tools/call' && entry.tag === tag);
    expect(call?.progressToken).toBeDefined();
  });

  it('cancels a long call with its AbortSignal, and the server stops it', async () => {
    const controller = new AbortController();
    const tag = `cancel-${kind}-${transport}`;

    const call = client.callTool('slow', { ms: 20_000, stepMs: 100, tag }, { signal: controller.signal, onprogress: () => controller.abort('stop') });

    await expect(call).rejects.toThrow();
    await expect.poll(async () => (await received(client)).some((entry) => entry.method === 'slow.cancelled' && entry.tag === tag), { timeout: 5_000 }).toBe(true);
    expect((await received(client)).some((entry) => entry.method === 'slow.finished' && entry.tag === tag)).toBe(false);
  });

  it('answers the server-started elicitation with the given content', async () => {
    nextAnswer = { action: 'accept', content: { answer: 'ship it' } };
    const before = client.elicitations.length;

    const result = await client.callTool('confirm', { question: 'Deploy now?' });

    expect(textOf(result)).toBe('answered: ship it');
    expect(client.elicitations.slice(before)).toEqual([expect.objectContaining({ message: 'Deploy now?' })]);
  });

  it('passes a refusal back to the server', async () => {
    nextAnswer = { action: 'decline' };

    const result = await client.callTool('confirm', { question: 'Delete everything?' });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('person chose decline');
  });
});

describe('HTTP client helpers', () => {
  it('send the bearer token on every request', async () => {
    const client = await connect('pinned', 'http');
    open.push(client);

    await client.callTool('echo', { message: 'x', tag: 'token-check' });

    const entries = await received(client);
    const discoveries = entries.filter((entry) => entry.method === 'server/discover');
    const call = entries.find((entry) => entry.method === 'tools/call' && entry.tag === 'token-check');
    expect(discoveries.length).toBeGreaterThan(0);
    expect(discoveries.every((entry) => entry.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(call?.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('stdio fixture log', () => {
  it('records what the spawned process received in MODERN_FIXTURE_LOG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modern-log-'));
    const logFile = join(dir, 'received.jsonl');
    const client = await connectStdio('pinned', modernStdioServer(logFile));
    try {
      await client.callTool('echo', { message: 'logged', tag: 'log-check' });

      expect(readModernLog(logFile)).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'request', method: 'tools/call', name: 'echo', tag: 'log-check' })]));
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('2025-11-25 client (SDK 1.32.2) against the modern-only fixture', () => {
  it('is refused with -32022 over HTTP', async () => {
    await expect(connectHttp('legacy', http.url, TOKEN)).rejects.toThrow(/-32022.*Unsupported protocol version: 2025-11-25/);
  });

  it('is refused with -32022 over stdio', async () => {
    await expect(connectStdio('legacy', { command: process.execPath, args: [FIXTURE, 'stdio'] })).rejects.toMatchObject({ code: -32022 });
  });
});
