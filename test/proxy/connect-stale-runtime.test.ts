/**
 * `airlock connect` with a stale runtime.json: Airlock crashed and another process now
 * listens on the port it named. The bridge must prove it talks to this home's Airlock
 * before it sends the MCP token; the foreign server records every byte it receives.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, cliPath, connectBridge, EVERYTHING, startAirlock, tempHome, waitFor, writeConfig } from '../helpers/harness.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An HTTP server that answers everything, even the identity check, and keeps what it was sent. */
async function foreignServer(port = 0): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ proofs: ['0'.repeat(64)], jsonrpc: '2.0', id: 1, result: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port, received };
}

function runConnect(home: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, 'connect', 'everything', '--home', home], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'victim', version: '1' } } };
  child.stdin.write(JSON.stringify(initialize) + '\n');
  cleanups.push(() => void child.kill('SIGKILL'));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('airlock connect with a stale runtime.json', () => {
  it('never sends the MCP token to a foreign process on the port runtime.json names', async () => {
    const h = tempHome();
    cleanups.push(() => h.cleanup());
    writeConfig(h.dir, { mcpServers: { everything: EVERYTHING } });
    const stolenToken = 'stored-mcp-token-0123456789abcdef';
    writeFileSync(join(h.dir, 'auth.json'), JSON.stringify({ mcpToken: stolenToken, adminToken: 'stored-admin-token-0123456789abcdef' }), { mode: 0o600 });
    const foreign = await foreignServer();
    // A crash left runtime.json behind; its pid is alive (this test), its port is now someone else's.
    const url = `http://127.0.0.1:${foreign.port}`;
    for (const instanceId of [undefined, 'a'.repeat(64)]) {
      writeFileSync(join(h.dir, 'runtime.json'), JSON.stringify({ pid: process.pid, port: foreign.port, url, ...(instanceId && { instanceId }) }), { mode: 0o600 });
      for (const env of [{}, { AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN }] as Array<Record<string, string>>) {
        const { code, stderr } = await runConnect(h.dir, env);
        expect(code).toBe(1);
        expect(stderr).toContain("is not this home's Airlock");
      }
    }
    // `airlock open` sends the admin token: the same check applies.
    const open = spawn(process.execPath, [cliPath, 'open', '--home', h.dir], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let openErr = '';
    open.stderr.on('data', (d: Buffer) => (openErr += d.toString()));
    expect(await new Promise((resolve) => open.once('exit', resolve))).toBe(1);
    expect(openErr).toContain("is not this home's Airlock");
    const everything = foreign.received.join('\n');
    expect(everything).not.toContain(stolenToken);
    expect(everything).not.toContain('stored-admin-token');
    expect(everything).not.toContain(TEST_MCP_TOKEN);
    expect(everything).not.toMatch(/authorization/i);
    expect(everything).not.toContain('initialize');
  });

  it('a bridge whose Airlock was killed sends nothing to the process that takes its port', async () => {
    const h = tempHome();
    cleanups.push(() => h.cleanup());
    writeConfig(h.dir, { mcpServers: { everything: EVERYTHING }, airlock: { port: 0 } });
    writeFileSync(join(h.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'allow' }));
    const serve = spawn(process.execPath, [cliPath, 'serve', '--home', h.dir, '--port', '0'], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    const gone = new Promise((resolve) => serve.once('exit', resolve));
    cleanups.push(async () => {
      serve.kill('SIGKILL');
      await gone;
    });
    const runtime = await waitFor(() => {
      try {
        const info = JSON.parse(readFileSync(join(h.dir, 'runtime.json'), 'utf8')) as { pid: number; port: number };
        return info.pid === serve.pid ? info : undefined;
      } catch {
        return undefined;
      }
    }, 20_000, 'runtime.json');
    const client = await connectBridge(h.dir, 'everything');
    cleanups.push(() => client.close());
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    // The upstream processes go with it: the test ends them (SIGKILL gives Airlock no chance).
    const children = readFileSync(`/proc/${serve.pid}/task/${serve.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    serve.kill('SIGKILL');
    await gone;
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const foreign = await foreignServer(runtime.port);
    await expect(client.callTool({ name: 'echo', arguments: { message: 'after the crash' } }, undefined, { timeout: 10_000 })).rejects.toThrow();
    const everything = foreign.received.join('\n');
    expect(everything).not.toContain(TEST_MCP_TOKEN);
    expect(everything).not.toMatch(/authorization/i);
    expect(everything).not.toContain('after the crash');
  });

  it('connects to the real Airlock of the home, which proves itself', async () => {
    const h = tempHome();
    cleanups.push(() => h.cleanup());
    const airlock = await startAirlock(h.dir, { everything: EVERYTHING });
    cleanups.push(() => airlock.stop());
    const client = await connectBridge(h.dir, 'everything');
    cleanups.push(() => client.close());
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const open = spawn(process.execPath, [cliPath, 'open', '--home', h.dir], { env: { ...process.env, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    open.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    expect(await new Promise((resolve) => open.once('exit', resolve))).toBe(0);
    expect(printed).toMatch(new RegExp(`^${airlock.url}/#code=`));
  });
});
