/**
 * The Connect page end to end: a real Airlock on a fixed port, the built UI in Debian's
 * Chromium, and the entries the page hands out used by real clients: the copied Claude
 * Code command run with the real Claude Code CLI, the Cursor entry by an SDK client over
 * HTTP, the Claude Desktop entry spawned as the stdio bridge. Protect rewrites a real
 * client file (HOME is a temp folder). One Airlock and one browser for the file; each test
 * has its own signed-in page, so a page error fails only the test that caused it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { PROBE_SERVER_FILE } from '../fixtures/probe.ts';
import { DEMO_IMAGES, freePort, repoRoot, startAirlock, tempHome, TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { buildRenderer, closeTestPage, goTo, launchBrowser, openSignedIn, type WatchedPage } from './ui-helpers.ts';

const run = promisify(execFile);
const BIN = join(repoRoot, 'node_modules', '.bin');
const ENV_KEYS = ['HOME', 'XDG_CONFIG_HOME', 'CLAUDE_CONFIG_DIR'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

const user = tempHome('airlock-e2e-connect-user-');
const home = tempHome('airlock-e2e-connect-');
const cursorFile = join(user.dir, '.cursor', 'mcp.json');
let uiRoot: string;
let airlock: Airlock;
let browser: Browser;
/** The signed-in page of the running test (a new one per test), closed after it. */
let watched: WatchedPage | undefined;
let page: Page;

const server = () => page.getByRole('region', { name: 'demo', exact: true });
const entry = (client: string) => server().getByLabel(`${client} entry for demo`, { exact: true });

