/** Crashes, restarts, one instance per home, and no process left behind. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Airlock } from '../../main/core/airlock.ts';
import { AlreadyRunningError, isProcessAlive } from '../../main/core/home/instance-lock.ts';
import type { UpstreamStatus } from '../../main/core/upstream/upstream.ts';
import { EVERYTHING, TEST_ADMIN_TOKEN, cliPath, connectHttp, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

describe('upstream crash', () => {
  it('fails in-flight calls clearly, shows the failure, restarts, and the next session works', async () => {
    const home = tempHome();
    const airlock = await startAirlock(home.dir, { everything: EVERYTHING });
    const statuses: UpstreamStatus[] = [];
    airlock.on('servers.changed', (s) => statuses.push(s));
    try {
      const client = await connectHttp(airlock, 'everything');
      const call = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 20, steps: 2 } });
      await new Promise((r) => setTimeout(r, 200));
      const pids = airlock.upstreams.get('everything')!.pids();
      expect(pids.length).toBeGreaterThanOrEqual(2); // the catalog connection and this session's
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await expect(call).rejects.toThrow(/upstream server "everything" stopped.*exited/);
      await waitFor(() => statuses.find((s) => s.state === 'failed'), 5000, 'failed status');
      expect(statuses.find((s) => s.state === 'failed')?.error).toMatch(/exited/);
      await waitFor(() => airlock.upstreams.get('everything')!.status.state === 'ready', 10_000, 'restart');
      expect(airlock.upstreams.get('everything')!.status.restarts).toBeGreaterThanOrEqual(1);
      const next = await connectHttp(airlock, 'everything');
      const r = await next.callTool({ name: 'echo', arguments: { message: 'back again' } });
      expect(JSON.stringify(r.content)).toContain('back again');
      await next.close();
      await client.close().catch(() => undefined);
    } finally {
      await airlock.stop();
      home.cleanup();
    }
  });

  it('reports a server that cannot start as failed, with the reason', async () => {
    const home = tempHome();
    const airlock = await startAirlock(home.dir, { broken: { command: 'definitely-not-a-real-command-xyz' } });
    try {
      const status = airlock.upstreams.get('broken')!.status;
      expect(status.state).toBe('failed');
      expect(status.error).toMatch(/definitely-not-a-real-command-xyz.*not found/);
      const res = await fetch(new URL('/api/servers', airlock.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect((await res.json())[0]).toMatchObject({ name: 'broken', state: 'failed' });
    } finally {
      await airlock.stop();
      home.cleanup();
    }
  });
});

describe('process hygiene', () => {
  it('leaves no upstream process behind on stop', async () => {
    const home = tempHome();
    const airlock = await startAirlock(home.dir, { everything: EVERYTHING });
    const client = await connectHttp(airlock, 'everything');
    const pids = airlock.upstreams.get('everything')!.pids();
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await airlock.stop();
    await waitFor(() => pids.every((pid) => !isProcessAlive(pid)), 5000, 'upstream processes to exit');
    expect(existsSync(join(home.dir, 'runtime.json'))).toBe(false);
    await client.close().catch(() => undefined);
    home.cleanup();
  });

  it('stop also ends a session\'s server that was still closing and ignores the end of its input', async () => {
    const home = tempHome();
    const airlock = await startAirlock(home.dir, { everything: EVERYTHING });
    try {
      const upstream = airlock.upstreams.get('everything')!;
      await waitFor(() => upstream.status.state === 'ready', 10_000, 'the catalog connection');
      const before = new Set(upstream.pids());
      const client = await connectHttp(airlock, 'everything');
      // With simulated logging on, server-everything keeps running after its stdin ends.
      await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      const session = upstream.pids().filter((pid) => !before.has(pid));
      expect(session).toHaveLength(1);
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      await client.close();
      await airlock.stop();
      expect(session.filter((pid) => isProcessAlive(pid))).toEqual([]);
    } finally {
      await airlock.stop();
      home.cleanup();
    }
  });

  it('allows one Airlock per home', async () => {
    const home = tempHome();
    const first = await startAirlock(home.dir, {});
    try {
      await expect(startAirlock(home.dir, {})).rejects.toBeInstanceOf(AlreadyRunningError);
    } finally {
      await first.stop();
    }
    const again = await startAirlock(home.dir, {});
    await again.stop();
    home.cleanup();
  });
});

describe('CLI', () => {
  it('`airlock connect` without a running Airlock fails closed and names the home', () => {
    const home = tempHome();
    const result = spawnSync(process.execPath, [cliPath, 'connect', 'everything', '--home', home.dir], { encoding: 'utf8', input: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(home.dir);
    expect(result.stderr).toMatch(/no Airlock is running/);
    home.cleanup();
  });

  it('`airlock serve` creates a home with the demo server, writes runtime.json and stops cleanly', async () => {
    const home = tempHome();
    const child = spawn(process.execPath, [cliPath, 'serve', '--home', home.dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const runtime = await waitFor(() => {
        try {
          return JSON.parse(readFileSync(join(home.dir, 'runtime.json'), 'utf8')) as { pid: number; port: number; url: string };
        } catch {
          return undefined;
        }
      }, 15_000, 'runtime.json');
      expect(runtime.pid).toBe(child.pid);
      expect(runtime.port).toBeGreaterThan(0);
      const config = JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8'));
      expect(Object.keys(config.mcpServers)).toEqual(['demo-images']);
      await waitFor(() => out.includes('/mcp/demo-images'), 5000, 'startup banner');
      const admin = JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')).adminToken as string;
      const servers = await waitFor(async () => {
        const res = await fetch(new URL('/api/servers', runtime.url), { headers: { authorization: `Bearer ${admin}` } });
        const list = (await res.json()) as UpstreamStatus[];
        return list[0]?.state === 'ready' ? list : undefined;
      }, 15_000, 'demo server ready');
      expect(servers[0]!.tools.map((t) => t.name).sort()).toEqual(['get_image_info', 'image_to_image', 'text_to_image']);
      // The server's stderr goes to its own log in the home.
      expect(readFileSync(join(home.dir, 'logs', 'demo-images.log'), 'utf8')).toMatch(/airlock-demo-images/);
      // A new home starts with a policy that asks before generating images.
      expect(readFileSync(join(home.dir, 'policy.json'), 'utf8')).toContain('"*_to_image"');
      // A second serve on the same home refuses to start.
      const second = spawnSync(process.execPath, [cliPath, 'serve', '--home', home.dir, '--port', '0'], { encoding: 'utf8', timeout: 15_000 });
      expect(second.status).not.toBe(0);
      expect(second.stderr).toMatch(/already running/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(existsSync(join(home.dir, 'runtime.json'))).toBe(false);
    home.cleanup();
  });
});
void Airlock;
