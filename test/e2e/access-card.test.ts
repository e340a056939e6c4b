/**
 * A resource read and a prompt waiting for a person, in the built UI in Debian's Chromium:
 * the card says what is asked (no arguments to edit, nothing to remember), and Approve lets
 * the real upstream's content through. One Airlock and one browser for the file; each test
 * starts with nothing waiting and its own signed-in page.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { CallsInFlight, connectHttp, newClient, settleWaitingCalls, startAirlock, tempHome } from '../helpers/harness.ts';
import { buildRenderer, closeTestPage, launchBrowser, openSignedIn, type WatchedPage } from './ui-helpers.ts';

const ECHO = { command: process.execPath, args: [join(import.meta.dirname, '..', 'fixtures', 'echo-server.ts')] };
const POLICY = {
  version: '1',
  default: 'allow',
  resources: { 'secret://*': { action: 'ask', reason: 'the vault needs a person' } },
  prompts: { leak: { action: 'ask' } },
};

let uiRoot: string;
let home: ReturnType<typeof tempHome>;
let airlock: Airlock;
let browser: Browser;
let client: Client;
/** The signed-in page of the running test (a new one per test), closed after it. */
let main: WatchedPage | undefined;
let page: Page;
/** Reads and prompts still waiting for their answer; the next test starts once they have one. */
const inFlight = new CallsInFlight();

beforeAll(async () => {
  uiRoot = buildRenderer();
  home = tempHome('airlock-e2e-access-');
  airlock = await startAirlock(home.dir, { echo: ECHO }, { uiRoot, policy: POLICY, settings: { earlyAnswerSeconds: 0 } });
  browser = await launchBrowser();
  client = await connectHttp(airlock, 'echo', newClient('e2e-reader'));
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
  await closeTestPage(opened, ctx, 'access-card-');
});

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await airlock?.stop();
  home?.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('approval card for a resource or a prompt', () => {
  it('says it is a resource read, offers no argument editing, and Approve returns the content', async () => {
    const read = inFlight.track(client.readResource({ uri: 'secret://vault/key' }));
    const card = page.locator('section.approval-card', { hasText: 'secret://vault/key' });
    await card.waitFor();
    await card.getByRole('heading', { name: 'Read a resource' }).waitFor();
    expect(await card.textContent()).toContain('the vault needs a person');
    expect(await card.getByRole('button', { name: 'Edit arguments' }).count()).toBe(0);
    expect(await card.getByRole('group', { name: 'Remember' }).count()).toBe(0);
    await card.getByRole('button', { name: 'Approve' }).and(page.locator(':enabled')).waitFor();
    await card.getByRole('button', { name: 'Approve' }).click();
    expect((await read).contents[0]).toMatchObject({ text: 'the vault key' });
  });

  it('says it is a prompt, shows its arguments, and Deny tells the agent', async () => {
    const got = inFlight.track(client.getPrompt({ name: 'leak', arguments: { topic: 'the launch codes' } }));
    const card = page.locator('section.approval-card', { hasText: 'the launch codes' });
    await card.waitFor();
    await card.getByRole('heading', { name: 'Get a prompt' }).waitFor();
    expect(await card.textContent()).toContain('leak');
    await card.getByLabel('Message to the agent').fill('not this one');
    await card.getByRole('button', { name: 'Deny' }).and(page.locator(':enabled')).waitFor();
    await card.getByRole('button', { name: 'Deny' }).click();
    await expect(got).rejects.toThrow('[Airlock] Denied by the user: not this one');
  });
});
