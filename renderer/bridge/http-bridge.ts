/**
 * The bridge for a browser tab served by `airlock serve`: every method is
 * `POST /api/rpc/<method>` with a JSON body, events arrive on `GET /api/events`, and the
 * history export is `GET /api/history/export`. All requests carry the admin token in the
 * Authorization header, never in a URL.
 */
import type { ApiError, PolicyProblem } from '../../shared/api/contract.ts';
import type { ConnectionState, UiBridge } from './bridge.ts';
import { createSseParser } from './sse.ts';
import { storeToken } from './login.ts';
import type { AirlockEvent, HistoryExportFormatLike, MethodInput, MethodName, MethodOutput } from './types.ts';

/** A refusal from the control API, with its stable code and any located policy problems. */
export class BridgeError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: PolicyProblem[] | undefined;
  constructor(status: number, code: string, message: string, problems?: PolicyProblem[]) {
    super(message);
    this.name = 'BridgeError';
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

export function createHttpBridge(token: string, onSignedOut: () => void): UiBridge {
  const listeners = new Set<(event: AirlockEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'closed';
  let stream: AbortController | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryDelay = RECONNECT_MIN_MS;
  let signedOut = false;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const signOut = () => {
    if (signedOut) return;
    signedOut = true;
    storeToken(undefined);
    stream?.abort();
    clearTimeout(retryTimer);
    setState('signed-out');
    onSignedOut();
  };

  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

  async function call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodOutput<M>> {
    let response: Response;
    try {
      response = await fetch(`/api/rpc/${method}`, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(input ?? {}),
        credentials: 'omit',
      });
    } catch {
      throw new BridgeError(0, 'unreachable', 'Airlock is not reachable. Is it still running?');
    }
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (response.ok) return body as MethodOutput<M>;
    if (response.status === 401) signOut();
    const error = (body ?? {}) as Partial<ApiError>;
    throw new BridgeError(response.status, error.error ?? 'http_error', error.message ?? `HTTP ${response.status}`, error.problems);
  }

  const scheduleReconnect = () => {
    if (signedOut || listeners.size === 0) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RECONNECT_MAX_MS);
  };

  async function connect(): Promise<void> {
    if (signedOut || listeners.size === 0) return;
    const controller = new AbortController();
    stream = controller;
    setState('connecting');
    try {
      const response = await fetch('/api/events', { headers: headers({ accept: 'text/event-stream' }), signal: controller.signal, credentials: 'omit' });
      if (response.status === 401) return signOut();
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      retryDelay = RECONNECT_MIN_MS;
      setState('open');
      const parse = createSseParser((data) => {
        let event: AirlockEvent;
        try {
          event = JSON.parse(data) as AirlockEvent;
        } catch {
          return;
        }
        for (const listener of [...listeners]) listener(event);
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parse(value);
      }
    } catch {
      // Aborted on purpose, or the core went away: either way the stream is over.
    }
    if (controller.signal.aborted && (signedOut || listeners.size === 0)) return;
    setState('closed');
    scheduleReconnect();
  }

  return {
    call,
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) void connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          clearTimeout(retryTimer);
          stream?.abort();
          setState('closed');
        }
      };
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    async download(format: HistoryExportFormatLike, filter: Record<string, string> = {}) {
      const url = `/api/history/export?${new URLSearchParams({ ...filter, format })}`;
      const response = await fetch(url, { headers: headers(), credentials: 'omit' });
      if (response.status === 401) signOut();
      if (!response.ok) {
        const error = (await response.json().catch(() => ({}))) as Partial<ApiError>;
        throw new BridgeError(response.status, error.error ?? 'http_error', error.message ?? `HTTP ${response.status}`);
      }
      const blob = await response.blob();
      const disposition = response.headers.get('content-disposition') ?? '';
      const named = /filename="?([^";]+)"?/.exec(disposition)?.[1];
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = named ?? `airlock-history-${new Date().toISOString().slice(0, 10)}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    },
  };
}
