/**
 * Entry point. Picks the bridge (the Electron preload's `window.airlock`, else HTTP with a
 * login code), starts following the core, and renders the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { config as zodConfig } from 'zod/v4/core';
import { App } from './app.tsx';
import { setBridge, type UiBridge } from './bridge/bridge.ts';
import { createHttpBridge } from './bridge/http-bridge.ts';
import { readFragmentCode, signIn } from './bridge/login.ts';
import { shareSession } from './bridge/session-share.ts';
import { startSync } from './state/sync.ts';
import { useConnectionStore } from './state/connection-store.ts';
import { startWebNotifications } from './state/web-notifications.ts';
import { SignedOut } from './views/signed-out.tsx';
import './styles/app.css';

// zod compiles fast paths with `new Function` unless told not to; the UI's CSP forbids eval,
// and even the probe would be reported as a violation.
zodConfig({ jitless: true });

const root = createRoot(document.getElementById('root')!);

function renderSignedOut(problem?: string) {
  root.render(
    <StrictMode>
      <SignedOut problem={problem} />
    </StrictMode>,
  );
}

/** The token this tab is signed in with, while it is (shared with new tabs of this browser). */
let sessionToken: string | undefined;
let stopSharing = () => {};
/** One sign-in at a time: a link pasted while the page is still starting waits its turn. */
let starting: Promise<void> = Promise.resolve();

async function start(): Promise<void> {
  let bridge: UiBridge;
  if (window.airlock) {
    bridge = window.airlock;
  } else {
    const login = await signIn();
    if (login.token === undefined) return renderSignedOut(login.problem);
    sessionToken = login.token;
    stopSharing = shareSession(() => sessionToken);
    bridge = createHttpBridge(login.token, () => {
      sessionToken = undefined;
      stopSharing();
      renderSignedOut('Your session ended. Open a new login link.');
    });
  }
  setBridge(bridge);
  startSync(bridge);
  // The desktop app notifies from its main process; a browser tab does it itself.
  if (!window.airlock) startWebNotifications(bridge);
  if (useConnectionStore.getState().state !== 'signed-out') {
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  }
}

// A login link pasted into an open tab changes only the fragment: no reload, so the page
// looks for the code itself. A signed-out tab signs in; a signed-in one just uses the code
// up, so it is not left in the address bar.
window.addEventListener('hashchange', () => {
  if (window.airlock || !readFragmentCode(location.hash)) return;
  starting = starting.catch(() => undefined).then(() => (sessionToken === undefined ? start() : signIn().then(() => undefined)));
});

starting = start();
