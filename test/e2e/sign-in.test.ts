/**
 * Signing a browser in, end to end in Debian's Chromium: a login link pasted into a tab
 * that is already open works without a reload; a second tab of the same browser gets the
 * session from a signed-in tab; the link's code still works only once, and a browser with
 * no signed-in tab gets nothing.
 */
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { startAirlock, tempHome, TEST_ADMIN_TOKEN } from '../helpers/harness.ts';
import { buildRenderer, launchBrowser, openPage, type WatchedPage } from './ui-helpers.ts';

const home = tempHome('airlock-e2e-signin-');
let uiRoot: string;
let airlock: Airlock;
let browser: Browser;
const opened: WatchedPage[] = [];

async function newBrowserProfile(): Promise<WatchedPage> {
  const watched = await openPage(browser);
  opened.push(watched);
  return watched;
}

beforeAll(async () => {
  uiRoot = buildRenderer();
  airlock = await startAirlock(home.dir, {}, { uiRoot });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const watched of opened) expect(watched.problems).toEqual([]);
  await browser?.close();
  await airlock?.stop();
  home.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('sign-in', () => {
  it('a fresh login link pasted into a signed-out tab signs it in without a reload, and leaves no code in the address bar', async () => {
    const { page } = await newBrowserProfile();
    await page.goto(`${airlock.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Airlock' }).waitFor();
    // Survives only if the page is not reloaded.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await page.goto(`${airlock.url}/#/history?code=${airlock.issueLoginCode()}`);
    await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(new URL(page.url()).hash).toBe('#/history');
  });

  it('a second tab of the same browser is signed in by the open one; the link that signed in the first does not work again', async () => {
    const first = await newBrowserProfile();
    const code = airlock.issueLoginCode();
    await first.page.goto(`${airlock.url}/#code=${code}`);
    await first.page.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();

    const second = await first.context.newPage();
    second.on('pageerror', (error) => first.problems.push(`page error: ${error.message}`));
    await second.goto(`${airlock.url}/#/policy`);
    await second.getByRole('heading', { name: 'Policy', level: 1 }).waitFor();
    expect(await second.evaluate(() => sessionStorage.getItem('airlock.adminToken'))).toBe(TEST_ADMIN_TOKEN);

    // Another browser profile, with the link already used: no open tab there to ask.
    const elsewhere = await newBrowserProfile();
    await elsewhere.page.goto(`${airlock.url}/#code=${code}`);
    await elsewhere.page.getByRole('heading', { name: 'Sign in to Airlock' }).waitFor();
    expect(await elsewhere.page.getByRole('alert').textContent()).toContain('already used');
    // The browser logs the refused code's 401 as a console error: expected here, and only here.
    expect(elsewhere.problems).toEqual(['console error: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
    elsewhere.problems.length = 0;
  });

  it('a tab in a browser with no signed-in tab stays signed out', async () => {
    const { page } = await newBrowserProfile();
    await page.goto(`${airlock.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Airlock' }).waitFor();
    // Longer than a signed-in tab takes to answer.
    await page.waitForTimeout(1000);
    expect(await page.getByRole('heading', { name: 'Sign in to Airlock' }).count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('airlock.adminToken'))).toBeNull();
  });
});
