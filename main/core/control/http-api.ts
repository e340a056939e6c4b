/**
 * `/api/...`: the control API over HTTP for the web UI and scripts. REST-style routes as
 * documented in ARCHITECTURE.md §3, plus `POST /api/rpc/<method>` (the browser bridge's
 * uniform way in) and `GET /api/events` (server-sent events). The admin token was checked
 * before this runs. The core's domain errors (../errors.ts) get their HTTP status here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, BodyTooLargeError, InvalidJsonError, parseJsonBody } from '../proxy/http-guard.ts';
import { sendJson } from '../proxy/http-server.ts';
import { DomainError, errorBody, InvalidJson, type DomainErrorCode } from '../errors.ts';
import type { ControlApi } from './control-api.ts';

type Input = (req: IncomingMessage, params: string[], url: URL, body: () => Promise<string>) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  api: string;
  input: Input;
}

const query = (url: URL) => Object.fromEntries(url.searchParams);
const json = async (body: () => Promise<string>) => {
  const text = await body();
  if (!text.trim()) return undefined;
  try {
    return parseJsonBody(text);
  } catch (err) {
    if (err instanceof InvalidJsonError) throw new InvalidJson(err.message);
    throw new InvalidJson('the request body is not valid JSON');
  }
};
const nothing: Input = () => undefined;

const routes: Route[] = [
  { method: 'GET', pattern: /^\/status$/, api: 'status.get', input: nothing },
  { method: 'GET', pattern: /^\/pending$/, api: 'pending.list', input: nothing },
  { method: 'POST', pattern: /^\/pending\/([^/]+)$/, api: 'pending.decide', input: async (_r, [id], _u, body) => ({ ...((await json(body)) as object), id }) },
  { method: 'GET', pattern: /^\/history$/, api: 'history.query', input: (_r, _p, url) => query(url) },
  { method: 'GET', pattern: /^\/history\/([^/]+)$/, api: 'history.get', input: (_r, [id]) => ({ id }) },
  { method: 'GET', pattern: /^\/policy$/, api: 'policy.get', input: nothing },
  // The body is the policy document itself, kept as text so errors can name its lines.
  { method: 'PUT', pattern: /^\/policy$/, api: 'policy.put', input: async (_r, _p, _u, body) => ({ text: await body() }) },
  { method: 'POST', pattern: /^\/policy\/validate$/, api: 'policy.validate', input: async (_r, _p, _u, body) => ({ text: await body() }) },
  {
    method: 'POST',
    pattern: /^\/policy\/simulate$/,
    api: 'policy.simulate',
    input: async (_r, _p, url, body) => ({ text: await body(), ...(url.searchParams.has('limit') && { limit: Number(url.searchParams.get('limit')) }) }),
  },
  { method: 'GET', pattern: /^\/servers$/, api: 'servers.list', input: nothing },
  { method: 'POST', pattern: /^\/servers\/([^/]+)\/login$/, api: 'servers.login', input: (_r, [server]) => ({ server }) },
  { method: 'POST', pattern: /^\/servers\/([^/]+)\/logout$/, api: 'servers.logout', input: (_r, [server]) => ({ server }) },
  { method: 'GET', pattern: /^\/tools\/changes$/, api: 'tools.changes', input: nothing },
  { method: 'POST', pattern: /^\/servers\/([^/]+)\/tools\/([^/]+)\/accept$/, api: 'tools.accept', input: (_r, [server, tool]) => ({ server, tool }) },
  { method: 'GET', pattern: /^\/grants$/, api: 'grants.list', input: nothing },
  { method: 'DELETE', pattern: /^\/grants\/([^/]+)$/, api: 'grants.revoke', input: (_r, [id]) => ({ id }) },
  { method: 'POST', pattern: /^\/approvals\/pause$/, api: 'approvals.pause', input: async (_r, _p, _u, body) => json(body) },
  { method: 'GET', pattern: /^\/clients$/, api: 'clients.list', input: nothing },
  { method: 'POST', pattern: /^\/clients\/import$/, api: 'clients.import', input: async (_r, _p, _u, body) => json(body) },
  { method: 'POST', pattern: /^\/clients\/protect$/, api: 'clients.protect', input: async (_r, _p, _u, body) => json(body) },
  { method: 'POST', pattern: /^\/clients\/unprotect$/, api: 'clients.unprotect', input: async (_r, _p, _u, body) => json(body) },
  { method: 'POST', pattern: /^\/rpc\/([a-z.]+)$/i, api: '', input: async (_r, _p, _u, body) => json(body) },
];

export interface HttpApiOptions {
  api: ControlApi;
  maxBodyBytes: number;
  /** Streams that are not plain JSON (history export) are served here. */
  streams: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>>;
  /** Keep-alive interval of the event stream. */
  heartbeatMs?: number;
}

/** The one place where the core's errors become HTTP statuses. */
const HTTP_STATUS: Record<DomainErrorCode, number> = {
  invalid_input: 400,
  invalid_json: 400,
  invalid_arguments: 400,
  invalid_policy: 400,
  not_pending: 404,
  not_found: 404,
  not_changed: 404,
  unknown_method: 404,
  // The authorization server or the remote server failed us, not the caller.
  sign_in_failed: 502,
};

export function sendFailure(res: ServerResponse, err: unknown): boolean {
  if (err instanceof DomainError) {
    sendJson(res, HTTP_STATUS[err.code], errorBody(err));
    return true;
  }
  if (err instanceof BodyTooLargeError) {
    sendJson(res, 413, { error: 'too_large', message: err.message });
    return true;
  }
  return false;
}

export function createHttpApi(options: HttpApiOptions) {
  const heartbeatMs = options.heartbeatMs ?? 25_000;

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const unsubscribe = options.api.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    // A comment line now and then keeps proxies and idle timeouts from closing the stream;
    // the timer exists only while a UI is connected.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.socket.setTimeout(0);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  };

  return async (req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> => {
    try {
      if (req.method === 'GET' && path === '/events') return events(req, res);
      const stream = options.streams[`${req.method} ${path}`];
      if (stream) return await stream(req, res, url);
      for (const route of routes) {
        if (route.method !== req.method) continue;
        const match = route.pattern.exec(path);
        if (!match) continue;
        const params = match.slice(1).map((p) => decodeURIComponent(p));
        let cached: Promise<string> | undefined;
        const body = () => (cached ??= readBody(req, options.maxBodyBytes).then((b) => b.toString('utf8')));
        const input = await route.input(req, params, url, body);
        const method = route.api || params[0]!;
        const output = await options.api.dispatch(method, input);
        return sendJson(res, 200, output);
      }
      sendJson(res, 404, { error: 'not_found', message: `no API route ${req.method} /api${path}` });
    } catch (err) {
      if (!sendFailure(res, err)) throw err;
    }
  };
}
