/**
 * `app://airlock/...`: the built UI (dist/renderer) served to our windows from the app's
 * own files, never from a URL on the network. The files are the headless UI server's
 * (main/core/ui/static-files.ts: same CSP, same 404 for a missing asset, no path can leave
 * the UI folder); this adds only the scheme and host check.
 */
import { createStaticFiles } from '../core/ui/static-files.ts';
import { APP_HOST, APP_SCHEME } from './ipc-channels.ts';

export interface AppProtocolOptions {
  /** The built renderer: index.html and assets/. */
  root: string;
  csp: string;
  /** Reads a file (Electron's fs reads inside the asar); injectable for tests. */
  readFile?: (file: string) => Promise<Uint8Array>;
}

export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const files = createStaticFiles(options);

  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found', { status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = await files(url.pathname);
    return new Response(typeof file.body === 'string' ? file.body : new Uint8Array(file.body), { status: file.status, headers: file.headers });
  };
}
