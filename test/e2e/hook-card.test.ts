/**
 * Calls asked through clients' pre-tool hooks, in the built UI in Debian's Chromium: the card
 * says which hook asked and in which folder, offers editing only to a client that runs edited
 * input (Claude Code, not Cursor), and Deny reaches the hook in the client's own format.
 * One Airlock and one browser for the file; each test starts with nothing waiting and its
 * own signed-in page.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { ensureClientToken } from '../../main/core/home/auth.ts';
import { HOOK_STARTER_POLICY } from '../../main/core/hooks/starter-policy.ts';
import { CallsInFlight, settleWaitingCalls, startAirlock, tempHome } from '../helpers/harness.ts';
import { buildRenderer, closeTestPage, launchBrowser, openSignedIn, type WatchedPage } from './ui-helpers.ts';

let uiRoot: string;
let home: ReturnType<typeof tempHome>;
let airlock: Airlock;
let browser: Browser;
/** The signed-in page of the running test (a new one per test), closed after it. */
let main: WatchedPage | undefined;
let page: Page;
/** Hook requests still waiting for their answer; the next test starts once they have one. */
const inFlight = new CallsInFlight();

beforeAll(async () => {
  uiRoot = buildRenderer();
  home = tempHome('airlock-e2e-hook-card-');
  airlock = await startAirlock(home.dir, {}, { uiRoot, policy: HOOK_STARTER_POLICY });
  browser = await launchBrowser();
}, 120_000);

beforeEach(async () => {
  await settleWaitingCalls(airlock, inFlight);
  main = await openSignedIn(browser, airlock, 'popup');
  page = main.page;
  await page.getByText('Nothing waiting').waitFor();
});

afterEach(async (ctx) => {
  const opened = main;
  main = undefined;
  await closeTestPage(opened, ctx, 'hook-card-');
});

afterAll(async () => {
  await browser?.close();
  await airlock?.stop();
  home?.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

function hook(client: string, event: unknown): Promise<Record<string, unknown>> {
  const token = ensureClientToken(join(home.dir, 'auth.json'), client);
  return inFlight.track(
    fetch(new URL(`/hooks/${client}?wait=60`, airlock.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(event),
    }).then((res) => res.json() as Promise<Record<string, unknown>>),
  );
}

describe('approval card for a hook call', () => {
  it("Claude Code's Bash call: the hook and its folder on the card, arguments editable, Deny answers the hook", async () => {
    const answer = hook('claude-code', { session_id: 'sess-42', cwd: '/srv/shop', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'make deploy-prod' } });
    const card = page.locator('section.approval-card', { hasText: 'make deploy-prod' });
    await card.waitFor();
    expect(await card.textContent()).toContain('Asked by hook');
    expect(await card.textContent()).toContain('/srv/shop');
    await card.getByRole('button', { name: 'Edit arguments' }).waitFor();
    await card.getByLabel('Message to the agent').fill('use staging');
    await card.getByRole('button', { name: 'Deny' }).and(page.locator(':enabled')).waitFor();
    await card.getByRole('button', { name: 'Deny' }).click();
    expect(await answer).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: '[Airlock] Denied by the user: use staging' } });
  });

  it("Cursor's shell command: no argument editing offered (Cursor cannot run edited input), Approve lets it run", async () => {
    const answer = hook('cursor', { hook_event_name: 'beforeShellExecution', conversation_id: 'c-1', workspace_roots: ['/srv/shop'], command: 'npm install left-pad', cwd: '/srv/shop' });
    const card = page.locator('section.approval-card', { hasText: 'npm install left-pad' });
    await card.waitFor();
    expect(await card.textContent()).toContain('beforeShellExecution');
    expect(await card.getByRole('button', { name: 'Edit arguments' }).count()).toBe(0);
    await card.getByRole('button', { name: 'Approve' }).and(page.locator(':enabled')).waitFor();
    await card.getByRole('button', { name: 'Approve' }).click();
    expect(await answer).toMatchObject({ permission: 'allow' });
  });
});
