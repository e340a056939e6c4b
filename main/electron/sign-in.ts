/**
 * Signing in to a remote server from the desktop app: the core starts the flow
 * (`servers.login`) and the main process opens the authorization page in the person's
 * browser (shell.openExternal), never inside a window of ours. The Servers view asks over
 * its own IPC channel and the tray menu calls the same function, so the UI cannot make the
 * main process open anything but the page the core returned, and only an http(s) one.
 */
import { z } from 'zod';
import type { MethodOutput } from '../../shared/api/contract.ts';
import type { ControlApi } from '../core/control/control-api.ts';
import { DomainError, errorBody } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { formatZodError } from '../core/util/zod-format.ts';
import type { IpcResult } from './ipc-channels.ts';
import { isTrustedSender, type IpcEventLike } from './ipc-guard.ts';
import { isExternalHttpUrl } from './web-security.ts';

export interface SignInOptions {
  api: Pick<ControlApi, 'call'>;
  /** Electron's shell.openExternal. */
  openExternal: (url: string) => Promise<void>;
  logger: Logger;
}

export class NotAWebPage extends Error {}

/** Starts sign-in to `server` and opens its authorization page in the system browser. */
export async function openSignIn(options: SignInOptions, server: string): Promise<MethodOutput<'servers.login'>> {
  const answer = await options.api.call('servers.login', { server });
  // The page comes from the server's metadata: only a web page goes to the browser.
  if (!isExternalHttpUrl(answer.authorizationUrl)) throw new NotAWebPage(`the sign-in page of ${server} is not a web address; it was not opened`);
  await options.openExternal(answer.authorizationUrl);
  options.logger.info(`sign-in to ${server}: opened the authorization page in the browser`);
  return answer;
}

export const SignInRequestSchema = z.strictObject({ server: z.string().min(1).max(200) });

export function createSignInHandler(options: SignInOptions & { isOurWebContents: (id: number) => boolean }): (event: IpcEventLike, payload: unknown) => Promise<IpcResult> {
  return async (event, payload) => {
    if (!isTrustedSender(event, options.isOurWebContents)) {
      options.logger.warn(`refused a sign-in request from an unknown sender (${event.senderFrame?.url ?? 'no frame'})`);
      return { ok: false, error: { error: 'forbidden', message: 'this window may not use the Airlock API' } };
    }
    const parsed = SignInRequestSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, error: { error: 'invalid_request', message: formatZodError(parsed.error) } };
    try {
      return { ok: true, value: await openSignIn(options, parsed.data.server) };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: errorBody(err) };
      if (err instanceof NotAWebPage) return { ok: false, error: { error: 'not_a_web_page', message: err.message } };
      options.logger.error(`sign-in to ${parsed.data.server} failed: ${(err as Error).stack ?? String(err)}`);
      return { ok: false, error: { error: 'sign_in_failed', message: `Could not open the sign-in page: ${(err as Error).message}` } };
    }
  };
}