async function copied(label: string): Promise<string> {
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('button', { name: label }).getByText('Copied').waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** This test's page: a new signed-in one on `#/<route>`, allowed to use the clipboard. */
async function openUi(route: string): Promise<void> {
  watched = await openSignedIn(browser, airlock, route, { permissions: ['clipboard-read', 'clipboard-write'] });
  page = watched.page;
}

async function listTools(client: Client): Promise<string[]> {
  const { tools } = await client.listTools();
  return tools.map((t) => t.name);
}

beforeAll(async () => {
  uiRoot = buildRenderer();
  process.env.HOME = user.dir;
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.CLAUDE_CONFIG_DIR;
  mkdirSync(join(user.dir, '.cursor'), { recursive: true });
  writeFileSync(cursorFile, JSON.stringify({ mcpServers: { notes: { command: process.execPath, args: [PROBE_SERVER_FILE, '--notes'] } } }, null, 2));
  airlock = await startAirlock(home.dir, { demo: DEMO_IMAGES }, { uiRoot, port: await freePort() });
  browser = await launchBrowser();
}, 120_000);

afterEach(async (ctx) => {
  const opened = watched;
  watched = undefined;
  await closeTestPage(opened, ctx, 'connect-');
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await browser?.close();
  await airlock?.stop();
  for (const dir of [user, home]) dir.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('Connect page', () => {
  it('the empty Approvals page links to it; it shows each server with its endpoint', async () => {
    await openUi('approvals');
    await page.getByRole('status').getByText('Nothing waiting').waitFor();
    await page.getByRole('link', { name: 'Connect an agent' }).click();
    await page.getByRole('heading', { name: 'Connect an agent', level: 1 }).waitFor();
    expect(await server().textContent()).toContain(`${airlock.url}/mcp/demo`);
  });

  it('shows the token only when asked: masked in the entries until "Show token", gone again on "Hide token"', async () => {
    await openUi('connect');
    await page.getByRole('tab', { name: 'Cursor' }).click();
    await entry('Cursor').waitFor();
    expect(await entry('Cursor').textContent()).not.toContain(TEST_MCP_TOKEN);
    expect(await page.getByLabel('MCP token', { exact: true }).textContent()).not.toContain(TEST_MCP_TOKEN);
    await page.getByRole('button', { name: 'Show token' }).click();
    await page.getByLabel('MCP token', { exact: true }).getByText(TEST_MCP_TOKEN).waitFor();
    expect(await entry('Cursor').textContent()).toContain(`Bearer ${TEST_MCP_TOKEN}`);
    await page.getByRole('button', { name: 'Hide token' }).click();
    await page.getByRole('button', { name: 'Show token' }).waitFor();
    expect(await entry('Cursor').textContent()).not.toContain(TEST_MCP_TOKEN);
  });

  it('the copied Claude Code command, run with the real Claude Code CLI, makes `claude mcp list` report the server connected', async () => {
    await openUi('connect');
    await page.getByRole('tab', { name: 'Claude Code' }).click();
    // Copied with the token hidden: the clipboard still gets the working command.
    const command = await copied('Copy the Claude Code entry for demo');
    expect(command).toBe(`claude mcp add --transport http demo ${airlock.url}/mcp/demo --header "Authorization: Bearer ${TEST_MCP_TOKEN}"`);
    const claudeHome = join(user.dir, 'claude-code');
    const project = join(claudeHome, 'project');
    mkdirSync(project, { recursive: true });
    const env = { PATH: `${BIN}:${process.env.PATH ?? ''}`, HOME: claudeHome, CLAUDE_CONFIG_DIR: join(claudeHome, '.claude'), DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', NO_COLOR: '1' };
    await run('/bin/sh', ['-c', command], { cwd: project, env, timeout: 60_000 });
    const { stdout } = await run(join(BIN, 'claude'), ['mcp', 'list'], { cwd: project, env, timeout: 60_000 });
    expect(stdout).toMatch(/^demo: .*\/mcp\/demo \(HTTP\) - ✔ Connected/m);
  }, 90_000);

  it("the copied Cursor entry connects an SDK client over HTTP; the Claude Desktop entry runs the stdio bridge", async () => {
    await openUi('connect');
    await page.getByRole('tab', { name: 'Cursor' }).click();
    const cursor = JSON.parse(await copied('Copy the Cursor entry for demo')) as { mcpServers: { demo: { url: string; headers: Record<string, string> } } };
    const http = new Client({ name: 'cursor-like', version: '1' });
    await http.connect(new StreamableHTTPClientTransport(new URL(cursor.mcpServers.demo.url), { requestInit: { headers: cursor.mcpServers.demo.headers } }));
    expect(await listTools(http)).toContain('image_to_image');
    await http.close();

    await page.getByRole('tab', { name: 'Claude Desktop' }).click();
    const desktop = JSON.parse(await copied('Copy the Claude Desktop entry for demo')) as { mcpServers: { demo: { command: string; args: string[] } } };
    expect(desktop.mcpServers.demo.args).toEqual([...airlock.self.args, 'connect', 'demo', '--home', home.dir]);
    const stdio = new Client({ name: 'desktop-like', version: '1' });
    // The harness's Airlock takes its token from AIRLOCK_MCP_TOKEN rather than auth.json: the bridge is told the same.
    await stdio.connect(new StdioClientTransport({ ...desktop.mcpServers.demo, env: { ...(process.env as Record<string, string>), AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN }, stderr: 'pipe' }));
    expect(await listTools(stdio)).toContain('image_to_image');
    await stdio.close();
  }, 60_000);

  it('warns that the URLs change when Airlock runs on a port other than the configured one (here: config.json says 0)', async () => {
    await openUi('connect');
    const otherHome = tempHome('airlock-e2e-connect-any-port-');
    const other = await startAirlock(otherHome.dir, { demo: DEMO_IMAGES }, { uiRoot });
    const tab = await page.context().newPage();
    try {
      await tab.goto(`${other.url}/#/connect?code=${other.issueLoginCode()}`);
      const warning = tab.getByRole('alert').filter({ hasText: 'airlock.port' });
      await warning.waitFor();
      expect(await warning.textContent()).toContain(`the URLs below (port ${other.port}) change with every restart`);
    } finally {
      await tab.close();
      await other.stop();
      otherHome.cleanup();
    }
    // The Airlock on its configured port shows no such warning.
    await goTo(page, 'connect');
    await server().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  }, 60_000);

  it('Protect Cursor rewrites ~/.cursor/mcp.json to go through Airlock on its configured port, and shows what it did', async () => {
    await openUi('connect');
    await page.getByRole('button', { name: 'Protect Cursor' }).click();
    await page.locator('section.clients-result').getByRole('heading', { name: '1 entry in Cursor now goes through Airlock' }).waitFor();
    const notes = JSON.parse(readFileSync(cursorFile, 'utf8')).mcpServers.notes;
    // Cursor's own named token (auth.json `clients.cursor`), not the shared MCP token.
    const cursorToken = (JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')) as { clients: Record<string, string> }).clients.cursor;
    expect(cursorToken).not.toBe(TEST_MCP_TOKEN);
    expect(notes).toEqual({ url: `${airlock.url}/mcp/notes`, headers: { Authorization: `Bearer ${cursorToken}` } });
    expect(JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8')).mcpServers.notes).toMatchObject({ args: [PROBE_SERVER_FILE, '--notes'] });
  });
});
