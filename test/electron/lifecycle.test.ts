/**
 * Quitting stops the core first: the quit is held until upstream processes have ended,
 * waiting calls are withdrawn and the home's runtime file and lock are gone. The Electron
 * `app` is a fake; the core is real.
 */
import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installQuitSequence, type QuittableApp } from '../../main/electron/lifecycle.ts';
import { silentLogger } from '../../main/core/logger.ts';
import { waitFor } from '../helpers/harness.ts';
import { startCore } from './core-fixture.ts';

class FakeApp extends EventEmitter implements QuittableApp {
  quits = 0;
  exitCode: number | undefined;
  /** Like Electron: quit() emits before-quit; unless prevented, the app quits. */
  quit(): void {
    this.quits++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exitCode ??= 0;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

describe('quitting (fake Electron app, real core)', () => {
  it('holds the quit until the core has stopped, then quits', async () => {
    const core = await startCore();
    const { airlock } = core;
    const pending = await core.callThatWaits();
    expect(pending.tool).toBe('text_to_image');
    const app = new FakeApp();
    const sequence = installQuitSequence(app, () => airlock.stop(), silentLogger);
    expect(existsSync(airlock.paths.runtime)).toBe(true);

    app.quit();
    expect(sequence.quitting).toBe(true);
    expect(app.exitCode).toBeUndefined();
    // A second request while stopping is held too, not a second shutdown.
    app.quit();
    await waitFor(() => app.exitCode !== undefined, 15_000, 'the app to quit');
    expect(app.exitCode).toBe(0);
    expect(existsSync(airlock.paths.runtime)).toBe(false);
    expect(existsSync(airlock.paths.lock)).toBe(false);
    expect(airlock.upstreams.get('images')?.status.state).toBe('stopped');
    await core.close();
  });

  it('does not hang on a core that will not stop', async () => {
    const app = new FakeApp();
    installQuitSequence(app, () => new Promise<void>(() => undefined), silentLogger, 50);
    app.quit();
    await waitFor(() => app.exitCode !== undefined, 2000, 'the forced exit');
    expect(app.exitCode).toBe(1);
  });
});
