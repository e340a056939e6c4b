/**
 * How a browser tab gets the admin token (see main/core/ui/login-codes.ts): the URL that
 * `airlock serve` prints carries a one-time code in its fragment, which browsers never
 * send to a server. The page trades the code for the token once, removes the fragment
 * from the address bar and history, and keeps the token in sessionStorage (this tab only,
 * gone when it closes). A tab without a code asks the signed-in tabs of this browser
 * (session-share.ts).
 */
import { askOpenTabs } from './session-share.ts';

const TOKEN_KEY = 'airlock.adminToken';

export interface FragmentCode {
  code: string;
  /** The fragment without the code (a route such as `#/popup`, or empty). */
  rest: string;
}

/** Finds `code=` in `#code=X` or `#/popup?code=X`, and what the fragment is without it. */
export function readFragmentCode(hash: string): FragmentCode | undefined {
  const fragment = hash.replace(/^#/, '');
  const q = fragment.indexOf('?');
  let route = '';
  let query: string;
  if (fragment.startsWith('code=')) query = fragment;
  else if (q >= 0) {
    route = fragment.slice(0, q);
    query = fragment.slice(q + 1);
  } else return undefined;
  const params = new URLSearchParams(query);
  const code = params.get('code');
  if (!code) return undefined;
  params.delete('code');
  const remaining = params.toString();
  const rest = route || remaining ? `#${route}${remaining ? `?${remaining}` : ''}` : '';
  return { code, rest };
}

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lives only in memory for this page.
  }
}

export type LoginResult = { token: string } | { token: undefined; problem?: string };

/**
 * Redeems a code found in the fragment (removing it from the address bar first, so a
 * reload or a copied URL never carries it), else returns the token this tab already has,
 * else the one a signed-in tab of this browser hands over.
 */
export async function signIn(): Promise<LoginResult> {
  const result = await redeemOrReuse();
  if (result.token !== undefined) return result;
  const shared = await askOpenTabs();
  if (!shared) return result;
  storeToken(shared);
  return { token: shared };
}

async function redeemOrReuse(): Promise<LoginResult> {
  const found = readFragmentCode(location.hash);
  if (found) {
    history.replaceState(null, '', location.pathname + location.search + found.rest);
    try {
      const response = await fetch('/ui/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: found.code }),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
      const body = (await response.json().catch(() => ({}))) as { token?: unknown; message?: unknown };
      if (response.ok && typeof body.token === 'string') {
        storeToken(body.token);
        return { token: body.token };
      }
      const token = storedToken();
      if (token) return { token };
      return { token: undefined, problem: typeof body.message === 'string' ? body.message : 'this login link did not work' };
    } catch {
      const token = storedToken();
      if (token) return { token };
      return { token: undefined, problem: 'could not reach Airlock to sign in' };
    }
  }
  const token = storedToken();
  return token ? { token } : { token: undefined };
}
