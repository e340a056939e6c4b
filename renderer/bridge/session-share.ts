/**
 * Signed-in tabs hand the session to a new tab of the same browser, so a second tab needs
 * no new login link (the link's code stays single use). A new tab asks on a
 * BroadcastChannel, which only same-origin pages of the same browser profile hear; on
 * Airlock's origin the only pages are its own UI (strict CSP, nothing else served). Every
 * signed-in tab answers with the token; the first answer wins.
 */
const CHANNEL = 'airlock.session';
/** How long a new tab waits for a signed-in one before showing the sign-in page. */
const ASK_WAIT_MS = 500;

type SessionMessage = { type: 'request'; nonce: string } | { type: 'offer'; nonce: string; token: string };

function isMessage(value: unknown): value is SessionMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.nonce === 'string' && (m.type === 'request' || (m.type === 'offer' && typeof m.token === 'string'));
}

function openChannel(): BroadcastChannel | undefined {
  return typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(CHANNEL);
}

/** Answers the tabs that ask, while this tab has a token. Returns a function that stops answering. */
export function shareSession(token: () => string | undefined): () => void {
  const channel = openChannel();
  if (!channel) return () => {};
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const message = event.data;
    const current = token();
    if (!isMessage(message) || message.type !== 'request' || !current) return;
    channel.postMessage({ type: 'offer', nonce: message.nonce, token: current } satisfies SessionMessage);
  };
  return () => channel.close();
}

/** The token of a signed-in tab of this browser, or undefined when none answers in time. */
export function askOpenTabs(waitMs = ASK_WAIT_MS): Promise<string | undefined> {
  const channel = openChannel();
  if (!channel) return Promise.resolve(undefined);
  const nonce = crypto.randomUUID();
  return new Promise((resolve) => {
    const done = (token: string | undefined) => {
      clearTimeout(timer);
      channel.close();
      resolve(token);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (isMessage(message) && message.type === 'offer' && message.nonce === nonce) done(message.token);
    };
    channel.postMessage({ type: 'request', nonce } satisfies SessionMessage);
  });
}
