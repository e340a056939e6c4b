/**
 * A remote server's sign-in (OAuth): its state in words, who asked for which scopes, the
 * authorization server's error, where the tokens are kept, and the Sign in / Sign out
 * buttons. The desktop app opens the authorization page in the system browser; a browser
 * tab shows it as a link to open in a new tab.
 */
import { useEffect, useState } from 'react';
import type { ServerStatus, SignInStatus } from '../../../shared/api/contract.ts';
import { Badge } from '../../components/badges.tsx';
import { bridge } from '../../bridge/bridge.ts';

const STATE_TEXT: Record<SignInStatus['state'], string> = {
  needs_sign_in: 'Needs sign-in',
  signing_in: 'Signing in',
  ready: 'Signed in',
  sign_in_failed: 'Sign-in failed',
};
const STATE_TONE: Record<SignInStatus['state'], 'ok' | 'bad' | 'warn'> = { needs_sign_in: 'warn', signing_in: 'warn', ready: 'ok', sign_in_failed: 'bad' };

const SECRETS_TEXT: Record<NonNullable<SignInStatus['secrets']>['kind'], string> = {
  keyring: "the system's keyring",
  'safe-storage': "the system's secret storage (encrypted by the desktop app)",
  file: 'a file in the Airlock home (readable by your user only)',
  memory: 'memory only: you sign in again after Airlock restarts',
};

/** Only http(s) pages are offered as the sign-in page; anything else is not a link to follow. */
function httpUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err) ? String((err as { message: unknown }).message) : String(err);
}

/** Who asked for what: "auth.example.com asks you to sign in, for read and write." */
function request(signIn: SignInStatus): string {
  const who = signIn.issuer ? signIn.issuer : 'The server';
  const scopes = signIn.scopes?.length ? `, for the scopes ${signIn.scopes.join(', ')}` : '';
  return `${who} asks you to sign in${scopes}.`;
}

export function SignInPanel({ server, signIn }: { server: ServerStatus; signIn: SignInStatus }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  /** The authorization page of the sign-in started here, and whether the system browser was asked to open it. */
  const [page, setPage] = useState<{ url: string; opened: boolean } | undefined>();

  // Once the attempt has ended (signed in, or refused) its page is spent.
  useEffect(() => {
    if (signIn.state === 'ready' || signIn.state === 'sign_in_failed') setPage(undefined);
  }, [signIn.state]);

  const signInNow = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const b = bridge();
      const { authorizationUrl } = b.openSignIn ? await b.openSignIn(server.name) : await b.call('servers.login', { server: server.name });
      const url = httpUrl(authorizationUrl);
      if (!url) throw new Error(`the sign-in page is not a web address (${authorizationUrl})`);
      setPage({ url, opened: b.openSignIn !== undefined });
    } catch (err) {
      setPage(undefined);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const signOut = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await bridge().call('servers.logout', { server: server.name });
      setPage(undefined);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const canSignIn = signIn.state !== 'ready';
  return (
    <section className="sign-in" aria-label={`Sign-in to ${server.name}`}>
      <div className="sign-in-head">
        <div className="sign-in-state">
          <Badge tone={STATE_TONE[signIn.state]}>{STATE_TEXT[signIn.state]}</Badge>
          <span data-testid="sign-in-words">
            {signIn.state === 'needs_sign_in' && <>{request(signIn)} Calls to this server are refused until you sign in.</>}
            {signIn.state === 'signing_in' && <>Finish signing in in your browser; this page follows when the server answers.</>}
            {signIn.state === 'ready' && (
              <>
                Signed in{signIn.issuer ? ` at ${signIn.issuer}` : ''}
                {signIn.scopes?.length ? `, with the scopes ${signIn.scopes.join(', ')}` : ''}.
              </>
            )}
            {signIn.state === 'sign_in_failed' && <>{signIn.issuer ? `${signIn.issuer} refused the sign-in.` : 'The sign-in did not complete.'} Calls to this server are refused until you sign in.</>}
          </span>
        </div>
        <div className="sign-in-actions">
          {canSignIn && (
            <button type="button" className="btn btn-primary btn-small" onClick={() => void signInNow()} disabled={busy}>
              {signIn.state === 'sign_in_failed' ? 'Sign in again' : signIn.state === 'signing_in' ? 'Start sign-in again' : 'Sign in'}
            </button>
          )}
          {signIn.state === 'ready' && (
            <button type="button" className="btn btn-small" onClick={() => void signOut()} disabled={busy}>
              Sign out
            </button>
          )}
        </div>
      </div>
      {signIn.reason && signIn.state !== 'ready' && <p className="muted small sign-in-reason">{signIn.reason}</p>}
      {signIn.state === 'sign_in_failed' && signIn.error && (
        <p className="notice notice-error server-error" role="alert">
          {signIn.error}
        </p>
      )}
      {page && canSignIn && (
        <p className="notice sign-in-page" role="status">
          {page.opened ? 'Your browser opened the sign-in page. If it did not, ' : 'Sign in on the server’s page, then come back here: '}
          <a href={page.url} target="_blank" rel="noopener noreferrer">
            {page.opened ? 'open it here' : 'open the sign-in page'}
          </a>
          .
        </p>
      )}
      {/* The core also announces a refused start as sign_in_failed with the same reason: said once, from the state. */}
      {error && !(signIn.state === 'sign_in_failed' && signIn.error && error.endsWith(signIn.error)) && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {signIn.secrets && (
        <p className="muted small sign-in-secrets">
          Tokens are kept in {SECRETS_TEXT[signIn.secrets.kind]}.
        </p>
      )}
      {signIn.secrets?.warning && (
        <p className="banner banner-warn sign-in-warning" role="note">
          {signIn.secrets.warning}
        </p>
      )}
    </section>
  );
}
