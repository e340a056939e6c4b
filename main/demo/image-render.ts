/**
 * The pictures the demo image server "generates": small, deterministic PNGs made locally in
 * a few milliseconds. The same prompt always gives the same picture and different prompts
 * give visibly different ones, so tests (and a person watching the history) can tell calls
 * apart without a real image model.
 */
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import type { RgbaImage } from './image-input.ts';

/** The sizes the tools accept and the edge (in pixels) each one really produces. */
export const SIZE_EDGES = { '1K': 64, '2K': 128, '4K': 256 } as const;
export type SizeName = keyof typeof SIZE_EDGES;

export function isSizeName(size: string): size is SizeName {
  return Object.hasOwn(SIZE_EDGES, size);
}

type Rgb = [number, number, number];

/** 32 bytes derived from a seed; every visual choice below reads from these. */
function seedBytes(seed: string | number): Buffer {
  return createHash('sha256').update(String(seed)).digest();
}

function byteAt(bytes: Buffer, i: number): number {
  return bytes[i % bytes.length] ?? 0;
}

/** A saturated colour from a hue in [0, 360). */
function hueColor(hue: number, lightness = 0.5, saturation = 0.75): Rgb {
  const c = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = hue / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const m = lightness - c / 2;
  const [r, g, b]: Rgb = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function blank(width: number, height: number): RgbaImage {
  return { width, height, data: Buffer.alloc(width * height * 4) };
}

/** Output dimensions: the longer edge becomes `edge`, the aspect ratio is kept. */
export function fitWithin(width: number, height: number, edge: number): { width: number; height: number } {
  if (width >= height) return { width: edge, height: Math.max(1, Math.round((edge * height) / width)) };
  return { width: Math.max(1, Math.round((edge * width) / height)), height: edge };
}

/** Bilinear resampling (pixel centres aligned), enough for a recognisable thumbnail either way. */
export function resize(src: RgbaImage, width: number, height: number): RgbaImage {
  const out = blank(width, height);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), src.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), src.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const wx = fx - x0;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const p00 = src.data[(y0 * src.width + x0) * 4 + c] ?? 0;
        const p01 = src.data[(y0 * src.width + x1) * 4 + c] ?? 0;
        const p10 = src.data[(y1 * src.width + x0) * 4 + c] ?? 0;
        const p11 = src.data[(y1 * src.width + x1) * 4 + c] ?? 0;
        const top = p00 + (p01 - p00) * wx;
        const bottom = p10 + (p11 - p10) * wx;
        out.data[o + c] = clampByte(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}

/** What a prompt does to an image in image_to_image, derived from its hash. */
export interface PromptStyle {
  tint: Rgb;
  /** 0..1, how much of the tint colour is mixed in. */
  strength: number;
  invert: boolean;
  /** Colour levels per channel after tinting; 0 means no posterising. */
  levels: number;
}

export function promptStyle(prompt: string): PromptStyle {
  const h = seedBytes(`style:${prompt}`);
  const hue = ((byteAt(h, 0) << 8) | byteAt(h, 1)) % 360;
  return {
    tint: hueColor(hue),
    strength: 0.25 + (byteAt(h, 2) / 255) * 0.35,
    invert: (byteAt(h, 3) & 1) === 1,
    levels: [0, 0, 4, 6][byteAt(h, 4) % 4] ?? 0,
  };
}

/** image_to_image: the first input scaled to `edge`, recoloured by the prompt. */
export function transformImage(src: RgbaImage, prompt: string, edge: number): RgbaImage {
  const { width, height } = fitWithin(src.width, src.height, edge);
  const out = resize(src, width, height);
  const style = promptStyle(prompt);
  const step = style.levels > 1 ? 255 / (style.levels - 1) : 0;
  for (let i = 0; i < out.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      let v = out.data[i + c] ?? 0;
      if (style.invert) v = 255 - v;
      v = v * (1 - style.strength) + style.tint[c]! * style.strength;
      if (step > 0) v = Math.round(v / step) * step;
      out.data[i + c] = clampByte(v);
    }
  }
  return out;
}

/**
 * text_to_image: a picture from a seed (square unless `height` is given): a two-colour gradient at a seeded angle,
 * overlaid with one of a few patterns (none, stripes, rings, checks).
 */
export function generateImage(seed: string, width: number, height: number = width): RgbaImage {
  const h = seedBytes(`image:${seed}`);
  const a = hueColor(((byteAt(h, 0) << 8) | byteAt(h, 1)) % 360, 0.35 + byteAt(h, 2) / 1275);
  const b = hueColor(((byteAt(h, 3) << 8) | byteAt(h, 4)) % 360, 0.55 + byteAt(h, 5) / 1275);
  const angle = (byteAt(h, 6) / 256) * 2 * Math.PI;
  const pattern = byteAt(h, 7) % 4;
  const period = 4 + (byteAt(h, 8) % 12);
  const cx = (byteAt(h, 9) / 255) * width;
  const cy = (byteAt(h, 10) / 255) * height;
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const span = Math.abs(dx) * width + Math.abs(dy) * height || 1;
  const origin = Math.min(0, dx * width) + Math.min(0, dy * height);
  const out = blank(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x * dx + y * dy - origin) / span;
      let shade = 1;
      if (pattern === 1) shade = 0.8 + 0.2 * Math.sin(((x * dy - y * dx) / period) * Math.PI);
      else if (pattern === 2) shade = 0.8 + 0.2 * Math.cos((Math.hypot(x - cx, y - cy) / period) * Math.PI);
      else if (pattern === 3) shade = (Math.floor(x / period) + Math.floor(y / period)) % 2 === 0 ? 1 : 0.82;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) out.data[o + c] = clampByte((a[c]! + (b[c]! - a[c]!) * t) * shade);
      out.data[o + 3] = 255;
    }
  }
  return out;
}

/** Encodes RGBA pixels as a PNG file. */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  image.data.copy(png.data);
  return PNG.sync.write(png);
}

/** A valid, opaque PNG of the given size whose pixels depend on `seed` (for tests and examples). */
export function demoPngBytes(width: number, height: number, seed: string | number = 0): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`demoPng: width and height must be positive integers, got ${width}x${height}`);
  }
  return encodePng(generateImage(`demo:${seed}`, width, height));
}

/** `data:image/png;base64,...` of demoPngBytes: a ready-made input for image_to_image. */
export function demoPng(width: number, height: number, seed: string | number = 0): string {
  return `data:image/png;base64,${demoPngBytes(width, height, seed).toString('base64')}`;
}
