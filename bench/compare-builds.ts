/**
 * `node bench/compare-builds.ts <other airlock.mjs>`: this Airlock's bundle against another
 * build's (e.g. an earlier commit's `dist/cli/airlock.mjs`, built in its own checkout with
 * its own node_modules), the proxy bench's allowed `echo` on server-everything, paired: both
 * run at once, each warmed with 20,000 calls, and they take turns (the order swapped every
 * round), so both are warm and see the same moment of the machine. Rows: history on and
 * off through a 2025 session, and the `airlock connect` stdio bridge. Per row: median
 * calls/s at 16 callers, and median p50 of 500 sequential calls (after 100 warm-up calls).
 * Options: `--rounds N` (default 6), `--calls N` per turn (default 3000), `--only <row>`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ALLOW_ECHO_POLICY, sequential } from './proxy-bench.ts';
import { EVERYTHING, MCP_TOKEN, cli, httpClient, median, startAirlockProcess, stdioClient, type AirlockProcess } from './lib.ts';
import { load } from './profile.ts';

interface Side {
  airlock: AirlockProcess;
  client: { callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>; close(): Promise<void> };
}

type Row = 'history on' | 'history off' | 'stdio bridge';

async function open(entry: string, row: Row): Promise<Side> {
  const airlock = await startAirlockProcess({ servers: { everything: EVERYTHING }, policy: ALLOW_ECHO_POLICY, entry, ...(row === 'history off' && { settings: { history: false } }) });
  const client =
    row === 'stdio bridge'
      ? await stdioClient(process.execPath, [entry, 'connect', 'everything', '--home', airlock.home], { AIRLOCK_MCP_TOKEN: MCP_TOKEN })
      : await httpClient(`${airlock.url}/mcp/everything`, MCP_TOKEN);
  await load(client, 20_000);
  return { airlock, client };
}

const ROWS: readonly Row[] = ['history on', 'history off', 'stdio bridge'];

export async function compareBuilds(other: string, options: { rounds?: number; calls?: number; rows?: readonly Row[]; log?: (line: string) => void } = {}) {
  const rounds = options.rounds ?? 6;
  const calls = options.calls ?? 3000;
  const log = options.log ?? console.log;
  const out: Array<{ row: Row; other: { rate: number; p50: number }; this: { rate: number; p50: number } }> = [];
  for (const row of options.rows ?? ROWS) {
    const sides = [await open(other, row), await open(cli, row)];
    const rates: number[][] = [[], []];
    const p50s: number[][] = [[], []];
    try {
      for (let round = 0; round < rounds; round++) {
        for (const i of round % 2 ? [1, 0] : [0, 1]) {
          rates[i]!.push(await load(sides[i]!.client, calls));
          p50s[i]!.push((await sequential(sides[i]!.client, 500)).p50);
        }
      }
    } finally {
      for (const side of sides) {
        await side.client.close().catch(() => undefined);
        await side.airlock.stop();
      }
    }
    const result = { row, other: { rate: median(rates[0]!), p50: median(p50s[0]!) }, this: { rate: median(rates[1]!), p50: median(p50s[1]!) } };
    log(`${row}: the other build ${result.other.rate.toFixed(0)} calls/s, p50 ${result.other.p50.toFixed(3)} ms; this one ${result.this.rate.toFixed(0)} calls/s, p50 ${result.this.p50.toFixed(3)} ms`);
    out.push(result);
  }
  return out;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' }, calls: { type: 'string' }, only: { type: 'string' } } });
  const only = ROWS.find((row) => row === values.only);
  if (positionals.length !== 1 || (values.only !== undefined && !only)) {
    console.error(`usage: node bench/compare-builds.ts <other airlock.mjs> [--rounds N] [--calls N] [--only ${ROWS.map((r) => `"${r}"`).join('|')}]`);
    process.exit(2);
  }
  await compareBuilds(resolve(positionals[0]!), {
    ...(values.rounds && { rounds: Number(values.rounds) }),
    ...(values.calls && { calls: Number(values.calls) }),
    ...(only && { rows: [only] }),
  });
  process.exit(0);
}
