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
    const route = uiRouteOf(pathname);
    if (route.kind === 'malformed') return respond(400, TEXT, 'bad request');
    if (route.kind === 'none') return respond(404, TEXT, 'not found');
    if (route.kind === 'page') {
      const index = await tryRead(join(root, 'index.html'));
      return index ? respond(200, HTML, index) : respond(503, HTML, NOT_BUILT);
    }
    const file = normalize(join(root, route.relative));
    if (!file.startsWith(root + sep)) return respond(404, TEXT, 'not found');
    const body = await tryRead(file);
    if (!body) return respond(404, TEXT, 'not found');
    // Built assets have content hashes in their names: they never change under one name.
    return respond(200, TYPES[extname(file)] ?? 'application/octet-stream', body, route.relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
}

/**
 * Which paths are the UI's own: the page itself at `/` (views are hash routes, so no other
 * path is a page), the built assets, and files at the top of the build (icons). Anything
 * else is not the UI's: a 404 (JSON on the web server), never index.html, because clients
 * that probe a path (OAuth discovery after a 401) must not be handed a page with status 200.
 */
export type UiRoute = { kind: 'page' } | { kind: 'file'; relative: string } | { kind: 'none' } | { kind: 'malformed' };

export function uiRouteOf(path: string): UiRoute {
  if (path === '/' || path === '/index.html') return { kind: 'page' };
  let relative: string;
  try {
    relative = decodeURIComponent(path).replace(/^\/+/, '');
  } catch {
    return { kind: 'malformed' };
  }
  if (relative.startsWith('assets/') || /^[\w-]+\.(?:ico|png|svg|webmanifest|txt)$/.test(relative)) return { kind: 'file', relative };
  return { kind: 'none' };
}
