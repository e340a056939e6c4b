/**
 * Quitting cleanly: the first quit request is held until the core has stopped (upstream
 * processes ended, history flushed, runtime file and lock removed), then the app exits.
 * A core that does not stop within `timeoutMs` does not keep the app hanging.
 */
import type { Logger } from '../core/logger.ts';

export interface QuittableApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
  exit(code?: number): void;
}

export interface QuitSequence {
  readonly quitting: boolean;
}

export function installQuitSequence(app: QuittableApp, shutdown: () => Promise<void>, logger: Logger, timeoutMs = 15_000): QuitSequence {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    const timer = setTimeout(() => {
      logger.error(`Airlock did not stop within ${timeoutMs / 1000} s; exiting anyway`);
      app.exit(1);
    }, timeoutMs);
    shutdown()
      .catch((err: unknown) => logger.error(`stopping failed: ${(err as Error).stack ?? String(err)}`))
      .finally(() => {
        clearTimeout(timer);
        state = 'stopped';
        app.quit();
      });
  });
  return {
    get quitting() {
      return state !== 'running';
    },
  };
}
