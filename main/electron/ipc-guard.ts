/**
 * The main-process side of the IPC bridge. Every call is checked twice before the core
 * sees it: the sender must be the top frame of one of our own windows showing our own
 * origin (GitHub Desktop's rule: never trust an IPC message by its channel alone), and
 * the payload must parse as `{ method, input }` with a method of the contract. The input
 * is then parsed by `ControlApi.dispatch`, the same dispatcher the HTTP API uses.
 */
import { z } from 'zod';
import type { AirlockEvent } from '../../shared/api/contract.ts';
import { isMethodName, type ControlApi } from '../core/control/control-api.ts';
import { DomainError, errorBody } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { formatZodError } from '../core/util/zod-format.ts';
import { APP_HOST, APP_SCHEME, type IpcResult } from './ipc-channels.ts';

export const IpcCallSchema = z.strictObject({
  method: z.string().max(100).refine(isMethodName, { message: 'not a method of the control API' }),
  input: z.unknown().optional(),
});

/** The part of a WebFrameMain the check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** The part of an IpcMainInvokeEvent the check reads. */
export interface IpcEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // `origin` is "null" for non-special schemes, so compare scheme and host.
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The sender is trusted when it is one of our windows (by webContents id), the message
 * comes from its top frame (not an iframe), and that frame shows our app:// origin.
 */
export function isTrustedSender(event: IpcEventLike, isOurWebContents: (id: number) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // navigated away or destroyed while the message was in flight
  if (frame.parent !== null) return false;
  if (!isOurWebContents(event.sender.id)) return false;
  return isAppUrl(frame.url);
}

function failure(error: string, message: string): IpcResult {
  return { ok: false, error: { error, message } };
}

export interface CallHandlerOptions {
  api: Pick<ControlApi, 'dispatch'>;
  isOurWebContents: (id: number) => boolean;
  logger: Logger;
}

export function createCallHandler(options: CallHandlerOptions): (event: IpcEventLike, payload: unknown) => Promise<IpcResult> {
  return async (event, payload) => {
    if (!isTrustedSender(event, options.isOurWebContents)) {
      options.logger.warn(`refused an IPC call from an unknown sender (${event.senderFrame?.url ?? 'no frame'})`);
      return failure('forbidden', 'this window may not use the Airlock API');
    }
    const parsed = IpcCallSchema.safeParse(payload);
    if (!parsed.success) return failure('invalid_request', formatZodError(parsed.error));
    try {
      return { ok: true, value: await options.api.dispatch(parsed.data.method, parsed.data.input) };
    } catch (err) {
      // The core's own errors reach the UI as the control API's error body, as over HTTP.
      if (err instanceof DomainError) return { ok: false, error: errorBody(err) };
      options.logger.error(`${parsed.data.method} failed: ${(err as Error).stack ?? String(err)}`);
      return failure('internal_error', 'Airlock could not complete this request; see the log');
    }
  };
}

/** Where events go: our windows' web contents (the part of WebContents used). */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, event: AirlockEvent): void;
}

/**
 * Pushes every core event to our windows. It does not count as a UI: the shell's own
 * tracker already does, whether or not a window is open.
 */
export function forwardEvents(api: Pick<ControlApi, 'subscribe'>, channel: string, targets: () => Iterable<EventTarget>): () => void {
  return api.subscribe(
    (event) => {
      for (const target of targets()) if (!target.isDestroyed()) target.send(channel, event);
    },
    { countsAsUi: false },
  );
}
