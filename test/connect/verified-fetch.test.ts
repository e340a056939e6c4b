/**
 * The bridge's fetch keeps its proof of the Airlock while that Airlock runs, and sends
 * nothing once it is gone: the process named in runtime.json has died, or runtime.json was
 * removed (a clean stop removes it before the port is let go). The server here is a real
 * HTTP server that answers the identity challenge as Airlock does (it holds the token) and
 * records every request it receives.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifiedFetch } from '../../main/core/bridge/verify-airlock.ts';
import { IDENTITY_PATH, instanceProof, newInstanceId } from '../../main/core/home/instance-proof.ts';
import type { RuntimeInfo } from '../../main/core/home/runtime-file.ts';
import { tempHome } from '../helpers/harness.ts';

const TOKEN = 'verified-fetch-token-0123456789abcdef';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function provingServer(instanceId: string): Promise<{ url: string; identityChecks: () => number; calls: string[] }> {
  let identityChecks = 0;
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === IDENTITY_PATH) {
      identityChecks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ proofs: [instanceProof(TOKEN, instanceId, url.searchParams.get('nonce') ?? '')] }));
      return;
    }
    calls.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, identityChecks: () => identityChecks, calls };
}

function setup(url: string, instanceId: string, pid: number): { runtime: RuntimeInfo; file: string } {
  const home = tempHome('airlock-verified-fetch-');
  cleanups.push(() => home.cleanup());
  const runtime: RuntimeInfo = { pid, port: Number(new URL(url).port), url, instanceId };
  const file = join(home.dir, 'runtime.json');
  writeFileSync(file, JSON.stringify(runtime), { mode: 0o600 });
  return { runtime, file };
}

const post = (f: typeof fetch, url: string) => f(`${url}/mcp/x`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{}' });

describe('the bridge fetch and its proof of the Airlock', () => {
  it('proves the Airlock once for many requests while it runs', async () => {
    const instanceId = newInstanceId();
    const server = await provingServer(instanceId);
    const { runtime, file } = setup(server.url, instanceId, process.pid);
    const f = verifiedFetch(runtime, TOKEN, { runtimeFile: file, maxAgeMs: 60_000 });
    await Promise.all(Array.from({ length: 20 }, () => post(f, server.url)));
    for (let i = 0; i < 20; i++) await post(f, server.url);
    expect(server.calls).toHaveLength(40);
    expect(server.identityChecks()).toBe(1);
  });

  it('sends nothing more once runtime.json is removed, even when the port answers the proof', async () => {
    const instanceId = newInstanceId();
    const server = await provingServer(instanceId);
    const { runtime, file } = setup(server.url, instanceId, process.pid);
    const f = verifiedFetch(runtime, TOKEN, { runtimeFile: file, maxAgeMs: 60_000 });
    await post(f, server.url);
    rmSync(file);
    await expect(post(f, server.url)).rejects.toThrow(/stopped/);
    writeFileSync(file, JSON.stringify(runtime), { mode: 0o600 });
    await expect(post(f, server.url)).rejects.toThrow(/stopped/);
    expect(server.calls).toHaveLength(1);
  });

  it('sends nothing more once the process runtime.json names has died', async () => {
    const instanceId = newInstanceId();
    const server = await provingServer(instanceId);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(() => void child.kill('SIGKILL'));
    const { runtime, file } = setup(server.url, instanceId, child.pid!);
    const f = verifiedFetch(runtime, TOKEN, { runtimeFile: file, maxAgeMs: 60_000 });
    await post(f, server.url);
    child.kill('SIGKILL');
    await exited;
    await expect(post(f, server.url)).rejects.toThrow(/stopped/);
    expect(server.calls).toHaveLength(1);
  });

  it('proves the port again when the proof is older than its maximum age', async () => {
    const instanceId = newInstanceId();
    const server = await provingServer(instanceId);
    const { runtime, file } = setup(server.url, instanceId, process.pid);
    const f = verifiedFetch(runtime, TOKEN, { runtimeFile: file, maxAgeMs: 0 });
    for (let i = 0; i < 3; i++) await post(f, server.url);
    expect(server.identityChecks()).toBe(3);
    expect(server.calls).toHaveLength(3);
  });
});
