/**
 * The history as users and scripts see it: every call the client saw succeed survives a
 * SIGKILL of Airlock; pages and filters through the control API; exports that round-trip.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { HistoryEntry, HistoryPage } from '../../shared/history.ts';
import { HistoryEntrySchema } from '../../shared/history.ts';
import { EVERYTHING, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, api, callerToken, cliPath, connectHttp, newClient, startAirlock, tempHome, waitFor, writeCallerTokens, writeConfig } from '../helpers/harness.ts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { openStores } from '../../main/core/store/stores.ts';

function serve(home: string) {
  const child = spawn(process.execPath, [cliPath, 'serve', '--home', home, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
  });
  return child;
}

/** Direct children of a process (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function runtimeOf(home: string, pid: number): Promise<{ url: string }> {
  return waitFor(() => {
    try {
      const info = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8')) as { pid: number; url: string };
      return info.pid === pid ? info : undefined;
    } catch {
      return undefined;
    }
  }, 20_000, 'runtime.json');
}

describe('crash safety', () => {
  it('every call the client saw succeed is in history after a SIGKILL and a restart', async () => {
    const home = tempHome();
    writeConfig(home.dir, { mcpServers: { everything: EVERYTHING }, airlock: { port: 0 } });
    writeFileSync(join(home.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'allow' }));
    const child = serve(home.dir);
    const { url } = await runtimeOf(home.dir, child.pid!);
    const client = new Client({ name: 'burst', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/everything', url), { requestInit: { headers: { authorization: `Bearer ${TEST_MCP_TOKEN}` } } }));
    const succeeded: string[] = [];
    let stop = false;
    const burst = (async () => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          const r = await client.callTool({ name: 'echo', arguments: { message: `burst-${i}` } }, undefined, { timeout: 3000 });
          if (!r.isError) succeeded.push(`burst-${i}`);
        } catch {
          return;
        }
      }
    })();
    await waitFor(() => succeeded.length >= 50, 20_000, 'a burst of calls');
    // SIGKILL gives Airlock no chance to end its upstream processes; the test does.
    const upstreamPids = childPids(child.pid!);
    const killed = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    stop = true;
    await burst;
    await killed;
    for (const pid of upstreamPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    expect(succeeded.length).toBeGreaterThanOrEqual(50);

    // Restart: the lock and runtime file of the killed process are stale and taken over.
    const again = serve(home.dir);
    await runtimeOf(home.dir, again.pid!);
    again.kill('SIGTERM');
    await new Promise((r) => again.once('exit', r));

    const stores = openStores(join(home.dir, 'history.db'));
    const recorded = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = stores.history.query({ limit: 500, ...(cursor && { cursor }) });
      for (const e of page.entries) recorded.add(String(e.arguments.message));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    stores.close();
    const missing = succeeded.filter((m) => !recorded.has(m));
    expect(missing).toEqual([]);
    await client.close().catch(() => undefined);
    home.cleanup();
  }, 90_000);
});

describe('history through the control API', () => {
  const home = tempHome();
  let airlock: Airlock;
  beforeAll(async () => {
    writeCallerTokens(home.dir, ['alice', 'bob']);
    airlock = await startAirlock(home.dir, { everything: EVERYTHING }, { policy: { version: '1', default: 'allow', tools: { 'get-env': { action: 'deny', reason: 'secrets' } } } });
    const alice = await connectHttp(airlock, 'everything', newClient('alice'), callerToken('alice'));
    const bob = await connectHttp(airlock, 'everything', newClient('bob'), callerToken('bob'));
    for (let i = 0; i < 7; i++) await alice.callTool({ name: 'echo', arguments: { message: `alpha ${i}` } });
    for (let i = 0; i < 5; i++) await bob.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
    await bob.callTool({ name: 'get-env', arguments: {} });
    await bob.callTool({ name: 'echo', arguments: { message: 'needle in a haystack', api_key: 'sk-live-123456789012345678901234' } });
    await alice.close();
    await bob.close();
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  const page = async (query: string) => (await api<HistoryPage>(airlock, 'GET', `/history?${query}`)).body;

  it('pages newest first, and the cursor walks every entry once', async () => {
    const seen: HistoryEntry[] = [];
    let cursor = '';
    do {
      const p = await page(`limit=4${cursor && `&cursor=${cursor}`}`);
      seen.push(...p.entries);
      cursor = p.nextCursor ?? '';
    } while (cursor);
    expect(seen).toHaveLength(14);
    expect(new Set(seen.map((e) => e.id)).size).toBe(14);
    expect(seen.map((e) => e.receivedAt)).toEqual([...seen.map((e) => e.receivedAt)].sort((a, b) => b - a));
  });

  it('filters by server, tool, decision, client, text and time', async () => {
    expect((await page('tool=echo')).entries).toHaveLength(8);
    expect((await page('client=bob')).entries).toHaveLength(7);
    expect((await page('decision=denied')).entries.map((e) => e.tool)).toEqual(['get-env']);
    expect((await page('decision=denied,allowed')).entries).toHaveLength(14);
    expect((await page('server=everything&tool=get-sum&client=bob')).entries).toHaveLength(5);
    expect((await page('server=nope')).entries).toHaveLength(0);
    expect((await page('q=needle')).entries.map((e) => e.arguments.message)).toEqual(['needle in a haystack']);
    const all = (await page('limit=100')).entries;
    const middle = all[6]!.receivedAt;
    const since = (await page(`from=${middle}&limit=100`)).entries;
    expect(since.every((e) => e.receivedAt >= middle)).toBe(true);
    expect((await api(airlock, 'GET', '/history?decison=denied')).status).toBe(400);
  });

  it('redacts secrets in stored arguments', async () => {
    const [entry] = (await page('q=needle')).entries;
    expect(entry!.arguments.api_key).toBe('[redacted]');
    expect(JSON.stringify(entry)).not.toContain('sk-live');
  });

  it('exports JSONL that parses back to the same entries, and CSV with a header', async () => {
    const res = await fetch(new URL('/api/history/export?format=jsonl', airlock.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const lines = (await res.text()).trim().split('\n');
    const exported = lines.map((l) => HistoryEntrySchema.parse(JSON.parse(l)));
    const all = (await page('limit=100')).entries;
    expect([...exported].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...all].sort((a, b) => a.id.localeCompare(b.id)));
    const csv = await (await fetch(new URL('/api/history/export?format=csv&tool=get-sum', airlock.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
    const rows = csv.trim().split('\n');
    expect(rows[0]).toMatch(/^id,/);
    expect(rows).toHaveLength(6);
  });
});
