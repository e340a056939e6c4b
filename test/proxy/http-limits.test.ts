/**
 * The local port under abuse, driven with raw sockets on loopback: silent and half-sent
 * requests are closed, the number of sockets is capped, malformed paths and deeply nested
 * bodies are the client's error (400, nothing logged as a failure), and an authenticated
 * call that waits for a person outlives every idle limit.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { Logger } from '../../main/core/logger.ts';
import { TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, api, connectHttp, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';

const LIMITS = { headersTimeoutMs: 400, idleTimeoutMs: 400, keepAliveTimeoutMs: 400, maxConnections: 24 };
const home = tempHome();
const log = join(home.dir, 'probe.jsonl');
const errors: string[] = [];
const logger: Logger = { info() {}, warn() {}, error: (m) => errors.push(m) };
let airlock: Airlock;

beforeAll(async () => {
  airlock = await startAirlock(home.dir, { probe: probeServer(log) }, {
    policy: { version: '1', default: 'allow', tools: { record_args: { action: 'ask' } } },
    httpLimits: LIMITS,
    settings: { earlyAnswerSeconds: 0 },
    logger,
  });
});
afterAll(async () => {
  await airlock?.stop();
  home.cleanup();
});

function openSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(airlock.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}
const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: airlock.port, path, method, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('sockets without a token', () => {
  it('closes sockets that never send a request, and ones that stop halfway through the headers', async () => {
    const silent = await Promise.all(Array.from({ length: 8 }, openSocket));
    const half = await Promise.all(Array.from({ length: 8 }, openSocket));
    for (const socket of half) socket.write(`POST /mcp/probe HTTP/1.1\r\nHost: 127.0.0.1:${airlock.port}\r\nContent-Type: application/json\r\n`);
    await waitFor(() => [...silent, ...half].every((s) => s.closed), 15_000, 'the server to close idle sockets');
    await Promise.all([...silent, ...half].map(closed));
  });

  it('caps open sockets: one past the cap is closed unanswered, and agents get in again once the flood ends', async () => {
    const flood = await Promise.all(Array.from({ length: LIMITS.maxConnections }, openSocket));
    const extra = await openSocket();
    let answered = '';
    extra.on('data', (d: Buffer) => (answered += d.toString()));
    extra.write(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${airlock.port}\r\nAuthorization: Bearer ${TEST_ADMIN_TOKEN}\r\n\r\n`);
    await closed(extra);
    expect(answered).toBe('');
    for (const socket of flood) socket.destroy();
    await waitFor(async () => (await api(airlock, 'GET', '/status').catch(() => ({ status: 0 }))).status === 200, 10_000, 'a request after the flood');
  });
});

describe('malformed input', () => {
  it('answers a malformed percent-escape in any path with 400, and logs no failure', async () => {
    const mcp = { authorization: `Bearer ${TEST_MCP_TOKEN}` };
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const cases: Array<[string, string, Record<string, string>]> = [
      ['POST', '/mcp/%E0%A4%A', mcp],
      ['POST', '/mcp/probe%', mcp],
      ['GET', '/api/history/%ZZ', admin],
      ['DELETE', '/api/grants/%C0', admin],
      ['GET', '/assets/%E2%82', {}],
      ['GET', '/%', {}],
    ];
    for (const [method, path, headers] of cases) {
      const res = await raw(method, path, headers, method === 'POST' ? '{}' : undefined);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(res.body).message).toMatch(/percent-escape/);
    }
    expect(errors).toEqual([]);
  });

  it('answers deeply nested JSON bodies on /mcp and /api with 400, and nothing reaches the upstream', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const call = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"record_args","arguments":{"value":"x","deep":${deep(10_000)}}}}`;
    const mcp = await raw('POST', '/mcp/probe', { authorization: `Bearer ${TEST_MCP_TOKEN}` }, call);
    expect(mcp.status).toBe(400);
    expect(JSON.parse(mcp.body).error.message).toMatch(/deeper than/);
    const rpc = await raw('POST', '/api/rpc/history.query', { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, `{"q":${deep(100_000)}}`);
    expect(rpc.status).toBe(400);
    expect(JSON.parse(rpc.body).error).toBe('invalid_json');
    const policy = await raw('POST', '/api/policy/validate', { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, `{"version":"1","tools":${deep(100_000)}}`);
    expect(policy.status).toBe(200);
    expect(JSON.parse(policy.body).problems[0].message).toMatch(/nested too deeply/);
    expect(probeEvents(log)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('long approvals', () => {
  it('an authenticated call waiting for a person outlives the idle limits and gets its result', async () => {
    const client = await connectHttp(airlock, 'probe');
    try {
      const call = client.callTool({ name: 'record_args', arguments: { value: 'waited' } });
      const pending = await waitFor(async () => (await api<Array<{ id: string }>>(airlock, 'GET', '/pending')).body[0]);
      // Several idle limits pass while the person thinks.
      await new Promise((resolve) => setTimeout(resolve, LIMITS.idleTimeoutMs * 4));
      expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(200);
      const result = await call;
      expect(result.isError, resultText(result)).toBeFalsy();
      expect(probeEvents(log).filter((e) => e.event === 'args').map((e) => e.args?.value)).toEqual(['waited']);
    } finally {
      await client.close();
    }
  });

  it('the event stream stays open past the idle limit', async () => {
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events', airlock.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, LIMITS.idleTimeoutMs * 4));
    const next = reader.read();
    await api(airlock, 'POST', '/approvals/pause', { paused: false });
    const chunk = await next;
    expect(chunk.done).toBe(false);
    controller.abort();
  });
});
