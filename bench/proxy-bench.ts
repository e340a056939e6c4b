/**
 * What Airlock adds to an allowed call, beside the floors and a peer proxy: the same SDK
 * client calls server-everything's `echo` through each path, sequentially (p50, p99) and
 * with 16 callers at once (calls/s, and the p99 of each call's latency under that load).
 * Every path is warmed first; rows are interleaved within each repetition and the median of
 * the repetitions is reported, since these machines are noisy. History on against off is
 * measured apart, in turns (see historyPair).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  EVERYTHING,
  MCP_TOKEN,
  cli,
  descendants,
  httpClient,
  modernHttpClient,
  median,
  percentile,
  processStats,
  root,
  startAirlockProcess,
  stdioClient,
  waitForLine,
  type AirlockProcess,
} from './lib.ts';

export const ALLOW_ECHO_POLICY = {
  version: '1',
  default: 'deny',
  tools: { echo: { limits: [{ window: 'second', max: 1_000_000, scope: 'client' }] } },
};

export interface ProxyRow {
  name: string;
  /** Sequential calls. */
  p50Ms: number;
  p99Ms: number;
  callsPerSec: number;
  /** Each call's own latency while 16 callers call at once. */
  p99LoadedMs: number;
  /** CPU time of the serving process(es) per call under the 16-caller load (not of the upstream server). */
  cpuMsPerCall?: number;
  /** CPU time of the client (this process) per call under that load. */
  clientCpuMsPerCall: number;
  /** CPU time of the upstream server process(es) per call under that load, where the path has one. */
  upstreamCpuMsPerCall?: number;
  /** Cores the client kept busy under that load (its CPU time over the run's time). */
  clientCores: number;
  /** Cores the client, the serving process(es) and the upstream kept busy together under that load. */
  coresBusy: number;
}

/** What a row's client must do: both SDK generations' clients fit. */
interface BenchClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

interface Path {
  name: string;
  client: BenchClient;
  close(): Promise<void>;
  /** Processes whose CPU time is what this path costs (the proxy, the bridge), when known. */
  pids?: number[];
  /** The upstream server processes behind the path (read when measured: a pool may start one late). */
  upstreamPids?: () => number[];
}

function cpuMs(pids: number[] | undefined): number | undefined {
  if (!pids?.length) return undefined;
  try {
    return pids.reduce((sum, pid) => sum + processStats(pid).cpuMs, 0);
  } catch {
    return undefined;
  }
}

/** This process's CPU time (user and system), ms. */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const call = (client: BenchClient, i: number) => client.callTool({ name: 'echo', arguments: { message: `bench ${i}` } });

/** p50 and p99 of n sequential calls, after 100 warm-up calls. */
export async function sequential(client: BenchClient, n: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 100; i++) await call(client, i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call(client, i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

async function concurrent(client: BenchClient, callers: number, perCaller: number): Promise<{ rate: number; p99: number }> {
  const times: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = 0; i < perCaller; i++) {
        const began = performance.now();
        await call(client, c * perCaller + i);
        times.push(performance.now() - began);
      }
    }),
  );
  const rate = (callers * perCaller) / ((performance.now() - start) / 1000);
  times.sort((a, b) => a - b);
  return { rate, p99: percentile(times, 0.99) };
}

