/**
 * How a browser tab gets the admin token without it ever appearing in a URL, a log or
 * the browser history: `airlock serve` prints a URL whose fragment (never sent to any
 * server) carries a one-time code; the page trades it for the token once and forgets it.
 */
import { createHash, randomBytes } from 'node:crypto';

const CODE_TTL_MS = 10 * 60_000;

const digest = (code: string) => createHash('sha256').update(code).digest('base64url');

export class LoginCodes {
  private readonly codes = new Map<string, number>();

  issue(now = Date.now()): string {
    for (const [key, expires] of this.codes) if (expires < now) this.codes.delete(key);
    const code = randomBytes(18).toString('base64url');
    this.codes.set(digest(code), now + CODE_TTL_MS);
    return code;
  }

  /** True once per code, within its lifetime. */
  redeem(code: string, now = Date.now()): boolean {
    const key = digest(code);
    const expires = this.codes.get(key);
    this.codes.delete(key);
    return expires !== undefined && expires >= now;
  }
}
