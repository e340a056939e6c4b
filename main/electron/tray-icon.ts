/**
 * Airlock's icons, drawn in code: the tray icon with the pending count drawn into it
 * (Windows and Linux have no tray title), the monochrome template icon for the macOS menu
 * bar (the count goes into the title there), and the app icon the build script writes.
 * Pure pixels in, PNG out, so the drawing is testable without Electron.
 */
import { PNG } from 'pngjs';

export type IconStyle = 'color' | 'template' | 'app';

export interface Bitmap {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Buffer;
}

type Rgb = readonly [number, number, number];

const BLUE: Rgb = [0x25, 0x63, 0xeb];
const LIGHT_BLUE: Rgb = [0x93, 0xc5, 0xfd];
const NAVY: Rgb = [0x0f, 0x17, 0x2a];
const BLACK: Rgb = [0, 0, 0];
const RED: Rgb = [0xdc, 0x26, 0x26];
const WHITE: Rgb = [0xff, 0xff, 0xff];

/** 3×5 digits (and "+") for the badge: legible at 16 px where fonts are not. */
const GLYPHS: Record<string, string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '001', '001'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '+': ['000', '010', '111', '010', '000'],
};

/** What the badge says: nothing for 0, the count up to 9, then "9+". */
export function badgeText(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return '';
  return count > 9 ? '9+' : String(Math.floor(count));
}

// Shapes in unit coordinates (0..1 across the icon).
function inShield(u: number, v: number): boolean {
  if (v < 0.06 || v > 0.96) return false;
  const dx = Math.abs(u - 0.5);
  const top = 0.06 + 0.06 * (dx / 0.4) ** 2;
  if (v < top) return false;
  const half = v <= 0.5 ? 0.4 : 0.4 * (1 - ((v - 0.5) / 0.46) ** 1.6);
  return dx <= half;
}

function inKeyhole(u: number, v: number): boolean {
  const dx = u - 0.5;
  const dy = v - 0.4;
  if (dx * dx + dy * dy <= 0.11 * 0.11) return true;
  if (v < 0.4 || v > 0.72) return false;
  return Math.abs(dx) <= 0.045 + 0.035 * ((v - 0.4) / 0.32);
}

function inRoundedSquare(u: number, v: number, radius: number): boolean {
  const cx = Math.min(Math.max(u, radius), 1 - radius);
  const cy = Math.min(Math.max(v, radius), 1 - radius);
  return (u - cx) ** 2 + (v - cy) ** 2 <= radius * radius;
}

/** Coverage of `shape` over a pixel, by 4×4 supersampling (soft edges at any size). */
function coverage(size: number, x: number, y: number, shape: (u: number, v: number) => boolean): number {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) if (shape((x + (sx + 0.5) / 4) / size, (y + (sy + 0.5) / 4) / size)) hits++;
  }
  return hits / 16;
}

function blend(data: Buffer, i: number, rgb: Rgb, alpha: number): void {
  if (alpha <= 0) return;
  const da = data[i + 3]! / 255;
  const oa = alpha + da * (1 - alpha);
  for (let c = 0; c < 3; c++) {
    data[i + c] = Math.round((rgb[c]! * alpha + data[i + c]! * da * (1 - alpha)) / (oa || 1));
  }
  data[i + 3] = Math.round(oa * 255);
}

function erase(data: Buffer, i: number, amount: number): void {
  data[i + 3] = Math.round(data[i + 3]! * (1 - amount));
}

/** The shield with its keyhole, in the given style. */
export function drawIcon(size: number, style: IconStyle): Bitmap {
  const data = Buffer.alloc(size * size * 4);
  const shieldColor = style === 'template' ? BLACK : style === 'app' ? LIGHT_BLUE : BLUE;
  // The app icon sits on a rounded square and keeps a margin, like platform icons do.
  const inset = style === 'app' ? 0.16 : 0;
  const scale = 1 - 2 * inset;
  const shield = (u: number, v: number) => inShield((u - inset) / scale, (v - inset) / scale);
  const keyhole = (u: number, v: number) => inKeyhole((u - inset) / scale, (v - inset) / scale);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      if (style === 'app') blend(data, i, NAVY, coverage(size, x, y, (u, v) => inRoundedSquare(u, v, 0.2)));
      blend(data, i, shieldColor, coverage(size, x, y, shield));
      const hole = coverage(size, x, y, (u, v) => shield(u, v) && keyhole(u, v));
      if (style === 'app') blend(data, i, NAVY, hole);
      else erase(data, i, hole);
    }
  }
  return { width: size, height: size, data };
}

/**
 * The tray icon for `count` waiting calls: a red badge with the count in the lower right
 * corner, cut out of the shield by a transparent ring so it reads on any panel colour.
 */
export function drawTrayIcon(size: number, count: number, style: 'color' | 'template' = 'color'): Bitmap {
  const bitmap = drawIcon(size, style);
  const text = badgeText(count);
  if (!text || style === 'template') return bitmap;
  const { data } = bitmap;
  const r = 0.31;
  const cx = 1 - r;
  const cy = 1 - r;
  const ring = r + 1.2 / size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      erase(data, i, coverage(size, x, y, (u, v) => (u - cx) ** 2 + (v - cy) ** 2 <= ring * ring));
      blend(data, i, RED, coverage(size, x, y, (u, v) => (u - cx) ** 2 + (v - cy) ** 2 <= r * r));
    }
  }
  // Digits on the pixel grid, as large as the badge allows.
  const glyphs = [...text].map((ch) => GLYPHS[ch]!);
  const unitsWide = glyphs.length * 3 + (glyphs.length - 1);
  const diameter = 2 * r * size;
  const px = Math.max(1, Math.floor(Math.min((diameter * 0.8) / unitsWide, (diameter * 0.62) / 5)));
  const left = Math.round(cx * size - (unitsWide * px) / 2);
  const top = Math.round(cy * size - (5 * px) / 2);
  glyphs.forEach((glyph, g) => {
    glyph.forEach((row, gy) => {
      [...row].forEach((bit, gx) => {
        if (bit !== '1') return;
        for (let dy = 0; dy < px; dy++) {
          for (let dx = 0; dx < px; dx++) {
            const x = left + (g * 4 + gx) * px + dx;
            const y = top + gy * px + dy;
            if (x < 0 || y < 0 || x >= size || y >= size) continue;
            const i = (y * size + x) * 4;
            data[i] = WHITE[0];
            data[i + 1] = WHITE[1];
            data[i + 2] = WHITE[2];
            data[i + 3] = 255;
          }
        }
      });
    });
  });
  return bitmap;
}

export function encodePng(bitmap: Bitmap): Buffer {
  const png = new PNG({ width: bitmap.width, height: bitmap.height });
  bitmap.data.copy(png.data);
  return PNG.sync.write(png);
}
