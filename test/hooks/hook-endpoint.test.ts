/**
 * `POST /hooks/<client>` on Airlock's port: authenticated with an MCP token and checked for
 * Host and Origin like `/mcp`; answers in the client's format; a person's wait ends before
 * the client's hook timeout and is then handed back to the client's prompt (Claude Code,
 * `onTimeout=ask`) or refused; and the real Claude Code CLI's `type: "http"` hook, installed
 * by `airlock protect claude-code --hooks --hook-type http`, is decided through it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { ensureClientToken } from '../../main/core/home/auth.ts';
import { runHook } from '../../main/core/hooks/hook-command.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { startMessagesStandIn, type MessagesStandIn } from '../fixtures/messages-api-stand-in.ts';
import { api, cliPath, freePort, startAirlock, tempHome, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, waitFor } from '../helpers/harness.ts';
import { claudeEnv, runClaude } from './claude-cli.ts';

const run = promisify(execFile);
const POLICY = {
  version: '1',
  default: 'deny',
  servers: { 'claude-code': { tools: { Read: { action: 'allow' }, Bash: { action: 'ask' }, rm: { action: 'deny', reason: 'never' } } } },
};
const bashEvent = (command: string) => ({ session_id: 's-1', cwd: '/work/p', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: 'toolu_1' });

let home: ReturnType<typeof tempHome>;
let airlock: Airlock;
let token: string;

beforeAll(async () => {
  home = tempHome('airlock-hook-endpoint-');
  airlock = await startAirlock(home.dir, {}, { port: await freePort(), policy: POLICY, env: { AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN } });
  token = ensureClientToken(join(home.dir, 'auth.json'), 'claude-code');
});
afterAll(async () => {
  await airlock?.stop();
  home?.cleanup();
});

function post(path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }): Promise<Response> {
  return fetch(new URL(path, airlock.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A raw request, for a Host header fetch will not send. */
function rawPost(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, airlock.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(bashEvent('ls')));
  });
}

