/**
 * The `fetch` that `airlock connect` hands the SDK's Streamable HTTP client transport: the
 * same contract for what the transport uses (method, headers, a string body, an abort
 * signal; status, headers, `json()`, `text()` and a streamed `body`), on `node:http` with
 * kept-alive sockets. Node's built-in fetch (undici behind web streams) was half of the
 * bridge's CPU per relayed call; the bridge talks only to Airlock on loopback, so none of
 * what fetch adds (redirects, caching, CORS, compression) is wanted. A JSON answer is read
 * whole before the Response is made; a server-sent event stream is handed over as it comes.
 * Anything else (a Request object, a non-string body) goes to the built-in fetch.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** Statuses whose Response may carry no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

export function loopbackFetch(agent: Agent = new Agent({ keepAlive: true })): typeof fetch {
  return (input, init) => {
    const body = init?.body;
    if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string')) return fetch(input, init);
    const url = input instanceof URL ? input : new URL(input);
    if (url.protocol !== 'http:') return fetch(input, init);
    const signal = init?.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
      const req = request(url, { method: init?.method ?? 'GET', headers, agent, ...(signal && { signal }) });
      req.once('error', reject);
      req.once('response', (res) => {
        const init = { status: res.statusCode ?? 500, statusText: res.statusMessage ?? '', headers: responseHeaders(res) };
        if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, init));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => resolve(new Response(NULL_BODY.has(init.status) ? null : Buffer.concat(chunks), init)));
      });
      req.end(body ?? undefined);
    });
  };
}
