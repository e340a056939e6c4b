/**
 * Requests an attacker sends by hand, over raw HTTP, to get a tool run without the policy:
 * a tools/call as a JSON-RPC notification (no id), methods that are not in the protocol
 * (`tools/Call`, `tools//call`), and another token using or ending someone's session. The
 * upstreams record what reaches them (the modern fixture every message it receives); none of
 * these may.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { modernStdioServer, readModernLog } from '../fixtures/modern.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { startAirlock, tempHome, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN } from '../helpers/harness.ts';

const OWNER = 'owner-token-0123456789abcdef';
const OTHER = 'other-token-0123456789abcdef';
// Every call of record_args asks: only a person could let one through, and nobody does here.
const POLICY = { version: '1', default: 'deny', tools: { record_args: { action: 'ask' } } };

let home: ReturnType<typeof tempHome>;
let airlock: Airlock;
let log: string;
let modernLog: string;

beforeAll(async () => {
  home = tempHome('airlock-holes-');
  log = join(home.dir, 'probe.log');
  writeFileSync(join(home.dir, 'auth.json'), JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients: { owner: OWNER, other: OTHER } }), { mode: 0o600 });
  modernLog = join(home.dir, 'modern.log');
  airlock = await startAirlock(home.dir, { probe: probeServer(log), modern: modernStdioServer(modernLog) }, { policy: { ...POLICY, tools: { ...POLICY.tools, echo: { action: 'ask' } } } });
}, 60_000);

afterAll(async () => {
  await airlock?.stop();
  home?.cleanup();
});

async function post(body: unknown, token: string, session?: string, method = 'POST', server = 'probe'): Promise<{ status: number; text: string; session?: string }> {
  const res = await fetch(new URL(`/mcp/${server}`, airlock.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session && { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text(), ...(res.headers.get('mcp-session-id') && { session: res.headers.get('mcp-session-id')! }) };
}

async function openSession(token: string, server = 'probe'): Promise<string> {
  const init = await post(
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } },
    token,
    undefined,
    'POST',
    server,
  );
  expect(init.status).toBe(200);
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, token, init.session, 'POST', server);
  return init.session!;
}

const reached = (value: string) => probeEvents(log).filter((e) => e.event === 'args' && e.args?.value === value);
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('requests sent by hand to get around the policy', () => {
  it('a tools/call sent as a notification (no id) reaches nothing upstream', async () => {
    const session = await openSession(OWNER);
    const sent = await post({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'record_args', arguments: { value: 'as-notification' } } }, OWNER, session);
    expect(sent.status).toBe(202);
    await settle();
    expect(reached('as-notification')).toHaveLength(0);
  });

  it('methods the protocol does not define are answered "method not found" by Airlock and reach nothing', async () => {
    const session = await openSession(OWNER);
    for (const [id, method] of [
      [10, 'tools/Call'],
      [11, 'tools//call'],
      [12, 'TOOLS/CALL'],
    ] as const) {
      const answer = await post({ jsonrpc: '2.0', id, method, params: { name: 'record_args', arguments: { value: `via ${method}` } } }, OWNER, session);
      expect(answer.text, method).toContain('-32601');
    }
    await settle();
    expect(probeEvents(log).filter((e) => e.event === 'args' && String(e.args?.value).startsWith('via '))).toHaveLength(0);
  });

  it('the modern fixture, which records every message it receives, gets none of them', async () => {
    const session = await openSession(OWNER, 'modern');
    const send = (body: unknown) => post(body, OWNER, session, 'POST', 'modern');
    expect((await send({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo', arguments: { message: 'as-notification' } } })).status).toBe(202);
    for (const [id, method] of [
      [30, 'tools/Call'],
      [31, 'tools//call'],
    ] as const) {
      expect((await send({ jsonrpc: '2.0', id, method, params: { name: 'echo', arguments: { message: method } } })).text).toContain('-32601');
    }
    // A request the protocol does define goes through: the log sees what is forwarded.
    expect((await send({ jsonrpc: '2.0', id: 32, method: 'tools/list', params: {} })).status).toBe(200);
    await settle();
    const seen = readModernLog(modernLog).filter((e) => e.kind !== 'event');
    expect(seen.some((e) => e.method === 'tools/list')).toBe(true);
    expect(seen.filter((e) => e.method.toLowerCase().includes('call'))).toEqual([]);
  });

  it('a session belongs to the token that opened it: another token gets 404 and cannot end it', async () => {
    const session = await openSession(OWNER);
    const call = { jsonrpc: '2.0', id: 20, method: 'tools/list', params: {} };
    expect((await post(call, OTHER, session)).status).toBe(404);
    expect((await post(call, TEST_MCP_TOKEN, session)).status).toBe(404);
    expect((await post(undefined, OTHER, session, 'DELETE')).status).toBe(404);
    // Still the owner's, and still open.
    const listed = await post(call, OWNER, session);
    expect(listed.status).toBe(200);
    expect(listed.text).toContain('record_args');
  });
});
