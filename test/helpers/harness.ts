/**
 * Test harness: a real Airlock in a temporary home, real upstream MCP servers from npm,
 * and real SDK clients (direct, over /mcp/<server>, or through `airlock connect`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { Airlock, type AirlockOptions } from '../../main/core/airlock.ts';

const require = createRequire(import.meta.url);
export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'main', 'cli.ts');

/** Absolute path of an npm package's file, e.g. the entry of server-everything. */
export function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}
function dirname(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

export const EVERYTHING = { command: process.execPath, args: [packageFile('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'] };
export const MEMORY = { command: process.execPath, args: [packageFile('@modelcontextprotocol/server-memory', 'dist/index.js')] };
export const FILESYSTEM_ENTRY = packageFile('@modelcontextprotocol/server-filesystem', 'dist/index.js');
export const DEMO_IMAGES = { command: process.execPath, args: [join(repoRoot, 'main', 'demo', 'image-server.ts')] };

export function tempHome(prefix = 'airlock-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeConfig(home: string, config: unknown): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify(config, null, 2));
}

export const TEST_MCP_TOKEN = 'test-mcp-token-0123456789abcdef';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** The named client token of a test caller (at least 16 characters, as auth.json requires). */
export const callerToken = (name: string) => `${name}-token-0123456789abcdef`;

/**
 * Writes auth.json with a named token per caller (`clients`): a client that uses one is the
 * caller of that name, whatever clientInfo it declares. Call before starting Airlock.
 */
export function writeCallerTokens(home: string, callers: readonly string[]): void {
  mkdirSync(home, { recursive: true });
  const clients = Object.fromEntries(callers.map((name) => [name, callerToken(name)]));
  writeFileSync(join(home, 'auth.json'), JSON.stringify({ mcpToken: TEST_MCP_TOKEN, adminToken: TEST_ADMIN_TOKEN, clients }), { mode: 0o600 });
}

/** A policy that lets everything through, for tests about forwarding rather than policy. */
export const ALLOW_ALL = { version: '1', default: 'allow' };

export async function startAirlock(
  home: string,
  mcpServers: Record<string, unknown>,
  extra: Partial<AirlockOptions> & { policy?: unknown } = {},
): Promise<Airlock> {
  // `port`: a fixed port, written to config.json too (as a person's configured port would be).
  writeConfig(home, { mcpServers, airlock: { port: extra.port ?? 0 } });
  const { policy = ALLOW_ALL, ...options } = extra;
  // null: keep whatever policy.json the test wrote (or none: the built-in default).
  if (policy !== null) writeFileSync(join(home, 'policy.json'), typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
  const airlock = await Airlock.start({
    home,
    port: 0,
    self: { command: process.execPath, args: [cliPath] },
    version: 'test',
    env: { AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    restartBackoffMs: 200,
    ...options,
  });
  await airlock.whenSettled();
  return airlock;
}

/** A port that was free a moment ago, for an Airlock whose configured port must be fixed. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const FULL_CLIENT_CAPS: ClientCapabilities = { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } };

export function newClient(name = 'test-client', capabilities: ClientCapabilities = FULL_CLIENT_CAPS): Client {
  return new Client({ name, version: '1.0.0' }, { capabilities });
}

export async function connectHttp(airlock: Airlock, server: string, client = newClient(), token = TEST_MCP_TOKEN): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`/mcp/${server}`, airlock.url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

export async function connectStdio(params: { command: string; args: string[]; env?: Record<string, string> }, client = newClient()): Promise<Client> {
  const transport = new StdioClientTransport({ ...params, stderr: 'pipe' });
  await client.connect(transport);
  return client;
}

/** A client that reaches Airlock the way Claude Desktop would: by spawning `airlock connect`. */
export async function connectBridge(home: string, server: string, client = newClient()): Promise<Client> {
  return connectStdio(
    { command: process.execPath, args: [cliPath, 'connect', server, '--home', home], env: { ...(process.env as Record<string, string>), AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN } },
    client,
  );
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Calls the control API over HTTP with the admin token, as a UI or script would. */
export async function api<T = unknown>(airlock: { url: string }, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(`/api${path}`, airlock.url), {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The text of a tool result's first content block. */
export function resultText(result: object): string {
  const first = ((result as { content?: unknown }).content as Array<{ type: string; text?: string }> | undefined)?.[0];
  return first?.type === 'text' ? (first.text ?? '') : '';
}

/**
 * A real `airlock serve` child process on a free port, for tests that kill it; resolves once
 * its runtime.json names it. The caller ends it (SIGTERM, or killHard).
 */
export async function spawnServe(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--home', home, '--port', '0'], {
    stdio: ['ignore', 'ignore', process.env.AIRLOCK_TEST_STDERR ? 'inherit' : 'ignore'],
    env: { ...process.env, AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
  });
  const { url } = await waitFor(() => {
    try {
      const info = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8')) as { pid: number; url: string };
      return info.pid === child.pid ? info : undefined;
    } catch {
      return undefined;
    }
  }, 30_000, 'runtime.json of the new Airlock').catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  return { child, url };
}

/** Direct children of a process (Linux /proc): the upstream servers a SIGKILLed Airlock leaves. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** SIGKILL: no clean shutdown of Airlock; the upstream processes it leaves are ended too. */
export async function killHard(child: ChildProcess): Promise<void> {
  const upstreams = child.pid === undefined ? [] : childPids(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  for (const pid of upstreams) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** SIGTERM and wait for the exit (a clean stop). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Calls a test starts and awaits later: if the test fails first, the next one waits until
 * each has its answer (see settleWaitingCalls), so no call outlives the test that made it.
 */
export class CallsInFlight {
  private readonly calls = new Set<Promise<unknown>>();

  get size(): number {
    return this.calls.size;
  }

  track<T>(call: Promise<T>): Promise<T> {
    this.calls.add(call);
    // The test awaits it; this also keeps a call left over by a failed test from being reported twice.
    const done = () => this.calls.delete(call);
    call.then(done, done);
    return call;
  }
}

/**
 * Denies whatever still waits for a person (a failed test's calls) until nothing waits and
 * every call in `inFlight` has its answer: the next test starts with an empty queue.
 */
export async function settleWaitingCalls(airlock: { url: string }, inFlight?: CallsInFlight): Promise<void> {
  await waitFor(async () => {
    const { body } = await api<Array<{ id: string }>>(airlock, 'GET', '/pending');
    // It may have been answered in the meantime: then the denial is refused, which is fine.
    for (const pending of body) await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny' });
    return body.length === 0 && (inFlight?.size ?? 0) === 0;
  }, 30_000, 'the calls an earlier test left waiting to be answered');
}

/** Revokes every remembered decision, so a test that expects exactly its own grants sees them. */
export async function revokeGrants(airlock: { url: string }): Promise<void> {
  for (const grant of (await api<Array<{ id: string }>>(airlock, 'GET', '/grants')).body) {
    const { status } = await api(airlock, 'DELETE', `/grants/${grant.id}`);
    // 404: it went on its own in the meantime (a session grant whose session ended).
    if (status !== 200 && status !== 404) throw new Error(`revoking grant ${grant.id} answered ${status}`);
  }
}
