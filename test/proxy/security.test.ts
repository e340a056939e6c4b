/** The local endpoint answers only its own tokens, loopback names and its own origin. */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { EVERYTHING, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, startAirlock, tempHome, writeConfig } from '../helpers/harness.ts';
import { Airlock as AirlockClass } from '../../main/core/airlock.ts';

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

function post(airlock: Airlock, path: string, headers: Record<string, string>, body = initialize): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: airlock.port, path, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('endpoint security', () => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { everything: EVERYTHING });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('refuses /mcp without a token, with a wrong token and with the admin token (401)', async () => {
    expect((await post(airlock, '/mcp/everything', {})).status).toBe(401);
    expect((await post(airlock, '/mcp/everything', bearer('wrong-token-wrong-token'))).status).toBe(401);
    expect((await post(airlock, '/mcp/everything', bearer(TEST_ADMIN_TOKEN))).status).toBe(401);
    expect((await post(airlock, '/mcp/everything', bearer(TEST_MCP_TOKEN))).status).toBe(200);
  });

  it('refuses /api with the MCP token (an agent cannot reach the control API)', async () => {
    const res = await fetch(new URL('/api/servers', airlock.url), { headers: bearer(TEST_MCP_TOKEN) });
    expect(res.status).toBe(401);
    const ok = await fetch(new URL('/api/servers', airlock.url), { headers: bearer(TEST_ADMIN_TOKEN) });
    expect(ok.status).toBe(200);
  });

  it('rejects a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    expect((await post(airlock, '/mcp/everything', { ...bearer(TEST_MCP_TOKEN), host: `evil.example:${airlock.port}` })).status).toBe(403);
    expect((await post(airlock, '/mcp/everything', { ...bearer(TEST_MCP_TOKEN), host: '127.0.0.1:1' })).status).toBe(403);
    expect((await post(airlock, '/mcp/everything', { ...bearer(TEST_MCP_TOKEN), origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(airlock, '/mcp/everything', { ...bearer(TEST_MCP_TOKEN), host: `localhost:${airlock.port}`, origin: `http://localhost:${airlock.port}` })).status).toBe(200);
  });

  it('is not reachable on a non-loopback address', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4');
    if (external) {
      const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const socket = connect({ host: external.address, port: airlock.port }, () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.on('error', (err) => resolve(err));
      });
      expect(error?.code).toBe('ECONNREFUSED');
    }
    const runtime = JSON.parse(readFileSync(join(home.dir, 'runtime.json'), 'utf8'));
    expect(runtime.url).toBe(`http://127.0.0.1:${airlock.port}`);
  });

  it('answers unknown servers with 404', async () => {
    expect((await post(airlock, '/mcp/nope', bearer(TEST_MCP_TOKEN))).status).toBe(404);
  });

  it('keeps tokens in a private auth.json', () => {
    const auth = join(home.dir, 'auth.json');
    expect(statSync(auth).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(auth, 'utf8'));
    expect(stored.mcpToken).not.toBe(stored.adminToken);
  });
});

describe('request size limit', () => {
  it('refuses a body over maxBodyBytes with 413', async () => {
    const home = tempHome();
    writeConfig(home.dir, { mcpServers: { everything: EVERYTHING }, airlock: { port: 0, maxBodyBytes: 4096 } });
    const airlock = await AirlockClass.start({
      home: home.dir,
      self: { command: process.execPath, args: [] },
      version: 'test',
      env: { AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    try {
      const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(10_000) } });
      expect((await post(airlock, '/mcp/everything', { authorization: `Bearer ${TEST_MCP_TOKEN}` }, big)).status).toBe(413);
    } finally {
      await airlock.stop();
      home.cleanup();
    }
  });
});
