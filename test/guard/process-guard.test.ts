/**
 * An unexpected rejection does not end Airlock, and does not let a call through: `airlock
 * serve` logs it and keeps serving; a history write that fails after an early answer
 * grants no retry pass, so the retry asks again instead of running.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, api, cliPath, connectHttp, resultText, startAirlock, tempHome, waitFor, writeConfig } from '../helpers/harness.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('an unexpected rejection', () => {
  it('is logged by `airlock serve`, which keeps serving calls', async () => {
    const h = tempHome();
    cleanups.push(() => h.cleanup());
    const log = join(h.dir, 'probe.jsonl');
    writeConfig(h.dir, { mcpServers: { probe: probeServer(log) }, airlock: { port: 0 } });
    writeFileSync(join(h.dir, 'policy.json'), JSON.stringify({ version: '1', default: 'allow' }));
    // Stands in for a detached promise inside Airlock that fails once it serves.
    const reject =
      'data:text/javascript,import{existsSync}from"node:fs";' +
      'const t=setInterval(()=>{if(existsSync(process.env.REJECT_WHEN)){clearInterval(t);Promise.reject(new Error("detached-write-failed"))}},100)';
    const child = spawn(process.execPath, ['--import', reject, cliPath, 'serve', '--home', h.dir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN, REJECT_WHEN: join(h.dir, 'runtime.json') },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    const exit = new Promise((resolve) => child.once('exit', () => resolve((exited = true))));
    cleanups.push(async () => {
      if (!exited) child.kill('SIGTERM');
      await exit;
    });

    await waitFor(() => stderr.includes('detached-write-failed') || exited, 20_000, 'the rejection');
    expect(exited).toBe(false);
    expect(stderr).toMatch(/unexpected rejection \(Airlock keeps serving\): Error: detached-write-failed/);
    const { url } = JSON.parse(readFileSync(join(h.dir, 'runtime.json'), 'utf8')) as { url: string };
    const client = new Client({ name: 'after', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/probe', url), { requestInit: { headers: { authorization: `Bearer ${TEST_MCP_TOKEN}` } } }));
    const result = await client.callTool({ name: 'record_args', arguments: { value: 'still serving' } });
    expect(result.isError, resultText(result)).toBeFalsy();
    await client.close();
  });

  it('a failed write of an approval after an early answer fails the decision: no retry pass, the call still waits', async () => {
    const h = tempHome();
    cleanups.push(() => h.cleanup());
    const log = join(h.dir, 'probe.jsonl');
    const errors: string[] = [];
    const airlock = await startAirlock(h.dir, { probe: probeServer(log) }, {
      policy: { version: '1', default: 'ask' },
      settings: { earlyAnswerSeconds: 0.3 },
      logger: { info() {}, warn() {}, error: (m) => errors.push(m) },
    });
    cleanups.push(() => airlock.stop());
    const client = await connectHttp(airlock, 'probe');
    cleanups.push(() => client.close());
    const call = { name: 'record_args', arguments: { value: 'once approved' } };

    expect(resultText(await client.callTool(call))).toMatch(/approval pending/);
    const pending = await waitFor(async () => (await api<Array<{ id: string }>>(airlock, 'GET', '/pending')).body[0]);
    const history = airlock.stores.history;
    const decide = history.decide.bind(history);
    history.decide = () => {
      throw new Error('disk I/O error');
    };
    // The decision and its record are one transition: the write failing fails the decision.
    expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(500);
    expect(errors.some((e) => e.includes('disk I/O error'))).toBe(true);
    history.decide = decide;
    expect((await api<Array<{ id: string }>>(airlock, 'GET', '/pending')).body.map((p) => p.id)).toEqual([pending.id]);

    expect(resultText(await client.callTool(call))).toMatch(/approval pending/);
    expect(probeEvents(log)).toEqual([]);
  });
});
