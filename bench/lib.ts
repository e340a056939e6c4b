/** Shared pieces of the benchmarks: processes to measure, clients, numbers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHTTPClientTransport } from '@modelcontextprotocol/client';

const require = createRequire(import.meta.url);
export const root = resolve(import.meta.dirname, '..');
/** The headless command as it ships (`npm run build`); the runner builds it first. */
export const cli = join(root, 'dist', 'cli', 'airlock.mjs');
export const everythingEntry = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');
export const EVERYTHING = { command: process.execPath, args: [everythingEntry, 'stdio'] };
export const MCP_TOKEN = 'bench-mcp-token-0123456789abcdef';
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

export function newClient(): Client {
  return new Client({ name: 'airlock-bench', version: '1.0.0' }, { capabilities: {} });
}

export async function httpClient(url: string, token?: string): Promise<Client> {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
  return client;
}

/** A 2026-07-28 client (SDK v2, pinned): the modern era end to end. */
export async function modernHttpClient(url: string, token?: string): Promise<ModernClient> {
  const client = new ModernClient({ name: 'airlock-bench', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new ModernHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
  return client;
}

export async function stdioClient(command: string, args: string[], env?: Record<string, string>): Promise<Client> {
  const client = newClient();
  await client.connect(new StdioClientTransport({ command, args, ...(env && { env: { ...(process.env as Record<string, string>), ...env } }), stderr: 'ignore' }));
  return client;
}

/** Waits for a line on a child's stdout that the predicate accepts. */
export function waitForLine(child: ChildProcess, accept: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for output: ${buffer.slice(-500)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n')) {
        if (accept(line)) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolvePromise(line);
          return;
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready: ${buffer.slice(-500)}`)));
  });
}

export interface AirlockProcess {
  child: ChildProcess;
  home: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `airlock serve` in its own process, on a fresh (or given) home. */
export async function startAirlockProcess(options: {
  servers: Record<string, unknown>;
  policy: unknown;
  settings?: Record<string, unknown>;
  home?: string;
  /** Node flags (e.g. `--cpu-prof`) and what to run instead of the bundle (the sources, to profile). */
  nodeArgs?: string[];
  entry?: string;
}): Promise<AirlockProcess> {
  // A home made here is removed when the process stops; a given one is the caller's.
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'airlock-bench-'));
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ mcpServers: options.servers, airlock: { port: 0, ...options.settings } }));
  writeFileSync(join(home, 'policy.json'), JSON.stringify(options.policy));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? cli, 'serve', '--home', home, '--port', '0'], {
    env: { ...process.env, AIRLOCK_MCP_TOKEN: MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await waitForLine(child, (l) => l.includes('agents:') || l.includes('UI:'));
  const runtime = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8')) as { url: string; pid: number };
  // Wait until every upstream is ready.
  for (let i = 0; i < 400; i++) {
    const res = await fetch(`${runtime.url}/api/servers`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const servers = (await res.json()) as Array<{ state: string }>;
    if (servers.every((s) => s.state === 'ready')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    home,
    url: runtime.url,
    pid: runtime.pid,
    stop: async () => {
      await new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
      if (options.home === undefined) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Resident memory (MB) and CPU time (ms) of a process, from /proc. */
export function processStats(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / 100 };
}

/** Every descendant of a process (Airlock's upstream servers and what they spawn). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // gone
    }
    out.push(...children);
    stack.push(...children);
  }
  return out;
}
