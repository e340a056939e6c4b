/**
 * End-to-end helpers: build the UI once, drive Debian's Chromium with playwright-core, and
 * fail on any page error or console error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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
