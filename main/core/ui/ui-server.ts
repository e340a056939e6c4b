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
import { createStaticFiles, uiRouteOf } from './static-files.ts';

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
    if (route.kind === 'malformed') return sendJson(res, 400, { error: 'bad_request', message: 'the path has malformed percent-encoding' });
    if (route.kind === 'none') return sendNotFound(res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method_not_allowed', message: 'GET only' });
    const file = await files(path);
    // A missing asset is a JSON 404 like any other path that is not the UI's.
    if (file.status === 404) return sendNotFound(res, path);
    res.writeHead(file.status, { ...file.headers, 'content-length': Buffer.byteLength(file.body) });
    res.end(file.body);
  };
}
