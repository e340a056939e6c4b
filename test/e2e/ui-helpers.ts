/**
 * End-to-end helpers: build the UI once, drive Debian's Chromium with playwright-core, give
 * each test its own signed-in page, and fail the test whose page shows a page error or
 * console error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, type TestContext } from 'vitest';
import { repoRoot } from '../helpers/harness.ts';

export const CHROMIUM = process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(repoRoot, 'docs', 'screenshots');

/** Builds renderer/ with the project's vite.config.ts into a fresh directory. */
export function buildRenderer(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'airlock-ui-'));
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error', '--sourcemap', 'false'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outDir;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far; the suite fails on any. */
  problems: string[];
}

export async function openPage(browser: Browser, options: { width?: number; height?: number } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1200, height: options.height ?? 860 }, colorScheme: 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return { context, page, problems };
}

/**
 * A new browser context (its own storage, its own error list) with a page signed in by a
 * fresh one-time code, on `#/<route>`. `permissions` are granted before the page loads.
 */
export async function openSignedIn(browser: Browser, airlock: { url: string; issueLoginCode(): string }, route: string, options: { permissions?: string[] } = {}): Promise<WatchedPage> {
  const watched = await openPage(browser);
  try {
    if (options.permissions) await watched.context.grantPermissions(options.permissions, { origin: airlock.url });
    await watched.page.goto(`${airlock.url}/#/${route}?code=${airlock.issueLoginCode()}`);
    await watched.page.waitForFunction(() => sessionStorage.getItem('airlock.adminToken') !== null && !location.hash.includes('code='));
  } catch (err) {
    await watched.context.close();
    throw err;
  }
  return watched;
}

/**
 * After a test: any uncaught page error or console error on its page fails that test (and
 * no other), and the context is closed. AIRLOCK_E2E_FAILURES=<dir> keeps a picture of the
 * page of each failed test, named `<prefix><test name>.png`.
 */
export async function closeTestPage(watched: WatchedPage | undefined, ctx: TestContext, prefix = ''): Promise<void> {
  if (!watched) return;
  try {
    const dir = process.env.AIRLOCK_E2E_FAILURES;
    if (dir && ctx.task.result?.state === 'fail') await watched.page.screenshot({ path: join(dir, `${prefix}${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`) });
    expect(watched.problems).toEqual([]);
  } finally {
    await watched.context.close();
  }
}

/**
 * The README's pictures are tracked files: only `npm run screenshots` rewrites them, so
 * `npm test` leaves the checkout as it found it.
 */
export const WRITE_SCREENSHOTS = process.env.npm_lifecycle_event === 'screenshots';

/** Writes a light and a dark screenshot of the page as it is now (under `npm run screenshots`). */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  if (!WRITE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    // Let the colour change settle (transitions, CodeMirror's theme) before the picture.
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
}

export async function goTo(page: Page, route: string): Promise<void> {
  await page.evaluate((hash) => {
    location.hash = hash;
  }, `#/${route}`);
}
