/**
 * Reading the images a caller passes to the demo image server: data URLs, plain base64 or
 * local file paths. The demo never touches the network, so http(s) URLs are refused with a
 * message that says so instead of failing somewhere deeper. Limits keep a hostile or
 * mistaken input (a 20000x20000 PNG, a 1 GB file) from stalling the server.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

/** Largest encoded image accepted, in bytes. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;
/** Largest width or height accepted, checked from the PNG header before decoding. */
export const MAX_INPUT_EDGE = 4096;

/** A refusal the tool reports to the caller as-is (`isError: true`, this message). */
export class ImageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageInputError';
  }
}

/** Decoded pixels: 8-bit RGBA, row by row. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Buffer;
}

export interface ImageBytes {
  bytes: Buffer;
  /** Sniffed from the content, not taken from a data URL's header. */
  mime: string;
  source: 'data-url' | 'base64' | 'file';
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Base64 text of MAX_INPUT_BYTES plus room for line breaks and a data URL header.
const MAX_INPUT_CHARS = Math.ceil((MAX_INPUT_BYTES * 4) / 3) + 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** The MIME type of an image from its first bytes, or `application/octet-stream`. */
export function sniffMime(bytes: Buffer): string {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return 'application/octet-stream';
}

function decodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) throw new ImageInputError(`${what} is empty.`);
  // Buffer.from(..., 'base64') silently skips junk, so check the alphabet first.
  if (BASE64.test(compact)) return Buffer.from(compact, 'base64');
  if (BASE64URL.test(compact)) return Buffer.from(compact, 'base64url');
  throw new ImageInputError(`${what} is not valid base64.`);
}

function fromDataUrl(input: string): Buffer {
  const comma = input.indexOf(',');
  if (comma < 0) throw new ImageInputError('Malformed data URL: no comma before the data.');
  const header = input.slice(5, comma).toLowerCase();
  if (!header.split(';').includes('base64')) {
    throw new ImageInputError('Data URL must be base64-encoded (data:image/png;base64,...).');
  }
  return decodeBase64(input.slice(comma + 1), 'Data URL payload');
}

async function fromFile(path: string): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ImageInputError(`Not a file: ${path}`);
    size = info.size;
  } catch (err) {
    if (err instanceof ImageInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImageInputError(`File not found: ${path}`);
    throw new ImageInputError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  if (size > MAX_INPUT_BYTES) throw new ImageInputError(`Image file too large: ${size} bytes (limit ${MAX_INPUT_BYTES}).`);
  try {
    return await readFile(path);
  } catch (err) {
    throw new ImageInputError(`Cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * The bytes of one image argument. Accepts `data:image/...;base64,...`, plain base64, a
 * `file://` URL or a file path (relative to the server's working directory).
 */
export async function readImageBytes(input: string): Promise<ImageBytes> {
  const text = input.trim();
  if (text.length === 0) throw new ImageInputError('Image is empty: pass a data URL (data:image/png;base64,...) or base64 PNG.');
  if (text.length > MAX_INPUT_CHARS) throw new ImageInputError(`Image too large: more than ${MAX_INPUT_BYTES} bytes.`);

  let bytes: Buffer;
  let source: ImageBytes['source'];
  if (/^https?:\/\//i.test(text)) {
    throw new ImageInputError(
      'Remote image URLs are not supported: this demo server never uses the network. ' +
        'Pass the image as a data URL (data:image/png;base64,...) or as base64.',
    );
  } else if (/^data:/i.test(text)) {
    bytes = fromDataUrl(text);
    source = 'data-url';
  } else if (/^file:\/\//i.test(text)) {
    let path: string;
    try {
      path = fileURLToPath(text);
    } catch (err) {
      throw new ImageInputError(`Invalid file URL: ${(err as Error).message}`);
    }
    bytes = await fromFile(path);
    source = 'file';
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new ImageInputError(`Unsupported URL scheme in "${text.slice(0, 40)}": use a data URL, base64 or a local file path.`);
  } else if (BASE64.test(text.replace(/\s+/g, '')) || BASE64URL.test(text.replace(/\s+/g, ''))) {
    bytes = decodeBase64(text, 'Base64 image');
    source = 'base64';
  } else if (!text.includes('\n') && text.length <= 4096) {
    bytes = await fromFile(resolve(text));
    source = 'file';
  } else {
    throw new ImageInputError('Unrecognised image: pass a data URL (data:image/png;base64,...), base64 PNG or a file path.');
  }

  if (bytes.length > MAX_INPUT_BYTES) throw new ImageInputError(`Image too large: ${bytes.length} bytes (limit ${MAX_INPUT_BYTES}).`);
  return { bytes, mime: sniffMime(bytes), source };
}

/** Decodes PNG bytes to RGBA, refusing other formats and oversized images with a clear message. */
export function decodePng(image: Pick<ImageBytes, 'bytes' | 'mime'>): RgbaImage {
  const { bytes, mime } = image;
  if (mime !== 'image/png') {
    const what = mime === 'application/octet-stream' ? 'not an image this server recognises' : mime;
    throw new ImageInputError(`Unsupported image (${what}): this demo server reads PNG only.`);
  }
  // The IHDR chunk always comes first: width and height at bytes 16..23.
  if (bytes.length < 33 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    throw new ImageInputError('Corrupt PNG: missing IHDR header.');
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0) throw new ImageInputError('Corrupt PNG: zero width or height.');
  if (width > MAX_INPUT_EDGE || height > MAX_INPUT_EDGE) {
    throw new ImageInputError(`Image too large: ${width}x${height} (limit ${MAX_INPUT_EDGE}x${MAX_INPUT_EDGE}).`);
  }
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data };
  } catch (err) {
    throw new ImageInputError(`Corrupt PNG: ${(err as Error).message}`);
  }
}

/** Reads and decodes one image argument; see readImageBytes for the accepted forms. */
export async function readPngInput(input: string): Promise<RgbaImage & { bytes: number; mime: string }> {
  const raw = await readImageBytes(input);
  const image = decodePng(raw);
  return { ...image, bytes: raw.bytes.length, mime: raw.mime };
}