describe('the hook endpoint', () => {
  it('wants an MCP token (not the admin token), a loopback Host and no foreign Origin', async () => {
    expect((await post('/hooks/claude-code', bashEvent('ls'), {})).status).toBe(401);
    expect((await post('/hooks/claude-code', bashEvent('ls'), { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).status).toBe(401);
    expect(await rawPost('/hooks/claude-code', { authorization: `Bearer ${token}`, host: 'evil.example' })).toBe(403);
    expect(await rawPost('/hooks/claude-code', { authorization: `Bearer ${token}`, host: `127.0.0.1:${airlock.port}`, origin: 'https://evil.example' })).toBe(403);
    expect((await post('/hooks/no-such-client', bashEvent('ls'))).status).toBe(404);
  });

  it("answers in Claude Code's format: a denied tool is refused with the rule's reason, an allowed one allowed; a malformed event is refused, still as 200", async () => {
    const denied = (await (await post('/hooks/claude-code', { ...bashEvent('x'), tool_name: 'rm' })).json()) as { hookSpecificOutput: Record<string, string> };
    expect(denied.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'deny' });
    expect(denied.hookSpecificOutput.permissionDecisionReason).toContain('never');
    const allowed = (await (await post('/hooks/claude-code', { ...bashEvent('x'), tool_name: 'Read', tool_input: { file_path: '/etc/hosts' } })).json()) as { hookSpecificOutput: Record<string, string> };
    expect(allowed.hookSpecificOutput.permissionDecision).toBe('allow');
    const malformed = await post('/hooks/claude-code', { tool_input: {} });
    expect(malformed.status).toBe(200);
    expect(((await malformed.json()) as { hookSpecificOutput: Record<string, string> }).hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('a wait that runs out hands the call back to Claude Code\'s prompt (onTimeout=ask), or refuses it (onTimeout=deny)', async () => {
    const ask = (await (await post('/hooks/claude-code?wait=1&onTimeout=ask', bashEvent('make deploy'))).json()) as { hookSpecificOutput: Record<string, string> };
    expect(ask.hookSpecificOutput.permissionDecision).toBe('ask');
    expect(ask.hookSpecificOutput.permissionDecisionReason).toContain('Nobody answered in Airlock in time');
    const deny = (await (await post('/hooks/claude-code?wait=1&onTimeout=deny', bashEvent('make deploy'))).json()) as { hookSpecificOutput: Record<string, string> };
    expect(deny.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(deny.hookSpecificOutput.permissionDecisionReason).toContain('timed out');
    const entries = (await api<{ entries: { tool: string; decision: string; client: string }[] }>(airlock, 'GET', '/history?server=claude-code&tool=Bash')).body.entries;
    expect(entries.filter((e) => e.decision === 'timed_out')).toHaveLength(2);
    expect(entries.every((e) => e.client === 'claude-code')).toBe(true);
  });

  it('a hook that gives up (its request closed) withdraws the card', async () => {
    const controller = new AbortController();
    const aborting = fetch(new URL('/hooks/claude-code', airlock.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(bashEvent('withdraw me')),
      signal: controller.signal,
    }).catch(() => 'aborted');
    const pending = await waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body.find((p) => p.arguments.command === 'withdraw me'), 10_000, 'the card');
    controller.abort();
    expect(await aborting).toBe('aborted');
    await waitFor(async () => !(await api<PendingCall[]>(airlock, 'GET', '/pending')).body.some((p) => p.id === pending.id), 10_000, 'the card to go');
    const entry = await waitFor(async () => (await api<{ entries: { arguments: { command?: string }; decision: string }[] }>(airlock, 'GET', '/history?server=claude-code')).body.entries.find((e) => e.arguments.command === 'withdraw me' && e.decision), 10_000, 'the entry');
    expect(entry.decision).toBe('cancelled');
  });
});

describe('policy features on hook calls', () => {
  it('"always" for this caller and tool is remembered: the next Bash call from Claude Code passes without a card', async () => {
    const first = post('/hooks/claude-code', bashEvent('npm test'));
    const pending = await waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body.find((p) => p.arguments.command === 'npm test'), 10_000, 'the card');
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', remember: 'always' });
    expect(((await (await first).json()) as { hookSpecificOutput: Record<string, string> }).hookSpecificOutput.permissionDecision).toBe('allow');
    const second = (await (await post('/hooks/claude-code', bashEvent('npm run lint'))).json()) as { hookSpecificOutput: Record<string, string> };
    expect(second.hookSpecificOutput.permissionDecision).toBe('allow');
    const grants = (await api<{ id: string; server: string; tool: string; client?: string }[]>(airlock, 'GET', '/grants')).body;
    const grant = grants.find((g) => g.server === 'claude-code' && g.tool === 'Bash')!;
    expect(grant.client).toBe('claude-code');
    await api(airlock, 'DELETE', `/grants/${grant.id}`);
  });

  it('a stale runtime.json naming a port another process took: `airlock hook` refuses as not running and sends that process no token', async () => {
    const seen: string[] = [];
    const stranger = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"proofs":[]}');
    });
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    const stale = tempHome('airlock-hook-stale-');
    try {
      const port = (stranger.address() as AddressInfo).port;
      writeFileSync(join(stale.dir, 'runtime.json'), JSON.stringify({ pid: process.pid, port, url: `http://127.0.0.1:${port}`, instanceId: 'a'.repeat(64) }));
      const staleToken = ensureClientToken(join(stale.dir, 'auth.json'), 'claude-code');
      const answer = await runHook('claude-code', { home: stale.dir }, { stdin: Readable.from([JSON.stringify(bashEvent('ls'))]), env: {} });
      expect(JSON.parse(answer.stdout).hookSpecificOutput).toMatchObject({ permissionDecision: 'deny', permissionDecisionReason: expect.stringContaining('Airlock is not running') });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((line) => !line.includes(staleToken) && line.startsWith('GET /airlock/identity'))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => stranger.close(() => resolve()));
      stale.cleanup();
    }
  });
});

describe('Claude Code\'s type "http" hook (real CLI, stand-in model)', () => {
  let standIn: MessagesStandIn;
  let user: ReturnType<typeof tempHome>;
  beforeAll(async () => {
    standIn = await startMessagesStandIn();
    user = tempHome('airlock-hook-http-user-');
  });
  afterAll(async () => {
    await standIn?.close();
    user?.cleanup();
  });

  it('installed by protect --hook-type http, a Bash call waits for a person and runs once approved', async () => {
    const env = claudeEnv(user.dir, standIn);
    const project = join(user.dir, 'project');
    mkdirSync(project, { recursive: true });
    await run(process.execPath, [cliPath, 'protect', 'claude-code', '--hooks', '--hook-type', 'http', '--home', home.dir], { env });
    const hook = JSON.parse(readFileSync(join(user.dir, '.claude', 'settings.json'), 'utf8')).hooks.PreToolUse[0].hooks[0];
    expect(hook).toMatchObject({ type: 'http', headers: { Authorization: `Bearer ${token}` }, timeout: 600 });
    expect(hook.url).toBe(`http://127.0.0.1:${airlock.port}/hooks/claude-code?wait=595&onTimeout=ask`);
    const marker = join(project, 'http-hook.txt');
    standIn.script([[{ name: 'Bash', input: { command: `echo via-http > ${marker}`, description: 'write' } }]]);
    const claude = runClaude(env, project);
    const pending = await waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body.find((p) => String(p.arguments.command).includes('via-http')), 60_000, 'the card');
    expect(existsSync(marker)).toBe(false);
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' });
    await claude.done;
    expect(readFileSync(marker, 'utf8')).toBe('via-http\n');
  }, 120_000);
});
