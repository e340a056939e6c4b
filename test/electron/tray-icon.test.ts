/** The tray icon's pixels: a badge with the count appears, "9+" beyond nine, none at zero. */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { badgeText, drawIcon, drawTrayIcon, encodePng } from '../../main/electron/tray-icon.ts';

function pixel(bitmap: { width: number; data: Buffer }, x: number, y: number): number[] {
  const i = (y * bitmap.width + x) * 4;
  return [...bitmap.data.subarray(i, i + 4)];
}

describe('tray icon', () => {
  it('says nothing at zero, the count up to nine, then 9+', () => {
    expect([0, 1, 9, 10, 250, -1].map(badgeText)).toEqual(['', '1', '9', '9+', '9+', '']);
  });

  it('draws a red badge in the lower right corner only when calls wait', () => {
    const idle = drawTrayIcon(32, 0);
    const busy = drawTrayIcon(32, 3);
    // The badge's rim, away from the digit.
    const [r, g, b, a] = pixel(busy, 22, 30);
    expect(a).toBe(255);
    expect(r).toBeGreaterThan(200);
    expect(g! + b!).toBeLessThan(120);
    expect(pixel(idle, 22, 30)).not.toEqual(pixel(busy, 22, 30));
    // The top left of the shield is the same either way.
    expect(pixel(idle, 8, 8)).toEqual(pixel(busy, 8, 8));
  });

  it('draws different digits for different counts', () => {
    expect(drawTrayIcon(32, 1).data.equals(drawTrayIcon(32, 2).data)).toBe(false);
    expect(drawTrayIcon(32, 10).data.equals(drawTrayIcon(32, 99).data)).toBe(true);
  });

  it('makes a black-and-alpha template image for the macOS menu bar', () => {
    const template = drawTrayIcon(16, 5, 'template');
    for (let i = 0; i < template.data.length; i += 4) expect(template.data.subarray(i, i + 3).every((c) => c === 0)).toBe(true);
  });

  it('encodes valid PNGs', () => {
    const png = PNG.sync.read(encodePng(drawIcon(64, 'app')));
    expect([png.width, png.height]).toEqual([64, 64]);
  });
});
