/**
 * Saving a history export from the desktop app: the person picks a file (the save dialog
 * is a fake here), the core's own export stream is written there, private to the user.
 * Only our window may ask, with a payload the shared history schemas accept.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/core/logger.ts';
import { createExportHandler } from '../../main/electron/history-export.ts';
import type { FrameLike, IpcEventLike } from '../../main/electron/ipc-guard.ts';
import { tempHome, waitFor } from '../helpers/harness.ts';
import { startCore, type CoreFixture } from './core-fixture.ts';

const OUR_ID = 3;
const frame = (url = 'app://airlock/index.html#/history'): FrameLike => ({ url, parent: null });
const event = (f: FrameLike | null = frame(), id = OUR_ID): IpcEventLike => ({ sender: { id }, senderFrame: f });

describe('history export from the desktop app (fake save dialog, real core)', () => {
  let core: CoreFixture;
  const out = tempHome('airlock-electron-export-');
  let chosen: string | undefined;
  let asked: string[];
  let handle: ReturnType<typeof createExportHandler<IpcEventLike>>;

  beforeAll(async () => {
    core = await startCore();
    const pending = await core.callThatWaits('a lighthouse at dusk');
    await core.deny(pending.id);
    await waitFor(async () => (await core.airlock.control.call('history.query', {})).entries.some((e) => e.state !== 'pending'), 5000, 'a finished history entry');
    asked = [];
    handle = createExportHandler<IpcEventLike>({
      isOurWebContents: (id) => id === OUR_ID,
      logger: silentLogger,
      exportStream: (format, filter) => core.airlock.stores.history.exportStream(format, filter),
      chooseFile: async (_event, format) => {
        asked.push(format);
        return chosen;
      },
    });
  });
  afterAll(async () => {
    await core?.close();
    out.cleanup();
  });

  it('writes the export where the person chose, readable only by them', async () => {
    chosen = join(out.dir, 'history.jsonl');
    expect(await handle(event(), { format: 'jsonl', filter: { tool: 'text_to_image' } })).toEqual({ ok: true, value: { saved: true, file: chosen } });
    const lines = readFileSync(chosen, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; arguments: { prompt: string } });
    expect(lines.map((l) => l.arguments.prompt)).toContain('a lighthouse at dusk');
    if (process.platform !== 'win32') expect(statSync(chosen).mode & 0o777).toBe(0o600);

    chosen = join(out.dir, 'history.csv');
    await handle(event(), { format: 'csv' });
    expect(readFileSync(chosen, 'utf8')).toMatch(/^id,receivedAt,server,tool/);
  });

  it('does nothing when the person cancels the dialog', async () => {
    chosen = undefined;
    expect(await handle(event(), { format: 'csv' })).toEqual({ ok: true, value: { saved: false } });
  });

  it('refuses an unknown sender and a payload outside the schemas before asking anyone', async () => {
    asked.length = 0;
    expect(await handle(event(frame('https://evil.example/')), { format: 'csv' })).toMatchObject({ ok: false, error: { error: 'forbidden' } });
    expect(await handle(event(frame(), 99), { format: 'csv' })).toMatchObject({ ok: false, error: { error: 'forbidden' } });
    for (const payload of [{ format: 'xml' }, { format: 'csv', filter: { toool: 'x' } }, { format: 'csv', path: '/etc/passwd' }, 'csv']) {
      expect(await handle(event(), payload)).toMatchObject({ ok: false, error: { error: 'invalid_request' } });
    }
    expect(asked).toEqual([]);
  });

  it('reports a file that cannot be written', async () => {
    chosen = join(out.dir, 'no-such-folder', 'history.csv');
    const result = await handle(event(), { format: 'csv' });
    expect(result).toMatchObject({ ok: false, error: { error: 'export_failed' } });
  });
});
