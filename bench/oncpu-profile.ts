/**
 * `node bench/oncpu-profile.ts`: the same load as `bench/profile.ts`, seen by Linux `perf`
 * instead of V8's sampler. V8's profiler samples the main thread by wall clock: a sample
 * taken while the process waits for a core, or inside a system call, is charged to the
 * JavaScript frame on top, so on a busy two-core machine it overstates whatever runs just
 * before a wait (socket and pipe writes, SQLite commits). `perf record -e cpu-clock` counts
 * only time on a core, in every thread, kernel included. Airlock runs as it ships (the
 * bundle, with `--perf-basic-prof` so its JIT frames are named), and each sample is charged
 * to the innermost JavaScript frame on its stack, by the bundle's module markers, in the
 * layers of `bench/profile.ts`. Needs `perf` (Debian: linux-perf); without it the result
 * says why. Options: `--calls N` per client (default 20000).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ALLOW_ECHO_POLICY } from './proxy-bench.ts';
import { EVERYTHING, cli, startAirlockProcess } from './lib.ts';
import { layerOfSource, load, warmedClients } from './profile.ts';

export interface OnCpuSummary {
  samples: number;
  rates: Record<string, number>;
  /** Share of on-CPU samples per layer of the innermost JavaScript frame (or the thread's role). */
  layers: Array<{ layer: string; share: number }>;
  /** Shares by what ran at the sample, whichever layer called it. */
  kernel: number;
  sqlite: number;
  backgroundThreads: number;
}

const BACKGROUND = 'V8 background threads (GC, compilers)';
const NO_JS = 'no JavaScript on the stack (event loop, GC on the main thread)';
const SQLITE = /^(sqlite3|pcache|wal[A-Z]|btree|balance_|vdbe|pager|unix[A-Z]|memjrnl)/i;

/** Bundle line → the source module it came from, from the bundler's `// path` markers. */
function moduleMap(bundle: string): (line: number) => string {
  const starts: number[] = [];
  const names: string[] = [];
  readFileSync(bundle, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /^\/\/ ((?:main|shared|node_modules)\/\S+\.[cm]?[jt]sx?)$/.exec(text);
      if (m) {
        starts.push(i + 1);
        names.push(m[1]!);
      }
    });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= line) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? '' : names[found]!;
  };
}

/** Reads `perf script -F comm,ip,sym,dso` output: one sample per block, its stack leaf first. */
async function summarizePerf(data: string, bundle: string): Promise<Omit<OnCpuSummary, 'rates'>> {
  const moduleAt = moduleMap(bundle);
  const bundleFrame = new RegExp(`JS:.*? file://${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`);
  const script = spawn('perf', ['script', '-i', data, '-F', 'comm,ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const layers = new Map<string, number>();
  let samples = 0;
  let kernel = 0;
  let sqlite = 0;
  let background = 0;
  let comm = '';
  let frames: string[] = [];
  const finish = () => {
    if (!comm) return;
    samples++;
    const leaf = frames[0] ?? '';
    if (leaf.includes('[kernel.kallsyms]')) kernel++;
    if (SQLITE.test(leaf.trim())) sqlite++;
    let layer = NO_JS;
    if (comm !== 'MainThread') {
      layer = BACKGROUND;
      background++;
    } else {
      for (const frame of frames) {
        const inBundle = bundleFrame.exec(frame);
        if (inBundle) {
          layer = layerOfSource(moduleAt(Number(inBundle[1])));
          break;
        }
        const inNode = /JS:.*? (node:\S+?):\d+/.exec(frame);
        if (inNode) {
          layer = layerOfSource(inNode[1]!);
          break;
        }
      }
    }
    layers.set(layer, (layers.get(layer) ?? 0) + 1);
  };
  for await (const line of createInterface({ input: script.stdout })) {
    if (!line.trim()) continue;
    if (line.startsWith('\t')) frames.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
    else {
      finish();
      comm = line.trim().split(/\s+/)[0]!;
      frames = [];
    }
  }
  finish();
  const share = (n: number) => (samples ? n / samples : 0);
  return {
    samples,
    layers: [...layers].map(([layer, n]) => ({ layer, share: share(n) })).sort((a, b) => b.share - a.share),
    kernel: share(kernel),
    sqlite: share(sqlite),
    backgroundThreads: share(background),
  };
}

export async function onCpuProfileAirlock(options: { calls?: number; log?: (line: string) => void } = {}): Promise<OnCpuSummary | { unavailable: string }> {
  const perf = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  if (perf.status !== 0) return { unavailable: perf.error ? `perf is not installed (${perf.error.message})` : `perf failed: ${perf.stderr.trim()}` };
  const calls = options.calls ?? 20_000;
  const log = options.log ?? console.log;
  const dir = mkdtempSync(join(tmpdir(), 'airlock-oncpu-'));
  const data = join(dir, 'perf.data');
  const airlock = await startAirlockProcess({ servers: { everything: EVERYTHING }, policy: ALLOW_ECHO_POLICY, nodeArgs: ['--perf-basic-prof'] });
  const rates: Record<string, number> = {};
  try {
    const { legacy, modern } = await warmedClients(airlock.url);
    const recorder = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(airlock.pid), '-o', data], { stdio: ['ignore', 'ignore', 'pipe'] });
    let recorderErr = '';
    recorder.stderr.on('data', (c: Buffer) => (recorderErr += c.toString()));
    const stopped = new Promise<number | null>((resolve) => recorder.on('close', resolve));
    // perf attaches to every thread of the process before it counts.
    await new Promise((resolve) => setTimeout(resolve, 500));
    rates.legacy = await load(legacy, calls);
    log(`  legacy client: ${rates.legacy.toFixed(0)} calls/s (perf)`);
    rates.modern = await load(modern, calls);
    log(`  modern client: ${rates.modern.toFixed(0)} calls/s (perf)`);
    recorder.kill('SIGINT');
    const code = await stopped;
    await legacy.close();
    await modern.close();
    // perf ends on SIGINT with a status of its own; what counts is that it wrote its samples.
    if (!/Captured and wrote/.test(recorderErr)) return { unavailable: `perf record failed (${code}): ${recorderErr.trim().split('\n').pop()}` };
    return { ...(await summarizePerf(data, cli)), rates };
  } finally {
    await airlock.stop();
    rmSync(dir, { recursive: true, force: true });
    // --perf-basic-prof writes the JIT symbol map (read by `perf script`) to /tmp.
    rmSync(`/tmp/perf-${airlock.pid}.map`, { force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { calls: { type: 'string' } } });
  const result = await onCpuProfileAirlock(values.calls ? { calls: Number(values.calls) } : {});
  if ('unavailable' in result) {
    console.log(result.unavailable);
    process.exit(1);
  }
  console.log(`\n${result.samples} samples; kernel ${(100 * result.kernel).toFixed(1)} %, SQLite ${(100 * result.sqlite).toFixed(1)} %, background threads ${(100 * result.backgroundThreads).toFixed(1)} %\n\nlayer | share`);
  for (const l of result.layers) console.log(`${l.layer} | ${(100 * l.share).toFixed(1)} %`);
  process.exit(0);
}
