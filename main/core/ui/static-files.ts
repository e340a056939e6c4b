/**
 * The built web UI (dist/renderer) as responses: one module for both ways it is served,
 * `/` of the local port (ui-server.ts) and `app://airlock/` in the desktop app
 * (main/electron/app-protocol.ts). It answers a URL path with a status, headers and a body;
 * each server only writes that in its own response type. No path can leave the UI folder,
 * and a missing script or style is a 404, never the page (that would hide a broken build).
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const HTML = TYPES['.html'] as string;
const TEXT = 'text/plain; charset=utf-8';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Airlock</title>
<p style="font: 14px system-ui; padding: 2em">The Airlock UI is not built. Run <code>npm run build</code> and reload.</p>`;

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export interface StaticFilesOptions {
  /** The built renderer: index.html and assets/. */
  root: string;
  /** The Content-Security-Policy of every response. */
  csp: string;
  /** Reads a file (inside Electron, its fs also reads from the asar); injectable for tests. */
  readFile?: (file: string) => Promise<Uint8Array>;
}

/** `(pathname of a GET or HEAD request, still percent-encoded) → response`. */
export type StaticFiles = (pathname: string) => Promise<StaticResponse>;

export function createStaticFiles(options: StaticFilesOptions): StaticFiles {
  const root = normalize(options.root);
  const read = options.readFile ?? ((file: string) => readFile(file));
  const respond = (status: number, type: string, body: Uint8Array | string, cache = 'no-cache'): StaticResponse => ({
    status,
    headers: {
      'content-type': type,
      'cache-control': cache,
      'content-security-policy': options.csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body,
  });
  const tryRead = async (file: string): Promise<Uint8Array | undefined> => {
    try {
      return await read(file);
    } catch {
      // Missing, a folder, or unreadable: not a file this UI has.
      return undefined;
    }
  };

  return async (pathname) => {
    let relative: string;
    try {
      relative = decodeURIComponent(pathname).replace(/^\/+/, '');
    } catch {
      return respond(400, TEXT, 'bad request');
    }
    const file = normalize(join(root, relative));
    if (file !== root && !file.startsWith(root + sep)) return respond(404, TEXT, 'not found');
    if (relative) {
      const body = await tryRead(file);
      // Built assets have content hashes in their names: they never change under one name.
      if (body) return respond(200, TYPES[extname(file)] ?? 'application/octet-stream', body, relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (extname(relative) && extname(relative) !== '.html') return respond(404, TEXT, 'not found');
    }
    // Single-page app: every other path is the UI itself.
    const index = await tryRead(join(root, 'index.html'));
    if (index) return respond(200, HTML, index);
    return respond(503, HTML, NOT_BUILT);
  };
}
