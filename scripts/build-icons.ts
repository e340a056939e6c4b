/**
 * Writes the app icons into build/ (electron-builder's build resources) from the same
 * drawing code as the tray icon: icon.png (Linux), icon.ico (Windows), icon.icns (macOS).
 * The results are committed; run again after changing main/electron/tray-icon.ts.
 * Usage: node scripts/build-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drawIcon, encodePng } from '../main/electron/tray-icon.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');

const cache = new Map<number, Buffer>();
function png(size: number): Buffer {
  let data = cache.get(size);
  if (!data) {
    data = encodePng(drawIcon(size, 'app'));
    cache.set(size, data);
  }
  return data;
}

/** ICO with PNG images inside (Windows Vista and later read these). */
export function ico(sizes: number[]): Buffer {
  const images = sizes.map(png);
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((size, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2);
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(images[i]!.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += images[i]!.length;
  });
  return Buffer.concat([header, ...images]);
}

/** ICNS with PNG payloads, one entry per OSType. */
export function icns(entries: Array<[type: string, size: number]>): Buffer {
  const chunks = entries.map(([type, size]) => {
    const data = png(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

if (import.meta.main) {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'icon.png'), png(512));
  writeFileSync(join(out, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256]));
  writeFileSync(
    join(out, 'icon.icns'),
    icns([
      ['icp4', 16],
      ['icp5', 32],
      ['ic11', 32],
      ['icp6', 64],
      ['ic12', 64],
      ['ic07', 128],
      ['ic08', 256],
      ['ic13', 256],
      ['ic09', 512],
      ['ic14', 512],
      ['ic10', 1024],
    ]),
  );
  process.stdout.write('wrote build/icon.png, build/icon.ico, build/icon.icns\n');
}
