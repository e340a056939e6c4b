/**
 * Real clients from npm against Airlock's endpoint (the Claude Code CLI's `claude mcp list` is
 * covered in test/connect/unauthorized-clients.test.ts), and `airlock connect` pinning the
 * era per connection from the client's opening message.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import { modernStdioServer } from '../fixtures/modern.ts';
import { api, cliPath, EVERYTHING, packageFile, startAirlock, tempHome, TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { connectStdio, LEGACY_VERSION, MODERN_VERSION } from './clients.ts';

const run = promisify(execFile);
const INSPECTOR_CLI = packageFile('@modelcontextprotocol/inspector-cli', 'build/index.js');

let home: ReturnType<typeof tempHome>;
let airlock: Airlock;

beforeAll(async () => {
  home = tempHome('airlock-real-clients-');
  airlock = await startAirlock(home.dir, { everything: EVERYTHING, modern: modernStdioServer(join(home.dir, 'modern.log')) });
}, 60_000);

afterAll(async () => {
  await airlock?.stop();
  home?.cleanup();
});

async function inspector(server: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    [INSPECTOR_CLI, new URL(`/mcp/${server}`, airlock.url).href, '--transport', 'http', '--header', `Authorization: Bearer ${TEST_MCP_TOKEN}`, ...args],
    // Its build finds its own package.json relative to the working directory (`../package.json`).
    { timeout: 60_000, cwd: dirname(INSPECTOR_CLI) },
  );
  return JSON.parse(stdout);
}

describe('MCP Inspector CLI 1.0.3 (a 2025-era client)', () => {
  it('lists the tools of a legacy and of a modern-only upstream through Airlock', async () => {
    for (const [server, tool] of [
      ['everything', 'echo'],
      ['modern', 'echo'],
    ] as const) {
      const listed = (await inspector(server, '--method', 'tools/list')) as { tools: Array<{ name: string }> };
      expect(listed.tools.map((t) => t.name), server).toContain(tool);
    }
  });

  it('calls a tool of the modern-only upstream, which it could not reach directly', async () => {
    const result = (await inspector('modern', '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=from the inspector')) as { content: Array<{ text?: string }> };
    expect(result.content[0]?.text).toBe('from the inspector');
  });
});

describe('airlock connect pins the era per connection', () => {
  const bridge = { command: process.execPath, env: { AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN } };

  it.each([
    { kind: 'pinned' as const, version: MODERN_VERSION },
    { kind: 'auto' as const, version: MODERN_VERSION },
    { kind: 'legacy' as const, version: LEGACY_VERSION },
  ])('a $kind client over the stdio bridge speaks $version and its call is recorded in that era', async ({ kind, version }) => {
    const client = await connectStdio(kind, { ...bridge, args: [cliPath, 'connect', 'modern', '--home', home.dir] }, { name: `bridge-${kind}` });
    try {
      expect(client.protocolVersion).toBe(version);
      const value = `via the bridge (${kind})`;
      const result = await client.callTool('echo', { message: value });
      expect(JSON.stringify(result.content)).toContain(value);
      const { entries } = (await api<{ entries: HistoryEntry[] }>(airlock, 'GET', `/history?tool=echo&q=${encodeURIComponent(kind)}`)).body;
      const entry = entries.find((e) => JSON.stringify(e.arguments).includes(value));
      expect(entry).toMatchObject({ protocolVersion: version, era: version === MODERN_VERSION ? 'modern' : 'legacy' });
    } finally {
      await client.close();
    }
  });
});
