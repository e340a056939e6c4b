/**
 * The approval desk end to end, at the popup's sizes: a real Airlock with the demo image
 * server and the probe server, real SDK clients calling over /mcp, the built UI in
 * Debian's Chromium. The decision bar stays on screen with large arguments and in the
 * editor; the queue lets the person pick any call and decide identical ones at once; a
 * call whose agent was told to retry says so; a missed call's retry can be let through;
 * web notifications name the tool and caller, never the arguments; the main views fit
 * 360 px.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { encodePng } from '../../main/demo/image-render.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { probeServer } from '../fixtures/probe.ts';
import { api, connectHttp, DEMO_IMAGES, newClient, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { buildRenderer, goTo, launchBrowser, openPage, type WatchedPage } from './ui-helpers.ts';

const POLICY = {
  version: '1',
  default: 'allow',
  tools: {
    image_to_image: { action: 'ask', reason: 'Costs money per image', timeout: 600 },
    'probe/record_args': { action: 'ask', timeout: 2 },
  },
};

/** A PNG of noise (so it does not compress) of at least `kb` kilobytes, as a data URL. */
function noisyPng(kb: number, seed: number): string {
  // Three random bytes a pixel (alpha is constant and compresses away).
  const edge = Math.ceil(Math.sqrt((kb * 1024) / 3));
  const data = Buffer.alloc(edge * edge * 4);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < data.length; i++) {
    // xorshift: the same picture every run.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = i % 4 === 3 ? 255 : x & 255;
  }
  return `data:image/png;base64,${encodePng({ width: edge, height: edge, data }).toString('base64')}`;
}

const BIG_A = noisyPng(700, 1);
const BIG_B = noisyPng(700, 2);
const pngBytes = (dataUrl: string) => Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64').length;
const SIZES = [
  { width: 400, height: 600 },
  { width: 360, height: 480 },
] as const;

let uiRoot: string;
let home: ReturnType<typeof tempHome>;
let airlock: Airlock;
let browser: Browser;
let images: Client;
let probe: Client;
let watched: WatchedPage;
let page: Page;
/** Calls still waiting for their answer; a test's calls are answered before the next test starts. */
const inFlight = new Set<Promise<CallToolResult>>();

/** A call from an agent that follows progress (so it waits instead of being answered early). */
function callImages(prompt: string, imageList: string[] = [BIG_A, BIG_B]): Promise<CallToolResult> {
  const call = images.callTool({ name: 'image_to_image', arguments: { prompt, images: imageList, size: '1K' } }, undefined, {
    onprogress: () => undefined,
    resetTimeoutOnProgress: true,
  }) as Promise<CallToolResult>;
  inFlight.add(call);
  // The test awaits it; this also keeps a call left over by a failed test from being reported twice.
  call.then(
    () => inFlight.delete(call),
    () => inFlight.delete(call),
  );
  return call;
}

/** All text of a result (the demo server puts the image first). */
function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

async function pending(): Promise<PendingCall[]> {
  return (await api<PendingCall[]>(airlock, 'GET', '/pending')).body;
}

async function waitPending(count: number): Promise<PendingCall[]> {
  return waitFor(async () => {
    const list = await pending();
    return list.length === count ? list : undefined;
  }, 15_000, `${count} pending calls`);
}

async function card(text: string): Promise<Locator> {
  const found = page.locator('section.approval-card', { hasText: text });
  await found.waitFor();
  const id = await found.getAttribute('data-call-id');
  return page.locator(`section.approval-card[data-call-id="${id}"]`);
}

async function armed(shown: Locator): Promise<void> {
  await shown.getByRole('button', { name: 'Approve' }).and(page.locator(':enabled')).waitFor();
}

