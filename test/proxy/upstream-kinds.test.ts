/**
 * The same core in front of other kinds of upstream: server-everything over Streamable
 * HTTP and legacy SSE, server-filesystem and server-memory over stdio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { EVERYTHING, FILESYSTEM_ENTRY, MEMORY, connectHttp, connectStdio, newClient, startAirlock, tempHome } from '../helpers/harness.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startEverythingOver(mode: 'streamableHttp' | 'sse'): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(EVERYTHING.command, [EVERYTHING.args[0]!, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening|running on port/i.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited ${code}: ${err}`)));
  });
  return { child, port };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function airlockWith(servers: Record<string, unknown>): Promise<Airlock> {
  const home = tempHome();
  const airlock = await startAirlock(home.dir, servers);
  cleanups.push(async () => {
    await airlock.stop();
    home.cleanup();
  });
  return airlock;
}

async function expectSameAsDirect(proxied: Client, direct: Client, call: { name: string; arguments: Record<string, unknown> }) {
  expect(await proxied.listTools()).toEqual(await direct.listTools());
  expect(await proxied.callTool(call)).toEqual(await direct.callTool(call));
}

describe('remote upstreams', () => {
  it.each(['streamableHttp', 'sse'] as const)('server-everything over %s behaves as when reached directly', async (mode) => {
    const { child, port } = await startEverythingOver(mode);
    cleanups.push(async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    });
    const url = mode === 'sse' ? `http://127.0.0.1:${port}/sse` : `http://127.0.0.1:${port}/mcp`;
    const airlock = await airlockWith({ remote: { url, ...(mode === 'sse' && { transport: 'sse' }) } });
    expect(airlock.serverStatuses()[0]).toMatchObject({ name: 'remote', state: 'ready', transport: mode === 'sse' ? 'sse' : 'http' });
    const proxied = await connectHttp(airlock, 'remote', newClient('kinds', {}));
    const r = await proxied.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } });
    expect(JSON.stringify(r.content)).toContain('42');
    expect((await proxied.listTools()).tools.map((t) => t.name)).toContain('echo');
    const { resources } = await proxied.listResources();
    const read = await proxied.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]?.uri).toBe(resources[0]!.uri);
    await proxied.close();
  });
});

describe('stdio upstreams from npm', () => {
  it('server-filesystem: same tools and file contents as a direct client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-fs-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'hello.txt'), 'hello from the filesystem server\n');
    const fs = { command: process.execPath, args: [FILESYSTEM_ENTRY, dir] };
    const airlock = await airlockWith({ files: fs });
    const direct = await connectStdio(fs, newClient('fs', {}));
    const proxied = await connectHttp(airlock, 'files', newClient('fs', {}));
    await expectSameAsDirect(proxied, direct, { name: 'read_text_file', arguments: { path: join(dir, 'hello.txt') } });
    const result = await proxied.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'hello.txt') } });
    expect(JSON.stringify(result.content)).toContain('hello from the filesystem server');
    await Promise.all([direct.close(), proxied.close()]);
  });

  it('server-memory: writes through the proxy are read back', async () => {
    const memoryDir = mkdtempSync(join(tmpdir(), 'airlock-mem-'));
    cleanups.push(() => rmSync(memoryDir, { recursive: true, force: true }));
    const memoryFile = join(memoryDir, 'memory.jsonl');
    const memory = { ...MEMORY, env: { MEMORY_FILE_PATH: memoryFile } };
    const airlock = await airlockWith({ memory });
    const proxied = await connectHttp(airlock, 'memory', newClient('mem', {}));
    const direct = await connectStdio({ ...memory, env: { ...(process.env as Record<string, string>), MEMORY_FILE_PATH: memoryFile } }, newClient('mem', {}));
    expect(await proxied.listTools()).toEqual(await direct.listTools());
    await proxied.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'Airlock', entityType: 'app', observations: ['guards tool calls'] }] },
    });
    const graph = await direct.callTool({ name: 'read_graph', arguments: {} });
    expect(JSON.stringify(graph)).toContain('guards tool calls');
    await Promise.all([direct.close(), proxied.close()]);
  });
});
