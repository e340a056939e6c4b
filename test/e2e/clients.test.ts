/**
 * The Clients page end to end: a real Airlock, client config files in a temporary home
 * folder (HOME points there, as the core finds client files under os.homedir()), the
 * built UI in Debian's Chromium. What is listed, what reaches a server around Airlock,
 * and Protect / Unprotect / Import changing the real files. One Airlock and one browser for
 * the file; each test starts from the same files (client files, config.json, no record of
 * protected entries) on its own signed-in page, so tests pass alone and in any order.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { PROBE_SERVER_FILE } from '../fixtures/probe.ts';
import { freePort, startAirlock, tempHome, TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { buildRenderer, closeTestPage, launchBrowser, openSignedIn, screenshotBoth, type WatchedPage } from './ui-helpers.ts';

// Client discovery reads these; the test's machine must not leak into the fixture.
const ENV_KEYS = ['HOME', 'XDG_CONFIG_HOME', 'CLAUDE_CONFIG_DIR'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

const user = tempHome('airlock-e2e-user-');
const home = tempHome('airlock-e2e-clients-');
const project = tempHome('airlock-e2e-project-');
const cursorFile = join(user.dir, '.cursor', 'mcp.json');
const claudeDesktopFile = join(user.dir, '.config', 'Claude', 'claude_desktop_config.json');
const claudeCodeFile = join(user.dir, '.claude.json');
const vscodeProjectFile = join(project.dir, '.vscode', 'mcp.json');
const PROBE = { command: process.execPath, args: [PROBE_SERVER_FILE] };
const BROKEN = '{\n  "mcpServers": {\n    "broken": \n';
const VSCODE_PROJECT = '{\n  // the docs server of this project\n  "servers": { "docs": { "command": "docs-server", "args": ["--port", "0"] } }\n}\n';
// Cursor runs the server Airlock guards as "notes" directly: a way around Airlock.
// Formatted by hand, so a restore that rewrote the whole file would show.
const CURSOR = `{
    "mcpServers": {
        "notes": { "command": ${JSON.stringify(PROBE.command)}, "args": [${JSON.stringify(PROBE.args[0])}] },
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}
    },
    "theme": "dark"
}
`;

let uiRoot: string;
let airlock: Airlock;
let browser: Browser;
/** Airlock's config.json as the file started with it (Import adds to it). */
let config: string;
/** The signed-in page of the running test (a new one per test), closed after it. */
let watched: WatchedPage | undefined;
let page: Page;

const region = (name: string) => page.getByRole('region', { name, exact: true });
const result = () => page.locator('section.clients-result');

beforeAll(async () => {
  uiRoot = buildRenderer();
  process.env.HOME = user.dir;
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.CLAUDE_CONFIG_DIR;
  mkdirSync(join(user.dir, '.cursor'), { recursive: true });
  mkdirSync(join(user.dir, '.config', 'Claude'), { recursive: true });
  mkdirSync(join(project.dir, '.vscode'), { recursive: true });
  // A disabled "github" that differs from Cursor's: importing Cursor's is a name clash.
  airlock = await startAirlock(home.dir, { notes: PROBE, github: { command: 'github-mcp', args: ['stdio'], disabled: true } }, { uiRoot, port: await freePort() });
  config = readFileSync(join(home.dir, 'config.json'), 'utf8');
  browser = await launchBrowser();
}, 120_000);

beforeEach(async () => {
  // Protect and Unprotect rewrite the Cursor file; a test that fails half-way leaves it changed.
  writeFileSync(cursorFile, CURSOR);
  writeFileSync(claudeDesktopFile, BROKEN);
  writeFileSync(vscodeProjectFile, VSCODE_PROJECT);
  // Claude Code already goes through this Airlock, written by hand (so there is no original on record).
  writeFileSync(claudeCodeFile, JSON.stringify({ mcpServers: { notes: { type: 'http', url: `${airlock.url}/mcp/notes`, headers: { Authorization: `Bearer ${TEST_MCP_TOKEN}` } } } }, null, 2));
  // Import adds to config.json (an imported github-cursor makes Cursor's github a way around
  // Airlock); Protect records the originals in protected.json and backs the file up.
  writeFileSync(join(home.dir, 'config.json'), config);
  rmSync(join(home.dir, 'protected.json'), { force: true });
  rmSync(join(home.dir, 'backups'), { recursive: true, force: true });
  watched = await openSignedIn(browser, airlock, 'clients');
  page = watched.page;
});

