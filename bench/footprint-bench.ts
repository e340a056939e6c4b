/**
 * What Airlock costs while it waits (RSS and CPU with 5 upstreams and nothing to do), with
 * a million calls in its history, and how fast an approval reaches a connected UI.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_ECHO_POLICY } from './proxy-bench.ts';
import { ADMIN_TOKEN, EVERYTHING, MCP_TOKEN, httpClient, median, processStats, startAirlockProcess } from './lib.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past the first idle check (every 10 s) after start. */
export const SETTLE_MS = 12_000;

export interface FootprintResult {
  idleRssMb: number;
  /** CPU used over the idle window, as a percentage of one core. */
  idleCpuPercent: number;
  idleWindowSeconds: number;
  bigHistoryRssMb: number;
  bigHistoryEntries: number;
  bigHistoryPageMs: number;
}

export async function runFootprintBench(options: { historyDb?: string; entries?: number; idleSeconds?: number } = {}): Promise<FootprintResult> {
  const idleSeconds = options.idleSeconds ?? 20;
  const servers = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`everything-${i + 1}`, EVERYTHING]));
  const idle = await startAirlockProcess({ servers, policy: ALLOW_ECHO_POLICY });
  let idleRssMb: number;
  let idleCpuPercent: number;
  try {
    // Start-up settles, including the memory-reducing collection the first idle check runs
    // after it (main/core/idle-memory.ts: once per burst, and start-up is one; about 30 ms).
    await sleep(SETTLE_MS);
    const before = processStats(idle.pid);
    await sleep(idleSeconds * 1000);
    const after = processStats(idle.pid);
    idleRssMb = after.rssMb;
    idleCpuPercent = ((after.cpuMs - before.cpuMs) / (idleSeconds * 1000)) * 100;
  } finally {
    await idle.stop();
  }

  let bigHistoryRssMb = 0;
  let bigHistoryPageMs = 0;
  if (options.historyDb) {
    const home = mkdtempSync(join(tmpdir(), 'airlock-bench-big-'));
    copyFileSync(options.historyDb, join(home, 'history.db'));
    const big = await startAirlockProcess({ servers: { everything: EVERYTHING }, policy: ALLOW_ECHO_POLICY, home });
    try {
      const client = await httpClient(`${big.url}/mcp/everything`, MCP_TOKEN);
      for (let i = 0; i < 200; i++) await client.callTool({ name: 'echo', arguments: { message: `big ${i}` } });
      const pages: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        const res = await fetch(`${big.url}/api/history?server=everything&limit=50`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        await res.json();
        pages.push(performance.now() - start);
      }
      bigHistoryPageMs = median(pages);
      bigHistoryRssMb = processStats(big.pid).rssMb;
      await client.close();
    } finally {
      await big.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }
  return { idleRssMb, idleCpuPercent, idleWindowSeconds: idleSeconds, bigHistoryRssMb, bigHistoryEntries: options.entries ?? 0, bigHistoryPageMs };
}

/** From sending a call the policy asks about to the `pending.added` event at a UI client. */
export async function runApprovalBench(options: { samples?: number } = {}): Promise<{ medianMs: number; maxMs: number; samples: number }> {
  const samples = options.samples ?? 20;
  const airlock = await startAirlockProcess({
    servers: { everything: EVERYTHING },
    policy: { version: '1', default: 'deny', tools: { echo: { action: 'ask' } } },
    settings: { earlyAnswerSeconds: 0 },
  });
  const controller = new AbortController();
  try {
    const client = await httpClient(`${airlock.url}/mcp/everything`, MCP_TOKEN);
    const res = await fetch(`${airlock.url}/api/events`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextPending = async (): Promise<string> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) {
            const event = JSON.parse(data.slice(6)) as { type: string; pending?: { id: string } };
            if (event.type === 'pending.added') return event.pending!.id;
          }
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('event stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      const call = client.callTool({ name: 'echo', arguments: { message: `ask ${i}` } });
      const id = await nextPending();
      times.push(performance.now() - start);
      await fetch(`${airlock.url}/api/pending/${id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'approve' }),
      });
      await call;
    }
    await client.close();
    return { medianMs: median(times), maxMs: Math.max(...times), samples };
  } finally {
    controller.abort();
    await airlock.stop();
  }
}