/** The element's box lies inside the viewport, it is the topmost element at its centre, and the page did not scroll. */
async function expectOnScreen(target: Locator, size: { width: number; height: number }): Promise<void> {
  const box = await target.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(size.width);
  expect(box!.y + box!.height).toBeLessThanOrEqual(size.height);
  const topmost = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return hit !== null && el.contains(hit);
  });
  expect(topmost).toBe(true);
  expect(await page.evaluate(() => [window.scrollX, window.scrollY, document.scrollingElement?.scrollTop ?? 0])).toEqual([0, 0, 0]);
}

beforeAll(async () => {
  uiRoot = buildRenderer();
  home = tempHome('airlock-e2e-desk-');
  airlock = await startAirlock(home.dir, { images: DEMO_IMAGES, probe: probeServer(join(home.dir, 'probe.log')) }, { uiRoot, policy: POLICY, settings: { earlyAnswerSeconds: 1, heartbeatSeconds: 1 } });
  browser = await launchBrowser();
  images = await connectHttp(airlock, 'images', newClient('desk-agent'));
  probe = await connectHttp(airlock, 'probe', newClient('desk-agent'));
  watched = await openPage(browser, SIZES[0]);
  page = watched.page;
  await page.goto(`${airlock.url}/#/popup?code=${airlock.issueLoginCode()}`);
  await page.getByText('Nothing waiting').waitFor();
}, 120_000);

afterEach(async () => {
  // No call of one test waits into the next (nor one still on its way to the queue).
  await waitFor(async () => {
    for (const call of await pending()) await api(airlock, 'POST', `/pending/${call.id}`, { decision: 'deny' });
    return inFlight.size === 0;
  }, 30_000, 'the calls of this test to be answered');
  for (const grant of (await api<Array<{ id: string }>>(airlock, 'GET', '/grants')).body) await api(airlock, 'DELETE', `/grants/${grant.id}`);
  await page.setViewportSize(SIZES[0]);
  await goTo(page, 'popup');
  // A page error fails the test that caused it, not every test after it.
  expect(watched?.problems.splice(0) ?? []).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await images?.close();
  await probe?.close();
  await airlock?.stop();
  home?.cleanup();
  if (uiRoot) rmSync(uiRoot, { recursive: true, force: true });
}, 60_000);

