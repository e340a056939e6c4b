/**
 * `npm start` decides between the desktop app and the headless server. The desktop app
 * needs the Electron binary (absent when installed with ELECTRON_SKIP_BINARY_DOWNLOAD) and,
 * on Linux, a display. Without either, Airlock still starts, headless with the browser UI,
 * and says why, so `npm start` never just crashes. Plain Node: runs outside Electron.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type StartDecision = { kind: 'electron'; binary: string } | { kind: 'serve'; reason: string };

export type ElectronBinary = { path: string } | { problem: string };

/**
 * Where the `electron` package put its binary, found without `require('electron')`: that
 * would try to download the binary when it is missing.
 */
export function findElectronBinary(root: string, env: NodeJS.ProcessEnv = process.env, exists = existsSync): ElectronBinary {
  const pkg = join(root, 'node_modules', 'electron');
  if (!exists(join(pkg, 'package.json'))) return { problem: 'the electron package is not installed (run `npm install`)' };
  let relative: string | undefined;
  try {
    relative = readFileSync(join(pkg, 'path.txt'), 'utf8').trim() || undefined;
  } catch {
    relative = undefined;
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron');
    return exists(path) ? { path } : { problem: `ELECTRON_OVERRIDE_DIST_PATH is set but ${path} does not exist` };
  }
  if (!relative) {
    return {
      problem:
        'the Electron binary is not installed (npm skips it when ELECTRON_SKIP_BINARY_DOWNLOAD is set); ' +
        'install it with `node node_modules/electron/install.js` where downloads are possible',
    };
  }
  const path = join(pkg, 'dist', relative);
  return exists(path) ? { path } : { problem: `the Electron binary ${path} is missing; reinstall it with \`node node_modules/electron/install.js\`` };
}

export function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function decideStart(options: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; binary: ElectronBinary }): StartDecision {
  const { platform, env, binary } = options;
  if (env.AIRLOCK_HEADLESS === '1') return { kind: 'serve', reason: 'AIRLOCK_HEADLESS=1 is set' };
  if ('problem' in binary) return { kind: 'serve', reason: binary.problem };
  if (!hasDisplay(platform, env)) return { kind: 'serve', reason: 'there is no display to show windows on (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { kind: 'electron', binary: binary.path };
}

export function fallbackMessage(reason: string): string {
  return `airlock: not starting the desktop app: ${reason}.\nairlock: starting \`airlock serve\` with the browser UI instead.\n`;
}
