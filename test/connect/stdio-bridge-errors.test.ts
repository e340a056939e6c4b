/**
 * What a client that spawns `airlock connect` (Claude Desktop) sees when the bridge cannot
 * do its job: the reason as the JSON-RPC error of its first request (not "Connection
 * closed"), a non-zero exit, and one line on stderr for a line it sent that the bridge
 * could not read.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { cliPath, DEMO_IMAGES, startAirlock, tempHome, TEST_MCP_TOKEN } from '../helpers/harness.ts';

const INITIALIZE = { jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

/** Spawns the bridge, writes `lines`, and collects its stdout messages, stderr and exit code. */
function bridge(home: string, lines: string[], untilMessages: number) {
  const child = spawn(process.execPath, [cliPath, 'connect', 'demo', '--home', home], {
    env: { ...process.env, AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const messages: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const received = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      messages.push(JSON.parse(line) as Record<string, unknown>);
      if (messages.length >= untilMessages) resolve();
    });
  });
  for (const line of lines) child.stdin.write(`${line}\n`);
  return { child, messages, received, exited, stderr: () => stderr };
}

describe('airlock connect without a running Airlock', () => {
  const home = tempHome('airlock-bridge-none-');
  afterAll(() => home.cleanup());

  it('an SDK client gets the reason as the error of its initialize request, not "Connection closed"', async () => {
    const client = new Client({ name: 'desktop-like', version: '1' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'connect', 'demo', '--home', home.dir], stderr: 'pipe' });
    const error = await client.connect(transport).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toContain(`no Airlock is running for home ${home.dir}`);
    expect(error?.message).not.toContain('Connection closed');
    await client.close();
  });

  it('answers the first request (after a notification and a line that is not JSON) with a JSON-RPC error, then exits 1', async () => {
    const run = bridge(home.dir, ['not json', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} }), JSON.stringify(INITIALIZE)], 1);
    await run.received;
    expect(await run.exited).toBe(1);
    expect(run.messages).toEqual([{ jsonrpc: '2.0', id: 7, error: { code: -32000, message: expect.stringContaining('[Airlock] no Airlock is running for home') } }]);
    expect(run.stderr()).toContain('no Airlock is running');
  });

  it('exits 1 when the client closes stdin without a request', async () => {
    const run = bridge(home.dir, [], 1);
    run.child.stdin.end();
    expect(await run.exited).toBe(1);
    expect(run.messages).toEqual([]);
  });
});

describe('airlock connect with a running Airlock', () => {
  const home = tempHome('airlock-bridge-');
  let airlock: Airlock;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { demo: DEMO_IMAGES });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('a line that is JSON but no JSON-RPC message, and one that is not JSON, get one line each on stderr; the session goes on', async () => {
    const run = bridge(home.dir, [JSON.stringify({ hello: 'world', id: [1, 2] }), '{not json', JSON.stringify(INITIALIZE)], 1);
    await run.received;
    expect(run.messages[0]).toMatchObject({ id: 7, result: { serverInfo: expect.any(Object) } });
    const lines = run.stderr().trim().split('\n');
    expect(lines).toEqual([
      'airlock connect: ignored a line from the client that is not a JSON-RPC message',
      expect.stringMatching(/^airlock connect: ignored a line from the client that is not JSON \(.+\)$/),
    ]);
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
  });
});
