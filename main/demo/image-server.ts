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
 * Beyond the tools, it has what a newcomer's client may try next: a resource listing the sizes
 * and their credit cost (`demo-images://sizes`), a free preview per seed
 * (`demo-images://preview/{seed}`), and a `restyle` prompt. The generators "render" in steps,
 * report progress to a caller that asks for it, stop when the call is cancelled, and with
 * `size: "ask"` ask the person which size to render (a form elicitation).
 *
 * It serves both protocol eras: a 2025-11-25 client opens with `initialize`, a 2026-07-28
 * client with `server/discover`; the surface is the same, and each feature is written once.
 *
 * Run it with `node main/demo/image-server.ts`; stdout carries only the protocol, the one
 * startup line goes to stderr. Imported as a module it starts nothing.
 */
import type { Readable, Writable } from 'node:stream';
import { McpServer, ResourceTemplate, type CallToolResult, type InputRequiredResult, type ServerContext } from '@modelcontextprotocol/server';
import { serveStdio, StdioServerTransport, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { ImageInputError, readPngInput } from './image-input.ts';
import { SIZE_EDGES, encodePng, generateImage, isSizeName, transformImage, type SizeName } from './image-render.ts';
import { DEFAULT_STEPS, MAX_STEPS, renderSteps } from './render-steps.ts';
import { ASK_SIZE, SIZE_CREDITS, chooseSize } from './size-choice.ts';

export { demoPng, demoPngBytes, SIZE_EDGES } from './image-render.ts';
export { readPngInput, type RgbaImage } from './image-input.ts';
export { DEFAULT_STEPS, MAX_STEPS, STEP_MS } from './render-steps.ts';
export { ASK_SIZE, SIZE_CREDITS } from './size-choice.ts';

export const DEMO_SERVER_NAME = 'airlock-demo-images';
export const DEMO_SERVER_VERSION = '0.1.0';
/** image_to_image takes at most this many images, like the providers it imitates. */
export const MAX_IMAGES = 4;
export const SIZES_URI = 'demo-images://sizes';
export const PREVIEW_URI_TEMPLATE = 'demo-images://preview/{seed}';
/** Previews are always the smallest size, which is why they are free. */
const PREVIEW_SIZE: SizeName = '1K';

const SIZE_LIST = Object.keys(SIZE_EDGES)
  .map((s) => `"${s}"`)
  .join(', ');

// `size` is a plain string on purpose: restricting it is a job for an Airlock policy
// (a `require` condition), which the demo is there to show. The tool still refuses
// values it cannot produce.
const sizeSchema = z
  .string()
  .describe(
    `Output size: one of ${SIZE_LIST}. Larger sizes cost more credits (see ${SIZES_URI}). ` +
      `"${ASK_SIZE}" asks the person to choose.`,
  );
const promptSchema = z.string().min(1).describe('What the picture should show, in plain words.');
const stepsSchema = z
  .number()
  .int()
  .min(1)
  .max(MAX_STEPS)
  .optional()
  .describe(`Rendering steps (default ${DEFAULT_STEPS}): more steps take longer; progress is reported after each.`);

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

type Log = (line: string) => void;

function stderrLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Renders in steps; false when the call was cancelled, after saying so on the log
 * (stderr: the one place a stdio server may talk to a person). The SDK sends nothing for a
 * cancelled request, so the caller returns without making the picture.
 */
async function rendered(ctx: ServerContext, tool: string, steps: number | undefined, log: Log): Promise<boolean> {
  const total = steps ?? DEFAULT_STEPS;
  const outcome = await renderSteps(ctx, total);
  if (outcome.done) return true;
  log(`${DEMO_SERVER_NAME}: ${tool} cancelled at step ${outcome.step} of ${total}; stopped rendering`);
  return false;
}

const CANCELLED: CallToolResult = toolError('Cancelled: nothing was generated.');

function imageResult(png: Buffer, description: string): CallToolResult {
  return {
    content: [
      { type: 'image', data: png.toString('base64'), mimeType: 'image/png' },
      { type: 'text', text: description },
    ],
  };
}

export interface DemoImageServerOptions {
  /** Where lines for a person go (default: stderr); today only cancelled renders. */
  log?: Log;
}

/** A new, unconnected server with the demo's tools, resources and prompt; connect it to any transport. */
export function createDemoImageServer(options: DemoImageServerOptions = {}): McpServer {
  const log = options.log ?? stderrLog;
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
        steps: stepsSchema,
      }),
      annotations: { title: 'Image to image', ...generatorAnnotations },
    },
    async ({ prompt, images, size, steps }, ctx): Promise<CallToolResult | InputRequiredResult> => {
      try {
        const named = size === ASK_SIZE ? undefined : checkSize(size);
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
        // Asked only once the images are known to be usable, so the person's answer is not wasted.
        const choice = named === undefined ? chooseSize(ctx, `the edit of ${quote(prompt)}`) : { size: named };
        if ('reply' in choice) return choice.reply;
        const sizeName = choice.size;
        if (!(await rendered(ctx, 'image_to_image', steps, log))) return CANCELLED;
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
      inputSchema: z.object({ prompt: promptSchema, size: sizeSchema, steps: stepsSchema }),
      annotations: { title: 'Text to image', ...generatorAnnotations },
    },
    async ({ prompt, size, steps }, ctx): Promise<CallToolResult | InputRequiredResult> => {
      try {
        const choice = size === ASK_SIZE ? chooseSize(ctx, quote(prompt)) : { size: checkSize(size) };
        if ('reply' in choice) return choice.reply;
        const sizeName = choice.size;
        if (!(await rendered(ctx, 'text_to_image', steps, log))) return CANCELLED;
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

  server.registerResource(
    'sizes',
    SIZES_URI,
    {
      title: 'Sizes and prices',
      description: 'The sizes the generators accept, the pixels each really has here, and what each costs in credits.',
      mimeType: 'application/json',
    },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(sizesDocument(), null, 2) }] }),
  );

  server.registerResource(
    'preview',
    new ResourceTemplate(PREVIEW_URI_TEMPLATE, { list: undefined }),
    {
      title: 'Free preview',
      description:
        `A free ${PREVIEW_SIZE} preview PNG for a seed: the picture text_to_image makes for that prompt at ${PREVIEW_SIZE}. ` +
        'Put the prompt in the URI, percent-encoded.',
      mimeType: 'image/png',
    },
    (uri, { seed }) => {
      const png = encodePng(generateImage(seedOf(seed), SIZE_EDGES[PREVIEW_SIZE]));
      return { contents: [{ uri: uri.href, mimeType: 'image/png', blob: png.toString('base64') }] };
    },
  );

  server.registerPrompt(
    'restyle',
    {
      title: 'Restyle an image',
      description: 'Ask for an image to be redone in another style with image_to_image.',
      argsSchema: z.object({
        style: z.string().min(1).describe('The style to apply, e.g. "watercolour" or "neon noir".'),
        size: z.string().optional().describe(`Output size: ${SIZE_LIST} or "${ASK_SIZE}" (default ${PREVIEW_SIZE}).`),
      }),
    },
    ({ style, size }) => ({
      description: `Restyle an image as ${style}`,
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              `Restyle the image I attach as ${style}. Use the image_to_image tool with prompt "${style}", ` +
              `my image in images, and size "${size ?? PREVIEW_SIZE}". Keep the composition; change only the style.`,
          },
        },
      ],
    }),
  );

  return server;
}

/** The prompt a preview URI names: template variables arrive percent-encoded, as sent. */
function seedOf(variable: string | string[] | undefined): string {
  const raw = Array.isArray(variable) ? variable.join('/') : (variable ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not valid percent-encoding: take it literally
  }
}

/** The body of demo-images://sizes. */
export function sizesDocument(): { currency: string; sizes: { size: SizeName; pixels: number; credits: number }[]; note: string } {
  return {
    currency: 'credits',
    sizes: (Object.keys(SIZE_EDGES) as SizeName[]).map((size) => ({ size, pixels: SIZE_EDGES[size], credits: SIZE_CREDITS[size] })),
    note: `pixels is the longer edge of the demo's output. Pass size "${ASK_SIZE}" to let the person choose. Demo prices: nothing is charged.`,
  };
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
  const handle = serveStdio(() => createDemoImageServer({ log }), { transport: new StdioServerTransport(stdin, stdout) });
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
