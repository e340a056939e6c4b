/**
 * airlock-demo-images: the demo MCP server shipped with Airlock (stdio).
 *
 * Why it exists: a new home's config.json lists it as the default upstream, so a newcomer's
 * first `airlock serve` has something to guard, and the first call an agent makes (an image
 * "generation" that pretends to hit a paid provider) shows an approval popup right away.
 * Tests use it as a small, fast, offline upstream with realistic tools and annotations.
 *
 * It is modelled on image-generation servers such as imagenx or WaveSpeed: `image_to_image`,
 * `text_to_image` and a read-only `get_image_info`. Nothing leaves the machine: the images
 * are small PNGs made locally (see image-render.ts), and remote URLs are refused.
 *
 * It serves both protocol eras: a 2025-11-25 client opens with `initialize`, a 2026-07-28
 * client with `server/discover`; the tools are the same.
 *
 * Run it with `node main/demo/image-server.ts`; stdout carries only the protocol, the one
 * startup line goes to stderr. Imported as a module it starts nothing.
 */
import type { Readable, Writable } from 'node:stream';
import { McpServer, type CallToolResult } from '@modelcontextprotocol/server';
import { serveStdio, StdioServerTransport, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { ImageInputError, readPngInput } from './image-input.ts';
import { SIZE_EDGES, encodePng, generateImage, isSizeName, transformImage, type SizeName } from './image-render.ts';

export { demoPng, demoPngBytes, SIZE_EDGES } from './image-render.ts';
export { readPngInput, type RgbaImage } from './image-input.ts';

export const DEMO_SERVER_NAME = 'airlock-demo-images';
export const DEMO_SERVER_VERSION = '0.1.0';
/** image_to_image takes at most this many images, like the providers it imitates. */
export const MAX_IMAGES = 4;

const SIZE_LIST = Object.keys(SIZE_EDGES)
  .map((s) => `"${s}"`)
  .join(', ');

// `size` is a plain string on purpose: restricting it is a job for an Airlock policy
// (a `require` condition), which the demo is there to show. The tool still refuses
// values it cannot produce.
const sizeSchema = z
  .string()
  .describe(`Output size: one of ${SIZE_LIST}. Larger sizes cost more credits.`);
const promptSchema = z.string().min(1).describe('What the picture should show, in plain words.');

const generatorAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  // Every call "bills" the provider again and returns a new image.
  idempotentHint: false,
  // Pretends to call a paid remote provider, even though the demo stays local.
  openWorldHint: true,
};

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Input problems reach the model as a tool error it can read and fix; anything else is a bug. */
function failure(err: unknown): CallToolResult {
  if (err instanceof ImageInputError) return toolError(err.message);
  return toolError(`Internal error in ${DEMO_SERVER_NAME}: ${err instanceof Error ? err.message : String(err)}`);
}

function checkSize(size: string): SizeName {
  if (isSizeName(size)) return size;
  throw new ImageInputError(`Unsupported size "${size}": use one of ${SIZE_LIST}.`);
}

function quote(prompt: string): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `"${oneLine.slice(0, 77)}..."` : `"${oneLine}"`;
}

function imageResult(png: Buffer, description: string): CallToolResult {
  return {
    content: [
      { type: 'image', data: png.toString('base64'), mimeType: 'image/png' },
      { type: 'text', text: description },
    ],
  };
}

