/**
 * The demo image server as Airlock runs it: a child process on stdio, driven by the real SDK
 * client. Output images are decoded with pngjs here, independently of the server's code.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createDemoImageServer, demoPng, demoPngBytes } from '../../main/demo/image-server.ts';

const SERVER = fileURLToPath(new URL('../../main/demo/image-server.ts', import.meta.url));

/** A PNG made here with pngjs: left half black, right half white, opaque. */
function halfAndHalf(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const v = x < width / 2 ? 0 : 255;
      png.data[o] = v;
      png.data[o + 1] = v;
      png.data[o + 2] = v;
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

function dataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

function textOf(result: CallToolResult): string {
  return result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/** The one image of a successful generator result, decoded. */
function imageOf(result: CallToolResult): PNG {
  expect(result.isError ?? false, textOf(result)).toBe(false);
  const images = result.content.filter((c) => c.type === 'image');
  expect(images).toHaveLength(1);
  const image = images[0]!;
  expect(image.mimeType).toBe('image/png');
  return PNG.sync.read(Buffer.from(image.data, 'base64'));
}

/** Mean grey level of the pixels in columns [x0, x1). */
function meanOfColumns(png: PNG, x0: number, x1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * png.width + x) * 4;
      sum += (png.data[o]! + png.data[o + 1]! + png.data[o + 2]!) / 3;
      n++;
    }
  }
  return sum / n;
}