describe('the decision bar stays in view', () => {
  for (const size of SIZES) {
    it(`at ${size.width}×${size.height}, with two 700 KB images: Approve and Deny are on screen in view mode, the form and the JSON tab`, async () => {
      expect(pngBytes(BIG_A)).toBeGreaterThanOrEqual(700 * 1024);
      expect(pngBytes(BIG_B)).toBeGreaterThanOrEqual(700 * 1024);
      await page.setViewportSize(size);
      const result = callImages(`two big images at ${size.width}`);
      const shown = await card(`two big images at ${size.width}`);
      await armed(shown);
      const approve = shown.getByRole('button', { name: 'Approve' });
      const deny = shown.getByRole('button', { name: 'Deny' });
      await expectOnScreen(approve, size);
      await expectOnScreen(deny, size);
      await expectOnScreen(shown.getByRole('group', { name: 'Remember' }).or(shown.locator('fieldset.segmented')).first(), size);
      await expectOnScreen(shown.getByRole('timer'), size);

      await shown.getByRole('button', { name: 'Edit arguments' }).click();
      const form = shown.getByRole('group', { name: 'Arguments form' });
      await form.waitFor();
      // Images are chips, not text: the field after them is in reach by scrolling the card only.
      await form.getByRole('group', { name: 'images[0] image' }).waitFor();
      await form.getByRole('group', { name: 'images[1] image' }).waitFor();
      expect(await form.locator('textarea, input[type="text"]').evaluateAll((els) => els.every((el) => (el as HTMLInputElement).value.length < 1000))).toBe(true);
      const sizeField = form.getByLabel('size');
      await sizeField.scrollIntoViewIfNeeded();
      await expectOnScreen(sizeField, size);
      await expectOnScreen(approve, size);
      await expectOnScreen(deny, size);

      await shown.getByRole('tab', { name: 'JSON' }).click();
      await shown.getByRole('textbox', { name: 'Arguments JSON' }).waitFor();
      await expectOnScreen(approve, size);
      await expectOnScreen(deny, size);

      await deny.click();
      expect((await result).isError).toBe(true);
    });
  }

  it('on the Approvals page at 1280×800, the bar sticks to the window while the card is longer than it', async () => {
    const size = { width: 1280, height: 800 };
    await page.setViewportSize(size);
    await goTo(page, 'approvals');
    const result = callImages('two big images on the main page');
    const shown = await card('two big images on the main page');
    await armed(shown);
    await shown.getByRole('button', { name: 'Edit arguments' }).click();
    await shown.getByRole('group', { name: 'Arguments form' }).waitFor();
    // The JSON tab with two images' base64 makes the card taller than the window; the page scrolls, the bar does not.
    await shown.getByRole('tab', { name: 'JSON' }).click();
    await shown.getByRole('textbox', { name: 'Arguments JSON' }).waitFor();
    const content = page.getByRole('main');
    expect(await content.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    const approve = shown.getByRole('button', { name: 'Approve' });
    const box = await approve.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(size.height);
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(await approve.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
    })).toBe(true);
    await shown.getByRole('button', { name: 'Deny' }).click();
    expect((await result).isError).toBe(true);
  });

  it('an edit in the form reaches the upstream server, with the images left as they were', async () => {
    const small = noisyPng(4, 3);
    const result = callImages('prompt before the edit', [small]);
    const shown = await card('prompt before the edit');
    await armed(shown);
    await shown.getByRole('button', { name: 'Edit arguments' }).click();
    const form = shown.getByRole('group', { name: 'Arguments form' });
    await form.getByLabel('prompt').fill('prompt after the edit');
    await form.getByLabel('size').fill('2K');
    await shown.getByText('Approving sends these edited arguments.').waitFor();
    await shown.getByRole('button', { name: 'Approve edited' }).click();
    const done = await result;
    expect(done.isError).toBeFalsy();
    expect(textOf(done)).toContain('"prompt after the edit"');
    expect(textOf(done)).toContain('(2K)');
  });

  it('a form edit that breaks the schema cannot be approved, and says where', async () => {
    const result = callImages('schema in the form', [noisyPng(4, 4)]);
    const shown = await card('schema in the form');
    await armed(shown);
    await shown.getByRole('button', { name: 'Edit arguments' }).click();
    const form = shown.getByRole('group', { name: 'Arguments form' });
    await form.getByRole('button', { name: 'Remove images[0]' }).click();
    await form.getByRole('alert').waitFor();
    expect(await shown.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await shown.getByRole('button', { name: 'Deny' }).click();
    expect((await result).isError).toBe(true);
  });
});

