/**
 * `/`: the built web UI (renderer/), for `airlock serve` and any browser: the files of
 * static-files.ts under a strict Content-Security-Policy, plus `POST /ui/session` where a
 * page trades its one-time login code for the admin token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBody } from '../proxy/http-guard.ts';
import { sendNotFound } from '../proxy/http-answers.ts';
import { sendJson } from '../proxy/http-server.ts';
import type { LoginCodes } from './login-codes.ts';
import { createStaticFiles } from './static-files.ts';

/**
 * No inline scripts, nothing from elsewhere. Images may be data:/blob: (previews of
 * arguments) or remote, but the UI only loads a remote image when the person clicks it.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SessionRequestSchema = z.strictObject({ code: z.string().min(1).max(200) });

/**
 * Which paths are the UI's own: the page itself at `/` (views are hash routes, so no other
 * path is a page), the built assets, and files at the top of the build (icons). Anything
 * else is no UI route and gets a JSON 404, never index.html: clients that probe a path
 * (OAuth discovery after a 401) must not be handed an HTML page with status 200.
 */
export type UiRoute = { kind: 'page' } | { kind: 'file'; relative: string } | { kind: 'none' };

export function uiRouteOf(path: string): UiRoute {
  if (path === '/' || path === '/index.html') return { kind: 'page' };
  let relative: string;
  try {
    relative = decodeURIComponent(path).replace(/^\/+/, '');
  } catch {
    return { kind: 'none' };
  }
  if (relative.startsWith('assets/') || /^[\w-]+\.(?:ico|png|svg|webmanifest|txt)$/.test(relative)) return { kind: 'file', relative };
  return { kind: 'none' };
}

export interface UiServerOptions {
  /** The built renderer (index.html and assets/). */
  root: string;
  codes: LoginCodes;
  adminToken: () => string;
}

export function createUiServer(options: UiServerOptions) {
  const files = createStaticFiles({ root: options.root, csp: UI_CSP });

  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === '/ui/session') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', message: 'POST a login code' });
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, 4096)).toString('utf8'));
      } catch {
        return sendJson(res, 400, { error: 'invalid_json', message: 'expected {"code": "..."}' });
      }
      const parsed = SessionRequestSchema.safeParse(body);
      if (!parsed.success || !options.codes.redeem(parsed.data.code)) {
        return sendJson(res, 401, { error: 'invalid_code', message: 'this login link was already used or has expired; run `airlock open` for a new one' });
      }
      return sendJson(res, 200, { token: options.adminToken() });
    }
    const route = uiRouteOf(path);
    if (route.kind === 'none') return sendNotFound(res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method_not_allowed', message: 'GET only' });
    const file = await files(path);
    res.writeHead(file.status, { ...file.headers, 'content-length': Buffer.byteLength(file.body) });
    res.end(file.body);
  };
}
