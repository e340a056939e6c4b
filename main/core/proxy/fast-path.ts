/**
 * The hot path of a 2025-era session, straight on node:http: a POST carrying one JSON-RPC
 * request (a `tools/call`, usually) in an open session. The SDK's transport serves it by
 * adapting the Node request to a web Request, answering with a web Response whose SSE body
 * is a ReadableStream, and piping that back into the Node response: several allocations,
 * promise hops and socket writes per call, most of what a call through Airlock cost.
 *
 * `FastSessionTransport` wraps the SDK's transport and stands in for it towards the proxy
 * Server. A request it can serve the way the SDK would, it serves itself, writing the same
 * SSE answer (`event: message` lines on a `text/event-stream` response with the session
 * id) straight to the Node response; everything else goes to the SDK's transport
 * untouched: `initialize`, batches, notifications and responses, GET streams, DELETE,
 * every request the SDK would refuse (wrong Accept or Content-Type, a message its schema
 * rejects, an unknown protocol version, a closed session), so their answers are the SDK's
 * own. Messages the Server sends for a fast request (progress, logging, elicitation or
 * sampling requests, then the result) go on that request's stream, as they would on the
 * SDK's. Differences on the wire are framing only: when the result is all there is, the
 * headers and the one event go out in one write with a Content-Length, instead of a
 * chunked stream; headers of a call still running after 100 ms go out then (the SDK sends
 * them at once), and a comment every 15 s keeps a long wait alive, as the SDK does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isJsonContentType, type JSONRPCMessage, type JSONRPCRequest, type Transport, type TransportSendOptions } from '@modelcontextprotocol/server';

/** As the SDK: a long wait gets a comment line this often, so nothing between times it out. */
const KEEP_ALIVE_MS = 15_000;
/** A call not answered by then gets its headers, as the SDK sends them at once. */
const HEADERS_AFTER_MS = 100;

type RequestId = string | number;

/** One fast request's answer stream. */
interface FastStream {
  res: ServerResponse;
  sessionId: string;
  /** The headers went out (the stream has begun). */
  started: boolean;
  ended: boolean;
  headersTimer: NodeJS.Timeout | undefined;
  keepAlive: NodeJS.Timeout | undefined;
}

const isId = (id: unknown): id is RequestId => typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A request the SDK's message schema accepts and passes on unchanged: exactly the keys
 * `jsonrpc`, `id`, `method` and optionally `params` (an object whose `_meta`, when present,
 * is an object with a valid `progressToken`, if any, and no task key). Anything else takes
 * the SDK's path, which parses it (and answers its own errors).
 */