/** A new, unconnected server with the three demo tools; connect it to any transport. */
export function createDemoImageServer(): McpServer {
  const server = new McpServer(
    { name: DEMO_SERVER_NAME, version: DEMO_SERVER_VERSION, title: 'Airlock demo images' },
    {
      instructions:
        'Demo image tools. Images are small PNGs made locally; no provider is called. ' +
        'Pass input images as data URLs (data:image/png;base64,...) or base64.',
    },
  );

  server.registerTool(
    'image_to_image',
    {
      title: 'Image to image',
      description:
        'Edit or restyle images from a prompt (paid provider call). Takes the first image as the base, ' +
        `returns a new PNG whose longer edge matches the requested size. Up to ${MAX_IMAGES} images, ` +
        'each a data URL (data:image/png;base64,...), plain base64 PNG or local file path; http(s) URLs are refused.',
      inputSchema: z.object({
        prompt: promptSchema.describe('How to change the images, in plain words.'),
        images: z
          .array(z.string())
          .min(1)
          .max(MAX_IMAGES)
          .describe('Input images: data URLs (data:image/png;base64,...), base64 PNGs or local file paths.'),
        size: sizeSchema,
      }),
      annotations: { title: 'Image to image', ...generatorAnnotations },
    },
    async ({ prompt, images, size }) => {
      try {
        const sizeName = checkSize(size);
        // Every image must be readable, as a provider would check, even though only the first is used.
        const decoded: Awaited<ReturnType<typeof readPngInput>>[] = [];
        for (const [i, image] of images.entries()) {
          try {
            decoded.push(await readPngInput(image));
          } catch (err) {
            if (err instanceof ImageInputError && images.length > 1) throw new ImageInputError(`images[${i}]: ${err.message}`);
            throw err;
          }
        }
        const base = decoded[0];
        if (!base) throw new ImageInputError('No image given: images needs at least one entry.');
        const out = transformImage(base, prompt, SIZE_EDGES[sizeName]);
        const others = decoded.length > 1 ? ` (+${decoded.length - 1} reference image${decoded.length > 2 ? 's' : ''})` : '';
        return imageResult(
          encodePng(out),
          `Edited ${base.width}x${base.height} image${others} into a ${out.width}x${out.height} PNG (${sizeName}) ` +
            `for ${quote(prompt)}. Demo output, made locally: no provider was called.`,
        );
      } catch (err) {
        return failure(err);
      }
    },
  );

  server.registerTool(
    'text_to_image',
    {
      title: 'Text to image',
      description:
        'Generate a picture from a prompt (paid provider call). Returns a square PNG of the requested size.',
      inputSchema: z.object({ prompt: promptSchema, size: sizeSchema }),
      annotations: { title: 'Text to image', ...generatorAnnotations },
    },
    async ({ prompt, size }) => {
      try {
        const sizeName = checkSize(size);
        const edge = SIZE_EDGES[sizeName];
        const png = encodePng(generateImage(prompt, edge));
        return imageResult(
          png,
          `Generated a ${edge}x${edge} PNG (${sizeName}) for ${quote(prompt)}. Demo output, made locally: no provider was called.`,
        );
      } catch (err) {
        return failure(err);
      }
    },
  );

  server.registerTool(
    'get_image_info',
    {
      title: 'Image info',
      description:
        'Report the width, height, size in bytes and MIME type of a PNG given as a data URL, base64 or local file path.',
      inputSchema: z.object({
        image: z.string().describe('The image: a data URL (data:image/png;base64,...), base64 PNG or local file path.'),
      }),
      outputSchema: z.object({
        width: z.number().int().nonnegative().describe('Width in pixels.'),
        height: z.number().int().nonnegative().describe('Height in pixels.'),
        bytes: z.number().int().nonnegative().describe('Size of the encoded file in bytes.'),
        mime: z.string().describe('MIME type, e.g. image/png.'),
      }),
      annotations: {
        title: 'Image info',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async ({ image }) => {
      try {
        const { width, height, bytes, mime } = await readPngInput(image);
        const info = { width, height, bytes, mime };
        return { content: [{ type: 'text', text: JSON.stringify(info) }], structuredContent: info };
      } catch (err) {
        return failure(err);
      }
    },
  );

  return server;
}

/**
 * Serves the demo over stdio (the process's own stdin/stdout unless given others) until the
 * input ends, in whichever era the client opens with. This is what
 * `node main/demo/image-server.ts` runs.
 */
export async function runDemoImageServer(
  options: { stdin?: Readable; stdout?: Writable; log?: (line: string) => void } = {},
): Promise<StdioServerHandle> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const handle = serveStdio(() => createDemoImageServer(), { transport: new StdioServerTransport(stdin, stdout) });
  // The client closing our stdin is the stdio way of saying goodbye.
  stdin.once('end', () => void handle.close());
  log(`${DEMO_SERVER_NAME} ${DEMO_SERVER_VERSION}: demo image server ready on stdio (local only, no network)`);
  return handle;
}

if (import.meta.main) {
  runDemoImageServer().catch((err: unknown) => {
    process.stderr.write(`${DEMO_SERVER_NAME}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
