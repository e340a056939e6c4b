/**
 * The demo image server's surface beyond its tools, in both protocol eras over stdio: a
 * 2025-11-25 client (SDK 1.32.2, `initialize`) and a 2026-07-28 client (SDK v2 pinned,
 * `server/discover`), each spawning the server as Airlock does. Covered: the sizes resource,
 * the preview template, the `restyle` prompt, progress with the caller's own token, a
 * cancelled render that stops, and the `size: "ask"` elicitation round trip. The person
 * answering the elicitation is a scripted answer, said plainly in each test.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const SERVER = fileURLToPath(new URL('../../main/demo/image-server.ts', import.meta.url));
const MODERN = '2026-07-28';

type Era = 'legacy' | 'modern';
type Answer = { action: 'accept'; content: Record<string, string> } | { action: 'decline' | 'cancel' };

interface ContentBlock {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
}
interface ToolResult {
  content: ContentBlock[];
  isError?: boolean;
}
interface ResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
  blob?: string;
}
interface Elicitation {
  message: string;
  requestedSchema?: { properties?: Record<string, { enum?: unknown }>; required?: string[] };
}
interface WireMessage {
  id?: string | number;
  method?: string;
  params?: { progressToken?: string | number; _meta?: { progressToken?: string | number } };
}
interface CallOptions {
  onprogress?: (update: { progress: number; total?: number; message?: string }) => void;
  signal?: AbortSignal;
}

/** One connected client of either SDK behind the few calls these tests make. */
interface DemoConnection {
  era: Era;
  protocolVersion: string | undefined;
  callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<ToolResult>;
  listResources(): Promise<{ resources: { uri: string; mimeType?: string }[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string; mimeType?: string }[] }>;
  readResource(uri: string): Promise<{ contents: ResourceContents[] }>;
  listPrompts(): Promise<{ prompts: { name: string; arguments?: { name: string; required?: boolean }[] }[] }>;
  getPrompt(name: string, args: Record<string, string>): Promise<{ messages: { role: string; content: ContentBlock }[] }>;
  /** What the server sent on stderr so far. */
  stderr(): string;
  /** Every message this client sent (`out`) and received (`in`), as seen by its transport. */
  wire: { direction: 'in' | 'out'; message: WireMessage }[];
  /** Every elicitation the server started, in order. */
  elicitations: Elicitation[];
  /** The scripted answer the next elicitation gets (stands in for the person). */
  answer: Answer;
  close(): Promise<void>;
}

/** Records what crosses the transport, in both directions, without changing it. */
function tap(transport: { send(m: unknown): Promise<void>; onmessage?: ((m: never, ...rest: never[]) => void) | undefined }, wire: DemoConnection['wire']): void {
  const send = transport.send.bind(transport);
  transport.send = (message: unknown) => {
    wire.push({ direction: 'out', message: message as WireMessage });
    return send(message);
  };
  const inner = transport.onmessage;
  if (inner === undefined) throw new Error('transport has no message handler yet');
  transport.onmessage = (message: never, ...rest: never[]) => {
    wire.push({ direction: 'in', message: message as WireMessage });
    inner(message, ...rest);
  };
}

