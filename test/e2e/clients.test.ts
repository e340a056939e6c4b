/**
 * The Clients page end to end: a real Airlock, client config files in a temporary home
 * folder, the built UI in Debian's Chromium. What is listed, what bypasses Airlock, and
 * Protect / Unprotect rewriting the real file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { startAirlock, tempHome } from '../helpers/harness.ts';
import { probeServer, PROBE_SERVER_FILE } from '../fixtures/probe.ts';
import { buildRenderer, goTo, launchBrowser, openPage, screenshotBoth, type WatchedPage } from './ui-helpers.ts';

const savedHome = process.env.HOME;
const user = tempHome('airlock-e2e-user-');
const home = tempHome('airlock-e2e-clients-');
const cursorFile = join(user.dir, '.cursor', 'mcp.json');
const claudeFile = join(user.dir, '.config', 'Claude', 'claude_desktop_config.json');
let airlock: Airlock;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let original: string;

beforeAll(async () => {
  const uiRoot = buildRenderer();
  process.env.HOME = user.dir;
  const probe = probeServer(join(home.dir, 'probe.log'));
  mkdirSync(join(user.dir, '.cursor'), { recursive: true });
  mkdirSync(join(user.dir, '.config', 'Claude'), { recursive: true });
  // Cursor runs the same server Airlock guards, directly: a bypass.
  original = `{
  "mcpServers": {
    "probe": { "command": ${JSON.stringify(probe.command)}, "args": [${JSON.stringify(PROBE_SERVER_FILE)}] }
  }
}
`;
  writeFileSync(cursorFile, original);
  writeFileSync(claudeFile, '{ "mcpServers": { "broken": ');
  airlock = await startAirlock(home.dir, { probe: { command: probe.command, args: [PROBE_SERVER_FILE] } }, { uiRoot });
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await page.goto(`${airlock.url}/#code=${airlock.issueLoginCode()}`);
  await goTo(page, 'clients');
});

afterAll(async () => {
  process.env.HOME = savedHome;
  await browser?.close();
  await airlock?.stop();
  user.cleanup();
  home.cleanup();
  expect(watched?.problems ?? []).toEqual([]);
});

describe('Clients page', () => {
  it('lists client files, shows a malformed one with its path, and the bypass', async () => {
    const cursor = page.getByRole('region', { name: 'Client Cursor' });
    await cursor.getByText(cursorFile).waitFor();
    await expect(cursor.getByText('Direct').count()).resolves.toBe(1);
    const claude = page.getByRole('region', { name: 'Client Claude Desktop' });
    await claude.getByText(claudeFile).waitFor();
    await expect(claude.getByText('Malformed').count()).resolves.toBe(1);
    const bypasses = page.getByRole('region', { name: 'Reachable without Airlock' });
    await bypasses.getByText(cursorFile).waitFor();
    await screenshotBoth(page, 'clients');
  });

  it('Protect routes the entry through Airlock and closes the bypass; Unprotect restores the file byte for byte', async () => {
    const cursor = page.getByRole('region', { name: 'Client Cursor' });
    await cursor.getByRole('button', { name: 'Protect probe' }).click();
    await cursor.getByText('Through Airlock (http)').waitFor();
    const rewritten = JSON.parse(readFileSync(cursorFile, 'utf8')) as { mcpServers: { probe: { url: string } } };
    expect(rewritten.mcpServers.probe.url).toBe(`${airlock.url}/mcp/probe`);
    await page.getByRole('region', { name: 'Reachable without Airlock' }).waitFor({ state: 'detached' });
    expect(readFileSync(claudeFile, 'utf8')).toBe('{ "mcpServers": { "broken": ');

    await cursor.getByRole('button', { name: 'Unprotect probe' }).click();
    await cursor.getByText('Direct').waitFor();
    expect(readFileSync(cursorFile, 'utf8')).toBe(original);
  });
});
