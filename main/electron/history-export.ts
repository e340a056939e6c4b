/**
 * Saving a history export from the desktop app. In a browser the UI downloads
 * `/api/history/export`; a window of ours has no such link to follow (the API wants an
 * Authorization header), so the UI asks over IPC, the person picks a file in a save
 * dialog, and the main process writes the core's export stream there. Same checks as
 * every IPC call: our own window's top frame, and a payload parsed with the shared schemas.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { HistoryExportFormatSchema, HistoryFilterSchema, type HistoryExportFormat, type HistoryFilterInput } from '../../shared/history.ts';
import type { Logger } from '../core/logger.ts';
import { formatZodError } from '../core/util/zod-format.ts';
import type { IpcResult } from './ipc-channels.ts';
import { isTrustedSender, type IpcEventLike } from './ipc-guard.ts';

export const ExportRequestSchema = z.strictObject({
  format: HistoryExportFormatSchema,
  filter: HistoryFilterSchema.optional(),
});

export interface ExportHandlerOptions<E extends IpcEventLike> {
  isOurWebContents: (id: number) => boolean;
  /** Asks the person where to save (a save dialog); undefined when they cancel. */
  chooseFile: (event: E, format: HistoryExportFormat) => Promise<string | undefined>;
  exportStream: (format: HistoryExportFormat, filter: HistoryFilterInput) => AsyncIterable<string>;
  logger: Logger;
}

export function createExportHandler<E extends IpcEventLike>(options: ExportHandlerOptions<E>): (event: E, payload: unknown) => Promise<IpcResult> {
  return async (event, payload) => {
    if (!isTrustedSender(event, options.isOurWebContents)) {
      options.logger.warn(`refused a history export from an unknown sender (${event.senderFrame?.url ?? 'no frame'})`);
      return { ok: false, error: { error: 'forbidden', message: 'this window may not use the Airlock API' } };
    }
    const parsed = ExportRequestSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, error: { error: 'invalid_request', message: formatZodError(parsed.error) } };
    const { format, filter = {} } = parsed.data;
    const file = await options.chooseFile(event, format);
    if (!file) return { ok: true, value: { saved: false } };
    try {
      // The history holds arguments and results: the file is the person's alone.
      await pipeline(Readable.from(options.exportStream(format, filter)), createWriteStream(file, { mode: 0o600 }));
      return { ok: true, value: { saved: true, file } };
    } catch (err) {
      options.logger.error(`history export to ${file} failed: ${(err as Error).stack ?? String(err)}`);
      return { ok: false, error: { error: 'export_failed', message: `Could not write ${file}: ${(err as Error).message}` } };
    }
  };
}
