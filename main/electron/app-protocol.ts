/**
 * `app://airlock/...`: the built UI (dist/renderer) served to our windows from the app's
 * own files, never from a URL on the network. Same strict CSP as the headless UI server;
 * no path can leave the UI folder.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './ipc-channels.ts';

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

export interface AppProtocolOptions {
  /** The built renderer: index.html and assets/. */
  root: string;
  csp: string;
  /** Reads a file (Electron's fs reads inside the asar); injectable for tests. */
  readFile?: (file: string) => Promise<Buffer>;
}

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Airlock</title>
<p style="font: 14px system-ui; padding: 2em">The Airlock UI is not built. Run <code>npm run build</code> and restart Airlock.</p>`;

export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const root = normalize(options.root);
  const read = options.readFile ?? ((file: string) => readFile(file));
  const headers = (type: string) => ({
    'content-type': type,
    'content-security-policy': options.csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  const tryRead = async (file: string): Promise<Buffer | undefined> => {
    try {
      return await read(file);
    } catch {
      return undefined;
    }
  };
  const respond = (body: Buffer | string, type: string, status = 200) =>
    new Response(typeof body === 'string' ? body : new Uint8Array(body), { status, headers: headers(type) });

  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found', { status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return new Response('bad request', { status: 400 });
    }
    const file = normalize(join(root, relative));
    if (file !== root && !file.startsWith(root + sep)) return new Response('not found', { status: 404 });
    if (relative) {
      const body = await tryRead(file);
      if (body) return respond(body, TYPES[extname(file)] ?? 'application/octet-stream');
      // A missing script or style is an error, not the page (that would hide a broken build).
      if (extname(relative) && extname(relative) !== '.html') return new Response('not found', { status: 404 });
    }
    const index = await tryRead(join(root, 'index.html'));
    if (index) return respond(index, TYPES['.html']!);
    return respond(notBuilt, TYPES['.html']!, 503);
  };
}