afterEach(async (ctx) => {
  const opened = watched;
  watched = undefined;
  await closeTestPage(opened, ctx, 'clients-');
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await browser?.close();
  await airlock?.stop();
  for (const dir of [user, home, project]) dir.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('Clients page', () => {
  it('lists each client with its files and servers, a malformed file with its path and error, and the way around Airlock', async () => {
    const cursor = region('Cursor');
    const cursorGroup = cursor.getByRole('group', { name: cursorFile });
    await cursorGroup.waitFor();
    expect(await cursorGroup.locator('.clients-entry').count()).toBe(2);
    const notes = cursorGroup.locator('.clients-entry', { hasText: 'notes' });
    expect(await notes.textContent()).toContain('Direct');
    expect(await notes.textContent()).toContain('Bypasses Airlock');

    const desktop = region('Claude Desktop').getByRole('group', { name: claudeDesktopFile });
    await desktop.getByText('Malformed').waitFor();
    expect(await desktop.textContent()).toContain(claudeDesktopFile);
    expect(await desktop.textContent()).toContain('Airlock does not change this file until it parses again');

    const code = region('Claude Code').getByRole('group', { name: claudeCodeFile });
    expect(await code.textContent()).toContain('Through Airlock · HTTP');
    expect(await code.textContent()).toContain('No original on record');

    const bypasses = region('Reachable without Airlock');
    expect(await bypasses.textContent()).toContain('a way around the policy');
    expect(await bypasses.textContent()).toContain(cursorFile);
    await bypasses.getByRole('button', { name: 'Protect notes in Cursor' }).waitFor();
    await screenshotBoth(page, 'clients');
  });

  it('Protect from the list of ways around rewrites the Cursor entry to Airlock; Unprotect restores the file byte for byte', async () => {
    await region('Reachable without Airlock').getByRole('button', { name: 'Protect notes in Cursor' }).click();
    await result().getByRole('heading', { name: '1 entry in Cursor now goes through Airlock' }).waitFor();
    expect(await result().textContent()).toContain('Backup of the file as it was');
    // The result takes the focus: the button that was pressed is gone.
    expect(await result().evaluate((el) => el === document.activeElement)).toBe(true);

    const rewritten = readFileSync(cursorFile, 'utf8');
    // Only the entry changed: the other entry keeps its formatting, the other keys stay.
    expect(rewritten).toContain('"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}');
    expect(rewritten).toContain('"theme": "dark"');
    const servers = (JSON.parse(rewritten) as { mcpServers: Record<string, { url?: string; headers?: Record<string, string>; command?: string }> }).mcpServers;
    // Cursor's own named token (auth.json clients.cursor), not the shared MCP token.
    const cursorToken = (JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')) as { clients: Record<string, string> }).clients.cursor;
    expect(cursorToken).not.toBe(TEST_MCP_TOKEN);
    expect(servers.notes).toMatchObject({ url: `${airlock.url}/mcp/notes`, headers: { Authorization: `Bearer ${cursorToken}` } });
    expect(servers.github!.command).toBe('npx');
    await region('Reachable without Airlock').waitFor({ state: 'detached' });
    await page.getByText('None of the client files below runs a server Airlock guards without going through Airlock.').waitFor();
    expect(await region('Cursor').locator('.clients-entry', { hasText: 'notes' }).textContent()).toContain('Through Airlock · HTTP');
    expect(readFileSync(claudeDesktopFile, 'utf8')).toBe(BROKEN);

    await region('Cursor').getByRole('button', { name: 'Unprotect notes' }).click();
    await result().getByRole('heading', { name: '1 original entry restored in Cursor' }).waitFor();
    expect(readFileSync(cursorFile, 'utf8')).toBe(CURSOR);
    await region('Reachable without Airlock').waitFor();
  });

  it('Import copies a server into config.json under another name when the name is taken, and leaves the client file alone', async () => {
    await region('Cursor').getByRole('button', { name: 'Import github' }).click();
    const shown = result();
    await shown.getByRole('heading', { name: '1 server from Cursor added to config.json' }).waitFor();
    expect(await shown.textContent()).toContain('Added under another name');
    expect(await shown.textContent()).toContain('config.json already has a different "github"; imported as "github-cursor"');
    const config = JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8')) as { mcpServers: Record<string, { command: string }> };
    expect(config.mcpServers['github-cursor']!.command).toBe('npx');
    expect(config.mcpServers.github!.command).toBe('github-mcp');
    expect(readFileSync(cursorFile, 'utf8')).toBe(CURSOR);
    await shown.getByRole('button', { name: 'Dismiss' }).press('Enter');
    await shown.waitFor({ state: 'detached' });
    // The keyboard is not left on a button that is gone.
    expect(await page.getByRole('heading', { name: 'Clients', level: 1 }).evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('a project folder added by hand is looked in, and can be dropped again', async () => {
    const vscode = region('VS Code');
    expect(await vscode.getByRole('group', { name: vscodeProjectFile }).count()).toBe(0);
    await page.getByRole('textbox', { name: 'Project folders' }).fill(project.dir);
    await page.getByRole('button', { name: 'Look here too' }).click();
    const file = vscode.getByRole('group', { name: vscodeProjectFile });
    await file.getByText('docs', { exact: true }).waitFor();
    expect(await file.textContent()).toContain(`Project ${project.dir}`);
    await page.getByRole('button', { name: `Stop looking in ${project.dir}` }).click();
    await file.waitFor({ state: 'detached' });
  });
});
