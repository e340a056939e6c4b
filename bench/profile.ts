/**
 * `node bench/profile.ts`: where an Airlock process spends its CPU under the proxy bench's
 * load (16 callers calling `echo` on server-everything through a 2025 session, then through
 * a 2026-07-28 client). Airlock runs from the TypeScript sources with `--cpu-prof`, so
 * every frame names its file; the self time is summed per function and per layer.
 * Options: `--calls N` per client (default 20000), `--only legacy|modern`, `--keep` to keep the .cpuprofile.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ALLOW_ECHO_POLICY } from './proxy-bench.ts';
import { EVERYTHING, MCP_TOKEN, httpClient, modernHttpClient, root, startAirlockProcess } from './lib.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  layers: Array<{ layer: string; ms: number; share: number }>;
  functions: Array<{ name: string; layer: string; ms: number; share: number }>;
}

const LAYERS: Array<[RegExp, string]> = [
  [/^\((garbage collector)\)$/, 'garbage collection'],
  [/^\((idle)\)$/, 'idle'],
  [/^\((program)\)$/, 'native (V8, libuv, syscalls)'],
  [/@hono\/node-server/, 'SDK: Node ↔ web Request/Response adapter'],
  [/@modelcontextprotocol\/node/, 'SDK: Node ↔ web Request/Response adapter'],
  [/@modelcontextprotocol\/(server|core)/, 'SDK: server protocol and transport'],
  [/@modelcontextprotocol\/client/, 'SDK: client (upstream)'],
  [/node_modules\/zod/, 'zod'],
  [/node_modules\/ajv/, 'ajv (JSON Schema)'],
  [/main\/core\/store/, 'Airlock: history and stores (SQLite)'],
  [/main\/core\/(guard|policy)/, 'Airlock: guard, policy, limits'],
  [/main\/core\/proxy/, 'Airlock: proxy (endpoint, sessions, forwarding)'],
  [/main\/core\/upstream/, 'Airlock: upstream connections'],
  [/main\/core|main\/cli/, 'Airlock: other'],
  [/node:internal\/(http|_http|net|stream|streams|deps\/undici)|node:(http|net|_http)/, 'Node: HTTP, net, streams'],
  [/node:internal\/(webstreams|event_target|abort|url|encoding)/, 'Node: web streams, URL, events'],
  [/node:sqlite/, 'Node: sqlite'],
  [/^node:|node:internal/, 'Node: other internals'],
];

/** The layer of code at a source path or URL (a `node:` module, a file under main/ or node_modules/). */
export function layerOfSource(source: string, otherwise = 'other modules'): string {
  for (const [re, name] of LAYERS) if (re.test(source)) return name;
  return otherwise;
}

function layerOf(frame: ProfileNode['callFrame']): string {
  return frame.url ? layerOfSource(frame.url) : layerOfSource(`(${frame.functionName.replace(/[()]/g, '')})`, 'native (V8, libuv, syscalls)');
}

/** The profiled load: 16 callers calling `echo` on one client; returns the calls/s reached. */
export async function load(client: { callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown> }, calls: number, callers = 16): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < calls) await client.callTool({ name: 'echo', arguments: { message: `profile ${next++}` } });
    }),
  );
  return calls / ((performance.now() - start) / 1000);
}

/** A 2025 and a 2026-07-28 client of Airlock's /mcp/everything, past 500 calls each (the JIT warm). */
export async function warmedClients(url: string): Promise<{ legacy: Client; modern: ModernClient }> {
  const legacy = await httpClient(`${url}/mcp/everything`, MCP_TOKEN);
  const modern = await modernHttpClient(`${url}/mcp/everything`, MCP_TOKEN);
  await load(legacy, 500);
  await load(modern, 500);
  return { legacy, modern };
}

export function summarize(profile: CpuProfile, top = 30): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const layers = new Map<string, number>();
  const fns = new Map<string, { layer: string; ms: number }>();
  let total = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    const layer = layerOf(frame);
    if (layer === 'idle') continue;
    total += ms;
    layers.set(layer, (layers.get(layer) ?? 0) + ms);
    const file = frame.url.replace(/^file:\/\//, '').replace(root + '/', '').replace(/^.*node_modules\//, '');
    const name = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    const f = fns.get(name) ?? { layer, ms: 0 };
    f.ms += ms;
    fns.set(name, f);
  }
  const share = (ms: number) => ms / total;
  return {
    totalMs: total,
    layers: [...layers].sort((a, b) => b[1] - a[1]).map(([layer, ms]) => ({ layer, ms, share: share(ms) })),
    functions: [...fns].sort((a, b) => b[1].ms - a[1].ms).slice(0, top).map(([name, f]) => ({ name, layer: f.layer, ms: f.ms, share: share(f.ms) })),
  };
}

export async function profileAirlock(options: { calls?: number; keep?: boolean; only?: 'legacy' | 'modern'; log?: (line: string) => void } = {}): Promise<ProfileSummary & { rates: Record<string, number> }> {
  const calls = options.calls ?? 20_000;
  const log = options.log ?? console.log;
  const dir = mkdtempSync(join(tmpdir(), 'airlock-profile-'));
  const airlock = await startAirlockProcess({
    servers: { everything: EVERYTHING },
    policy: ALLOW_ECHO_POLICY,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    entry: join(root, 'main', 'cli.ts'),
  });
  const rates: Record<string, number> = {};
  try {
    const { legacy, modern } = await warmedClients(airlock.url);
    if (options.only !== 'modern') {
      rates.legacy = await load(legacy, calls);
      log(`  legacy client: ${rates.legacy.toFixed(0)} calls/s (profiled)`);
    }
    if (options.only !== 'legacy') {
      rates.modern = await load(modern, calls);
      log(`  modern client: ${rates.modern.toFixed(0)} calls/s (profiled)`);
    }
    await legacy.close();
    await modern.close();
  } finally {
    await airlock.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no CPU profile written');
  const summary = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  if (options.keep) log(`  profile kept: ${join(dir, file)}`);
  else rmSync(dir, { recursive: true, force: true });
  return { ...summary, rates };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, keep: { type: 'boolean' }, only: { type: 'string' } } });
  const only = values.only === 'legacy' || values.only === 'modern' ? values.only : undefined;
  const result = await profileAirlock({ ...(values.calls && { calls: Number(values.calls) }), ...(values.keep && { keep: true }), ...(only && { only }) });
  console.log(`\nbusy CPU ${result.totalMs.toFixed(0)} ms\n\nlayer | ms | share`);
  for (const l of result.layers) console.log(`${l.layer} | ${l.ms.toFixed(0)} | ${(100 * l.share).toFixed(1)} %`);
  console.log('\nfunction (self) | layer | share');
  for (const f of result.functions) console.log(`${f.name} | ${f.layer} | ${(100 * f.share).toFixed(1)} %`);
  process.exit(0);
}
