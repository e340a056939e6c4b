/**
 * `GET /oauth/callback`: where the authorization server sends the browser back. The
 * `state` must be one Airlock issued and has not seen yet (single use, ten minutes); the
 * flow it names is finished by its server's SignIn (the SDK checks `iss`, then exchanges
 * the code). The answer is a small page telling the person to return to Airlock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignIn } from './sign-in.ts';
import type { SignInFlows } from './sign-in-flows.ts';

export const OAUTH_CALLBACK_PATH = '/oauth/callback';

export interface OAuthCallbackOptions {
  flows: SignInFlows;
  signIn: (server: string) => SignIn | undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sendCallbackPage(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>
`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

export function createOAuthCallback(options: OAuthCallbackOptions) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'GET') return sendCallbackPage(res, 405, 'Not a sign-in', 'This address only receives the redirect of a sign-in.');
    const params = url.searchParams;
    const taken = options.flows.take(params.get('state'));
    if (taken.kind === 'unknown') {
      return sendCallbackPage(
        res,
        400,
        'Sign-in not accepted',
        'Airlock is not waiting for this sign-in: the link was already used, or the sign-in was not started by this Airlock. Start the sign-in again from Airlock (Sign in in the Servers view, or airlock login).',
      );
    }
    const signIn = options.signIn(taken.flow.server);
    if (!signIn) return sendCallbackPage(res, 404, 'Sign-in not accepted', `Airlock has no server named "${taken.flow.server}" any more.`);
    if (taken.kind === 'expired') {
      signIn.failed('the sign-in took longer than ten minutes; start it again');
      return sendCallbackPage(res, 400, 'Sign-in expired', `The sign-in to "${signIn.server}" took longer than ten minutes. Start it again from Airlock.`);
    }
    const error = params.get('error');
    if (error !== null) {
      // Only the error code, limited to its grammar: the description is the redirect's sender's text.
      const code = /^[\x20-\x7e]{1,64}$/.test(error) ? error : 'an unreadable error';
      signIn.failed(`the authorization server answered ${code}`);
      return sendCallbackPage(res, 400, 'Sign-in not completed', `The sign-in to "${signIn.server}" was not completed (${code}). Return to Airlock to try again.`);
    }
    try {
      await signIn.complete(taken.flow, params);
    } catch {
      const reason = signIn.status()?.error ?? 'unknown error';
      return sendCallbackPage(res, 400, 'Sign-in failed', `The sign-in to "${signIn.server}" failed: ${reason}. Return to Airlock to try again.`);
    }
    return sendCallbackPage(res, 200, 'Signed in', `Airlock is signed in to "${signIn.server}". You can close this tab and return to Airlock.`);
  };
}
