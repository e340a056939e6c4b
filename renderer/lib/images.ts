/**
 * Recognising images in arguments and results. Data URLs and base64 PNG/JPEG/GIF/WebP are
 * shown at once (they are already on this machine); remote URLs only when the person asks,
 * so the UI never fetches anything behind their back.
 */

const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|avif|bmp|svg\+xml)(;[^,]*)?,/i;
const REMOTE_IMAGE = /^https?:\/\/\S+\.(png|jpe?g|gif|webp|avif|bmp|svg)(\?\S*)?$/i;

/** Leading base64 characters of common image formats' magic numbers. */
const BASE64_MAGIC: ReadonlyArray<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
];

export type ImageValue =
  | { kind: 'data'; src: string; mime: string; bytes: number }
  | { kind: 'remote'; url: string }
  /** Image data that was shortened (history keeps long strings cut), so it cannot be shown. */
  | { kind: 'cut'; mime: string; length: number };

const BASE64_BODY = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
/** The marker the history store appends to strings it shortened: `…[12345 characters]`. */
const CUT_MARKER = /…\[(\d+) characters\]$/;

export function base64Bytes(base64: string): number {
  const clean = base64.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

export function detectImage(value: string): ImageValue | undefined {
  const data = DATA_IMAGE.exec(value);
  if (data) {
    const comma = value.indexOf(',');
    const isBase64 = /;base64/i.test(data[2] ?? '');
    const mime = `image/${data[1]!.toLowerCase()}`;
    const cut = CUT_MARKER.exec(value);
    if (cut) return { kind: 'cut', mime, length: Number(cut[1]) };
    // A broken data URL would only make the browser log an error; show it as text instead.
    if (isBase64 && !BASE64_BODY.test(value.slice(comma + 1))) return undefined;
    return { kind: 'data', src: value, mime: `image/${data[1]!.toLowerCase()}`, bytes: isBase64 ? base64Bytes(value.slice(comma + 1)) : value.length - comma - 1 };
  }
  if (value.length >= 64 && /^[A-Za-z0-9+/=\s]+$/.test(value.slice(0, 256))) {
    for (const [magic, mime] of BASE64_MAGIC) {
      if (!value.startsWith(magic)) continue;
      const cut = CUT_MARKER.exec(value);
      if (cut) return { kind: 'cut', mime, length: Number(cut[1]) };
      if (BASE64_BODY.test(value)) return { kind: 'data', src: `data:${mime};base64,${value.replace(/\s+/g, '')}`, mime, bytes: base64Bytes(value) };
    }
  }
  if (REMOTE_IMAGE.test(value)) return { kind: 'remote', url: value };
  return undefined;
}
