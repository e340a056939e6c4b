/**
 * What an agent's client reports when it reaches Airlock without the right token. Real
 * clients: the Claude Code CLI (`claude mcp list`, HOME and its config in a temp folder) and
 * the paths they probe after a 401 (OAuth discovery, client registration), which must answer
 * JSON that names the bearer token, never the UI's index.html.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { DEMO_IMAGES, repoRoot, startAirlock, tempHome, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN } from '../helpers/harness.ts';

const run = promisify(execFile);
const BIN = join(repoRoot, 'node_modules', '.bin');

const home = tempHome('airlock-unauth-');
const user = tempHome('airlock-unauth-user-');
// The static server under test needs a built UI; its content does not matter here.
const ui = tempHome('airlock-unauth-ui-');
let airlock: Airlock;

beforeAll(async () => {
  writeFileSync(join(ui.dir, 'index.html'), '<!doctype html><title>Airlock</title>');
  mkdirSync(join(ui.dir, 'assets'));
  writeFileSync(join(ui.dir, 'assets', 'app.js'), 'console.log(1)');
  airlock = await startAirlock(home.dir, { demo: DEMO_IMAGES }, { uiRoot: ui.dir });
});

afterAll(async () => {
  await airlock?.stop();
  for (const dir of [home, user, ui]) dir.cleanup();
});

/** Runs the real Claude Code CLI with a HOME of its own, in a project folder of its own. */
async function claude(...args: string[]): Promise<string> {
  const project = join(user.dir, 'project');
  mkdirSync(project, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    HOME: user.dir,
    CLAUDE_CONFIG_DIR: join(user.dir, '.claude'),
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    NO_COLOR: '1',
  };
  const { stdout, stderr } = await run(join(BIN, 'claude'), args, { cwd: project, env, timeout: 60_000 });
  return stdout + stderr;
}

/** Runs mcp-remote (the stdio-to-HTTP proxy Claude Desktop users run) until it exits or answers initialize. */
async function mcpRemote(url: string, headers: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(join(BIN, 'mcp-remote'), [url, ...headers.flatMap((h) => ['--header', h])], {
    env: { PATH: `${BIN}:${process.env.PATH ?? ''}`, HOME: user.dir, MCP_REMOTE_CONFIG_DIR: join(user.dir, '.mcp-auth') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const answered = new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve();
    }),
  );
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`);
  const first = await Promise.race([exited.then(() => 'exit' as const), answered.then(() => 'answer' as const)]);
  if (first === 'answer') child.kill();
  return { stdout, stderr, code: await exited };
}

function statusLine(listing: string, name: string): string {
  const line = listing.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no line for ${name} in:\n${listing}`);
  return line;
}

describe('an agent without the right token', () => {
  it('GET /.well-known/oauth-protected-resource, the authorization server metadata and POST /register answer 404 JSON naming the bearer token', async () => {
    for (const [method, path] of [
      ['GET', '/.well-known/oauth-protected-resource'],
      ['GET', '/.well-known/oauth-protected-resource/mcp/demo'],
      ['GET', '/.well-known/oauth-authorization-server'],
      ['GET', '/.well-known/openid-configuration'],
      ['POST', '/register'],
    ] as const) {
      const res = await fetch(new URL(path, airlock.url), { method, ...(method === 'POST' && { body: '{}', headers: { 'content-type': 'application/json' } }) });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('not_found');
      expect(body.error_description).toContain('Authorization: Bearer');
      expect(body.error_description).toContain('auth.json');
    }
  });

  it('paths that are no page of the UI answer 404 JSON; the page and its assets are still served', async () => {
    for (const path of ['/nothing-here', '/history', '/assets/missing.js', '/index.htm', '/assets/%2e%2e/%2e%2e/etc/passwd']) {
      const res = await fetch(new URL(path, airlock.url));
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error, path).toBe('not_found');
    }
    expect((await fetch(new URL('/%E0%A4%A', airlock.url))).status).toBe(400);
    const page = await fetch(new URL('/', airlock.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(new URL('/assets/app.js', airlock.url))).status).toBe(200);
  });

  it('POST /mcp/<server> without a token or with a wrong one answers 401 JSON with a Bearer challenge', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      fetch(new URL('/mcp/demo', airlock.url), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) });
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="airlock"/);
    expect(((await missing.json()) as { message: string }).message).toContain('none was sent');
    for (const token of ['wrong-token-0123456789', TEST_ADMIN_TOKEN]) {
      const wrong = await post({ authorization: `Bearer ${token}` });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(((await wrong.json()) as { message: string }).message).toContain("not this Airlock's MCP token");
    }
  });

  it('`claude mcp list` (real Claude Code CLI) reports the missing and the wrong token as authentication failures, not a JSON parse error; the right token connects', async () => {
    const url = `${airlock.url}/mcp/demo`;
    await claude('mcp', 'add', '--transport', 'http', 'no-token', url);
    await claude('mcp', 'add', '--transport', 'http', 'wrong-token', url, '--header', 'Authorization: Bearer wrong-token-0123456789');
    await claude('mcp', 'add', '--transport', 'http', 'right-token', url, '--header', `Authorization: Bearer ${TEST_MCP_TOKEN}`);
    const listing = await claude('mcp', 'list');
    expect(listing).not.toMatch(/JSON Parse error|Unrecognized token/);

    // Without a token Claude Code tries OAuth and prints the body of the refused registration.
    const none = statusLine(listing, 'no-token');
    expect(none).toContain('Failed to connect');
    expect(none).toContain('Airlock endpoints take a bearer token');
    expect(none).toContain('Authorization: Bearer <token>');

    const wrong = statusLine(listing, 'wrong-token');
    expect(wrong).toContain('Server rejected the configured Authorization header (HTTP 401)');
    expect(wrong).toContain("not this Airlock's MCP token");

    expect(statusLine(listing, 'right-token')).toContain('Connected');
  }, 90_000);

  it('mcp-remote without a token exits with the bearer-token explanation, not a JSON parse error; with the token it answers initialize', async () => {
    const url = `${airlock.url}/mcp/demo`;
    const refused = await mcpRemote(url, []);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('Airlock endpoints take a bearer token');
    expect(refused.stderr).not.toMatch(/JSON Parse error|Unexpected token '<'|Unrecognized token/);

    const connected = await mcpRemote(url, [`Authorization: Bearer ${TEST_MCP_TOKEN}`]);
    expect(JSON.parse(connected.stdout.split('\n')[0]!)).toMatchObject({ id: 1, result: { serverInfo: expect.any(Object) } });
  }, 90_000);
});
