/**
 * The app:// protocol serves the built UI from the app's own files with the strict CSP,
 * never anything outside that folder, and the desktop CSP is the headless UI server's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_CSP } from '../../main/core/ui/ui-server.ts';
import { createAppProtocolHandler } from '../../main/electron/app-protocol.ts';
import { DESKTOP_CSP, applyCsp, isExternalHttpUrl, navigationGuard, permissionAllowed, windowOpenHandler } from '../../main/electron/web-security.ts';
import { tempHome } from '../helpers/harness.ts';

describe('app:// protocol', () => {
  const dir = tempHome('airlock-electron-ui-');
  const root = join(dir.dir, 'renderer');
  const handler = createAppProtocolHandler({ root, csp: DESKTOP_CSP });
  const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

  beforeAll(() => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Airlock</title>');
    writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir.dir, 'secret.txt'), 'outside the UI folder');
  });
  afterAll(() => dir.cleanup());

  it('serves the UI files with their type and the CSP', async () => {
    const page = await get('app://airlock/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await get('app://airlock/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expect((await get('app://airlock/')).status).toBe(200);
  });

  it('never serves a file outside the UI folder', async () => {
    for (const url of ['app://airlock/../secret.txt', 'app://airlock/%2e%2e/secret.txt', 'app://airlock/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const response = await get(url);
      expect(await response.text()).not.toContain('outside the UI folder');
    }
  });

  it('answers 404 for another host, a missing asset, and 405 for writes', async () => {
    expect((await get('app://elsewhere/index.html')).status).toBe(404);
    expect((await get('app://airlock/assets/missing.js')).status).toBe(404);
    expect((await get('app://airlock/index.html', 'POST')).status).toBe(405);
  });

  it('says the UI is not built when it is not', async () => {
    const empty = createAppProtocolHandler({ root: join(dir.dir, 'nothing'), csp: DESKTOP_CSP });
    const response = await empty(new Request('app://airlock/index.html'));
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});

describe('web security', () => {
  it('uses the same CSP as the headless UI server, and sets it on every response', () => {
    expect(DESKTOP_CSP).toBe(UI_CSP);
    expect(DESKTOP_CSP).toContain("script-src 'self'");
    expect(DESKTOP_CSP).not.toContain('unsafe-eval');
    let headers: Record<string, string | string[]> = {};
    applyCsp({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [DESKTOP_CSP] });
  });

  it('denies every new window and opens only http(s) links in the browser', () => {
    const opened: string[] = [];
    const handler = windowOpenHandler((url) => opened.push(url));
    expect(handler({ url: 'https://modelcontextprotocol.io/', disposition: 'foreground-tab' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'http://localhost:3000/', disposition: 'background-tab' })).toEqual({ action: 'deny' });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'app://airlock/index.html', 'not a url']) {
      expect(handler({ url, disposition: 'foreground-tab' })).toEqual({ action: 'deny' });
    }
    expect(handler({ url: 'https://example.com/', disposition: 'other' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://modelcontextprotocol.io/', 'http://localhost:3000/']);
    expect(isExternalHttpUrl('HTTPS://EXAMPLE.COM')).toBe(true);
  });

  it('prevents navigation away from the app', () => {
    const attempt = (url: string) => {
      let prevented = false;
      navigationGuard({ url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    expect(attempt('https://evil.example/')).toBe(true);
    expect(attempt('file:///tmp/x.html')).toBe(true);
    expect(attempt('app://airlock/index.html')).toBe(false);
  });

  it('grants no permission but clipboard writes from our own origin', () => {
    expect(permissionAllowed('clipboard-sanitized-write', 'app://airlock/index.html')).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      expect(permissionAllowed(permission, 'app://airlock/index.html')).toBe(false);
    }
  });
});
