/**
 * Many agents on one stdio server: 10 callers, each with 10 sessions of its own, call
 * `echo` on server-everything through one Airlock at once, first as 2025-11-25 clients
 * (one MCP session each), then as 2026-07-28 clients (no sessions). Measured: whether
 * every call was answered, the memory of Airlock plus every upstream process it runs at
 * the peak, and whether it goes back to its idle footprint once the sessions have ended.
 * A legacy session has an upstream process of its own by default (see ARCHITECTURE.md), so
 * that run stops opening sessions once the total passes the budget, rather than filling a
 * shared machine's memory; a third run gives the server `"sessions": "shared"`, where legacy
 * sessions share one connection.
 */
import { ALLOW_ECHO_POLICY } from './proxy-bench.ts';
import { EVERYTHING, MCP_TOKEN, descendants, httpClient, modernHttpClient, processStats, startAirlockProcess } from './lib.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BUDGET_MB = 1024;

export interface SessionsRun {
  era: 'legacy' | 'modern';
  /** The server's entry says `"sessions": "shared"` (legacy sessions share one connection). */
  shared: boolean;
  sessionsWanted: number;
  sessionsOpened: number;
  calls: number;
  answered: number;
  /** Airlock's RSS plus its upstream processes', at the peak. */
  peakMb: number;
  peakUpstreamProcesses: number;
  idleBeforeMb: number;
  idleAfterMb: number;
  /** Airlock's own RSS, idle before and after. */
  airlockBeforeMb: number;
  airlockAfterMb: number;
  upstreamProcessesBefore: number;
  upstreamProcessesAfter: number;
  /** Budget passed while opening sessions: the run stopped there. */
  stoppedAtBudget: boolean;
  seconds: number;
}

function footprint(pid: number): { totalMb: number; airlockMb: number; upstreams: number } {
  const kids = descendants(pid);
  let total = processStats(pid).rssMb;
  const airlockMb = total;
  for (const kid of kids) {
    try {
      total += processStats(kid).rssMb;
    } catch {
      // exited meanwhile
    }
  }
  return { totalMb: total, airlockMb, upstreams: kids.length };
}

interface Caller {
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

async function runEra(era: 'legacy' | 'modern', shared: boolean, callers: number, sessionsPerCaller: number, callsPerSession: number): Promise<SessionsRun> {
  const started = performance.now();
  const everything = shared ? { ...EVERYTHING, sessions: 'shared' } : EVERYTHING;
  const airlock = await startAirlockProcess({ servers: { everything }, policy: ALLOW_ECHO_POLICY, settings: { sessionIdleMinutes: 1 } });
  try {
    await sleep(1500);
    const before = footprint(airlock.pid);
    const url = `${airlock.url}/mcp/everything`;
    const sessions: Caller[][] = Array.from({ length: callers }, () => []);
    let peak = before;
    let stoppedAtBudget = false;
    // Open the sessions caller by caller, watching the budget.
    open: for (let s = 0; s < sessionsPerCaller; s++) {
      const batch = await Promise.all(
        Array.from({ length: callers }, async () => (era === 'legacy' ? httpClient(url, MCP_TOKEN) : modernHttpClient(url, MCP_TOKEN)) as Promise<Caller>),
      );
      batch.forEach((client, c) => sessions[c]!.push(client));
      // Each session's first call opens its upstream connection.
      await Promise.all(batch.map((client, i) => client.callTool({ name: 'echo', arguments: { message: `open ${s}/${i}` } }).catch(() => undefined)));
      const now = footprint(airlock.pid);
      if (now.totalMb > peak.totalMb) peak = now;
      if (now.totalMb > BUDGET_MB) {
        stoppedAtBudget = true;
        break open;
      }
    }
    let answered = 0;
    let calls = 0;
    const sampler = setInterval(() => {
      const now = footprint(airlock.pid);
      if (now.totalMb > peak.totalMb) peak = now;
    }, 250);
    // Every caller drives its sessions at once, one call at a time per session.
    await Promise.all(
      sessions.flat().map(async (client, i) => {
        for (let k = 0; k < callsPerSession; k++) {
          calls++;
          const result = (await client.callTool({ name: 'echo', arguments: { message: `s${i} c${k}` } }).catch(() => undefined)) as
            | { content?: Array<{ text?: string }> }
            | undefined;
          if (result?.content?.[0]?.text === `Echo: s${i} c${k}`) answered++;
        }
      }),
    );
    clearInterval(sampler);
    const opened = sessions.flat().length;
    for (const client of sessions.flat()) {
      // A legacy client ends its session with DELETE; a modern one has nothing to end.
      const transport = (client as { transport?: { terminateSession?: () => Promise<void> } }).transport;
      await transport?.terminateSession?.().catch(() => undefined);
      await client.close().catch(() => undefined);
    }
    // Back to idle: the sessions' processes gone (the modern pool's shared connection ends
    // after 30 s unused), then a few seconds for the heap to shrink.
    let after = footprint(airlock.pid);
    for (let i = 0; i < 90 && after.upstreams > before.upstreams; i++) {
      await sleep(500);
      after = footprint(airlock.pid);
    }
    await sleep(10_000);
    after = footprint(airlock.pid);
    return {
      era,
      shared,
      sessionsWanted: callers * sessionsPerCaller,
      sessionsOpened: opened,
      calls,
      answered,
      peakMb: peak.totalMb,
      peakUpstreamProcesses: peak.upstreams,
      idleBeforeMb: before.totalMb,
      idleAfterMb: after.totalMb,
      airlockBeforeMb: before.airlockMb,
      airlockAfterMb: after.airlockMb,
      upstreamProcessesBefore: before.upstreams,
      upstreamProcessesAfter: after.upstreams,
      stoppedAtBudget,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await airlock.stop();
  }
}

export async function runSessionsBench(options: { callers?: number; sessionsPerCaller?: number; callsPerSession?: number; log?: (line: string) => void } = {}): Promise<SessionsRun[]> {
  const callers = options.callers ?? 10;
  const perCaller = options.sessionsPerCaller ?? 10;
  const calls = options.callsPerSession ?? 20;
  const log = options.log ?? console.log;
  const runs: SessionsRun[] = [];
  for (const [era, shared] of [['modern', false], ['legacy', false], ['legacy', true]] as const) {
    const run = await runEra(era, shared, callers, perCaller, calls);
    log(
      `  ${era}${shared ? ' (sessions: shared)' : ''}: ${run.sessionsOpened}/${run.sessionsWanted} sessions, ${run.answered}/${run.calls} calls answered, peak ${run.peakMb.toFixed(0)} MB with ${run.peakUpstreamProcesses} upstream processes, idle ${run.idleBeforeMb.toFixed(0)} → ${run.idleAfterMb.toFixed(0)} MB (Airlock ${run.airlockBeforeMb.toFixed(0)} → ${run.airlockAfterMb.toFixed(0)} MB; ${run.upstreamProcessesBefore} → ${run.upstreamProcessesAfter} processes)${run.stoppedAtBudget ? ', stopped at the budget' : ''}`,
    );
    runs.push(run);
  }
  return runs;
}

if (import.meta.main) {
  await runSessionsBench();
  process.exit(0);
}
