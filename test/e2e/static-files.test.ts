/**
 * One static file module serves the built UI on the local port (`airlock serve`, real
 * server, real HTTP) and to the desktop windows (the app:// handler, called directly since
 * the Electron binary does not run here): the same files, types and CSP, and a missing
 * script or style is a 404 in both, never the page (that would hide a broken build).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { UI_CSP } from '../../main/core/ui/ui-server.ts';
import { createAppProtocolHandler } from '../../main/electron/app-protocol.ts';
import { DESKTOP_CSP } from '../../main/electron/web-security.ts';
import { startAirlock, tempHome } from '../helpers/harness.ts';

const INDEX = '<!doctype html><title>Airlock</title><script type="module" src="/assets/index-abc.js"></script>';

describe('the web UI and app:// serve the same files', () => {
  const home = tempHome('airlock-static-');
  const root = join(home.dir, 'renderer');
  const desktop = createAppProtocolHandler({ root, csp: DESKTOP_CSP });
  let airlock: Airlock;

  const web = async (path: string) => {
    const response = await fetch(`${airlock.url}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), body: await response.text() };
  };
  const app = async (path: string) => {
    const response = await desktop(new Request(`app://airlock${path}`));
    return { status: response.status, type: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), body: await response.text() };
  };

  beforeAll(async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'index-abc.css'), 'body { margin: 0 }');
    writeFileSync(join(home.dir, 'secret.txt'), 'outside the UI folder');
    airlock = await startAirlock(join(home.dir, 'home'), {}, { uiRoot: root });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it('a missing script, style or image is a 404 on the web UI server, not the page', async () => {
    for (const path of ['/assets/missing.js', '/assets/index-old.css', '/favicon.ico', '/assets/deep/chunk.mjs']) {
      const response = await web(path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain('<title>Airlock</title>');
    }
  });

  it('a missing script, style or image is a 404 in app:// too', async () => {
    for (const path of ['/assets/missing.js', '/assets/index-old.css', '/favicon.ico', '/assets/deep/chunk.mjs']) {
      const response = await app(path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain('<title>Airlock</title>');
    }
  });

  it('serves each file with its type under the one CSP, the same in both', async () => {
    for (const [path, type, body] of [
      ['/assets/index-abc.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
      ['/assets/index-abc.css', 'text/css; charset=utf-8', 'body { margin: 0 }'],
      ['/index.html', 'text/html; charset=utf-8', INDEX],
    ] as const) {
      const expected = { status: 200, type, csp: UI_CSP, body };
      expect(await web(path), path).toEqual(expected);
      expect(await app(path), path).toEqual(expected);
    }
  });

  it('answers the page at / only (views are hash routes); other paths are a 404, in both', async () => {
    for (const path of ['/', '/index.html']) {
      expect((await web(path)).body, path).toBe(INDEX);
      expect((await app(path)).body, path).toBe(INDEX);
    }
    for (const path of ['/approvals', '/history/0123', '/settings.html']) {
      expect((await web(path)).status, path).toBe(404);
      expect((await app(path)).status, path).toBe(404);
    }
  });

  it('never serves a file outside the UI folder, and refuses a malformed path', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/..%5c..%5csecret.txt']) {
      expect((await web(path)).body, path).not.toContain('outside the UI folder');
      expect((await app(path)).body, path).not.toContain('outside the UI folder');
    }
    expect((await web('/assets/%E0%A4%A.js')).status).toBe(400);
    expect((await app('/assets/%E0%A4%A.js')).status).toBe(400);
  });
});
