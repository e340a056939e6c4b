/**
 * The bridge's fetch on node:http answers what Node's fetch answers for everything the
 * SDK's client transport reads: status, headers, a JSON body, an empty 202, a server-sent
 * event stream delivered while it is still open, and an abort that ends the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFetch } from '../../main/core/bridge/loopback-fetch.ts';

let server: Server;
let base: string;
const agent = new Agent({ keepAlive: true });
const seen: Array<{ method: string; headers: IncomingMessage['headers']; body: string }> = [];
let releaseStream: (() => void) | undefined;

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', headers: req.headers, body });
    if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'abc' }).end(JSON.stringify({ echoed: body }));
    } else if (req.url === '/accepted') {
      res.writeHead(202).end();
    } else if (req.url === '/denied') {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('no token');
    } else if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message\ndata: {"first":true}\n\n');
      releaseStream = () => res.end('event: message\ndata: {"last":true}\n\n');
    } else {
      // Never answers: the client's abort is what ends it.
      req.socket.on('close', () => seen.push({ method: 'closed', headers: {}, body: '' }));
    }
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('loopbackFetch', () => {
  const fetchOnHttp = loopbackFetch(agent);

  it('sends method, headers and body, and gives back status, headers and the JSON body', async () => {
    const res = await fetchOnHttp(new URL('/json', base), { method: 'POST', headers: new Headers({ authorization: 'Bearer t', 'content-type': 'application/json' }), body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('mcp-session-id')).toBe('abc');
    expect(await res.json()).toEqual({ echoed: '{"a":1}' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { authorization: 'Bearer t', 'content-length': '7' } });
  });

  it('an empty 202 has no body, and an error status keeps its text and headers', async () => {
    const accepted = await fetchOnHttp(`${base}/accepted`, { method: 'POST', body: '{}' });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe('');
    const denied = await fetchOnHttp(`${base}/denied`, { method: 'POST', body: '{}' });
    expect(denied.status).toBe(401);
    expect(denied.ok).toBe(false);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect(await denied.text()).toBe('no token');
  });

  it('hands over an event stream while it is still open', async () => {
    const res = await fetchOnHttp(`${base}/events`, { method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"first":true');
    releaseStream!();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('"last":true');
  });

  it('an abort rejects the request and closes its connection', async () => {
    const controller = new AbortController();
    const pending = fetchOnHttp(`${base}/hang`, { method: 'POST', body: '{}', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => seen.some((s) => s.method === 'closed')).toBe(true);
  });
});