describe('demo image server over stdio', () => {
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';
  let tmp: string;

  async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'airlock-demo-images-'));
    transport = new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    client = new Client({ name: 'demo-image-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('introduces itself as airlock-demo-images and logs its startup line to stderr only', async () => {
    expect(client.getServerVersion()?.name).toBe('airlock-demo-images');
    // The client parsed every stdout line as JSON-RPC; a stray log line would have broken the
    // connection. The human-readable line went to stderr.
    await expect.poll(() => stderr).toContain('airlock-demo-images');
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('lists three tools with required arguments, descriptions and honest annotations', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(['get_image_info', 'image_to_image', 'text_to_image']);

    const i2i = byName.get('image_to_image')!;
    expect(i2i.inputSchema.required?.slice().sort()).toEqual(['images', 'prompt', 'size']);
    expect(i2i.inputSchema.properties?.images).toMatchObject({ type: 'array', items: { type: 'string' } });
    // size is a free string: restricting it is left to a policy's `require` condition.
    const size = i2i.inputSchema.properties?.size as { type: string; enum?: unknown; description?: string };
    expect(size.type).toBe('string');
    expect(size.enum).toBeUndefined();
    expect(size.description).toMatch(/1K.*2K.*4K/);

    const t2i = byName.get('text_to_image')!;
    expect(t2i.inputSchema.required?.slice().sort()).toEqual(['prompt', 'size']);

    const generator = { readOnlyHint: false, destructiveHint: false, openWorldHint: true };
    expect(i2i.annotations).toMatchObject({ title: expect.any(String), ...generator, idempotentHint: expect.any(Boolean) });
    expect(t2i.annotations).toMatchObject({ title: expect.any(String), ...generator, idempotentHint: expect.any(Boolean) });

    const info = byName.get('get_image_info')!;
    expect(info.inputSchema.required).toEqual(['image']);
    expect(info.annotations).toEqual({
      title: expect.any(String),
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(info.outputSchema?.required?.slice().sort()).toEqual(['bytes', 'height', 'mime', 'width']);

    for (const tool of tools) expect(tool.description?.length ?? 0).toBeGreaterThan(20);
  });

  it('image_to_image returns a PNG whose edge follows the size argument', async () => {
    const input = demoPng(32, 32, 'kitten');
    for (const [sizeArg, edge] of [['1K', 64], ['2K', 128], ['4K', 256]] as const) {
      const result = await call('image_to_image', { prompt: 'make it blue', images: [input], size: sizeArg });
      const png = imageOf(result);
      expect([png.width, png.height]).toEqual([edge, edge]);
      expect(result.content.map((c) => c.type)).toEqual(['image', 'text']);
      expect(textOf(result)).toContain(`${edge}x${edge}`);
    }
  });

  it('image_to_image keeps the aspect ratio of the first image', async () => {
    const png = imageOf(await call('image_to_image', { prompt: 'wide', images: [demoPng(40, 20, 1)], size: '1K' }));
    expect([png.width, png.height]).toEqual([64, 32]);
  });

  it('image_to_image transforms the input: its left/right contrast survives the restyling', async () => {
    const input = dataUrl(halfAndHalf(16, 16));
    for (const prompt of ['sunset', 'noir', 'watercolour', 'neon']) {
      const png = imageOf(await call('image_to_image', { prompt, images: [input], size: '1K' }));
      const left = meanOfColumns(png, 0, 24);
      const right = meanOfColumns(png, 40, 64);
      expect(Math.abs(left - right), prompt).toBeGreaterThan(50);
    }
  });

  it('image_to_image output depends on the prompt and is the same for the same prompt', async () => {
    const input = demoPng(24, 24, 'base');
    const a = imageOf(await call('image_to_image', { prompt: 'a red fox', images: [input], size: '1K' }));
    const b = imageOf(await call('image_to_image', { prompt: 'a blue whale', images: [input], size: '1K' }));
    const a2 = imageOf(await call('image_to_image', { prompt: 'a red fox', images: [input], size: '1K' }));
    expect(a.data.equals(b.data)).toBe(false);
    expect(a.data.equals(a2.data)).toBe(true);
  });

  it('image_to_image accepts plain base64 and file paths as well as data URLs', async () => {
    const bytes = demoPngBytes(10, 30, 'tall');
    const file = join(tmp, 'tall.png');
    writeFileSync(file, bytes);
    for (const image of [bytes.toString('base64'), file, pathToFileURL(file).href]) {
      const png = imageOf(await call('image_to_image', { prompt: 'tall', images: [image], size: '1K' }));
      expect([png.width, png.height]).toEqual([21, 64]);
    }
  });

  it('text_to_image returns a square, opaque PNG of the requested size that depends on the prompt', async () => {
    const a = imageOf(await call('text_to_image', { prompt: 'mountains at dawn', size: '2K' }));
    const b = imageOf(await call('text_to_image', { prompt: 'a bowl of fruit', size: '2K' }));
    expect([a.width, a.height]).toEqual([128, 128]);
    expect([b.width, b.height]).toEqual([128, 128]);
    expect(a.data.equals(b.data)).toBe(false);
    for (let i = 3; i < a.data.length; i += 4) if (a.data[i] !== 255) throw new Error(`pixel ${(i - 3) / 4} is not opaque`);
    const small = imageOf(await call('text_to_image', { prompt: 'mountains at dawn', size: '1K' }));
    expect([small.width, small.height]).toEqual([64, 64]);
  });

  it('get_image_info reports the dimensions, byte count and type of a PNG made elsewhere', async () => {
    const bytes = halfAndHalf(37, 21);
    const result = await call('get_image_info', { image: dataUrl(bytes) });
    expect(result.isError ?? false, textOf(result)).toBe(false);
    const expected = { width: 37, height: 21, bytes: bytes.length, mime: 'image/png' };
    expect(result.structuredContent).toEqual(expected);
    expect(JSON.parse(textOf(result))).toEqual(expected);

    const plain = await call('get_image_info', { image: bytes.toString('base64') });
    expect(plain.structuredContent).toEqual(expected);
  });

  it('get_image_info reads the images the generators return', async () => {
    const generated = await call('text_to_image', { prompt: 'round trip', size: '4K' });
    const image = generated.content.find((c) => c.type === 'image');
    if (image?.type !== 'image') throw new Error('no image in result');
    const info = await call('get_image_info', { image: image.data });
    expect(info.structuredContent).toMatchObject({ width: 256, height: 256, mime: 'image/png' });
    expect((info.structuredContent as { bytes: number }).bytes).toBe(Buffer.from(image.data, 'base64').length);
  });

  describe('bad input comes back as a tool error with a reason, and the server keeps working', () => {
    const png = demoPng(8, 8, 'ok');

    it.each([
      ['an http URL', 'image_to_image', { prompt: 'x', images: ['https://example.com/cat.png'], size: '1K' }, /network/i],
      ['an unsupported size', 'image_to_image', { prompt: 'x', images: [png], size: '8K' }, /"8K".*1K.*2K.*4K/],
      ['an unsupported size (text_to_image)', 'text_to_image', { prompt: 'x', size: '1024x1024' }, /Unsupported size/],
      ['text that is not base64', 'image_to_image', { prompt: 'x', images: ['data:image/png;base64,@@not base64@@'], size: '1K' }, /base64/],
      ['base64 that is not an image', 'get_image_info', { image: Buffer.from('hello world').toString('base64') }, /PNG only/],
      ['a JPEG', 'get_image_info', { image: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]).toString('base64') }, /image\/jpeg.*PNG only/],
      ['a truncated PNG', 'get_image_info', { image: demoPngBytes(20, 20, 't').subarray(0, 60).toString('base64') }, /Corrupt PNG/],
      ['a missing file', 'get_image_info', { image: '/nonexistent/dir/cat.png' }, /File not found/],
      ['a bad second image', 'image_to_image', { prompt: 'x', images: [png, 'data:text/plain,hello'], size: '1K' }, /images\[1\].*base64/],
      ['no images', 'image_to_image', { prompt: 'x', images: [], size: '1K' }, /images/],
      ['a missing argument', 'text_to_image', { prompt: 'x' }, /size/],
      ['an empty prompt', 'text_to_image', { prompt: '', size: '1K' }, /prompt/],
    ])('%s', async (_label, tool, args, message) => {
      const result = await call(tool, args);
      expect(result.isError).toBe(true);
      expect(result.content.some((c) => c.type === 'image')).toBe(false);
      expect(textOf(result)).toMatch(message);
    });

    it('still answers after all of that', async () => {
      const info = await call('get_image_info', { image: png });
      expect(info.structuredContent).toMatchObject({ width: 8, height: 8 });
    });
  });

  it('refuses an oversized PNG from its header instead of decoding it', async () => {
    const bytes = Buffer.from(demoPngBytes(4, 4, 'big'));
    bytes.writeUInt32BE(20000, 16); // IHDR width; the CRC is now wrong too, but the size check comes first
    const result = await call('get_image_info', { image: bytes.toString('base64') });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/too large: 20000x4/);
  });
});

describe('demo image server in-process', () => {
  it('createDemoImageServer() serves the same tools over any transport', async () => {
    const server = createDemoImageServer();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'in-process', version: '1.0.0' });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['get_image_info', 'image_to_image', 'text_to_image']);
      const result = (await client.callTool({ name: 'text_to_image', arguments: { prompt: 'in memory', size: '1K' } })) as CallToolResult;
      const png = imageOf(result);
      expect([png.width, png.height]).toEqual([64, 64]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('demoPng() makes a valid PNG data URL of the requested size, different per seed', () => {
    const a = demoPng(13, 7, 1);
    const b = demoPng(13, 7, 2);
    expect(a.startsWith('data:image/png;base64,')).toBe(true);
    const pa = PNG.sync.read(Buffer.from(a.slice(a.indexOf(',') + 1), 'base64'));
    const pb = PNG.sync.read(Buffer.from(b.slice(b.indexOf(',') + 1), 'base64'));
    expect([pa.width, pa.height]).toEqual([13, 7]);
    expect(pa.data.equals(pb.data)).toBe(false);
    expect(demoPng(13, 7, 1)).toBe(a);
    expect(() => demoPng(0, 5)).toThrow(RangeError);
  });
});