describe('the queue', () => {
  for (const size of SIZES) {
    it(`at ${size.width}×${size.height}: three waiting calls are listed, and any of them can be picked and decided`, async () => {
      await page.setViewportSize(size);
      const small = noisyPng(4, 5);
      const first = callImages(`queue one ${size.width}`, [small]);
      await card(`queue one ${size.width}`);
      const second = callImages(`queue two ${size.width}`, [small]);
      await waitPending(2);
      const third = callImages(`queue three ${size.width}`, [BIG_A, BIG_B]);
      await waitPending(3);
      const queue = page.getByRole('region', { name: 'Waiting calls' });
      const items = queue.getByRole('button');
      await waitFor(async () => (await items.count()) === 3, 10_000, 'three calls in the queue');
      const labels = await items.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
      for (const label of labels) expect(label).toMatch(/^Image to image on images from desk-agent, \d+:\d\d left/);
      expect(labels[0]).toContain('on screen');

      // The newest call, picked from the list, is decided first.
      await items.nth(2).click();
      const picked = await card(`queue three ${size.width}`);
      await armed(picked);
      await expectOnScreen(picked.getByRole('button', { name: 'Approve' }), size);
      await expectOnScreen(queue, size);
      await picked.getByRole('button', { name: 'Approve' }).click();
      const done = await third;
      expect(done.isError).toBeFalsy();
      expect(textOf(done)).toContain(`queue three ${size.width}`);
      expect((await pending()).map((p) => p.arguments.prompt)).toEqual([`queue one ${size.width}`, `queue two ${size.width}`]);

      // Then the second one, also by picking it.
      await waitFor(async () => (await items.count()) === 2, 10_000, 'two calls left in the queue');
      await items.nth(1).click();
      const middle = await card(`queue two ${size.width}`);
      await armed(middle);
      await middle.getByRole('button', { name: 'Deny' }).click();
      expect((await second).isError).toBe(true);
      const last = await card(`queue one ${size.width}`);
      await armed(last);
      await last.getByRole('button', { name: 'Deny' }).click();
      expect((await first).isError).toBe(true);
    });
  }

  it('identical calls (same server, tool, caller, arguments) are decided at once; a different one keeps waiting', async () => {
    const small = noisyPng(4, 6);
    const same = [callImages('the same call', [small]), callImages('the same call', [small]), callImages('the same call', [small])];
    const different = callImages('a different call', [small]);
    await waitPending(4);
    const shown = await card('the same call');
    await armed(shown);
    await shown.getByRole('checkbox', { name: /Also decide the 2 identical calls/ }).check();
    await shown.getByRole('radio', { name: 'Always' }).check();
    await shown.getByRole('button', { name: 'Approve 3' }).click();
    const results = await Promise.all(same);
    for (const r of results) expect(r.isError).toBeFalsy();
    // One "always" for the three, not a grant per call.
    const grants = (await api<Array<{ id: string; tool: string }>>(airlock, 'GET', '/grants')).body;
    expect(grants.map((g) => g.tool)).toEqual(['image_to_image']);
    await api(airlock, 'DELETE', `/grants/${grants[0]!.id}`);
    const left = await pending();
    expect(left.map((p) => p.arguments.prompt)).toEqual(['a different call']);
    await api(airlock, 'POST', `/pending/${left[0]!.id}`, { decision: 'deny' });
    expect((await different).isError).toBe(true);
  });
});

describe('what the agent was told', () => {
  it('a call answered "approval pending, retry" says so; approving lets the identical retry run once', async () => {
    const args = { prompt: 'told to retry', images: [noisyPng(4, 7)], size: '1K' };
    // No progress token: after earlyAnswerSeconds the agent is answered early.
    const early = (await images.callTool({ name: 'image_to_image', arguments: args })) as CallToolResult;
    expect(resultText(early)).toMatch(/^\[Airlock\] approval pending/);
    const shown = await card('told to retry');
    const note = shown.getByRole('note');
    await note.getByText('The agent was told to retry').waitFor();
    expect(await note.textContent()).toMatch(/has\s+not run\. Approving now lets the agent’s identical retry run once/);
    await armed(shown);
    await shown.getByRole('button', { name: 'Approve' }).click();
    await waitPending(0);
    const retry = (await images.callTool({ name: 'image_to_image', arguments: args })) as CallToolResult;
    expect(retry.isError).toBeFalsy();
    expect(textOf(retry)).toContain('"told to retry"');
    expect(await pending()).toEqual([]);
  });

  it('a call that timed out is listed as missed; "let the retry through" lets the next identical call run without asking', async () => {
    await page.setViewportSize({ width: 1000, height: 760 });
    await goTo(page, 'approvals');
    const timedOut = (await probe.callTool({ name: 'record_args', arguments: { value: 'nobody was there' } }, undefined, { onprogress: () => undefined })) as CallToolResult;
    expect(resultText(timedOut)).toMatch(/^\[Airlock\] Approval timed out/);
    const missed = page.getByRole('region', { name: 'Missed calls' });
    const row = missed.getByRole('listitem').filter({ hasText: 'nobody was there' });
    await row.waitFor();
    expect(await row.textContent()).toContain('record_args');
    expect(await row.textContent()).toContain('desk-agent');
    await row.getByRole('button', { name: 'Let the next retry through' }).click();
    await row.getByText(/The next identical call passes once/).waitFor();
    const retry = (await probe.callTool({ name: 'record_args', arguments: { value: 'nobody was there' } }, undefined, { onprogress: () => undefined })) as CallToolResult;
    expect(retry.isError).toBeFalsy();
    expect(resultText(retry)).toContain('nobody was there');
    // Once only: the next identical call asks again (and, unanswered, times out).
    const again = (await probe.callTool({ name: 'record_args', arguments: { value: 'nobody was there' } }, undefined, { onprogress: () => undefined })) as CallToolResult;
    expect(resultText(again)).toMatch(/^\[Airlock\] Approval timed out/);
  });
});