async function connect(era: Era, { elicitation = true } = {}): Promise<DemoConnection> {
  let stderr = '';
  const wire: DemoConnection['wire'] = [];
  const elicitations: Elicitation[] = [];
  const params = { command: process.execPath, args: [SERVER], stderr: 'pipe' as const };
  const conn = { answer: { action: 'decline' } as Answer };
  const onElicit = (request: { params: unknown }): Answer => {
    elicitations.push(request.params as Elicitation);
    return conn.answer;
  };

  if (era === 'legacy') {
    const transport = new LegacyStdioClientTransport(params);
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new LegacyClient({ name: 'demo-eras-legacy', version: '1.0.0' }, { capabilities: elicitation ? { elicitation: { form: {} } } : {} });
    if (elicitation) client.setRequestHandler(ElicitRequestSchema, (request) => onElicit(request));
    let protocolVersion: string | undefined;
    const t = transport as unknown as { setProtocolVersion?: (v: string) => void };
    t.setProtocolVersion = (v) => (protocolVersion = v);
    await client.connect(transport);
    tap(transport as never, wire);
    return Object.assign(conn, {
      era,
      protocolVersion,
      callTool: async (name: string, args: Record<string, unknown>, o?: CallOptions) =>
        (await client.callTool({ name, arguments: args }, CallToolResultSchema, o)) as ToolResult,
      listResources: () => client.listResources(),
      listResourceTemplates: () => client.listResourceTemplates(),
      readResource: (uri: string) => client.readResource({ uri }) as Promise<{ contents: ResourceContents[] }>,
      listPrompts: () => client.listPrompts(),
      getPrompt: (name: string, args: Record<string, string>) =>
        client.getPrompt({ name, arguments: args }) as Promise<{ messages: { role: string; content: ContentBlock }[] }>,
      stderr: () => stderr,
      wire,
      elicitations,
      close: () => client.close(),
    });
  }

  const transport = new StdioClientTransport(params);
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client(
    { name: 'demo-eras-modern', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } }, capabilities: elicitation ? { elicitation: { form: {} } } : {} },
  );
  if (elicitation) client.setRequestHandler('elicitation/create', async (request) => onElicit(request));
  await client.connect(transport);
  tap(transport as never, wire);
  return Object.assign(conn, {
    era,
    protocolVersion: client.getNegotiatedProtocolVersion(),
    callTool: async (name: string, args: Record<string, unknown>, o?: CallOptions) => (await client.callTool({ name, arguments: args }, o)) as ToolResult,
    listResources: () => client.listResources(),
    listResourceTemplates: () => client.listResourceTemplates(),
    readResource: (uri: string) => client.readResource({ uri }) as Promise<{ contents: ResourceContents[] }>,
    listPrompts: () => client.listPrompts(),
    getPrompt: (name: string, args: Record<string, string>) =>
      client.getPrompt({ name, arguments: args }) as Promise<{ messages: { role: string; content: ContentBlock }[] }>,
    stderr: () => stderr,
    wire,
    elicitations,
    close: () => client.close(),
  });
}

function textOf(result: ToolResult): string {
  return result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('\n');
}

function imagesOf(result: ToolResult): ContentBlock[] {
  return result.content.filter((c) => c.type === 'image');
}

/** The one PNG of a successful generator result, decoded. */
function pngOf(result: ToolResult): PNG {
  expect(result.isError ?? false, textOf(result)).toBe(false);
  const images = imagesOf(result);
  expect(images).toHaveLength(1);
  return PNG.sync.read(Buffer.from(images[0]!.data!, 'base64'));
}

