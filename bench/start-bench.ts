/**
 * `airlock serve` from start to the first answered call on the demo home: a new home (the
 * first start writes the demo config and policy) and the same home again, each from the
 * spawn of the process (`bin/airlock.js`, the installed command, running the bundle) to
 * the result of `get_image_info` (which the starter policy allows) through
 * `/mcp/demo-images`. And `airlock hook`, which a client runs before every tool: from its
 * spawn to its answer for a call the hook starter policy allows, through the hook's own
 * entry (what `protect --hooks` writes) and through the full command.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { HOOK_STARTER_POLICY } from '../main/core/hooks/starter-policy.ts';
import { ADMIN_TOKEN, MCP_TOKEN, cli, httpClient, median, root, startAirlockProcess } from './lib.ts';

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
  /** `airlock hook` spawn to answer (allowed call): the hook's own entry, and the full command. */
  hookMs: number;
  hookFullMs: number;
  hookSamples: number;
}

/** Median ms from the spawn of `node <entry> hook claude-code` to its answer, which must be allow. */
function hookAnswerMs(entry: string, home: string, samples: number): number {
  const event = JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: join(home, 'config.json') }, session_id: 'bench', cwd: home, transcript_path: join(home, 'transcript.jsonl') });
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [entry, 'hook', 'claude-code', '--home', home], { input: event, env: { ...process.env, AIRLOCK_HOOK_TOKEN: MCP_TOKEN } });
    times.push(performance.now() - started);
    if (!run.stdout.toString().includes('"permissionDecision":"allow"')) throw new Error(`airlock hook did not allow the call: ${run.stdout.toString()}${run.stderr.toString()}`);
  }
  return median(times);
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
  const hookSamples = 9;
  const airlock = await startAirlockProcess({ servers: {}, policy: HOOK_STARTER_POLICY });
  try {
    const hookMs = hookAnswerMs(join(cli, '..', 'hook.mjs'), airlock.home, hookSamples);
    const hookFullMs = hookAnswerMs(cli, airlock.home, hookSamples);
    return { newHomeMs: median(fresh), demoHomeMs: median(again), samples: repetitions, hookMs, hookFullMs, hookSamples };
  } finally {
    await airlock.stop();
  }
}

if (import.meta.main) {
  console.log(await runStartBench());
  process.exit(0);
}