describe('web notifications', () => {
  it('with permission granted, a waiting call is announced with tool and caller, never the arguments', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    await context.grantPermissions(['notifications'], { origin: airlock.url });
    // Records what the page shows, then shows it with the browser's own Notification.
    await context.addInitScript(() => {
      const Real = window.Notification;
      const shown: Array<{ title: string; body: string }> = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class Recording extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body ?? '' });
        }
      }
      Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
      window.Notification = Recording as typeof Notification;
    });
    const other = await context.newPage();
    const problems: string[] = [];
    other.on('pageerror', (e) => problems.push(e.message));
    try {
      await other.goto(`${airlock.url}/#/history?code=${airlock.issueLoginCode()}`);
      await other.getByRole('listbox', { name: 'Calls, newest first' }).or(other.getByText('No calls yet')).first().waitFor();
      const result = callImages('a secret prompt nobody may read', [noisyPng(4, 8)]);
      const notes = await waitFor(async () => {
        const list = await other.evaluate(() => (window as unknown as { shownNotifications: Array<{ title: string; body: string }> }).shownNotifications);
        return list.length > 0 ? list : undefined;
      }, 10_000, 'a notification');
      expect(notes[0]!.title).toContain('image_to_image');
      expect(notes[0]!.body).toContain('desk-agent');
      expect(JSON.stringify(notes)).not.toContain('secret prompt');
      expect(JSON.stringify(notes)).not.toContain('base64');
      const [call] = await waitPending(1);
      await api(airlock, 'POST', `/pending/${call!.id}`, { decision: 'deny' });
      expect((await result).isError).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('asks for the permission once: "Not now" is remembered', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const other = await context.newPage();
    try {
      await other.goto(`${airlock.url}/#/approvals?code=${airlock.issueLoginCode()}`);
      const ask = other.getByRole('region', { name: 'Notifications' });
      await ask.getByRole('button', { name: 'Turn on notifications' }).waitFor();
      await ask.getByRole('button', { name: 'Not now' }).click();
      await ask.waitFor({ state: 'detached' });
      await other.reload();
      await other.getByRole('heading', { name: 'Approvals' }).waitFor();
      await other.waitForTimeout(300);
      expect(await other.getByRole('region', { name: 'Notifications' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('narrow windows', () => {
  // Each view as a person finds it: a call waiting on Approvals, a call's details open in History.
  const setups: Record<string, () => Promise<() => Promise<void>>> = {
    approvals: async () => {
      const result = callImages('narrow approvals', [BIG_A, BIG_B]);
      await armed(await card('narrow approvals'));
      return async () => {
        await (await card('narrow approvals')).getByRole('button', { name: 'Deny' }).click();
        await result;
      };
    },
    history: async () => {
      // A call of its own to open, whatever the tests before made.
      const result = callImages('narrow history', [noisyPng(4, 9)]);
      const [call] = await waitPending(1);
      await api(airlock, 'POST', `/pending/${call!.id}`, { decision: 'deny' });
      expect((await result).isError).toBe(true);
      const list = page.getByRole('listbox', { name: 'Calls, newest first' });
      await list.locator(`[id="entry-${call!.historyId}"]`).click();
      await page.getByRole('complementary', { name: 'Call details' }).getByText('narrow history').first().waitFor();
      return async () => undefined;
    },
  };
  for (const route of ['approvals', 'history', 'policy', 'servers', 'clients']) {
    it(`the ${route} view fits 360 px: nothing wider than the window, nothing drawn over anything else`, async () => {
      await page.setViewportSize({ width: 360, height: 640 });
      await goTo(page, route);
      const main = page.getByRole('main');
      await main.locator('h1').first().waitFor();
      const cleanup = (await setups[route]?.()) ?? (async () => undefined);
      await page.waitForTimeout(200);
      const overflow = await page.evaluate(() => {
        const wide: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('main *')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          // Inside a scrolling box (a table, a code block) is fine; out of the window is not.
          let clipped = false;
          for (let p = el.parentElement; p && p.tagName !== 'MAIN'; p = p.parentElement) {
            const style = getComputedStyle(p);
            if (/(auto|scroll|hidden)/.test(style.overflowX)) clipped = true;
          }
          if (!clipped && (r.right > window.innerWidth + 0.5 || r.left < -0.5)) wide.push(`${el.tagName.toLowerCase()}.${el.className}`);
        }
        // Siblings in the flow must not cover each other (text drawn over text).
        const overlapping: string[] = [];
        for (const parent of document.querySelectorAll<HTMLElement>('main, main *')) {
          const kids = [...parent.children].filter((k) => {
            const style = getComputedStyle(k);
            // Inline boxes that wrap span whole lines and overlap by design.
            return style.position !== 'absolute' && style.position !== 'fixed' && style.position !== 'sticky' && !['contents', 'inline'].includes(style.display) && style.visibility !== 'hidden';
          });
          const boxes = kids.map((k) => k.getBoundingClientRect());
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i]!;
              const b = boxes[j]!;
              if (a.width === 0 || a.height === 0 || b.width === 0 || b.height === 0) continue;
              const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
              const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
              if (w > 2 && h > 2) overlapping.push(`${kids[i]!.tagName.toLowerCase()}.${kids[i]!.className} × ${kids[j]!.tagName.toLowerCase()}.${kids[j]!.className}`);
            }
          }
        }
        // A child wider than its box spills over whatever stands next to it.
        for (const el of document.querySelectorAll<HTMLElement>('main *')) {
          const parent = el.parentElement!;
          const style = getComputedStyle(el);
          if (style.position === 'absolute' || style.position === 'fixed' || getComputedStyle(parent).overflowX !== 'visible' || getComputedStyle(parent).display === 'contents') continue;
          const r = el.getBoundingClientRect();
          const p = parent.getBoundingClientRect();
          if (r.width > 0 && r.height > 0 && r.right > p.right + 2) overlapping.push(`${el.tagName.toLowerCase()}.${el.className} spills out of ${parent.tagName.toLowerCase()}.${parent.className}`);
        }
        return { page: document.documentElement.scrollWidth, wide: wide.slice(0, 5), overlapping: overlapping.slice(0, 5) };
      });
      expect(overflow.wide).toEqual([]);
      expect(overflow.overlapping).toEqual([]);
      expect(overflow.page).toBeLessThanOrEqual(360);
      const nav = await page.getByRole('navigation', { name: 'Views' }).boundingBox();
      const content = await main.boundingBox();
      const overlaps = nav!.x < content!.x + content!.width && content!.x < nav!.x + nav!.width && nav!.y < content!.y + content!.height && content!.y < nav!.y + nav!.height;
      expect(overlaps).toBe(false);
      expect(content!.width).toBeGreaterThanOrEqual(340);
      await cleanup();
    });
  }
});
