/**
 * The Electron main process entry (bundled to dist/electron/main.cjs). Before Electron
 * creates anything it decides what this run is: the desktop app, or one of the headless
 * jobs the packaged binary does for clients that spawn a command (the stdio bridge).
 */
import { app } from 'electron';
import { runHeadless } from './headless-modes.ts';
import { parseLaunchMode } from './launch-mode.ts';
import { startDesktop } from './desktop-app.ts';

const mode = parseLaunchMode(process.argv);

if (mode.kind === 'app') {
  startDesktop({ ...(mode.home !== undefined && { home: mode.home }), hidden: process.argv.includes('--hidden') });
} else {
  // No window, no tray, no single-instance lock: this process only relays stdio.
  app.disableHardwareAcceleration();
  app.dock?.hide();
  void runHeadless(mode, {
    env: process.env,
    stderr: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => app.exit(code),
  });
}
