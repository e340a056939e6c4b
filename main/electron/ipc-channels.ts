/**
 * The IPC surface between the preload and the main process: one request channel that
 * carries `{ method, input }` of the control API, one channel the main process pushes
 * events on, one that saves a history export, and one that opens a server's sign-in page. Nothing else crosses. Imported by the preload, so: no runtime imports.
 */
import type { AirlockBridge, ApiError } from '../../shared/api/contract.ts';

export const CALL_CHANNEL = 'airlock:call';
export const EVENT_CHANNEL = 'airlock:event';
/** Saving a history export through a save dialog (see history-export.ts). */
export const EXPORT_CHANNEL = 'airlock:export';
/** Starting sign-in to a remote server, its page opened in the system browser (see sign-in.ts). */
export const SIGN_IN_CHANNEL = 'airlock:sign-in';

/** The custom protocol the UI is served from: `app://airlock/...`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'airlock';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface IpcCall {
  method: string;
  input?: unknown;
}

/**
 * Errors travel as data: contextBridge keeps only the message of a thrown Error, and the
 * policy editor needs the located problems of a failed `policy.put`.
 */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: ApiError };

/** What the preload exposes as `window.airlock`: the bridge, plus saving an export and opening a sign-in page. */
export interface DesktopBridge extends AirlockBridge {
  /** Saves a history export where the person chooses (a save dialog); resolves when done or cancelled. */
  download(format: 'jsonl' | 'csv', filter?: Record<string, string>): Promise<void>;
  /** Starts sign-in to a server and opens its page in the system browser. */
  openSignIn(server: string): Promise<{ authorizationUrl: string }>;
}
