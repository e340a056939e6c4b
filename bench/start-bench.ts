/**
 * `airlock serve` from start to the first answered call on the demo home: a new home (the
 * first start writes the demo config and policy) and the same home again, each from the
 * spawn of the process (`bin/airlock.js`, the installed command, running the bundle) to
 * the result of `get_image_info` (which the starter policy allows) through
 * `/mcp/demo-images`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ADMIN_TOKEN, MCP_TOKEN, httpClient, median, root } from './lib.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startToFirstCall(home: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'airlock.js'), 'serve', '--home', home, '--port', '0'], {
    env: { ...process.env, AIRLOCK_MCP_TOKEN: MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: ADMIN_TOKEN },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const runtimeFile = join(home, 'runtime.json');
    let url: string | undefined;
    while (!url) {
      if (performance.now() - started > 30_000) throw new Error('airlock serve did not write runtime.json');
      if (existsSync(runtimeFile)) {
        try {
          const info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { pid: number; url: string };
          if (info.pid === child.pid) url = info.url;
        } catch {
          // being written
        }
      }
      if (!url) await sleep(2);
    }
    for (;;) {
      if (performance.now() - started > 30_000) throw new Error('no answered call within 30 s');
      try {
        const client = await httpClient(`${url}/mcp/demo-images`, MCP_TOKEN);
        const result = (await client.callTool({ name: 'get_image_info', arguments: { image: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' } })) as { content?: unknown[] };
        const elapsed = performance.now() - started;
        await client.close();
        if (result.content) return elapsed;
      } catch {
        await sleep(5);
      }
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export interface StartResult {
  newHomeMs: number;
  demoHomeMs: number;
  samples: number;
}

export async function runStartBench(options: { repetitions?: number } = {}): Promise<StartResult> {
  const repetitions = options.repetitions ?? 5;
  const fresh: number[] = [];
  const again: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const home = mkdtempSync(join(tmpdir(), 'airlock-bench-start-'));
    rmSync(home, { recursive: true });
    try {
      fresh.push(await startToFirstCall(home));
      again.push(await startToFirstCall(home));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return { newHomeMs: median(fresh), demoHomeMs: median(again), samples: repetitions };
}

if (import.meta.main) {
  console.log(await runStartBench());
  process.exit(0);
}