export function plainRequest(body: unknown): body is JSONRPCRequest {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || !isId(body.id) || typeof body.method !== 'string') return false;
  let keys = 3;
  if ('params' in body) {
    keys++;
    const params = body.params;
    if (!isPlainObject(params)) return false;
    if ('_meta' in params) {
      const meta = params._meta;
      if (!isPlainObject(meta)) return false;
      if ('progressToken' in meta && !isId(meta.progressToken)) return false;
      if ('io.modelcontextprotocol/related-task' in meta) return false;
    }
  }
  return Object.keys(body).length === keys && body.method !== 'initialize';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export class FastSessionTransport implements Transport {
  readonly inner: NodeStreamableHTTPServerTransport;
  private readonly streams = new Map<RequestId, FastStream>();
  private supportedVersions: string[] | undefined;
  private closed = false;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  constructor(inner: NodeStreamableHTTPServerTransport) {
    this.inner = inner;
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      this.closed = true;
      for (const id of [...this.streams.keys()]) this.endStream(id);
      this.onclose?.();
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.supportedVersions = versions;
    this.inner.setSupportedProtocolVersions(versions);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The SDK's checks for this request all pass, and its schema would leave it as it is. */
  private servable(req: IncomingMessage, body: unknown): body is JSONRPCRequest {
    if (this.closed || req.method !== 'POST' || this.sessionId === undefined || this.supportedVersions === undefined) return false;
    const accept = header(req, 'accept');
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
    if (!isJsonContentType(header(req, 'content-type') ?? null)) return false;
    if (header(req, 'mcp-session-id') !== this.sessionId) return false;
    const version = header(req, 'mcp-protocol-version');
    if (version !== undefined && !this.supportedVersions.includes(version)) return false;
    return plainRequest(body) && !this.streams.has(body.id);
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    if (!this.servable(req, body)) return this.inner.handleRequest(req, res, body);
    const stream: FastStream = { res, sessionId: this.sessionId!, started: false, ended: false, headersTimer: undefined, keepAlive: undefined };
    const id = body.id;
    this.gone.delete(id);
    this.streams.set(id, stream);
    // A client that goes away ends the stream; what the call sends later is dropped, as the SDK does.
    res.once('close', () => {
      if (!stream.ended) this.endStream(id);
    });
    this.onmessage?.(body, {});
    if (stream.ended) return;
    stream.headersTimer = setTimeout(() => this.begin(stream), HEADERS_AFTER_MS);
    stream.headersTimer.unref();
    stream.keepAlive = setInterval(() => {
      this.begin(stream);
      if (!stream.ended) stream.res.write(': keepalive\n\n');
    }, KEEP_ALIVE_MS);
    stream.keepAlive.unref();
  }

  private static headers(sessionId: string): Record<string, string> {
    return {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'mcp-session-id': sessionId,
    };
  }

  /** Sends the headers, once; from then on the answer is a chunked stream. */
  private begin(stream: FastStream): void {
    if (stream.started || stream.ended) return;
    stream.started = true;
    clearTimeout(stream.headersTimer);
    stream.res.writeHead(200, FastSessionTransport.headers(stream.sessionId));
    stream.res.flushHeaders();
  }

  /** Ends a stream early: the client went away or the session closed. */
  private endStream(id: RequestId): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.streams.delete(id);
    this.markGone(id);
    stream.ended = true;
    clearTimeout(stream.headersTimer);
    clearInterval(stream.keepAlive);
    if (!stream.res.writableEnded) {
      if (!stream.res.headersSent) stream.res.writeHead(200, FastSessionTransport.headers(stream.sessionId));
      stream.res.end();
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = 'result' in message || 'error' in message;
    const related = isResponse ? (message as { id?: RequestId }).id : options?.relatedRequestId;
    const stream = related === undefined ? undefined : this.streams.get(related);
    if (!stream) {
      if (related !== undefined && this.gone.has(related)) {
        // As the SDK: the per-request stream is gone, its messages have nowhere to go.
        if (!isResponse) return;
        this.gone.delete(related);
        this.onerror?.(new Error(`Response for request ID ${String(related)} is undeliverable: per-request stream is disconnected and no eventStore is configured`));
        return;
      }
      return this.inner.send(message, options);
    }
    const event = `event: message\ndata: ${JSON.stringify(message)}\n\n`;
    if (!isResponse) {
      this.begin(stream);
      stream.res.write(event);
      return;
    }
    this.streams.delete(related!);
    stream.ended = true;
    clearTimeout(stream.headersTimer);
    clearInterval(stream.keepAlive);
    if (stream.res.destroyed || stream.res.writableEnded) return;
    if (stream.started) {
      stream.res.end(event);
      return;
    }
    // The result is all there is: headers and the event in one write.
    const bytes = Buffer.from(event, 'utf8');
    stream.res.writeHead(200, { ...FastSessionTransport.headers(stream.sessionId), 'content-length': String(bytes.length) });
    stream.res.end(bytes);
  }

  /** Requests whose stream ended before their answer (bounded: a cancelled call is never answered). */
  private readonly gone = new Set<RequestId>();

  private markGone(id: RequestId): void {
    this.gone.add(id);
    if (this.gone.size > 1024) this.gone.delete(this.gone.values().next().value!);
  }
}

/** What `createMcpHandler` returns, as far as serving it needs. */
interface FetchHandler {
  fetch(request: Request, options?: { authInfo?: unknown; parsedBody?: unknown }): Promise<Response>;
}

function internalError(body: unknown): { status: number; text: string } {
  const message = isPlainObject(body) && typeof body.method === 'string' ? body : undefined;
  const id = message && isId(message.id) ? message.id : null;
  return { status: 500, text: JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id }) };
}

