/**
 * `POST /hooks/<client>` on Airlock's port: a client's hook event in, the client's answer
 * out. Claude Code's `type: "http"` hooks post here directly; `airlock hook <client>` (the
 * command hook) posts here too and asks for the bare verdict (Accept: VERDICT_MEDIA_TYPE),
 * which it writes in the client's format itself. Authenticated like `/mcp` (an MCP token,
 * ideally the client's own named token) after the same Host/Origin check.
 *
 * Every answer that reaches a client is 200 with a decision: Claude Code treats a non-2xx
 * answer of an HTTP hook as a non-blocking error and runs the tool, so a malformed event
 * is refused in the client's format rather than with a 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, InvalidJsonError, parseJsonBody, readBody } from '../proxy/http-guard.ts';
import { hookAdapter } from './adapters.ts';
import type { HookDesk, OnTimeout } from './hook-desk.ts';
import type { HookEvent, HookVerdict } from './hook-adapter.ts';

export const VERDICT_MEDIA_TYPE = 'application/vnd.airlock.hook-verdict+json';
export const HOOKS_PATH = '/hooks/';

/** Seconds left for the person when the client's timeout is not said: well under every client's default. */
export const DEFAULT_WAIT_SECONDS = 55;

export interface HookEndpointOptions {
  desk: HookDesk;
  maxBodyBytes: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function parseWait(value: string | null): number {
  const seconds = Number(value);
  return value !== null && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 24 * 3600) : DEFAULT_WAIT_SECONDS;
}

export function createHookEndpoint(options: HookEndpointOptions) {
  return async (req: IncomingMessage, res: ServerResponse, client: string, url: URL, tokenName: string | undefined): Promise<void> => {
    const adapter = hookAdapter(client);
    if (!adapter) return send(res, 404, { error: 'not_found', message: `no hook adapter for "${client}"` });
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed', message: 'POST the hook event' });
    const wantsVerdict = (req.headers.accept ?? '').includes(VERDICT_MEDIA_TYPE);
    // An adapter that allows by answering nothing (Codex) still gets a JSON body over HTTP.
    const answer = (verdict: HookVerdict, event?: HookEvent) =>
      send(res, 200, wantsVerdict ? { verdict } : JSON.parse(adapter.answer(verdict, event).stdout || '{}'));
    let body: unknown;
    try {
      body = parseJsonBody((await readBody(req, options.maxBodyBytes)).toString('utf8'));
    } catch (err) {
      if (!(err instanceof BodyTooLargeError) && !(err instanceof InvalidJsonError)) throw err;
      return answer({ kind: 'deny', reason: `[Airlock] Denied: the hook event could not be read (${(err as Error).message})` });
    }
    const event = adapter.parse(body);
    if (typeof event === 'string') return answer({ kind: 'deny', reason: `[Airlock] Denied: ${event}` });
    // The person may take as long as the hook allows: no idle limit on this socket.
    req.socket.setTimeout(0);
    const aborted = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const onTimeout: OnTimeout = url.searchParams.get('onTimeout') === 'deny' ? 'deny' : 'ask';
    const verdict = await options.desk.decide({
      adapter,
      event,
      ...(tokenName && { tokenName }),
      maxWaitMs: parseWait(url.searchParams.get('wait')) * 1000,
      onTimeout,
      signal: aborted.signal,
    });
    if (res.destroyed) return;
    answer(verdict, event);
  };
}
