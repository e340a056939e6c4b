/**
 * The shell's view of which remote servers need the person to sign in, kept from the
 * control API's `servers.changed` events (the same ones every UI follows). The tray lists
 * them ("Sign in to <server>…", also while a sign-in is under way, so a page closed by
 * mistake can be opened again) and a notification says when one starts needing it without
 * the person having just been there: at start, or later when its sign-in ends on its own (a
 * refresh the server refused, a token it no longer accepts). Not after the person's own
 * sign-out, nor after a sign-in attempt they just made.
 */
import { EventEmitter } from 'node:events';
import type { ServerStatus, SignInStatus } from '../../shared/api/contract.ts';
import { SIGNED_OUT } from '../core/upstream/oauth/sign-in.ts';
import type { CoreApi } from './pending-tracker.ts';

export interface SignInNeed {
  server: string;
  signIn: SignInStatus;
}

export interface SignInTrackerEvents {
  /** The set of servers that need sign-in changed. */
  changed: [SignInNeed[]];
  /** A server started needing sign-in (not after a sign-out or a failed attempt: the person was there). */
  needed: [SignInNeed];
}

/** Offered in the tray: everything but signed in. */
const needsPerson = (s: SignInStatus | undefined): s is SignInStatus => s !== undefined && s.state !== 'ready';

export class SignInTracker extends EventEmitter<SignInTrackerEvents> {
  private readonly api: CoreApi;
  private readonly states = new Map<string, SignInStatus>();
  private unsubscribe: (() => void) | undefined;

  constructor(api: CoreApi) {
    super();
    this.api = api;
  }

  /** Follows events first, then reads the list, so a change in between is not lost. */
  async start(): Promise<void> {
    const seen = new Set<string>();
    this.unsubscribe = this.api.subscribe(
      (event) => {
        if (event.type !== 'servers.changed') return;
        seen.add(event.server.name);
        this.apply(event.server);
      },
      { countsAsUi: false },
    );
    for (const server of await this.api.call('servers.list')) if (!seen.has(server.name)) this.apply(server);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The servers waiting for the person to sign in, by name. */
  list(): SignInNeed[] {
    return [...this.states]
      .filter((entry): entry is [string, SignInStatus] => needsPerson(entry[1]))
      .map(([server, signIn]) => ({ server, signIn }))
      .sort((a, b) => a.server.localeCompare(b.server));
  }

  private apply(server: ServerStatus): void {
    const before = this.states.get(server.name);
    const now = server.signIn;
    if (now) this.states.set(server.name, now);
    else this.states.delete(server.name);
    if (needsPerson(before) !== needsPerson(now) || (needsPerson(now) && before?.state !== now.state)) this.emit('changed', this.list());
    // The person's own sign-out, and the end of an attempt they made (signing_in, sign_in_failed), are not news to them.
    const startsNeeding = now?.state === 'needs_sign_in' && (before === undefined || before.state === 'ready') && now.reason !== SIGNED_OUT;
    if (startsNeeding) this.emit('needed', { server: server.name, signIn: now });
  }
}

/** The notification for a server that needs sign-in. */
export function signInNotice(need: SignInNeed): { title: string; body: string } {
  // The issuer is known only once a sign-in has discovered it; before that the server itself asks.
  const who = need.signIn.issuer ? `${need.signIn.issuer} asks you to sign in to ${need.server}` : `${need.server} asks you to sign in`;
  return { title: `Sign in to ${need.server}`, body: `${who}; calls to it are refused until you do. Click to open the sign-in page.` };
}
