/**
 * Electron's security checklist, in one place: locked-down web preferences for every
 * window, no navigation away from the app, no new windows, no webviews, no permissions,
 * and links opened in the person's browser only when they are http(s).
 */
import { isAppUrl } from './ipc-guard.ts';

/**
 * Sets the Content-Security-Policy on a response (session.webRequest.onHeadersReceived).
 * The policy is the headless UI server's (main/core/ui/ui-server.ts; a test keeps the two
 * equal), written out here as a literal so static scanners can evaluate it.
 */
export function applyCsp(
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders: Record<string, string | string[]> }) => void,
): void {
  callback({
    responseHeaders: {
      ...details.responseHeaders,
      'Content-Security-Policy': [
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      ],
    },
  });
}

/** The policy applyCsp sets, for the app:// protocol's own responses. */
export const DESKTOP_CSP: string = (() => {
  let csp = '';
  applyCsp({}, (response) => (csp = String(response.responseHeaders['Content-Security-Policy'])));
  return csp;
})();

export function isExternalHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The part of WebContents the hardening uses. */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: { url: string; disposition: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void; url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (event: { preventDefault(): void; url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
}

/**
 * Every new window is denied. A link the person clicked in the UI (rendered with
 * `target="_blank"`, which is what reaches this handler) opens in their browser if it is
 * http(s); anything else (file:, javascript:, custom schemes) is dropped. Under the CSP only
 * the bundled UI runs scripts, so this handler is reached from the UI's own links.
 */
export function windowOpenHandler(openExternal: (url: string) => void) {
  return (details: { url: string; disposition: string }): { action: 'deny' } => {
    const fromLink = details.disposition === 'foreground-tab' || details.disposition === 'background-tab' || details.disposition === 'new-window';
    if (fromLink && isExternalHttpUrl(details.url)) openExternal(details.url);
    return { action: 'deny' };
  };
}

/** In-window navigation is allowed only within the app (a reload); the rest is prevented. */
export function navigationGuard(event: { preventDefault(): void; url: string }): void {
  if (!isAppUrl(event.url)) event.preventDefault();
}

export function hardenWebContents(contents: HardenableContents, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(windowOpenHandler(openExternal));
  contents.on('will-navigate', navigationGuard);
  contents.on('will-redirect', navigationGuard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Permissions the UI may have: copying text to the clipboard, from our own origin. */
export function permissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl);
}