describe.each(['legacy', 'modern'] as const)('demo image server, %s era over stdio', (era) => {
  let conn: DemoConnection;

  beforeAll(async () => {
    conn = await connect(era);
  });

  afterAll(async () => {
    await conn?.close();
  });

  it('lands on the era the client asked for', () => {
    expect(conn.protocolVersion).toBe(era === 'legacy' ? '2025-11-25' : MODERN);
  });

  it('lists the sizes resource, the preview template and the restyle prompt', async () => {
    const { resources } = await conn.listResources();
    expect(resources).toContainEqual(expect.objectContaining({ uri: 'demo-images://sizes', mimeType: 'application/json' }));
    const { resourceTemplates } = await conn.listResourceTemplates();
    expect(resourceTemplates).toContainEqual(expect.objectContaining({ uriTemplate: 'demo-images://preview/{seed}', mimeType: 'image/png' }));
    const { prompts } = await conn.listPrompts();
    const restyle = prompts.find((p) => p.name === 'restyle');
    expect(restyle?.arguments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'style', required: true }), expect.objectContaining({ name: 'size' })]),
    );
  });

  it('demo-images://sizes lists each size with its pixels and credit cost, as JSON', async () => {
    const { contents } = await conn.readResource('demo-images://sizes');
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri: 'demo-images://sizes', mimeType: 'application/json' });
    const doc = JSON.parse(contents[0]!.text!) as { currency: string; sizes: unknown };
    expect(doc.currency).toBe('credits');
    expect(doc.sizes).toEqual([
      { size: '1K', pixels: 64, credits: 1 },
      { size: '2K', pixels: 128, credits: 2 },
      { size: '4K', pixels: 256, credits: 4 },
    ]);
  });

  it('a preview of a prompt is the picture text_to_image makes for it at 1K', async () => {
    const { contents } = await conn.readResource('demo-images://preview/a%20red%20fox');
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ mimeType: 'image/png' });
    const preview = PNG.sync.read(Buffer.from(contents[0]!.blob!, 'base64'));
    expect([preview.width, preview.height]).toEqual([64, 64]);

    const generated = pngOf(await conn.callTool('text_to_image', { prompt: 'a red fox', size: '1K' }));
    expect(preview.data.equals(generated.data)).toBe(true);
    const other = PNG.sync.read(Buffer.from((await conn.readResource('demo-images://preview/a%20blue%20whale')).contents[0]!.blob!, 'base64'));
    expect(other.data.equals(preview.data)).toBe(false);
  });

  it('the restyle prompt asks for an image_to_image call in the given style and size', async () => {
    const { messages } = await conn.getPrompt('restyle', { style: 'watercolour', size: '2K' });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.role).toBe('user');
    const text = messages[0]!.content.text ?? '';
    expect(text).toContain('image_to_image');
    expect(text).toContain('"watercolour"');
    expect(text).toContain('"2K"');

    const byDefault = await conn.getPrompt('restyle', { style: 'neon noir' });
    expect(byDefault.messages[0]!.content.text).toContain('"1K"');
  });

  it('text_to_image reports rendering progress under the token the caller sent', async () => {
    const updates: { progress: number; total?: number }[] = [];
    const before = conn.wire.length;
    const result = await conn.callTool('text_to_image', { prompt: 'progress please', size: '1K', steps: 5 }, { onprogress: (u) => updates.push(u) });
    expect([pngOf(result).width]).toEqual([64]);

    const sent = conn.wire.slice(before).find((w) => w.direction === 'out' && w.message.method === 'tools/call');
    const token = sent?.message.params?._meta?.progressToken;
    expect(token).toBeDefined();
    // Over stdio the last update may come after the result: wait for one, never count them.
    await expect
      .poll(() => conn.wire.slice(before).filter((w) => w.direction === 'in' && w.message.method === 'notifications/progress').length, { timeout: 5000 })
      .toBeGreaterThan(0);
    const tokens = conn.wire
      .slice(before)
      .filter((w) => w.direction === 'in' && w.message.method === 'notifications/progress')
      .map((w) => w.message.params?.progressToken);
    expect(new Set(tokens)).toEqual(new Set([token]));
    expect(updates.length).toBeGreaterThan(0);
    expect(updates[0]).toMatchObject({ progress: 1, total: 5 });
  });

  it('image_to_image reports progress too', async () => {
    const updates: { progress: number; total?: number }[] = [];
    const input = `data:image/png;base64,${(await conn.readResource('demo-images://preview/base')).contents[0]!.blob!}`;
    const result = await conn.callTool('image_to_image', { prompt: 'sepia', images: [input], size: '1K', steps: 3 }, { onprogress: (u) => updates.push(u) });
    expect(pngOf(result).width).toBe(64);
    await expect.poll(() => updates.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(updates[0]).toMatchObject({ progress: 1, total: 3 });
  });

  it('a cancelled render stops on the server: it says so on stderr, and the next call is served', async () => {
    const controller = new AbortController();
    const call = conn.callTool(
      'text_to_image',
      { prompt: 'a very long render', size: '4K', steps: 500 },
      { signal: controller.signal, onprogress: () => controller.abort('the person clicked Stop') },
    );
    await expect(call).rejects.toThrow();
    const cancelled = /text_to_image cancelled at step (\d+) of 500; stopped rendering/;
    await expect.poll(() => conn.stderr(), { timeout: 5000 }).toMatch(cancelled);
    expect(Number(cancelled.exec(conn.stderr())![1])).toBeLessThan(500);
    // No render is left running in the way: the next call is served as usual.
    expect(pngOf(await conn.callTool('text_to_image', { prompt: 'after the cancel', size: '1K' })).width).toBe(64);
  });

  it('size "ask" asks the person which size to render and uses the answer (scripted person accepts 2K)', async () => {
    conn.answer = { action: 'accept', content: { size: '2K' } };
    const before = conn.elicitations.length;
    const result = await conn.callTool('text_to_image', { prompt: 'a lighthouse', size: 'ask' });
    const png = pngOf(result);
    expect([png.width, png.height]).toEqual([128, 128]);
    expect(textOf(result)).toContain('(2K)');

    const asked = conn.elicitations.slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toMatch(/Which size.*"a lighthouse".*1K costs 1 credit.*4K costs 4 credits/);
    expect(asked[0]!.requestedSchema?.properties?.size?.enum).toEqual(['1K', '2K', '4K']);
    expect(asked[0]!.requestedSchema?.required).toEqual(['size']);
  });

  it('size "ask" works for image_to_image as well (scripted person accepts 4K)', async () => {
    conn.answer = { action: 'accept', content: { size: '4K' } };
    const input = `data:image/png;base64,${(await conn.readResource('demo-images://preview/wide')).contents[0]!.blob!}`;
    const png = pngOf(await conn.callTool('image_to_image', { prompt: 'watercolour', images: [input], size: 'ask' }));
    expect([png.width, png.height]).toEqual([256, 256]);
  });

  it.each(['decline', 'cancel'] as const)('size "ask" answered with %s is a tool error that says so, with no image', async (action) => {
    conn.answer = { action };
    const before = conn.elicitations.length;
    const result = await conn.callTool('text_to_image', { prompt: 'a lighthouse', size: 'ask' });
    expect(conn.elicitations.length - before).toBe(1);
    expect(result.isError).toBe(true);
    expect(imagesOf(result)).toHaveLength(0);
    expect(textOf(result)).toContain(action === 'decline' ? 'declined' : 'cancelled');
    expect(textOf(result)).toMatch(/nothing was generated/);
  });

  it('an answer that is not a size is a tool error, not a second question (scripted person answers 8K)', async () => {
    conn.answer = { action: 'accept', content: { size: '8K' } };
    const before = conn.elicitations.length;
    const result = await conn.callTool('text_to_image', { prompt: 'a lighthouse', size: 'ask' });
    expect(conn.elicitations.length - before).toBe(1);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/not one of 1K, 2K, 4K/);
  });
});

describe('size "ask" from a client that cannot show a form', () => {
  // The SDK checks the declared capability before anything is asked; each era has its own way
  // of saying no, and neither hangs or generates an image.
  it('a 2025-11-25 client gets a tool error naming the missing capability', async () => {
    const conn = await connect('legacy', { elicitation: false });
    try {
      const result = await conn.callTool('text_to_image', { prompt: 'a lighthouse', size: 'ask' });
      expect(result.isError).toBe(true);
      expect(imagesOf(result)).toHaveLength(0);
      expect(textOf(result)).toMatch(/elicitation\/create.*did not declare the required capability/);
    } finally {
      await conn.close();
    }
  });

  it('a 2026-07-28 client gets error -32021 (missing required client capability)', async () => {
    const conn = await connect('modern', { elicitation: false });
    try {
      await expect(conn.callTool('text_to_image', { prompt: 'a lighthouse', size: 'ask' })).rejects.toMatchObject({ code: -32021 });
    } finally {
      await conn.close();
    }
  });
});