/**
 * Serves the SDK's web-standard modern handler on node:http, as the SDK's `toNodeHandler`
 * does, with less in between for the usual exchange: the handler gets the body already
 * parsed (Airlock's HTTP server read and checked it), so the web Request carries headers
 * and the abort signal but no second copy of the body; a JSON answer is read whole and
 * written in one go; an SSE answer is streamed chunk by chunk with backpressure, as the
 * SDK does. Closing the response (the modern era's cancellation) aborts the request's
 * signal, as with the SDK's adapter.
 */
export function fastNodeHandler(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void> {
  return async (req, res, body) => {
    let finished = false;
    const abort = new AbortController();
    res.on('close', () => {
      if (!finished) abort.abort();
    });
    if (res.destroyed) abort.abort();
    let response: Response;
    try {
      const request = requestView(req, abort.signal);
      const auth = (req as IncomingMessage & { auth?: unknown }).auth;
      response = await handler.fetch(request, { ...(auth !== undefined && { authInfo: auth }), ...(body !== undefined && { parsedBody: body }) });
    } catch {
      const { status, text } = internalError(body);
      finished = true;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    if (response.body === null) {
      finished = true;
      res.writeHead(response.status, out);
      res.end();
      return;
    }
    if (!(out['content-type'] ?? '').includes('text/event-stream')) {
      const buffer = await response.arrayBuffer().catch(() => undefined);
      finished = true;
      if (buffer === undefined) return void res.destroy();
      const bytes = Buffer.from(buffer);
      res.writeHead(response.status, { ...out, 'content-length': String(bytes.length) });
      res.end(bytes);
      return;
    }
    res.writeHead(response.status, out);
    const reader = response.body.getReader();
    const closed = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), closed.then(() => ({ done: true as const, value: undefined }))]);
        if (done || abort.signal.aborted) break;
        if (!res.write(value)) await Promise.race([new Promise<void>((resolve) => res.once('drain', () => resolve())), closed]);
      }
    } catch {
      // the stream failed: end the response, as the SDK's adapter does
    } finally {
      if (abort.signal.aborted) void reader.cancel().catch(() => undefined);
      else reader.releaseLock();
    }
    finished = true;
    res.end();
  };
}

/**
 * A view of a Node request as the web Request the SDK reads when the body is already
 * parsed (Airlock reads and parses every POST's; other methods carry none): its method,
 * headers (the three routing headers, the content type) and abort signal. The era
 * classifier (`isLegacyRequest`) reads the method and headers, the modern handler the
 * signal too. A real undici Request per modern call (headers copied into a Headers list,
 * the signal followed, the URL parsed), only to be read that much, was the largest single
 * cost of a modern call after the upstream hop.
 */
function requestView(req: IncomingMessage, signal?: AbortSignal): Request {
  const view = {
    method: req.method ?? 'GET',
    url: `http://${header(req, 'host') ?? 'localhost'}${req.url ?? '/'}`,
    headers: {
      get: (name: string) => header(req, name.toLowerCase()) ?? null,
      has: (name: string) => header(req, name.toLowerCase()) !== undefined,
    },
    ...(signal && { signal }),
    body: null,
    bodyUsed: true,
  };
  return view as unknown as Request;
}

/** What the SDK's era classifier is given for a request whose body is already parsed. */
export function classificationRequest(req: IncomingMessage): Request {
  return requestView(req);
}
