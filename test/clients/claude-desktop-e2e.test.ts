/**
 * Acceptance: a Claude Desktop config that runs a server directly is protected, and the
 * rewritten command line, spawned the way Claude Desktop spawns it (its own minimal env),
 * reaches the server through a real Airlock, where the policy applies.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { findBypasses, importServers, protect } from '../../main/core/clients/clients.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { TEST_ADMIN_TOKEN, cliPath, startAirlock, waitFor } from '../helpers/harness.ts';
import { sandbox, writeTestAuth, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
let airlock: Airlock | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close().catch(() => undefined);
  await airlock?.stop();
  box?.cleanup();
  client = airlock = box = undefined;
});

/**
 * An Airlock guarding the probe server under a policy, and a Claude Desktop config that runs
 * the same server directly; then import + protect, and spawn the rewritten entry.
 */
async function protectedClaudeDesktop(policy: unknown): Promise<{ s: Sandbox; log: string; client: Client }> {
  const s = (box = sandbox());
  const log = join(s.root, 'probe.log');
  const probe = probeServer(log);
  // auth.json holds the harness tokens, so the bridge needs nothing from the test's env.
  writeTestAuth(s.airlock);
  airlock = await startAirlock(s.airlock, { probe }, { policy });

  const desktopConfig = s.write(
    join(s.homedir, '.config', 'Claude', 'claude_desktop_config.json'),
    JSON.stringify({ mcpServers: { 'probe-direct': { command: probe.command, args: probe.args, env: probe.env } }, globalShortcut: '' }, null, 2),
  );
  const ctx = s.ctx({ self: { command: process.execPath, args: [cliPath] } });

  // Before: Claude Desktop runs the guarded server directly.
  expect(findBypasses(ctx)).toEqual([expect.objectContaining({ server: 'probe', client: 'claude-desktop', entry: 'probe-direct', match: 'command' })]);
  const imported = importServers(ctx, { client: 'claude-desktop' });
  expect(imported.files[0]!.servers[0]).toMatchObject({ name: 'probe-direct', server: 'probe', status: 'reused' });
  const result = protect(ctx, { client: 'claude-desktop' });
  expect(result.ok).toBe(true);
  expect(result.files[0]!.servers[0]).toMatchObject({ name: 'probe-direct', server: 'probe', status: 'protected' });
  expect(findBypasses(ctx)).toEqual([]);

  const entry = JSON.parse(s.read(desktopConfig)).mcpServers['probe-direct'] as { command: string; args: string[]; env?: Record<string, string> };
  expect(entry.env).toBeUndefined();
  expect(entry.args).toEqual([cliPath, 'connect', 'probe', '--home', s.airlock, '--client', 'claude-desktop']);

  // Exactly that command line, with the SDK's default environment (what a desktop app passes).
  client = new Client({ name: 'claude-ai', version: '0.1.0' });
  await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, stderr: 'pipe' }));
  return { s, log, client };
}

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL(`/api${path}`, airlock!.url), { ...init, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' } });
}

describe('Claude Desktop through Airlock', () => {
  it('the protected entry, spawned as Claude Desktop would, sends the tool call through Airlock', async () => {
    const { log, client } = await protectedClaudeDesktop({ version: '1', default: 'allow' });
    const reply = await client.callTool({ name: 'record_args', arguments: { value: 'via-claude-desktop' } });
    expect(JSON.stringify(reply.content)).toContain('via-claude-desktop');
    // The server process that answered is one Airlock started: the call went through it.
    const [handled] = probeEvents(log).filter((e) => e.event === 'args');
    expect(handled?.args).toEqual({ value: 'via-claude-desktop' });
    expect(airlock!.upstreams.get('probe')!.pids()).toContain(handled!.pid);
  });

  it('policy applies: an `ask` call from the protected entry shows up pending, and runs once approved', async () => {
    const { log, client } = await protectedClaudeDesktop({ version: '1', default: 'ask' });
    const reply = client.callTool({ name: 'record_args', arguments: { value: 'needs-a-person' } });
    const pending = await waitFor(
      async () => {
        const res = await api('/pending');
        const list = (await res.json()) as { id: string; server: string; tool: string; arguments: unknown; client: { id: string; name?: string } }[];
        return list.find((p) => p.tool === 'record_args');
      },
      10_000,
      'the call to show up pending',
    );
    // The caller is the protected client's named token, not the name the agent declares.
    expect(pending).toMatchObject({ server: 'probe', arguments: { value: 'needs-a-person' }, client: { id: 'claude-desktop', name: 'claude-ai' } });
    expect(probeEvents(log).filter((e) => e.event === 'args')).toEqual([]);

    const decided = await api(`/pending/${encodeURIComponent(pending.id)}`, { method: 'POST', body: JSON.stringify({ decision: 'approve' }) });
    expect(decided.status).toBe(200);
    expect(JSON.stringify((await reply).content)).toContain('needs-a-person');
    expect(probeEvents(log).filter((e) => e.event === 'args').map((e) => e.args)).toEqual([{ value: 'needs-a-person' }]);
    const history = (await (await api('/history?limit=5')).json()) as { entries: { tool: string; client: string; clientInfo?: { name: string } }[] };
    expect(history.entries.find((e) => e.tool === 'record_args')).toMatchObject({ client: 'claude-desktop', clientInfo: { name: 'claude-ai' } });
  });
});
