/** What a caller is told when a server needs sign-in, and how Airlock recognises that case. */
import { InsufficientScopeError, UnauthorizedError } from '@modelcontextprotocol/client';

export function signInMessage(server: string): string {
  return `[Airlock] "${server}" needs sign-in: run \`airlock login ${server}\` or use Sign in in the Servers view`;
}

/** A server that needs sign-in: nothing is sent to it without a token. */
export class SignInRequiredError extends Error {
  readonly server: string;
  constructor(server: string) {
    super(signInMessage(server));
    this.name = 'SignInRequiredError';
    this.server = server;
  }
}

/** A URL that sign-in must not use (plain http to a host that is not loopback). */
export class InsecureSignInUrlError extends Error {
  constructor(what: string, url: string) {
    super(`${what} ${url} is not https: sign-in uses plain http only for loopback hosts (127.0.0.1, localhost, [::1])`);
    this.name = 'InsecureSignInUrlError';
  }
}

/** Whether an error (or one it wraps) says the server wants a token Airlock does not have. */
export function isSignInError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown; data?: { cause?: unknown } }).cause ?? (e as { data?: { cause?: unknown } }).data?.cause, depth++) {
    if (e instanceof SignInRequiredError || e instanceof UnauthorizedError || e instanceof InsufficientScopeError) return true;
  }
  return false;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** https, or http to a loopback host (local servers and the tests). */
export function assertSignInUrl(what: string, url: string | URL): void {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return;
  throw new InsecureSignInUrlError(what, parsed.href);
}