async function openPaths(log: (line: string) => void): Promise<{ paths: Path[]; airlocks: AirlockProcess[] }> {
  const paths: Path[] = [];
  const airlocks: AirlockProcess[] = [];

  const direct = await stdioClient(EVERYTHING.command, EVERYTHING.args);
  const directPid = (direct.transport as { pid?: number | null } | undefined)?.pid ?? undefined;
  paths.push({ name: 'floor A: client → server over stdio', client: direct, close: () => direct.close(), ...(directPid && { upstreamPids: () => [directPid] }) });

  const floorB = spawn(process.execPath, [join(root, 'bench', 'floor-http-server.ts')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = Number(await waitForLine(floorB, (l) => /^\d+$/.test(l.trim())));
  const b = await httpClient(`http://127.0.0.1:${port}/mcp`);
  paths.push({ name: 'floor B: minimal SDK Streamable HTTP endpoint', client: b, close: async () => (await b.close(), await kill(floorB)), pids: [floorB.pid!] });

  const floorC = spawn(process.execPath, [join(root, 'bench', 'floor-node-http-server.ts')], { stdio: ['ignore', 'pipe', 'ignore'] });
  const portC = Number(await waitForLine(floorC, (l) => /^\d+$/.test(l.trim())));
  const c = await httpClient(`http://127.0.0.1:${portC}/mcp`);
  paths.push({ name: 'floor C: minimal node:http JSON-RPC responder', client: c, close: async () => (await c.close(), await kill(floorC)), pids: [floorC.pid!] });

  const airlock = await startAirlockProcess({ servers: { everything: EVERYTHING }, policy: ALLOW_ECHO_POLICY });
  airlocks.push(airlock);
  const a = await httpClient(`${airlock.url}/mcp/everything`, MCP_TOKEN);
  paths.push({ name: 'Airlock: /mcp/everything (policy, limits, history on)', client: a, close: () => a.close(), pids: [airlock.pid], upstreamPids: () => descendants(airlock.pid) });
  const m = await modernHttpClient(`${airlock.url}/mcp/everything`, MCP_TOKEN);
  paths.push({ name: 'Airlock, 2026-07-28 client (SDK v2, pinned)', client: m, close: () => m.close(), pids: [airlock.pid], upstreamPids: () => descendants(airlock.pid) });

  const quiet = await startAirlockProcess({ servers: { everything: EVERYTHING }, policy: ALLOW_ECHO_POLICY, settings: { history: false } });
  airlocks.push(quiet);
  const q = await httpClient(`${quiet.url}/mcp/everything`, MCP_TOKEN);
  paths.push({ name: 'Airlock, history off', client: q, close: () => q.close(), pids: [quiet.pid], upstreamPids: () => descendants(quiet.pid) });

  const bridge = await stdioClient(process.execPath, [cli, 'connect', 'everything', '--home', airlock.home], { AIRLOCK_MCP_TOKEN: MCP_TOKEN });
  const bridgePid = (bridge.transport as { pid?: number | null } | undefined)?.pid ?? undefined;
  paths.push({ name: 'Airlock via `airlock connect` (stdio bridge)', client: bridge, close: () => bridge.close(), pids: [airlock.pid, ...(bridgePid ? [bridgePid] : [])], upstreamPids: () => descendants(airlock.pid) });

  const peerPort = await freePort();
  const peer = spawn(
    process.execPath,
    [join(root, 'node_modules', 'mcp-proxy', 'dist', 'bin', 'mcp-proxy.mjs'), '--port', String(peerPort), '--host', '127.0.0.1', '--server', 'stream', '--', EVERYTHING.command, ...EVERYTHING.args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let peerClient: Awaited<ReturnType<typeof httpClient>> | undefined;
  for (let i = 0; i < 100 && !peerClient; i++) {
    try {
      peerClient = await httpClient(`http://127.0.0.1:${peerPort}/mcp`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!peerClient) throw new Error('mcp-proxy did not start');
  const pc = peerClient;
  paths.push({ name: 'peer: mcp-proxy (HTTP → stdio)', client: pc, close: async () => (await pc.close(), await kill(peer)), pids: [peer.pid!], upstreamPids: () => descendants(peer.pid!) });
  log(`  opened ${paths.length} paths`);
  return { paths, airlocks };
}

/** Calls each path serves, 16 at a time, before it is measured (see runProxyBench). */
export const WARM_UP_CALLS = 10_000;
/** Calls per caller in each measured repetition under load. */
export const PER_CALLER = 250;
/** Calls, 16 at a time, right before each measured run under load. */
export const BURST_CALLS = 1000;

/**
 * History on against off, side by side: the two Airlocks take turns (on, off, off, on, ...)
 * with 16 callers, each turn right after the other, so both run warm and in the same
 * moment of the machine. The median of the rounds' ratios is the figure; the rows of the
 * table, measured minutes apart, are too far from each other for a difference of a few
 * per cent on these machines.
 */
export interface HistoryPair {
  rounds: number;
  callsPerTurn: number;
  /** Median over the rounds of (off − on) / off calls/s. */
  throughputCost: number;
  /** The lowest and highest of the rounds' (off − on) / off. */
  costSpread: [number, number];
  /** Median over the rounds of on / off CPU per call. */
  cpuRatio: number;
  onCallsPerSec: number;
  offCallsPerSec: number;
}

export const HISTORY_PAIR_ROUNDS = 8;
const HISTORY_PAIR_CALLS = 3000;
const HISTORY_PAIR_WARM_UP = 20_000;

async function historyPair(on: Path, off: Path, callers: number, log: (line: string) => void): Promise<HistoryPair> {
  const cost: number[] = [];
  const cpu: number[] = [];
  const onRates: number[] = [];
  const offRates: number[] = [];
  const turn = async (path: Path): Promise<{ rate: number; cpu: number }> => {
    const before = cpuMs(path.pids) ?? 0;
    const { rate } = await concurrent(path.client, callers, Math.ceil(HISTORY_PAIR_CALLS / callers));
    return { rate, cpu: ((cpuMs(path.pids) ?? 0) - before) / HISTORY_PAIR_CALLS };
  };
  // The history-on Airlock has served three rows by now, the other one: V8 goes on
  // compiling for tens of thousands of calls, so both serve as many again first.
  await concurrent(on.client, callers, Math.ceil(HISTORY_PAIR_WARM_UP / callers));
  await concurrent(off.client, callers, Math.ceil(HISTORY_PAIR_WARM_UP / callers));
  for (let round = 0; round < HISTORY_PAIR_ROUNDS; round++) {
    const order = round % 2 ? [off, on] : [on, off];
    const first = await turn(order[0]!);
    const second = await turn(order[1]!);
    const [a, b] = round % 2 ? [second, first] : [first, second];
    onRates.push(a.rate);
    offRates.push(b.rate);
    cost.push((b.rate - a.rate) / b.rate);
    cpu.push(a.cpu / b.cpu);
    log(`  history pair ${round + 1}: on ${a.rate.toFixed(0)} calls/s (${a.cpu.toFixed(3)} ms CPU/call), off ${b.rate.toFixed(0)} (${b.cpu.toFixed(3)})`);
  }
  return {
    rounds: HISTORY_PAIR_ROUNDS,
    callsPerTurn: HISTORY_PAIR_CALLS,
    throughputCost: median(cost),
    costSpread: [Math.min(...cost), Math.max(...cost)],
    cpuRatio: median(cpu),
    onCallsPerSec: median(onRates),
    offCallsPerSec: median(offRates),
  };
}

/** What each repetition of a row records; the row is the median of each. */
const SAMPLE_KEYS = ['p50', 'p99', 'rate', 'loadedP99', 'cpu', 'client', 'upstream', 'clientCores', 'cores'] as const;
type Samples = Record<(typeof SAMPLE_KEYS)[number], number[]>;
const emptySamples = (): Samples => Object.fromEntries(SAMPLE_KEYS.map((key) => [key, []])) as unknown as Samples;

export async function runProxyBench(
  options: { repetitions?: number; sequentialCalls?: number; callers?: number; perCaller?: number; log?: (line: string) => void } = {},
): Promise<{ rows: ProxyRow[]; history: HistoryPair }> {
  const repetitions = options.repetitions ?? 3;
  const n = options.sequentialCalls ?? 1000;
  const callers = options.callers ?? 16;
  const perCaller = options.perCaller ?? PER_CALLER;
  const log = options.log ?? ((line: string) => console.log(line));
  const { paths, airlocks } = await openPaths(log);
  // Every path's code is compiled by V8's optimising tiers only after thousands of calls:
  // measured from cold, Airlock's CPU per call falls by half over its first 10,000 calls,
  // floor B's too. A desktop proxy runs warm, so each path is warmed before it is measured.
  for (const path of paths) await concurrent(path.client, callers, Math.ceil(WARM_UP_CALLS / callers));
  log(`  warmed every path with ${WARM_UP_CALLS} calls`);
  const samples = new Map<string, Samples>();
  let history: HistoryPair | undefined;
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      for (const path of paths) {
        const seq = await sequential(path.client, n);
        // A process that sat idle while the other rows ran gave its young generation back
        // (main/core/idle-memory.ts): a short burst grows it again before the measured run.
        await concurrent(path.client, callers, Math.ceil(BURST_CALLS / callers));
        const upstreamPids = path.upstreamPids?.();
        const cpuBefore = cpuMs(path.pids);
        const upstreamBefore = cpuMs(upstreamPids);
        const clientBefore = ownCpuMs();
        const { rate, p99: loadedP99 } = await concurrent(path.client, callers, perCaller);
        const clientAfter = ownCpuMs();
        const cpuAfter = cpuMs(path.pids);
        const upstreamAfter = cpuMs(upstreamPids);
        const s = samples.get(path.name) ?? emptySamples();
        const runMs = (callers * perCaller * 1000) / rate;
        s.client.push((clientAfter - clientBefore) / (callers * perCaller));
        s.clientCores.push((clientAfter - clientBefore) / runMs);
        if (upstreamBefore !== undefined && upstreamAfter !== undefined) s.upstream.push((upstreamAfter - upstreamBefore) / (callers * perCaller));
        const served = (cpuAfter ?? 0) - (cpuBefore ?? 0) + (upstreamAfter ?? 0) - (upstreamBefore ?? 0);
        s.cores.push((clientAfter - clientBefore + served) / runMs);
        s.p50.push(seq.p50);
        s.p99.push(seq.p99);
        s.rate.push(rate);
        s.loadedP99.push(loadedP99);
        if (cpuBefore !== undefined && cpuAfter !== undefined) s.cpu.push((cpuAfter - cpuBefore) / (callers * perCaller));
        samples.set(path.name, s);
        const cpuNote = `, CPU/call ms: client ${s.client.at(-1)!.toFixed(3)}${s.cpu.length ? `, serving ${s.cpu.at(-1)!.toFixed(3)}` : ''}${s.upstream.length ? `, upstream ${s.upstream.at(-1)!.toFixed(3)}` : ''}`;
        log(`  rep ${rep + 1}: ${path.name}: p50 ${seq.p50.toFixed(3)} ms, p99 ${seq.p99.toFixed(3)} ms, ${rate.toFixed(0)} calls/s (p99 ${loadedP99.toFixed(3)} ms)${cpuNote}`);
      }
    }
    const on = paths.find((p) => p.name.startsWith('Airlock: '))!;
    const off = paths.find((p) => p.name === 'Airlock, history off')!;
    history = await historyPair(on, off, callers, log);
  } finally {
    for (const path of paths) await path.close().catch(() => undefined);
    for (const a of airlocks) await a.stop();
  }
  const rows = paths.map((p) => {
    const s = samples.get(p.name)!;
    return {
      name: p.name,
      p50Ms: median(s.p50),
      p99Ms: median(s.p99),
      callsPerSec: median(s.rate),
      p99LoadedMs: median(s.loadedP99),
      clientCpuMsPerCall: median(s.client),
      clientCores: median(s.clientCores),
      coresBusy: median(s.cores),
      ...(s.cpu.length && { cpuMsPerCall: median(s.cpu) }),
      ...(s.upstream.length && { upstreamCpuMsPerCall: median(s.upstream) }),
    };
  });
  return { rows, history: history! };
}
